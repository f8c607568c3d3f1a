"""The portal's vocabulary: statuses from the integrator's help document, operations, openings.

The status values are the API's ``PortalStatus`` values
(``signer_app/portal_api/openapi.yaml``); the labels are what the
integrator's "Hizmetlerim" page shows.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

__all__ = [
    "OPERATIONS",
    "Opening",
    "OpeningMode",
    "Operation",
    "PortalStatus",
    "status_label",
]

Operation = Literal["open", "close"]
OpeningMode = Literal["immediate", "scheduled"]

#: The operations an activation can ask for.
OPERATIONS: Final[tuple[Operation, ...]] = ("open", "close")


class PortalStatus(enum.Enum):
    """A service's or an activation's status on the portal."""

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

    @property
    def label(self) -> str:
        """The status as the help document writes it, e.g. ``GİB'den Onay Bekliyor``."""
        return _LABELS[self]


_LABELS: Final = {
    PortalStatus.AWAITING_ACTIVATION: "Aktivasyon Bekliyor",
    PortalStatus.AWAITING_CUSTOMER_SIGNATURE: "Müşteri İmzası Bekliyor",
    PortalStatus.AWAITING_GIB_SUBMISSION: "GİB'e Gönderimi Bekliyor",
    PortalStatus.AWAITING_GIB_APPROVAL: "GİB'den Onay Bekliyor",
    PortalStatus.ACTIVE: "Aktif",
    PortalStatus.FAILED: "Hatalı",
}


def status_label(status: PortalStatus, operation: Operation) -> str:
    """The label of an activation's status.

    A closing that GİB completed is ``aktif`` in the API (the operation took
    effect); its label says ``Kapatıldı`` so that nobody reads it as an open
    account.
    """
    if operation == "close" and status is PortalStatus.ACTIVE:
        return "Kapatıldı"
    return status.label


@dataclass(frozen=True)
class Opening:
    """When an account should open: now, or at a date and time.

    :ivar mode: ``immediate`` ("Hesap Hemen Açılsın") or ``scheduled``
        ("Hesap İleri Tarihte Açılsın").
    :ivar at: the chosen moment for ``scheduled`` (timezone-aware); ``None``
        for ``immediate``.
    """

    mode: OpeningMode
    at: datetime | None = None

    def __post_init__(self) -> None:
        if self.mode not in ("immediate", "scheduled"):
            raise ValueError("opening mode must be 'immediate' or 'scheduled'")
        if self.mode == "immediate" and self.at is not None:
            raise ValueError("an immediate opening has no date")
        if self.mode == "scheduled":
            if self.at is None:
                raise ValueError("a scheduled opening needs a date and time")
            if self.at.tzinfo is None or self.at.utcoffset() is None:
                raise ValueError("the opening date must be timezone-aware")

    @classmethod
    def immediate(cls) -> Opening:
        """Open as soon as the customer has signed."""
        return cls("immediate")

    @classmethod
    def scheduled(cls, at: datetime) -> Opening:
        """Hold the signed document until ``at``, then send it to GİB."""
        return cls("scheduled", at)

    def effective(self, now: datetime) -> datetime:
        """When the opening takes effect, taking ``immediate`` as ``now``."""
        return self.at if self.at is not None else now
