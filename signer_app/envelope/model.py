"""What a person must see before signing: user-account documents and user envelopes.

The values are read from the XML by :mod:`signer_app.envelope.reading`;
whether they obey GİB's rules is :mod:`signer_app.envelope.rules`' business.
Text values are whitespace-normalised; ``None`` means the element is absent
and ``""`` that it is present but empty.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from signer_app.envelope.services import CustomerType, Service

__all__ = ["Account", "Envelope", "Operation", "UserDocument"]


class Operation(enum.Enum):
    """What a user-account document asks GİB to do; the value is the root's local name."""

    OPEN = "ProcessUserAccount"
    CLOSE = "CancelUserAccount"

    @property
    def name_tr(self) -> str:
        """``açma`` or ``kapatma``."""
        return "açma" if self is Operation.OPEN else "kapatma"

    @property
    def name_en(self) -> str:
        """``open`` or ``close``."""
        return "open" if self is Operation.OPEN else "close"

    @property
    def element_type(self) -> str:
        """The envelope's ``ElementType`` for documents of this kind."""
        return self.value.upper()


@dataclass(frozen=True)
class Account:
    """One ``hr:UserAccount``: one alias (with its role) of the customer.

    :ivar user_id: the customer's VKN (10 digits) or TCKN (11 digits).
    :ivar role_code: ``GB`` (gönderici birim), ``PK`` (posta kutusu), another
        value as written, or ``None`` without ``UserRole``.
    :ivar alias: the ``WorkScopeCode`` (etiket), ``None`` without
        ``AuthorizedWorkScope``.
    :ivar option_code: ``UserOptionCode`` as a number, ``None`` when absent or
        not a number.
    """

    user_id: str | None
    formatted_name: str | None
    given_name: str | None
    middle_name: str | None
    family_name: str | None
    role_code: str | None
    role_name: str | None
    alias: str | None
    alias_name: str | None
    option_code: int | None


@dataclass(frozen=True)
class UserDocument:
    """A ``ProcessUserAccount`` or ``CancelUserAccount`` document.

    :ivar integrator_id: ``oa:LogicalID``, the integrator's VKN/TCKN.
    :ivar customer_id: the ``UserID`` all accounts share; ``None`` if they
        differ or none has one.
    :ivar customer_name: the company title (VKN) or ``GIVEN MIDDLE FAMILY``
        (TCKN), taken from the first account.
    :ivar customer_is_person: the customer is identified by an 11-digit TCKN.
    :ivar option_code: the ``UserOptionCode`` all accounts share, else ``None``.
    :ivar service: the service ``option_code`` belongs to, if any.
    :ivar customer_type: what ``option_code`` says about the customer, if known.
    :ivar created: ``oa:CreationDateTime`` as written (``""`` if absent).
    :ivar created_at: ``created`` as a datetime, ``None`` if it cannot be read.
    :ivar raw: the document's exact bytes (standalone, also when taken out of an
        envelope): what signature verification and counter-signing work on.
    """

    operation: Operation
    integrator_id: str | None
    customer_id: str | None
    customer_name: str | None
    customer_is_person: bool
    accounts: tuple[Account, ...]
    option_code: int | None
    service: Service | None
    customer_type: CustomerType | None
    created: str
    created_at: datetime | None
    raw: bytes = field(repr=False)


@dataclass(frozen=True)
class Envelope:
    """A ``USERENVELOPE`` (SBDH) carrying user-account documents.

    :ivar sender_alias: the integrator's service alias, e.g. ``usergb``.
    :ivar sender_id: the integrator's VKN/TCKN (the ``VKN_TCKN`` contact).
    :ivar sender_title: the ``UNVAN`` contact, if given.
    :ivar element_type: the ``ElementType`` all groups share, else ``None``.
    :ivar documents: the documents of every ``Elements`` group, in order.
    :ivar raw: the envelope's exact bytes.
    """

    instance_id: str | None
    header_version: str | None
    type_version: str | None
    type: str | None
    created: str
    created_at: datetime | None
    sender_alias: str | None
    sender_id: str | None
    sender_title: str | None
    receiver_alias: str | None
    receiver_id: str | None
    element_type: str | None
    documents: tuple[UserDocument, ...]
    raw: bytes = field(repr=False)
