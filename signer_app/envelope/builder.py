"""Build unsigned GİB user-account documents and user envelopes.

This is the integrator's side of the exchange, used by tests and by tools
that prepare documents for signing:

* :func:`build_user_document` writes an unsigned ``ProcessUserAccount``
  (open) or ``CancelUserAccount`` (close) shaped like GİB's own samples, with
  an empty ``oa:Signature`` where the integrator's XAdES signature goes;
* :func:`build_user_envelope` wraps signed documents in a ``USERENVELOPE``
  as the current schematron wants it.

Times: GİB's samples write ``oa:CreationDateTime`` and
``sh:CreationDateAndTime`` as Turkish wall-clock time without an offset
(``2013-06-19T11:03:45``), and so does this module. Türkiye has kept
UTC+03:00 all year since 2016, so an aware :class:`~datetime.datetime` is
converted to that offset first; a naive one is taken to be Turkish time
already. Fractions of a second are dropped.

The documents inside an envelope are copied in byte for byte: their
signatures use inclusive canonicalisation, and GİB cuts each document out of
the envelope again before it verifies it, so any re-serialisation (attribute
quoting, namespace declarations, whitespace) would break them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Final, Literal

from lxml import etree

__all__ = [
    "GIB_ALIAS",
    "GIB_TITLE",
    "GIB_VKN",
    "MAX_DOCUMENTS",
    "AccountSpec",
    "build_user_document",
    "build_user_envelope",
]

_HR: Final = "http://www.hr-xml.org/3"
_OA: Final = "http://www.openapplications.org/oagis/9"
_DS: Final = "http://www.w3.org/2000/09/xmldsig#"
_XADES: Final = "http://uri.etsi.org/01903/v1.3.2#"
_XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
_SH: Final = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
_EF: Final = "http://www.efatura.gov.tr/package-namespace"

#: GİB's receiving alias, tax number and title in every user envelope.
GIB_ALIAS: Final = "GIB"
GIB_VKN: Final = "3900383669"
GIB_TITLE: Final = "Gelir İdaresi Başkanlığı"
#: GİB takes at most this many documents in one ``ElementList``.
MAX_DOCUMENTS: Final = 1000

# The same declarations, in the same order, as on GİB's samples: documents
# are signed with inclusive C14N, so what the root declares is signed too.
_DOCUMENT_NSMAP: Final[dict[str | None, str]] = {
    None: _HR,
    "xades": _XADES,
    "oa": _OA,
    "ds": _DS,
    "xsi": _XSI,
}
# A hint only (no validator here follows it); kept because GİB's samples carry it.
_DOCUMENT_SCHEMA_LOCATION: Final = (
    f"{_HR} ../HRXML/UserAccount.xsd {_DS} xmldsig-core-schema.xsd {_XADES} XAdES.xsd"
)
# GİB's samples use this placeholder value for the required OAGIS attribute.
_RELEASE_ID: Final = "releaseID0"
_ENVELOPE_SCHEMA_LOCATION: Final = f"{_SH} PackageProxy_1_2.xsd"

_ROLE_NAMES: Final = {"GB": "Gönderici Birim", "PK": "Posta Kutusu"}
_ALIAS_NAMES: Final = {"GB": "Gönderici Birim Etiketi", "PK": "Posta Kutusu Birimi Etiketi"}

_ROOTS: Final = {
    "open": ("ProcessUserAccount", "Process"),
    "close": ("CancelUserAccount", "Cancel"),
}
_ELEMENT_TYPES: Final = {
    f"{{{_HR}}}ProcessUserAccount": "PROCESSUSERACCOUNT",
    f"{{{_HR}}}CancelUserAccount": "CANCELUSERACCOUNT",
}

_TURKIYE: Final = timezone(timedelta(hours=3))
_TAX_ID: Final = re.compile(r"[0-9]{10}|[0-9]{11}")
# GİB's UUIDCheck pattern: only the plain 8-4-4-4-12 form.
_UUID: Final = re.compile(
    r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
)
_DECLARATION: Final = re.compile(rb"<\?xml\s[^>]*?\?>")
_ENCODING: Final = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_DTD: Final = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_BOM: Final = b"\xef\xbb\xbf"
_XML_SPACE: Final = b" \t\r\n"
# A comment cannot be produced by escaped text, so it marks the one place
# where the documents go without any risk of matching caller data.
_SLOT: Final = "signer-app: documents"


@dataclass(frozen=True)
class AccountSpec:
    """One ``UserAccount``: one role and its alias (etiket).

    For services without roles or aliases (e-Arşiv, Fatura Saklama …) use
    ``AccountSpec()``.

    :param role_code: ``"GB"`` (gönderici birim) or ``"PK"`` (posta kutusu);
        ``None`` writes no ``UserRole``.
    :param role_name: ``RoleName``; ``None`` writes GİB's usual name for the role.
    :param alias: the ``WorkScopeCode``, e.g. ``urn:mail:defaultgb@firma.com.tr``;
        ``None`` writes no ``AuthorizedWorkScope``.
    :param alias_name: ``WorkScopeName``; ``None`` writes GİB's usual label for
        the role, or the alias itself when there is no role.
    """

    role_code: str | None = None
    role_name: str | None = None
    alias: str | None = None
    alias_name: str | None = None


def _turkish_time(value: datetime) -> str:
    if not isinstance(value, datetime):
        raise TypeError("created must be a datetime")
    if value.tzinfo is not None and value.utcoffset() is not None:
        value = value.astimezone(_TURKIYE)
    return value.replace(tzinfo=None, microsecond=0).isoformat(timespec="seconds")


def _tax_id(value: object, what: str) -> str:
    if not isinstance(value, str) or not _TAX_ID.fullmatch(value):
        raise ValueError(f"{what} must be a 10-digit VKN or an 11-digit TCKN")
    return value


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-blank string")
    return value


def _optional_text(value: object, what: str) -> str | None:
    return None if value is None else _text(value, what)


def _check_account(account: object, index: int) -> AccountSpec:
    if not isinstance(account, AccountSpec):
        raise TypeError(f"accounts[{index}] must be an AccountSpec")
    where = f"accounts[{index}]"
    if account.role_code is not None and account.role_code not in _ROLE_NAMES:
        raise ValueError(f"{where}.role_code must be 'GB', 'PK' or None")
    if account.role_code is None and account.role_name is not None:
        raise ValueError(f"{where}.role_name needs a role_code")
    if account.alias is None and account.alias_name is not None:
        raise ValueError(f"{where}.alias_name needs an alias")
    _optional_text(account.role_name, f"{where}.role_name")
    _optional_text(account.alias, f"{where}.alias")
    _optional_text(account.alias_name, f"{where}.alias_name")
    return account


def _names(
    customer_id: str,
    customer_name: str | None,
    given_name: str | None,
    middle_name: str | None,
    family_name: str | None,
) -> tuple[str, str, str, str]:
    """Return ``FormattedName``, ``GivenName``, ``MiddleName``, ``FamilyName``."""
    customer_name = _optional_text(customer_name, "customer_name")
    if len(customer_id) == 10:
        # A VKN belongs to a company: GİB wants its title and no person names.
        if customer_name is None:
            raise ValueError("customer_name (the company title) is required for a 10-digit VKN")
        if given_name is not None or middle_name is not None or family_name is not None:
            raise ValueError("a 10-digit VKN takes customer_name, not person names")
        return customer_name, "", "", ""
    given = _text(given_name, "given_name")
    family = _text(family_name, "family_name")
    middle = _optional_text(middle_name, "middle_name")
    parts = [given, middle, family] if middle is not None else [given, family]
    formatted = customer_name if customer_name is not None else " ".join(parts)
    return formatted, given, middle or "", family


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, tag)
    if text:
        # An empty part is written <x/>, as in GİB's samples.
        child.text = text
    return child


def build_user_document(
    *,
    operation: Literal["open", "close"],
    integrator_id: str,
    customer_id: str,
    customer_name: str | None = None,
    given_name: str | None = None,
    middle_name: str | None = None,
    family_name: str | None = None,
    option_code: int,
    accounts: Sequence[AccountSpec],
    created: datetime,
) -> bytes:
    """Write an unsigned ``ProcessUserAccount`` / ``CancelUserAccount`` document.

    The document has the shape of GİB's samples: the root declares the
    HR-XML default namespace and the ``xades``, ``oa``, ``ds`` and ``xsi``
    prefixes and carries ``releaseID``; ``oa:ApplicationArea`` holds the
    integrator's tax number, an empty ``oa:Receiver``, the creation time and
    an empty ``<oa:Signature/>`` for the integrator's signature; the
    ``DataArea`` holds ``oa:Process`` or ``oa:Cancel`` and one
    ``UserAccount`` per entry of ``accounts``, all for the same customer and
    option code.

    :param operation: ``"open"`` (``ProcessUserAccount``) or ``"close"``
        (``CancelUserAccount``).
    :param integrator_id: the integrator's VKN or TCKN (``oa:LogicalID``); it
        must equal the VKN_TCKN of the envelope's sender.
    :param customer_id: the customer's 10-digit VKN or 11-digit TCKN (``UserID``).
    :param customer_name: the company title (``FormattedName``), required for a
        VKN; for a TCKN it defaults to the person's full name.
    :param given_name: a TCKN holder's first name (required for a TCKN).
    :param middle_name: a TCKN holder's middle name, if any.
    :param family_name: a TCKN holder's surname (required for a TCKN).
    :param option_code: ``UserOptionCode`` (service × customer type, e.g. 2 for
        a private company's e-Fatura).
    :param accounts: one entry per ``UserAccount``; at least one.
    :param created: the ``oa:CreationDateTime`` (see the module notes on times).
    :returns: UTF-8 bytes with an XML declaration.
    :raises ValueError: an argument GİB would refuse or that cannot be written.
    :raises TypeError: an argument of the wrong type.
    """
    if operation not in _ROOTS:
        raise ValueError("operation must be 'open' or 'close'")
    integrator = _tax_id(integrator_id, "integrator_id")
    customer = _tax_id(customer_id, "customer_id")
    # bool is an int, but True is no option code.
    if not isinstance(option_code, int) or isinstance(option_code, bool) or option_code <= 0:
        raise ValueError("option_code must be a positive int")
    supplied: object = accounts  # callers without a type checker may pass anything
    if isinstance(supplied, (str, bytes)) or not isinstance(supplied, Sequence):
        raise TypeError("accounts must be a sequence of AccountSpec")
    if not accounts:
        raise ValueError("accounts must hold at least one AccountSpec")
    checked = [_check_account(account, index) for index, account in enumerate(accounts)]
    formatted, given, middle, family = _names(
        customer, customer_name, given_name, middle_name, family_name
    )
    timestamp = _turkish_time(created)
    root_name, verb = _ROOTS[operation]

    root = etree.Element(f"{{{_HR}}}{root_name}", nsmap=_DOCUMENT_NSMAP)
    root.set("releaseID", _RELEASE_ID)
    root.set(f"{{{_XSI}}}schemaLocation", _DOCUMENT_SCHEMA_LOCATION)
    area = _sub(root, f"{{{_OA}}}ApplicationArea")
    _sub(_sub(area, f"{{{_OA}}}Sender"), f"{{{_OA}}}LogicalID", integrator)
    _sub(area, f"{{{_OA}}}Receiver")
    _sub(area, f"{{{_OA}}}CreationDateTime", timestamp)
    _sub(area, f"{{{_OA}}}Signature")
    data = _sub(root, f"{{{_HR}}}DataArea")
    _sub(data, f"{{{_OA}}}{verb}")
    for account in checked:
        user = _sub(data, f"{{{_HR}}}UserAccount")
        _sub(user, f"{{{_HR}}}UserID", customer)
        person = _sub(user, f"{{{_HR}}}PersonName")
        _sub(person, f"{{{_HR}}}FormattedName", formatted)
        # Empty name parts stay, as in GİB's samples, so every UserAccount
        # has the same shape whoever the customer is.
        _sub(person, f"{{{_OA}}}GivenName", given)
        _sub(person, f"{{{_HR}}}MiddleName", middle)
        _sub(person, f"{{{_HR}}}FamilyName", family)
        if account.role_code is not None:
            role = _sub(user, f"{{{_HR}}}UserRole")
            _sub(role, f"{{{_HR}}}RoleCode", account.role_code)
            _sub(role, f"{{{_HR}}}RoleName", account.role_name or _ROLE_NAMES[account.role_code])
        if account.alias is not None:
            scope = _sub(user, f"{{{_HR}}}AuthorizedWorkScope")
            _sub(scope, f"{{{_HR}}}WorkScopeCode", account.alias)
            label = account.alias_name
            if label is None:
                label = _ALIAS_NAMES.get(account.role_code or "", account.alias)
            _sub(scope, f"{{{_HR}}}WorkScopeName", label)
        configuration = _sub(user, f"{{{_HR}}}AccountConfiguration")
        _sub(configuration, f"{{{_HR}}}UserOptionCode", str(option_code))
    etree.indent(root, space="  ")
    # lxml would write the declaration with single quotes; GİB's files use double.
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        + etree.tostring(root, encoding="UTF-8", xml_declaration=False)
        + b"\n"
    )


def _document_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_blank_text=False,
        remove_comments=False,
        remove_pis=False,
        strip_cdata=False,
    )


@dataclass(frozen=True)
class _Document:
    body: bytes
    element_type: str
    logical_id: str


def _embeddable(data: object, index: int) -> _Document:
    """Check one document and return its root element's bytes, as written."""
    if not isinstance(data, bytes):
        raise TypeError(f"documents[{index}] must be bytes")
    where = f"documents[{index}]"
    text = data.removeprefix(_BOM)
    declaration = _DECLARATION.match(text)
    if declaration is not None:
        encoding = _ENCODING.search(declaration.group(0))
        if encoding is not None and encoding.group(1).upper() not in (b"UTF-8", b"UTF8"):
            # The envelope is UTF-8; other bytes would change the characters.
            raise ValueError(f"{where} is not UTF-8")
        text = text[declaration.end() :]
    body = text.strip(_XML_SPACE)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{where} is not UTF-8") from exc
    if _DTD.search(body):
        raise ValueError(f"{where} declares a DOCTYPE or entities")
    try:
        root = etree.fromstring(data, _document_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ValueError(f"{where} is not well-formed XML: {exc}") from exc
    if root.getprevious() is not None or root.getnext() is not None:
        # Comments or PIs beside the root are part of what the signature
        # covers, and there is no place for them inside ElementList.
        raise ValueError(f"{where} has comments or processing instructions outside its root")
    element_type = _ELEMENT_TYPES.get(root.tag if isinstance(root.tag, str) else "")
    if element_type is None:
        raise ValueError(f"{where} is neither a ProcessUserAccount nor a CancelUserAccount")
    logical_id = root.findtext(f"{{{_OA}}}ApplicationArea/{{{_OA}}}Sender/{{{_OA}}}LogicalID")
    return _Document(body, element_type, (logical_id or "").strip())


def build_user_envelope(
    documents: Sequence[bytes],
    *,
    sender_alias: str,
    sender_id: str,
    sender_title: str | None = None,
    instance_id: str | None = None,
    created: datetime,
) -> bytes:
    """Wrap user-account documents in a ``USERENVELOPE``.

    The header follows the current schematron: ``HeaderVersion`` 1.0, the
    sender's alias with an optional ``UNVAN`` and its ``VKN_TCKN``, GİB as
    receiver, ``Standard`` UBL-TR, ``TypeVersion`` 1.2, type
    ``USERENVELOPE``. ``ef:Package`` holds one ``Elements`` group whose
    ``ElementType`` follows the documents' root.

    Each document goes into ``ElementList`` exactly as given, less its XML
    declaration and the white space around its root element, so that
    cutting it out of the envelope again yields the signed bytes.

    :param documents: signed documents, all ``ProcessUserAccount`` or all
        ``CancelUserAccount``, UTF-8, at most :data:`MAX_DOCUMENTS`.
    :param sender_alias: the integrator's service alias (``usergb``,
        ``earchive`` …); which alias fits which service is not checked here.
    :param sender_id: the integrator's VKN or TCKN; every document's
        ``oa:LogicalID`` must equal it, as GİB requires.
    :param sender_title: the integrator's title, written as the ``UNVAN`` contact.
    :param instance_id: the envelope's UUID; a new random one when ``None``.
    :param created: the ``sh:CreationDateAndTime`` (see the module notes on times).
    :returns: the envelope as UTF-8 bytes with an XML declaration.
    :raises ValueError: no documents or more than :data:`MAX_DOCUMENTS`, open and
        close documents mixed, a document that is not a UTF-8 user-account
        document standing on its own, a ``LogicalID`` other than ``sender_id``,
        or a malformed argument.
    :raises TypeError: an argument of the wrong type.
    """
    supplied: object = documents  # callers without a type checker may pass anything
    if isinstance(supplied, (str, bytes)) or not isinstance(supplied, Sequence):
        raise TypeError("documents must be a sequence of bytes")
    if not documents:
        raise ValueError("an envelope needs at least one document")
    if len(documents) > MAX_DOCUMENTS:
        raise ValueError(f"an envelope holds at most {MAX_DOCUMENTS} documents")
    alias = _text(sender_alias, "sender_alias")
    if alias != alias.strip():
        raise ValueError("sender_alias must not have surrounding white space")
    sender = _tax_id(sender_id, "sender_id")
    title = _optional_text(sender_title, "sender_title")
    if instance_id is None:
        instance = str(uuid.uuid4())
    elif isinstance(instance_id, str) and _UUID.fullmatch(instance_id):
        instance = instance_id
    else:
        raise ValueError("instance_id must be a UUID in 8-4-4-4-12 form")
    timestamp = _turkish_time(created)

    parts = [_embeddable(data, index) for index, data in enumerate(documents)]
    element_types = {part.element_type for part in parts}
    if len(element_types) != 1:
        raise ValueError("open and close documents cannot share an envelope")
    for index, part in enumerate(parts):
        if part.logical_id != sender:
            raise ValueError(f"documents[{index}]: oa:LogicalID is not sender_id")

    root = etree.Element(
        f"{{{_SH}}}StandardBusinessDocument", nsmap={"sh": _SH, "ef": _EF, "xsi": _XSI}
    )
    root.set(f"{{{_XSI}}}schemaLocation", _ENVELOPE_SCHEMA_LOCATION)
    header = _sub(root, f"{{{_SH}}}StandardBusinessDocumentHeader")
    _sub(header, f"{{{_SH}}}HeaderVersion", "1.0")
    _partner(header, "Sender", alias, title, sender)
    _partner(header, "Receiver", GIB_ALIAS, GIB_TITLE, GIB_VKN)
    identification = _sub(header, f"{{{_SH}}}DocumentIdentification")
    _sub(identification, f"{{{_SH}}}Standard", "UBL-TR")
    _sub(identification, f"{{{_SH}}}TypeVersion", "1.2")
    _sub(identification, f"{{{_SH}}}InstanceIdentifier", instance)
    _sub(identification, f"{{{_SH}}}Type", "USERENVELOPE")
    _sub(identification, f"{{{_SH}}}CreationDateAndTime", timestamp)
    # Package_1_2.xsd is elementFormDefault="unqualified": no namespace below ef:Package.
    elements = _sub(_sub(root, f"{{{_EF}}}Package"), "Elements")
    _sub(elements, "ElementType", element_types.pop())
    _sub(elements, "ElementCount", str(len(parts)))
    _sub(elements, "ElementList").append(etree.Comment(_SLOT))
    etree.indent(root, space=" ")

    skeleton = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    slot = f"<!--{_SLOT}-->".encode()
    before, found, after = skeleton.partition(slot)
    if not found or slot in after:
        raise AssertionError("the envelope skeleton lost its document slot")
    # The slot's own indentation is dropped so each document starts a line.
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        + before.rstrip(b" ")
        + b"\n".join(part.body for part in parts)
        + after
        + b"\n"
    )


def _partner(header: etree._Element, kind: str, alias: str, title: str | None, tax_id: str) -> None:
    partner = _sub(header, f"{{{_SH}}}{kind}")
    _sub(partner, f"{{{_SH}}}Identifier", alias)
    contacts = [("UNVAN", title), ("VKN_TCKN", tax_id)]
    for contact_type, value in contacts:
        if value is None:
            continue
        contact = _sub(partner, f"{{{_SH}}}ContactInformation")
        _sub(contact, f"{{{_SH}}}Contact", value)
        _sub(contact, f"{{{_SH}}}ContactTypeIdentifier", contact_type)
