"""The value types of the activation job, light enough for the window to import at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from signer_app.envelope.model import UserDocument
    from signer_app.errors import SignerAppError
    from signer_app.flow.journal import JournalEntry
    from signer_app.portal_api.models import Activation

__all__ = ["Item", "ItemResult", "Outcome", "SignProgress"]


@dataclass(frozen=True)
class Item:
    """A pending activation and whether this program may sign it."""

    activation: Activation
    #: What the document says; None when it could not be downloaded or read.
    document: UserDocument | None = None
    #: Why it cannot be signed (not in the contract, refused by the checks …).
    problem: SignerAppError | None = None
    #: Signed before (this or an earlier run): only the upload is left.
    journal: JournalEntry | None = None
    #: The downloaded document's bytes: exactly what was checked is what gets signed.
    data: bytes | None = field(default=None, repr=False)

    @property
    def signable(self) -> bool:
        """Whether signing it is possible now."""
        return (
            self.problem is None
            and self.journal is None
            and self.document is not None
            and self.data is not None
        )


class Outcome(Enum):
    """What happened to one activation."""

    SUCCESS = "success"
    FAILED = "failed"


@dataclass(frozen=True)
class ItemResult:
    """The result line of one activation."""

    activation_id: str
    service_name: str
    operation: str
    outcome: Outcome
    reference: str | None = None
    error: SignerAppError | None = None


#: Called before each document with (index, total, activation).
SignProgress = Callable[[int, int, "Activation"], None]
