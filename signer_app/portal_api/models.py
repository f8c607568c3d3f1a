"""Typed results of the portal API (see ``openapi.yaml`` beside this module).

Every value here was checked against the API description when it was read
(:mod:`signer_app.portal_api._wire`): enums hold only their allowed values and
every time is timezone-aware.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Final

__all__ = [
    "OPENING_MODES",
    "OPERATIONS",
    "SERVICE_IDS",
    "Activation",
    "ActivationList",
    "Company",
    "GibAnswer",
    "Opening",
    "PortalSession",
    "PortalStatus",
    "Service",
    "Status",
    "UploadResult",
]


#: The service ids of the API's ``Service`` enum, in GİB's order.
SERVICE_IDS: Final = (
    "efatura",
    "fatura_saklama",
    "earsiv",
    "earsiv_saklama",
    "ebilet",
    "eirsaliye",
    "eirsaliye_arsiv",
    "esmm",
    "emm",
    "esmm_arsiv",
    "emm_arsiv",
    "emali_rapor",
    "edekont",
    "edoviz",
    "eadisyon",
    "esigorta_komisyon",
)
#: ``open`` (``ProcessUserAccount``) or ``close`` (``CancelUserAccount``).
OPERATIONS: Final = ("open", "close")
#: ``immediate`` or ``scheduled`` (at :attr:`Opening.at`).
OPENING_MODES: Final = ("immediate", "scheduled")


class PortalStatus(Enum):
    """An activation's status, as the integrator's help document names them."""

    AWAITING_ACTIVATION = "aktivasyon_bekliyor"
    AWAITING_CUSTOMER_SIGNATURE = "musteri_imzasi_bekliyor"
    AWAITING_GIB_SUBMISSION = "gibe_gonderimi_bekliyor"
    AWAITING_GIB_APPROVAL = "gibden_onay_bekliyor"
    ACTIVE = "aktif"
    FAILED = "hatali"

    @property
    def final(self) -> bool:
        """Aktif or Hatalı: nothing changes any more."""
        return self in (PortalStatus.ACTIVE, PortalStatus.FAILED)


@dataclass(frozen=True)
class Company:
    """The logged-in company."""

    id: str
    title: str


@dataclass(frozen=True)
class Service:
    """A GİB service (``efatura``, ``earsiv`` …) and its Turkish name."""

    id: str
    name: str


@dataclass(frozen=True)
class Opening:
    """When the account should open: now, or at a date and time."""

    mode: str
    at: datetime | None = None


@dataclass(frozen=True)
class GibAnswer:
    """GİB's status code and text, e.g. ``1300 BASARIYLA TAMAMLANDI``."""

    code: int
    text: str

    def __str__(self) -> str:
        return f"({self.code}) {self.text}"


@dataclass(frozen=True)
class Status:
    """The portal's status of an activation and GİB's answer, if any."""

    status: PortalStatus
    label: str
    final: bool
    updated_at: datetime
    gib: GibAnswer | None = None


@dataclass(frozen=True)
class Activation:
    """One service to open or close."""

    id: str
    service: Service
    operation: str
    opening: Opening
    status: Status
    document_sha256: str | None


@dataclass(frozen=True)
class ActivationList:
    """The company's activations."""

    company: Company
    items: tuple[Activation, ...]


@dataclass(frozen=True)
class PortalSession:
    """A logged-in session; the token is a secret and stays out of reprs."""

    token: str = field(repr=False)
    expires_at: datetime
    company: Company


@dataclass(frozen=True)
class UploadResult:
    """The portal's receipt for a counter-signed document."""

    reference: str
    received_at: datetime
    activation: Activation
    #: ``True`` when the portal had accepted this document before (HTTP 200,
    #: e.g. after a lost answer): this is the first upload's receipt again.
    already_accepted: bool = False
