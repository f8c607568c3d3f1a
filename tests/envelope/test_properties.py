"""Property tests: whatever arrives, the envelope layer answers only in its own terms.

1. Random bytes, random text (in several encodings, under several declared
   encodings), random XML-like text and random well-formed trees of GİB's
   elements given to :func:`parse_xml`, :func:`read`, :func:`load` and
   :func:`verify` either pass or raise a
   :class:`SignerAppError` — never an lxml, expat, ``ValueError``,
   ``TypeError`` or ``UnicodeError``.
2. An integrator-signed document, mutated at random (bytes deleted or
   inserted, an element's text replaced, an element duplicated or removed,
   attribute values swapped, base64 characters flipped): :func:`verify`
   returns a report or raises a ``SignerAppError``, and :func:`countersign`
   either refuses with a ``SignerAppError`` or returns a document that
   verifies and says exactly what the integrator signed.

Runs are reproducible: ``derandomize=True`` and no example database. The
documents come from the session's fresh keys, so their base64 differs from run
to run; the drawn mutations (kinds, positions, lengths) do not.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import TypeVar

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from signer_app.envelope.countersign import countersign
from signer_app.envelope.model import UserDocument
from signer_app.envelope.names import DS, HR, OA, XADES, ds, hr, oa, sh, xades
from signer_app.envelope.parsing import parse_xml
from signer_app.envelope.reading import load, read
from signer_app.envelope.verification import DocumentReport, EnvelopeReport, verify
from signer_app.envelope.xmldsig import SigningKey
from signer_app.errors import SignerAppError
from signer_app.testpki import pki
from tests.envelope.conftest import Pki

PROFILE = settings(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

T = TypeVar("T")


def signing_key(identity: pki.Identity) -> SigningKey:
    key = identity.key
    assert isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    return key


def only_signer_app_errors(action: Callable[[], T], data: bytes, label: str = "") -> T | None:
    """Run ``action``; return its result, or None when it raised a SignerAppError."""
    try:
        result = action()
    except SignerAppError as exc:
        if label:
            event(f"{label}: {type(exc).__name__}")
        return None
    if label:
        event(f"{label}: returned")
    return result


# -- 1. random input ---------------------------------------------------------------------

# Characters lxml accepts in text and attribute values (no controls, surrogates,
# U+FFFE/U+FFFF), plus the XML whitespace.
XML_CHARACTERS = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc", "Cn")
) | st.sampled_from("\t\n\r ")

ENCODINGS = ["utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1"]
DECLARED = [
    "UTF-8",
    "UTF-16",
    "UTF-32",
    "ISO-8859-9",
    "windows-1254",
    "UTF-7",
    "EBCDIC-US",
    "cp037",
    "x-no-such-encoding",
    "",
]

FRAGMENTS = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<?xml version="1.0" encoding="UTF-16"?>',
    f'<ProcessUserAccount xmlns="{HR}" xmlns:oa="{OA}" releaseID="r">',
    "</ProcessUserAccount>",
    f'<CancelUserAccount xmlns="{HR}">',
    "</CancelUserAccount>",
    "<oa:ApplicationArea>",
    "</oa:ApplicationArea>",
    "<oa:Sender><oa:LogicalID>3880038809</oa:LogicalID></oa:Sender>",
    "<oa:Signature/>",
    '<oa:Signature><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/></oa:Signature>',
    "<DataArea>",
    "</DataArea>",
    "<UserAccount>",
    "</UserAccount>",
    "<UserID>1234567808</UserID>",
    "<UserID>12345678901</UserID>",
    "<AccountConfiguration><UserOptionCode>2</UserOptionCode></AccountConfiguration>",
    "<AuthorizedWorkScope><WorkScopeCode>urn:mail:a@b.c</WorkScopeCode></AuthorizedWorkScope>",
    '<sh:StandardBusinessDocument xmlns:sh="http://www.unece.org/cefact/namespaces/'
    'StandardBusinessDocumentHeader" xmlns:ef="http://www.efatura.gov.tr/package-namespace">',
    "</sh:StandardBusinessDocument>",
    "<ef:Package><Elements><ElementType>PROCESSUSERACCOUNT</ElementType>"
    "<ElementCount>1</ElementCount><ElementList>",
    "</ElementList></Elements></ef:Package>",
    "<!DOCTYPE a>",
    '<!ENTITY x "y">',
    "&x;",
    "&amp;",
    "&#0;",
    "&#x1F600;",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?pi data?>",
    'Id="a"',
    "<",
    ">",
    "/>",
    '"',
]


@st.composite
def xml_like_text(draw: st.DrawFn) -> bytes:
    """Fragments of user documents and envelopes in random order, with random text between."""
    parts = draw(
        st.lists(
            st.sampled_from(FRAGMENTS) | st.text(XML_CHARACTERS, max_size=12),
            max_size=30,
        )
    )
    text = "".join(parts)
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors="replace")


# Well-formed trees from the vocabulary of user documents, signatures and envelopes,
# so that reading, the rules and the signature verifier see odd shapes, not only
# parse errors.
VOCABULARY = [
    oa("ApplicationArea"),
    oa("Sender"),
    oa("LogicalID"),
    oa("Signature"),
    ds("Signature"),
    ds("SignedInfo"),
    ds("CanonicalizationMethod"),
    ds("SignatureMethod"),
    ds("Reference"),
    ds("Transforms"),
    ds("Transform"),
    ds("DigestMethod"),
    ds("DigestValue"),
    ds("SignatureValue"),
    ds("KeyInfo"),
    ds("KeyValue"),
    ds("RSAKeyValue"),
    ds("Modulus"),
    ds("Exponent"),
    ds("X509Data"),
    ds("X509Certificate"),
    ds("X509IssuerName"),
    ds("X509SerialNumber"),
    ds("Object"),
    xades("QualifyingProperties"),
    xades("SignedProperties"),
    xades("SignedSignatureProperties"),
    xades("SigningTime"),
    xades("SigningCertificate"),
    xades("Cert"),
    xades("CertDigest"),
    xades("IssuerSerial"),
    xades("UnsignedProperties"),
    xades("UnsignedSignatureProperties"),
    xades("CounterSignature"),
    hr("DataArea"),
    hr("UserAccount"),
    hr("UserID"),
    hr("PersonName"),
    hr("FormattedName"),
    hr("UserRole"),
    hr("RoleCode"),
    hr("AuthorizedWorkScope"),
    hr("WorkScopeCode"),
    hr("AccountConfiguration"),
    hr("UserOptionCode"),
    hr("ProcessUserAccount"),
    "Elements",
    "ElementType",
    "ElementCount",
    "ElementList",
]
ROOTS = [hr("ProcessUserAccount"), hr("CancelUserAccount"), sh("StandardBusinessDocument")]
ATTRIBUTE_NAMES = ["Id", "URI", "Type", "Algorithm", "Target"]
ATTRIBUTE_VALUES = [
    "",
    "#",
    "#a",
    "a",
    "#b",
    "b",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "http://www.w3.org/2001/04/xmlenc#sha256",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
    "http://uri.etsi.org/01903#SignedProperties",
]
TEXTS = st.sampled_from(
    [
        "",
        "3880038809",
        "1234567808",
        "12345678901",
        "2",
        "21",
        "AQAB",
        "AAAA",
        "MIIB",
        "PROCESSUSERACCOUNT",
        "1",
        "2026-01-01T00:00:00+03:00",
        "urn:mail:defaultpk@ornek.com.tr",
    ]
) | st.text(XML_CHARACTERS, max_size=8)


@st.composite
def xml_element(draw: st.DrawFn, depth: int = 0, tag: str | None = None) -> etree._Element:
    tag = tag or draw(st.sampled_from(VOCABULARY))
    element = etree.Element(tag, nsmap={None: HR, "oa": OA, "ds": DS, "xades": XADES})
    for name in draw(st.lists(st.sampled_from(ATTRIBUTE_NAMES), max_size=2, unique=True)):
        element.set(name, draw(st.sampled_from(ATTRIBUTE_VALUES)))
    element.text = draw(TEXTS)
    if depth < 3:
        for child in draw(st.lists(xml_element(depth + 1), max_size=3)):
            element.append(child)
    return element


@st.composite
def xml_trees(draw: st.DrawFn) -> bytes:
    """A random tree, often below the skeleton that leads to the main signature."""
    root = draw(xml_element(tag=draw(st.sampled_from(ROOTS))))
    if draw(st.booleans()):
        holder = etree.SubElement(etree.SubElement(root, oa("ApplicationArea")), oa("Signature"))
        holder.append(draw(xml_element(1, ds("Signature"))))
        root.append(draw(xml_element(2, hr("DataArea"))))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def declared_text(text: str, declared: str, encoding: str) -> bytes:
    declaration = f'<?xml version="1.0" encoding="{declared}"?>' if declared else ""
    return (declaration + text).encode(encoding, errors="replace")


def assert_only_signer_app_errors(data: bytes) -> None:
    for action in (lambda: parse_xml(data), lambda: read(data), lambda: load(data)):
        only_signer_app_errors(action, data)
    report = only_signer_app_errors(lambda: verify(data), data, "verify")
    assert report is None or isinstance(report, DocumentReport | EnvelopeReport)
    if isinstance(report, DocumentReport):
        event(f"main signature: {main_signature_outcome(report)}")


def main_signature_outcome(report: DocumentReport) -> str:
    """What a report says about the main signature, for the statistics."""
    if report.structure_error is not None:
        return type(report.structure_error).__name__
    main = report.signatures.main if report.signatures is not None else None
    if main is None:
        return "none"
    return type(main.error).__name__ if main.error is not None else "valid"


@settings(PROFILE, max_examples=300)
@given(data=st.binary(max_size=2048))
def test_random_bytes_raise_only_signer_app_errors(data: bytes) -> None:
    assert_only_signer_app_errors(data)


@settings(PROFILE, max_examples=300)
@given(
    text=st.text(max_size=512),
    declared=st.sampled_from(DECLARED),
    encoding=st.sampled_from(ENCODINGS),
)
def test_random_text_raises_only_signer_app_errors(text: str, declared: str, encoding: str) -> None:
    assert_only_signer_app_errors(declared_text(text, declared, encoding))


@settings(PROFILE, max_examples=500)
@given(data=xml_like_text())
def test_xml_like_text_raises_only_signer_app_errors(data: bytes) -> None:
    assert_only_signer_app_errors(data)


@settings(PROFILE, max_examples=300)
@given(data=xml_trees())
def test_random_trees_of_gib_elements_raise_only_signer_app_errors(data: bytes) -> None:
    assert_only_signer_app_errors(data)


# -- 2. mutated signed documents -----------------------------------------------------------

BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
BASE64_ELEMENTS = {
    "SignatureValue",
    "DigestValue",
    "X509Certificate",
    "Modulus",
    "Exponent",
}


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def _elements(root: etree._Element) -> list[etree._Element]:
    return list(root.iter(etree.Element))


@st.composite
def delete_range(draw: st.DrawFn, data: bytes) -> bytes:
    if not data:
        return data
    start = draw(st.integers(0, len(data) - 1))
    length = draw(st.integers(1, 64))
    return data[:start] + data[start + length :]


@st.composite
def insert_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    position = draw(st.integers(0, len(data)))
    chunk = draw(
        st.binary(min_size=1, max_size=16)
        | st.text(XML_CHARACTERS, min_size=1, max_size=8).map(str.encode)
        | st.sampled_from(
            [b"<", b">", b"&", b'"', b" ", b"\n", b"<!-- x -->", b"<?pi x?>", b"&amp;", b"\x00"]
        )
    )
    return data[:position] + chunk + data[position:]


@st.composite
def replace_text(draw: st.DrawFn, data: bytes) -> bytes:
    root = parse_xml(data).getroot()
    elements = _elements(root)
    element = draw(st.sampled_from(elements))
    element.text = draw(st.text(XML_CHARACTERS, max_size=24))
    return _serialise(root)


@st.composite
def duplicate_element(draw: st.DrawFn, data: bytes) -> bytes:
    root = parse_xml(data).getroot()
    elements = _elements(root)[1:]
    if not elements:
        return data
    element = draw(st.sampled_from(elements))
    element.addnext(copy.deepcopy(element))
    return _serialise(root)


@st.composite
def remove_element(draw: st.DrawFn, data: bytes) -> bytes:
    root = parse_xml(data).getroot()
    elements = _elements(root)[1:]
    if not elements:
        return data
    element = draw(st.sampled_from(elements))
    parent = element.getparent()
    assert parent is not None
    parent.remove(element)
    return _serialise(root)


@st.composite
def swap_attributes(draw: st.DrawFn, data: bytes) -> bytes:
    root = parse_xml(data).getroot()
    attributes = [(e, name) for e in _elements(root) for name in e.attrib]
    if len(attributes) < 2:
        return data
    first, second = draw(st.lists(st.sampled_from(attributes), min_size=2, max_size=2, unique=True))
    first_value = first[0].get(first[1])
    second_value = second[0].get(second[1])
    assert first_value is not None and second_value is not None
    first[0].set(first[1], second_value)
    second[0].set(second[1], first_value)
    return _serialise(root)


@st.composite
def flip_base64(draw: st.DrawFn, data: bytes) -> bytes:
    root = parse_xml(data).getroot()
    holders = [e for e in _elements(root) if etree.QName(e).localname in BASE64_ELEMENTS and e.text]
    if not holders:
        return data
    element = draw(st.sampled_from(holders))
    text = element.text or ""
    position = draw(st.integers(0, len(text) - 1))
    replacement = draw(
        st.sampled_from([c for c in BASE64_ALPHABET if c != text[position]])
        | st.sampled_from(["=", "!", " ", "\n"])
    )
    element.text = text[:position] + replacement + text[position + 1 :]
    return _serialise(root)


MUTATIONS: list[Callable[[bytes], st.SearchStrategy[bytes]]] = [
    delete_range,
    insert_bytes,
    replace_text,
    duplicate_element,
    remove_element,
    swap_attributes,
    flip_base64,
]


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """Apply one to three random mutations; later ones need a parseable document."""
    for _ in range(draw(st.integers(1, 3))):
        kinds = MUTATIONS
        try:
            parse_xml(data)
        except SignerAppError:
            kinds = [delete_range, insert_bytes]
        mutation = draw(st.sampled_from(kinds))
        data = draw(mutation(data))
    return data


def what_was_signed(document: UserDocument) -> UserDocument:
    return dataclasses.replace(document, raw=b"")


@pytest.fixture(scope="module")
def countersigned_document(signed_document: bytes, test_pki: Pki) -> bytes:
    result = countersign(signed_document, signing_key(test_pki.customer), test_pki.customer.cert)
    return result.data


@settings(PROFILE, max_examples=800)
@given(data=st.data())
def test_mutated_signed_document_is_refused_or_still_what_was_signed(
    signed_document: bytes, test_pki: Pki, data: st.DataObject
) -> None:
    changed = data.draw(mutated(signed_document), label="mutated")
    report = only_signer_app_errors(lambda: verify(changed), changed)
    assert report is None or isinstance(report, DocumentReport)
    result = only_signer_app_errors(
        lambda: countersign(changed, signing_key(test_pki.customer), test_pki.customer.cert),
        changed,
        "countersign",
    )
    if result is None:
        return
    # Accepted: only what no digest covers may have changed (comments, layout
    # inside tags, the XML declaration), so the result verifies and its meaning
    # is what the integrator signed.
    final = verify(result.data)
    assert final.valid, final
    original = load(signed_document)
    accepted = load(changed)
    assert isinstance(original, UserDocument) and isinstance(accepted, UserDocument)
    assert what_was_signed(accepted) == what_was_signed(original)


@settings(PROFILE, max_examples=400)
@given(data=st.data())
def test_mutated_countersigned_document_verifies_only_in_own_terms(
    countersigned_document: bytes, data: st.DataObject
) -> None:
    changed = data.draw(mutated(countersigned_document), label="mutated")
    report = only_signer_app_errors(lambda: verify(changed), changed, "verify")
    assert report is None or isinstance(report, DocumentReport)
    if isinstance(report, DocumentReport) and report.valid:
        original = load(countersigned_document)
        assert isinstance(original, UserDocument)
        assert what_was_signed(report.document) == what_was_signed(original)
