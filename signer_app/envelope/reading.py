"""Reading user-account documents and user envelopes into the value model.

Reading is tolerant: a missing optional piece becomes ``None`` and GİB's rules
(:mod:`signer_app.envelope.rules`) say what is wrong with it. Reading refuses
only what is not a user-account document or user envelope at all.

The parsed tree is kept next to the model (:class:`Loaded`) for the rules.
Signature code works on a document's own bytes (:attr:`UserDocument.raw`),
re-parsed with :func:`~signer_app.envelope.parsing.parse_xml`: for a document
inside an envelope those are the bytes GİB reads as a document of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final, TypeVar

from lxml import etree

from signer_app.envelope.errors import UnsupportedDocumentError
from signer_app.envelope.model import Account, Envelope, Operation, UserDocument
from signer_app.envelope.names import ef, hr, oa, sh
from signer_app.envelope.parsing import embedded_documents, parse_xml
from signer_app.envelope.services import service_for_option_code

__all__ = [
    "ENVELOPE_DOCUMENTS_PATH",
    "Loaded",
    "load",
    "read",
    "read_envelope",
    "read_user_document",
]

#: From the envelope's root down to the element whose children are the documents;
#: ``ef:Package``'s children carry no namespace (``elementFormDefault="unqualified"``).
ENVELOPE_DOCUMENTS_PATH: Final = (
    sh("StandardBusinessDocument"),
    ef("Package"),
    "Elements",
    "ElementList",
)

_T = TypeVar("_T")

_OPERATIONS: Final = {hr(operation.value): operation for operation in Operation}
_ENVELOPE_ROOT: Final = sh("StandardBusinessDocument")
# Envelope types that certainly carry no user-account documents.
_OTHER_ENVELOPE_TYPES: Final = frozenset({"SENDERENVELOPE", "POSTBOXENVELOPE", "SYSTEMENVELOPE"})
_XML_WHITESPACE: Final = re.compile(r"[ \t\r\n]+")
_DIGITS: Final = re.compile(r"[0-9]+")
# xs:dateTime; datetime.fromisoformat alone would also take dates and basic formats.
_DATETIME: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?"
)


@dataclass(frozen=True)
class Loaded:
    """A document or envelope read from bytes, with its parsed tree for the rules."""

    model: UserDocument | Envelope
    tree: etree._ElementTree


def _normalize(text: str) -> str:
    # XPath's normalize-space: only the four XML whitespace characters count.
    return _XML_WHITESPACE.sub(" ", text).strip(" ")


def _child(element: etree._Element | None, *path: str) -> etree._Element | None:
    for tag in path:
        if element is None:
            return None
        element = element.find(tag)
    return element


def _text(element: etree._Element | None, *path: str) -> str | None:
    found = _child(element, *path)
    return None if found is None else _normalize("".join(found.itertext()))


def _number(text: str | None) -> int | None:
    return int(text) if text is not None and _DIGITS.fullmatch(text) else None


def _datetime(text: str) -> datetime | None:
    if not _DATETIME.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:  # e.g. month 13
        return None


def _read_account(element: etree._Element) -> Account:
    name = _child(element, hr("PersonName"))
    role = _child(element, hr("UserRole"))
    scope = _child(element, hr("AuthorizedWorkScope"))
    return Account(
        user_id=_text(element, hr("UserID")),
        formatted_name=_text(name, hr("FormattedName")),
        given_name=_text(name, oa("GivenName")),
        middle_name=_text(name, hr("MiddleName")),
        family_name=_text(name, hr("FamilyName")),
        role_code=_text(role, hr("RoleCode")),
        role_name=_text(role, hr("RoleName")),
        alias=_text(scope, hr("WorkScopeCode")),
        alias_name=_text(scope, hr("WorkScopeName")),
        option_code=_number(_text(element, hr("AccountConfiguration"), hr("UserOptionCode"))),
    )


def _shared(values: list[_T]) -> _T | None:
    return values[0] if values and all(value == values[0] for value in values) else None


def _customer_name(account: Account) -> str | None:
    if account.user_id is not None and len(account.user_id) == 11:
        parts = (account.given_name, account.middle_name, account.family_name)
        full = " ".join(part for part in parts if part)
        if full:
            return full
    return account.formatted_name


def read_user_document(tree: etree._ElementTree, raw: bytes) -> UserDocument:
    """Read a ``ProcessUserAccount`` / ``CancelUserAccount`` document.

    :param tree: the document parsed from ``raw`` with
        :func:`~signer_app.envelope.parsing.parse_xml`.
    :param raw: the document's exact bytes, kept in the result.
    :raises UnsupportedDocumentError: the root is neither element.
    """
    root = tree.getroot()
    operation = _OPERATIONS.get(root.tag) if isinstance(root.tag, str) else None
    if operation is None:
        raise UnsupportedDocumentError(f"root element {etree.QName(root).localname!r}")
    area = _child(root, oa("ApplicationArea"))
    accounts = tuple(
        _read_account(element) for element in root.iterfind(f"{hr('DataArea')}/{hr('UserAccount')}")
    )
    customer_id = _shared([account.user_id for account in accounts])
    option_code = _shared([account.option_code for account in accounts])
    service = None if option_code is None else service_for_option_code(option_code)
    first = accounts[0] if accounts else None
    identity = customer_id if customer_id is not None else (first.user_id if first else None)
    created = _text(area, oa("CreationDateTime")) or ""
    return UserDocument(
        operation=operation,
        integrator_id=_text(area, oa("Sender"), oa("LogicalID")),
        customer_id=customer_id,
        customer_name=None if first is None else _customer_name(first),
        customer_is_person=identity is not None and len(identity) == 11,
        accounts=accounts,
        option_code=option_code,
        service=service,
        customer_type=None
        if service is None or option_code is None
        else service.customer_type(option_code),
        created=created,
        created_at=_datetime(created),
        raw=raw,
    )


def _contact(party: etree._Element | None, kind: str) -> str | None:
    if party is None:
        return None
    for info in party.iterfind(sh("ContactInformation")):
        if _text(info, sh("ContactTypeIdentifier")) == kind:
            return _text(info, sh("Contact"))
    return None


def read_envelope(tree: etree._ElementTree, raw: bytes) -> Envelope:
    """Read a ``USERENVELOPE`` and every user-account document inside it.

    Each document is cut out of ``raw`` byte for byte, parsed on its own and
    read with :func:`read_user_document`.

    :param tree: the envelope parsed from ``raw`` with
        :func:`~signer_app.envelope.parsing.parse_xml`.
    :param raw: the envelope's exact bytes.
    :raises UnsupportedDocumentError: the root is not ``sh:StandardBusinessDocument``,
        the envelope is of another known type, or it carries a document that is
        not a user-account document.
    :raises NotStandaloneError: a document inside relies on the envelope's
        namespace declarations.
    """
    root = tree.getroot()
    if root.tag != _ENVELOPE_ROOT:
        raise UnsupportedDocumentError("not a StandardBusinessDocument")
    header = _child(root, sh("StandardBusinessDocumentHeader"))
    identification = _child(header, sh("DocumentIdentification"))
    kind = _text(identification, sh("Type"))
    if kind in _OTHER_ENVELOPE_TYPES:
        raise UnsupportedDocumentError(f"envelope type {kind}")
    sender = _child(header, sh("Sender"))
    receiver = _child(header, sh("Receiver"))
    element_types = [
        _text(group, "ElementType") for group in root.iterfind(f"{ef('Package')}/Elements")
    ]
    documents = tuple(
        read_user_document(parse_xml(document), document)
        for document in embedded_documents(raw, ENVELOPE_DOCUMENTS_PATH)
    )
    created = _text(identification, sh("CreationDateAndTime")) or ""
    return Envelope(
        instance_id=_text(identification, sh("InstanceIdentifier")),
        header_version=_text(header, sh("HeaderVersion")),
        type_version=_text(identification, sh("TypeVersion")),
        type=kind,
        created=created,
        created_at=_datetime(created),
        sender_alias=_text(sender, sh("Identifier")),
        sender_id=_contact(sender, "VKN_TCKN"),
        sender_title=_contact(sender, "UNVAN"),
        receiver_alias=_text(receiver, sh("Identifier")),
        receiver_id=_contact(receiver, "VKN_TCKN"),
        element_type=_shared(element_types),
        documents=documents,
        raw=raw,
    )


def read(data: bytes) -> Loaded:
    """Parse ``data`` and read it as a user-account document or a user envelope.

    :raises XmlRejectedError: ``data`` is not XML this program reads.
    :raises UnsupportedDocumentError: it is neither kind of document.
    """
    tree = parse_xml(data)
    model: UserDocument | Envelope
    if tree.getroot().tag == _ENVELOPE_ROOT:
        model = read_envelope(tree, data)
    else:
        model = read_user_document(tree, data)
    return Loaded(model, tree)


def load(data: bytes) -> UserDocument | Envelope:
    """Like :func:`read`, for callers that need only the model."""
    return read(data).model
