"""What the pages share during one run of the wizard, and the words of a service line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale

if TYPE_CHECKING:
    from datetime import datetime

    from signer_app.flow.certificates import CertificateChoice
    from signer_app.flow.results import Item
    from signer_app.portal_api.models import Activation, PortalSession, Status
    from signer_app.ui.context import WizardContext
    from signer_app.ui.workers import WorkerHandle

__all__ = [
    "CERTIFICATE",
    "LOGIN",
    "SERVICES",
    "SIGN",
    "SIGNING",
    "WizardState",
    "activation_text",
    "local_date_text",
    "opening_text",
    "service_text",
    "status_label",
    "status_text",
]

#: The wizard's page ids, in order.
LOGIN, SERVICES, CERTIFICATE, SIGN, SIGNING = range(5)


@dataclass
class WizardState:
    """The run's state; the worker owns the job, this holds only what pages chose."""

    context: WizardContext
    handle: WorkerHandle
    session: PortalSession | None = None
    items: list[Item] = field(default_factory=list)
    selected: list[Item] = field(default_factory=list)
    module: str | None = None
    slot_id: int | None = None
    choice: CertificateChoice | None = None
    #: From İmza to İmzalama only: the signing page takes it for the batch
    #: and forgets it (a retry asks again).
    pin: str | None = field(default=None, repr=False)
    pinpad: bool = False
    confirm_final_try: bool = False
    #: A batch is being signed or uploaded.
    busy: bool = False

    def certificate_name(self) -> str:
        """The chosen certificate's short name ("" before the choice)."""
        if self.choice is None:
            return ""
        info = self.choice.certificate.info
        return info.display_name if info is not None else self.choice.certificate.label

    def reset(self) -> None:
        """Forget everything of the run (a new contract file was opened)."""
        self.session = None
        self.items = []
        self.selected = []
        self.choice = None
        self.pin = None
        self.pinpad = False
        self.confirm_final_try = False
        self.busy = False


def service_text(name: str, operation: str) -> str:
    """``e-Fatura Hizmeti açma`` as in the help document."""
    if operation == "close":
        return QCoreApplication.translate("Texts", "{0} Hizmeti kapatma").format(name)
    return QCoreApplication.translate("Texts", "{0} Hizmeti açma").format(name)


def activation_text(activation: Activation) -> str:
    """The service line of an activation."""
    return service_text(activation.service.name, activation.operation)


def local_date_text(moment: datetime, *, with_time: bool = False) -> str:
    """*moment* in local time, written as the window's language writes dates."""
    value = QDateTime(moment.astimezone())  # aware → local wall-clock time
    locale = QLocale()  # the default that ui.i18n set for the chosen language
    if with_time:
        return locale.toString(value, QLocale.FormatType.ShortFormat)
    return locale.toString(value.date(), QLocale.FormatType.ShortFormat)


def opening_text(activation: Activation) -> str:
    """When the account should open, in words."""
    at = activation.opening.at
    if at is None:
        return QCoreApplication.translate("Texts", "Hesap hemen açılsın")
    when = local_date_text(at, with_time=True)
    return QCoreApplication.translate("Texts", "Açılış: {0}").format(when)


def status_label(status: Status) -> str:
    """The status in the window's language, named as in the help document."""
    # The portal's own label is Turkish; the English window needs its own words.
    labels = {
        "aktivasyon_bekliyor": QCoreApplication.translate("Texts", "Aktivasyon Bekliyor"),
        "musteri_imzasi_bekliyor": QCoreApplication.translate("Texts", "Müşteri İmzası Bekliyor"),
        "gibe_gonderimi_bekliyor": QCoreApplication.translate("Texts", "GİB'e Gönderimi Bekliyor"),
        "gibden_onay_bekliyor": QCoreApplication.translate("Texts", "GİB'den Onay Bekliyor"),
        "aktif": QCoreApplication.translate("Texts", "Aktif"),
        "hatali": QCoreApplication.translate("Texts", "Hatalı"),
    }
    return labels.get(status.status.value, status.label)


def status_text(status: Status) -> str:
    """``Aktif (1300) BASARIYLA TAMAMLANDI``: the status and GİB's answer (GİB's own words)."""
    label = status_label(status)
    if status.gib is None:
        return label
    return f"{label} ({status.gib.code}) {status.gib.text}"
