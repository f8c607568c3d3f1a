"""A hostile corpus: every case is refused with its own error class and is never signed.

Three kinds of input:

* files under ``tests/data/xml/hostile/`` — XML attacks (XXE, entity
  expansion, external DTDs, DOCTYPEs hidden by UTF-16), documents that are not
  well-formed, documents of another kind;
* documents built in memory from the ``signed_document`` fixture by editing
  its tree — signature wrapping, duplicated Ids, misplaced signatures, broken
  digests and values, foreign algorithms and certificates — because a
  signature needs the session's fresh keys;
* documents that break GİB's rules, re-signed by the integrator after the
  edit, so that the refusal is for the rule and not for a digest; and
  certificates that may not sign for the customer.

For each case :func:`countersign` must raise exactly the expected class
without ever computing a signature value, and :func:`verify` must raise the
same class or report it.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from lxml import etree

from signer_app.envelope import xmldsig
from signer_app.envelope.builder import AccountSpec, build_user_document
from signer_app.envelope.countersign import CertificateNotUsableError, countersign
from signer_app.envelope.errors import (
    CertificateMismatchError,
    CountersignRefusedError,
    DigestMismatchError,
    DoctypeForbiddenError,
    DocumentTooDeepError,
    DocumentTooLargeError,
    DuplicateIdError,
    EnvelopeError,
    NotWellFormedError,
    RuleViolationError,
    SignatureInvalidError,
    SignatureStructureError,
    SignerMismatchError,
    UnsupportedAlgorithmError,
    UnsupportedDocumentError,
)
from signer_app.envelope.names import NSMAP, ds, hr, xades
from signer_app.envelope.parsing import MAX_BYTES, MAX_DEPTH, parse_xml
from signer_app.envelope.signing import add_main_signature_bytes
from signer_app.envelope.verification import DocumentReport, verify
from signer_app.testpki import pki
from signer_app.testpki.softhsm import CUSTOMER_TITLE, CUSTOMER_VKN, INTEGRATOR_VKN, SECOND_VKN
from tests.envelope.conftest import NOW, Pki, unsigned_efatura

HOSTILE = Path(__file__).resolve().parents[1] / "data" / "xml" / "hostile"

MAIN = "oa:ApplicationArea/oa:Signature/ds:Signature"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
HMAC_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
XSLT = "http://www.w3.org/TR/1999/REC-xslt-19991116"


# -- helpers ------------------------------------------------------------------------


def signing_key(identity: pki.Identity) -> xmldsig.SigningKey:
    key = identity.key
    assert isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    return key


@dataclass
class SigningSpy:
    """Counts signature values computed through :func:`xmldsig.sign_signed_info`."""

    calls: int = 0


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> SigningSpy:
    counter = SigningSpy()
    real = xmldsig.sign_signed_info

    def counting(canonical: bytes, method: str, key: xmldsig.SigningKey) -> bytes:
        counter.calls += 1
        return real(canonical, method, key)

    monkeypatch.setattr(xmldsig, "sign_signed_info", counting)
    return counter


def refused_by_countersign(
    data: bytes, identity: pki.Identity, spy: SigningSpy
) -> CountersignRefusedError | EnvelopeError:
    """Run countersign on ``data``; it must raise an EnvelopeError before any signing."""
    before = spy.calls
    with pytest.raises(EnvelopeError) as caught:
        countersign(data, signing_key(identity), identity.cert)
    assert spy.calls == before, "a signature value was computed for a refused document"
    return caught.value


def verification_outcome(data: bytes) -> EnvelopeError | DocumentReport:
    """The error verify raises, or its (invalid) report."""
    try:
        report = verify(data)
    except EnvelopeError as exc:
        return exc
    assert isinstance(report, DocumentReport)
    assert not report.valid
    return report


def reported_error(report: DocumentReport) -> EnvelopeError | None:
    """The first error a report carries: structure, then main, then counter-signature."""
    if report.structure_error is not None:
        return report.structure_error
    assert report.signatures is not None
    for signature in (report.signatures.main, report.signatures.counter):
        if signature is not None and signature.error is not None:
            return signature.error
    return None


def assert_verify_refuses(data: bytes, expected: type[EnvelopeError]) -> None:
    outcome = verification_outcome(data)
    error = outcome if isinstance(outcome, EnvelopeError) else reported_error(outcome)
    assert type(error) is expected, (error, getattr(error, "detail", None))


def edited(data: bytes, edit: Callable[[etree._Element], None]) -> bytes:
    """Parse ``data``, let ``edit`` change the tree, serialise it again."""
    root = parse_xml(data).getroot()
    edit(root)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def one(element: etree._Element, path: str) -> etree._Element:
    found = element.find(path, NSMAP)
    assert found is not None, path
    return found


def main_signature(root: etree._Element) -> etree._Element:
    return one(root, MAIN)


def renamed_ids(element: etree._Element, prefix: str) -> etree._Element:
    """A deep copy of ``element`` with every Id (and reference to one) prefixed."""
    clone = copy.deepcopy(element)
    for node in clone.iter(etree.Element):
        for attribute in ("Id", "Target", "URI"):
            value = node.get(attribute)
            if value is not None and attribute == "Id":
                node.set(attribute, prefix + value)
            elif value and value.startswith("#"):
                node.set(attribute, "#" + prefix + value[1:])
    return clone


def sign_as_integrator(unsigned: bytes, test_pki: Pki) -> bytes:
    return add_main_signature_bytes(
        unsigned,
        signing_key(test_pki.integrator),
        test_pki.integrator.cert,
        signing_time=NOW.astimezone(),
    )


def efatura(
    *,
    option_code: int = 2,
    accounts: tuple[AccountSpec, ...] = (
        AccountSpec("GB", alias="urn:mail:defaultgb@ornek.com.tr"),
        AccountSpec("PK", alias="urn:mail:defaultpk@ornek.com.tr"),
    ),
) -> bytes:
    return build_user_document(
        operation="open",
        integrator_id=INTEGRATOR_VKN,
        customer_id=CUSTOMER_VKN,
        customer_name=CUSTOMER_TITLE,
        option_code=option_code,
        accounts=accounts,
        created=NOW,
    )


# -- the corpus of files -----------------------------------------------------------------

FILE_CASES: dict[str, type[EnvelopeError]] = {
    "xxe_file.xml": DoctypeForbiddenError,
    "xxe_http.xml": DoctypeForbiddenError,
    "billion_laughs.xml": DoctypeForbiddenError,
    "external_dtd.xml": DoctypeForbiddenError,
    "external_dtd_public.xml": DoctypeForbiddenError,
    "parameter_entities.xml": DoctypeForbiddenError,
    "doctype_lowercase_keyword.xml": DoctypeForbiddenError,
    # UTF-16/UTF-16BE: the byte scan for "<!DOCTYPE" cannot see these.
    "utf16_doctype.xml": DoctypeForbiddenError,
    "utf16be_xxe_no_bom.xml": DoctypeForbiddenError,
    "utf16_external_dtd.xml": DoctypeForbiddenError,
    "utf16_billion_laughs.xml": DoctypeForbiddenError,
    "truncated.xml": NotWellFormedError,
    "mismatched_tags.xml": NotWellFormedError,
    "undefined_entity.xml": NotWellFormedError,
    "two_roots.xml": NotWellFormedError,
    "unbound_prefix.xml": NotWellFormedError,
    "invalid_utf8.xml": NotWellFormedError,
    "invoice.xml": UnsupportedDocumentError,
    "wrong_namespace.xml": UnsupportedDocumentError,
    "sender_envelope.xml": UnsupportedDocumentError,
}


def _file_params() -> list[object]:
    return [
        pytest.param(name, expected, id=Path(name).stem) for name, expected in FILE_CASES.items()
    ]


def test_every_hostile_file_has_an_expected_error() -> None:
    assert sorted(p.name for p in HOSTILE.glob("*.xml")) == sorted(FILE_CASES)


@pytest.mark.parametrize(("name", "expected"), _file_params())
def test_hostile_file_is_refused(
    name: str, expected: type[EnvelopeError], test_pki: Pki, spy: SigningSpy
) -> None:
    data = (HOSTILE / name).read_bytes()
    error = refused_by_countersign(data, test_pki.customer, spy)
    assert type(error) is expected, (error, error.detail)
    assert_verify_refuses(data, expected)


@pytest.mark.parametrize("name", ["billion_laughs.xml", "utf16_billion_laughs.xml"])
def test_entity_expansion_is_refused_fast(name: str, test_pki: Pki) -> None:
    data = (HOSTILE / name).read_bytes()
    started = time.perf_counter()
    for _ in range(10):
        with pytest.raises(EnvelopeError):
            verify(data)
        with pytest.raises(EnvelopeError):
            countersign(data, signing_key(test_pki.customer), test_pki.customer.cert)
    assert time.perf_counter() - started < 1.0


def test_utf16_file_hides_its_doctype_from_a_byte_scan() -> None:
    # The case exists to exercise the post-parse check; make sure it still does.
    data = (HOSTILE / "utf16_doctype.xml").read_bytes()
    assert b"<!DOCTYPE" not in data
    assert "<!DOCTYPE" in data.decode("utf-16")


def test_external_dtd_in_utf16_is_never_opened(tmp_path: Path) -> None:
    existing = tmp_path / "present.dtd"
    existing.write_text("not a DTD at all", encoding="ascii")
    outcomes = []
    for target in (existing, tmp_path / "absent.dtd"):
        data = (
            '<?xml version="1.0" encoding="UTF-16"?>\n'
            f'<!DOCTYPE ProcessUserAccount SYSTEM "{target.as_uri()}">\n'
            '<ProcessUserAccount xmlns="http://www.hr-xml.org/3"/>\n'
        ).encode("utf-16")
        with pytest.raises(EnvelopeError) as caught:
            parse_xml(data)
        outcomes.append(type(caught.value))
    assert outcomes == [DoctypeForbiddenError, DoctypeForbiddenError]


# -- size and depth (built in memory) --------------------------------------------------------


def test_oversize_document_is_refused(
    signed_document: bytes, test_pki: Pki, spy: SigningSpy
) -> None:
    # Trailing whitespace after the root is well-formed: only the size is wrong.
    data = signed_document + b"\n" * (MAX_BYTES + 1 - len(signed_document))
    assert len(data) == MAX_BYTES + 1
    started = time.perf_counter()
    error = refused_by_countersign(data, test_pki.customer, spy)
    assert type(error) is DocumentTooLargeError
    assert_verify_refuses(data, DocumentTooLargeError)
    assert time.perf_counter() - started < 5.0


def deep_document(signed_document: bytes, levels: int) -> bytes:
    """``signed_document`` with ``levels`` nested elements inside DataArea (depth 2)."""
    anchor = b"<oa:Process/>"
    assert signed_document.count(anchor) == 1
    nest = b"<Deep>" * levels + b"</Deep>" * levels
    return signed_document.replace(anchor, anchor + nest)


def test_document_at_the_depth_limit_is_not_too_deep(signed_document: bytes) -> None:
    parse_xml(deep_document(signed_document, MAX_DEPTH - 2))


@pytest.mark.parametrize(
    "levels",
    [
        pytest.param(MAX_DEPTH - 1, id="one-over-the-limit"),
        pytest.param(300, id="past-libxml2s-own-limit"),
    ],
)
def test_over_deep_document_is_refused(
    levels: int, signed_document: bytes, test_pki: Pki, spy: SigningSpy
) -> None:
    data = deep_document(signed_document, levels)
    error = refused_by_countersign(data, test_pki.customer, spy)
    assert type(error) is DocumentTooDeepError, (error, error.detail)
    assert_verify_refuses(data, DocumentTooDeepError)


# -- signature wrapping and broken signatures (built from signed_document) ---------------------


@dataclass(frozen=True)
class Forgery:
    """How to damage an integrator-signed document, and what each side must say."""

    name: str
    build: Callable[[bytes, Pki], bytes]
    refused_with: type[EnvelopeError]
    #: What verify raises or reports; ``refused_with`` when None.
    reported_as: type[EnvelopeError] | None = None
    #: Finding codes a RuleViolationError must carry.
    findings: frozenset[str] = frozenset()


def _forge_accounts(area: etree._Element) -> None:
    for user_id in area.iterfind("hr:UserAccount/hr:UserID", NSMAP):
        user_id.text = SECOND_VKN
    for alias in area.iterfind("hr:UserAccount/hr:AuthorizedWorkScope/hr:WorkScopeCode", NSMAP):
        alias.text = (alias.text or "").replace("ornek.com.tr", "saldirgan.example")


def moved_data_area_wrapped(data: bytes, _: Pki) -> bytes:
    def edit(root: etree._Element) -> None:
        original = one(root, "hr:DataArea")
        forged = copy.deepcopy(original)
        _forge_accounts(forged)
        wrapper = etree.Element(hr("Wrapper"))
        root.replace(original, forged)
        wrapper.append(original)
        root.append(wrapper)

    return edited(data, edit)


def moved_data_area_into_signature_object(data: bytes, _: Pki) -> bytes:
    def edit(root: etree._Element) -> None:
        original = one(root, "hr:DataArea")
        forged = copy.deepcopy(original)
        _forge_accounts(forged)
        root.replace(original, forged)
        etree.SubElement(main_signature(root), ds("Object")).append(original)

    return edited(data, edit)


def forged_content_with_recomputed_digest(data: bytes, _: Pki) -> bytes:
    """The attacker changes the content and fixes the document digest, not the value."""

    def edit(root: etree._Element) -> None:
        _forge_accounts(one(root, "hr:DataArea"))
        signature = main_signature(root)
        reference = one(signature, "ds:SignedInfo/ds:Reference[@URI='']")
        one(reference, "ds:DigestValue").text = xmldsig.b64(
            xmldsig.digest(xmldsig.document_without(signature), xmldsig.SHA256)
        )

    return edited(data, edit)


def duplicated_signed_properties(where: str) -> Callable[[bytes, Pki], bytes]:
    def build(data: bytes, _: Pki) -> bytes:
        def edit(root: etree._Element) -> None:
            signature = main_signature(root)
            properties = one(
                signature, "ds:Object/xades:QualifyingProperties/xades:SignedProperties"
            )
            clone = copy.deepcopy(properties)
            if where == "root":
                root.append(clone)
            else:
                qualifying = one(signature, "ds:Object/xades:QualifyingProperties")
                unsigned = etree.SubElement(qualifying, xades("UnsignedProperties"))
                etree.SubElement(unsigned, xades("UnsignedSignatureProperties")).append(clone)

        return edited(data, edit)

    return build


def duplicated_signature_value(where: str) -> Callable[[bytes, Pki], bytes]:
    def build(data: bytes, _: Pki) -> bytes:
        def edit(root: etree._Element) -> None:
            value = one(main_signature(root), "ds:SignatureValue")
            clone = copy.deepcopy(value)
            clone.text = base64.b64encode(b"\x01" * 256).decode("ascii")
            if where == "signature":
                value.addnext(clone)
            else:
                one(root, "hr:DataArea").append(clone)

        return edited(data, edit)

    return build


def properties_reference_to(
    uri: str, *, give_data_area: str | None = None
) -> Callable[[bytes, Pki], bytes]:
    def build(data: bytes, _: Pki) -> bytes:
        def edit(root: etree._Element) -> None:
            if give_data_area is not None:
                one(root, "hr:DataArea").set("Id", give_data_area)
            signature = main_signature(root)
            reference = one(
                signature,
                "ds:SignedInfo/ds:Reference[@Type='http://uri.etsi.org/01903#SignedProperties']",
            )
            reference.set("URI", uri)

        return edited(data, edit)

    return build


def document_reference_to_data_area(data: bytes, _: Pki) -> bytes:
    def edit(root: etree._Element) -> None:
        one(root, "hr:DataArea").set("Id", "DataArea_1")
        one(main_signature(root), "ds:SignedInfo/ds:Reference[@URI='']").set("URI", "#DataArea_1")

    return edited(data, edit)


def signature_copy_in_data_area(data: bytes, _: Pki) -> bytes:
    def edit(root: etree._Element) -> None:
        one(root, "hr:DataArea").append(renamed_ids(main_signature(root), "Copy_"))

    return edited(data, edit)


def empty_signature_in_application_area(data: bytes, _: Pki) -> bytes:
    def edit(root: etree._Element) -> None:
        etree.SubElement(one(root, "oa:ApplicationArea"), ds("Signature"))

    return edited(data, edit)


def signature_inside_signature_object(data: bytes, _: Pki) -> bytes:
    def edit(root: etree._Element) -> None:
        signature = main_signature(root)
        etree.SubElement(signature, ds("Object")).append(renamed_ids(signature, "Inner_"))

    return edited(data, edit)


def two_main_signatures(data: bytes, _: Pki) -> bytes:
    def edit(root: etree._Element) -> None:
        signature = main_signature(root)
        signature.addnext(renamed_ids(signature, "Second_"))

    return edited(data, edit)


def foreign_element_beside_main_signature(data: bytes, _: Pki) -> bytes:
    def edit(root: etree._Element) -> None:
        main_signature(root).addnext(etree.Element(hr("Note")))

    return edited(data, edit)


def changed_data_area_character(data: bytes, _: Pki) -> bytes:
    old = "<WorkScopeName>Gönderici Birim Etiketi</WorkScopeName>".encode()
    new = "<WorkScopeName>Gönderici Birim Etiketİ</WorkScopeName>".encode()
    assert data.count(old) == 1
    return data.replace(old, new)


def changed_signing_time(data: bytes, _: Pki) -> bytes:
    def edit(root: etree._Element) -> None:
        time_element = one(
            main_signature(root),
            "ds:Object/xades:QualifyingProperties/xades:SignedProperties/"
            "xades:SignedSignatureProperties/xades:SigningTime",
        )
        text = time_element.text or ""
        # One digit of the milliseconds, so the time stays within the certificate.
        position = text.index(".") + 1
        digit = "1" if text[position] != "1" else "2"
        time_element.text = text[:position] + digit + text[position + 1 :]

    return edited(data, edit)


def corrupted_signature_value(data: bytes, _: Pki) -> bytes:
    def edit(root: etree._Element) -> None:
        value = one(main_signature(root), "ds:SignatureValue")
        raw = bytearray(base64.b64decode("".join((value.text or "").split())))
        raw[len(raw) // 2] ^= 0x01
        value.text = base64.b64encode(bytes(raw)).decode("ascii")

    return edited(data, edit)


def signed_by(identity: Callable[[Pki], pki.Identity]) -> Callable[[bytes, Pki], bytes]:
    def build(_: bytes, test_pki: Pki) -> bytes:
        signer = identity(test_pki)
        return add_main_signature_bytes(
            unsigned_efatura(), signing_key(signer), signer.cert, signing_time=NOW.astimezone()
        )

    return build


def algorithm(path: str, value: str) -> Callable[[bytes, Pki], bytes]:
    def build(data: bytes, _: Pki) -> bytes:
        def edit(root: etree._Element) -> None:
            one(main_signature(root), path).set("Algorithm", value)

        return edited(data, edit)

    return build


def extra_xslt_transform(data: bytes, _: Pki) -> bytes:
    def edit(root: etree._Element) -> None:
        transforms = one(main_signature(root), "ds:SignedInfo/ds:Reference[@URI='']/ds:Transforms")
        etree.SubElement(transforms, ds("Transform"), Algorithm=XSLT)

    return edited(data, edit)


def other_der(test_pki: Pki) -> bytes:
    return test_pki.other_company.cert.public_bytes(serialization.Encoding.DER)


def signing_certificate_digest_of_another(data: bytes, test_pki: Pki) -> bytes:
    def edit(root: etree._Element) -> None:
        digest = one(
            main_signature(root),
            "ds:Object/xades:QualifyingProperties/xades:SignedProperties/"
            "xades:SignedSignatureProperties/xades:SigningCertificate/xades:Cert/"
            "xades:CertDigest/ds:DigestValue",
        )
        digest.text = base64.b64encode(hashlib.sha256(other_der(test_pki)).digest()).decode()

    return edited(data, edit)


def embedded_certificate_of_another(data: bytes, test_pki: Pki) -> bytes:
    def edit(root: etree._Element) -> None:
        certificate = one(main_signature(root), "ds:KeyInfo/ds:X509Data/ds:X509Certificate")
        certificate.text = base64.b64encode(other_der(test_pki)).decode("ascii")

    return edited(data, edit)


def issuer_serial_of_another(data: bytes, test_pki: Pki) -> bytes:
    def edit(root: etree._Element) -> None:
        serial = one(
            main_signature(root),
            "ds:Object/xades:QualifyingProperties/xades:SignedProperties/"
            "xades:SignedSignatureProperties/xades:SigningCertificate/xades:Cert/"
            "xades:IssuerSerial/ds:X509SerialNumber",
        )
        serial.text = str(test_pki.other_company.cert.serial_number)

    return edited(data, edit)


def key_value_of_another(data: bytes, test_pki: Pki) -> bytes:
    def edit(root: etree._Element) -> None:
        public = test_pki.other_company.cert.public_key()
        assert isinstance(public, rsa.RSAPublicKey)
        modulus = public.public_numbers().n
        one(
            main_signature(root), "ds:KeyInfo/ds:KeyValue/ds:RSAKeyValue/ds:Modulus"
        ).text = base64.b64encode(modulus.to_bytes((modulus.bit_length() + 7) // 8, "big")).decode()

    return edited(data, edit)


PROPERTIES_REFERENCE = (
    "ds:SignedInfo/ds:Reference[@Type='http://uri.etsi.org/01903#SignedProperties']"
)

FORGERIES = [
    # (a) a signed element moved, a forged one in its place
    Forgery("moved-dataarea-wrapped-forged-userid", moved_data_area_wrapped, DigestMismatchError),
    Forgery(
        "moved-dataarea-into-ds-object-forged-userid",
        moved_data_area_into_signature_object,
        DigestMismatchError,
    ),
    Forgery(
        "forged-content-recomputed-digest",
        forged_content_with_recomputed_digest,
        SignatureInvalidError,
    ),
    # (b) a signed element duplicated under the same Id
    Forgery(
        "duplicate-signedproperties-at-root", duplicated_signed_properties("root"), DuplicateIdError
    ),
    Forgery(
        "duplicate-signedproperties-in-unsignedproperties",
        duplicated_signed_properties("unsigned"),
        DuplicateIdError,
    ),
    # (c) a second SignatureValue under the same Id
    Forgery(
        "duplicate-signaturevalue-in-signature",
        duplicated_signature_value("signature"),
        DuplicateIdError,
    ),
    Forgery(
        "duplicate-signaturevalue-in-dataarea",
        duplicated_signature_value("dataarea"),
        DuplicateIdError,
    ),
    # (d) references that point elsewhere
    Forgery(
        "properties-reference-to-dataarea",
        properties_reference_to("#DataArea_1", give_data_area="DataArea_1"),
        SignatureStructureError,
    ),
    Forgery(
        "properties-reference-outside-document",
        properties_reference_to("http://127.0.0.1:9/properties.xml"),
        SignatureStructureError,
    ),
    Forgery(
        "properties-reference-to-missing-id",
        properties_reference_to("#no-such-id"),
        SignatureStructureError,
    ),
    Forgery(
        "document-reference-to-dataarea-only",
        document_reference_to_data_area,
        SignatureStructureError,
    ),
    # (e) a ds:Signature where GİB allows none
    Forgery("signature-copy-in-dataarea", signature_copy_in_data_area, SignatureStructureError),
    Forgery(
        "empty-signature-in-applicationarea",
        empty_signature_in_application_area,
        SignatureStructureError,
    ),
    Forgery(
        "signature-inside-signature-object",
        signature_inside_signature_object,
        SignatureStructureError,
    ),
    # (f) two main signatures: GİB's rule OASignatureCheck.DsSignature refuses it first
    Forgery(
        "two-main-signatures",
        two_main_signatures,
        RuleViolationError,
        reported_as=SignatureStructureError,
        findings=frozenset({"OASignatureCheck.DsSignature"}),
    ),
    Forgery(
        "foreign-element-beside-main-signature",
        foreign_element_beside_main_signature,
        SignatureStructureError,
    ),
    # (g) broken integrator signature
    Forgery("changed-dataarea-character", changed_data_area_character, DigestMismatchError),
    Forgery("changed-signing-time", changed_signing_time, DigestMismatchError),
    Forgery("corrupted-signature-value", corrupted_signature_value, SignatureInvalidError),
    # (h) main signature not by the LogicalID
    Forgery(
        "main-signed-by-other-company", signed_by(lambda p: p.other_company), SignerMismatchError
    ),
    Forgery("main-signed-by-the-customer", signed_by(lambda p: p.customer), SignerMismatchError),
    # (i) algorithms outside GİB's profile
    Forgery(
        "signature-method-rsa-sha1",
        algorithm("ds:SignedInfo/ds:SignatureMethod", RSA_SHA1),
        UnsupportedAlgorithmError,
    ),
    Forgery(
        "signature-method-hmac",
        algorithm("ds:SignedInfo/ds:SignatureMethod", HMAC_SHA256),
        UnsupportedAlgorithmError,
    ),
    Forgery(
        "digest-method-sha1",
        algorithm("ds:SignedInfo/ds:Reference[@URI='']/ds:DigestMethod", SHA1),
        UnsupportedAlgorithmError,
    ),
    Forgery(
        "canonicalization-exclusive",
        algorithm("ds:SignedInfo/ds:CanonicalizationMethod", EXC_C14N),
        UnsupportedAlgorithmError,
    ),
    Forgery(
        "properties-reference-digest-sha1",
        algorithm(f"{PROPERTIES_REFERENCE}/ds:DigestMethod", SHA1),
        UnsupportedAlgorithmError,
    ),
    Forgery("extra-xslt-transform", extra_xslt_transform, UnsupportedAlgorithmError),
    # (j) the certificate is not the one the signed properties name
    Forgery(
        "signingcertificate-digest-of-another",
        signing_certificate_digest_of_another,
        CertificateMismatchError,
    ),
    Forgery(
        "embedded-certificate-of-another",
        embedded_certificate_of_another,
        CertificateMismatchError,
    ),
    Forgery("issuerserial-of-another", issuer_serial_of_another, CertificateMismatchError),
    Forgery("keyvalue-of-another", key_value_of_another, CertificateMismatchError),
]


def test_unchanged_round_trip_is_accepted(
    signed_document: bytes, test_pki: Pki, spy: SigningSpy
) -> None:
    """The editing helper alone breaks nothing: every refusal below is the edit's."""
    data = edited(signed_document, lambda _: None)
    result = countersign(data, signing_key(test_pki.customer), test_pki.customer.cert)
    assert spy.calls == 1
    assert verify(result.data).valid


@pytest.mark.parametrize("forgery", [pytest.param(f, id=f.name) for f in FORGERIES])
def test_forged_signature_is_refused(
    forgery: Forgery, signed_document: bytes, test_pki: Pki, spy: SigningSpy
) -> None:
    data = forgery.build(signed_document, test_pki)
    assert data != signed_document
    error = refused_by_countersign(data, test_pki.customer, spy)
    assert type(error) is forgery.refused_with, (error, error.detail)
    if forgery.findings:
        assert isinstance(error, RuleViolationError)
        assert forgery.findings <= {finding.code for finding in error.findings}
    assert_verify_refuses(data, forgery.reported_as or forgery.refused_with)


# -- GİB's rules (documents re-signed by the integrator after the edit) -----------------------


@dataclass(frozen=True)
class RuleCase:
    """A document that breaks GİB's rules but carries a valid integrator signature."""

    name: str
    unsigned: Callable[[], bytes]
    findings: frozenset[str]


def mixed_user_ids() -> bytes:
    data = efatura()
    old = f"<UserID>{CUSTOMER_VKN}</UserID>".encode()
    assert data.count(old) == 2
    first, rest = data.split(old, 1)
    return first + old + rest.replace(old, f"<UserID>{SECOND_VKN}</UserID>".encode())


RULE_CASES = [
    RuleCase("mixed-userids", mixed_user_ids, frozenset({"UserAccountCheck.SameUserID"})),
    RuleCase(
        "alias-not-a-urn",
        lambda: efatura(
            accounts=(
                AccountSpec("GB", alias="defaultgb@ornek.com.tr"),
                AccountSpec("PK", alias="urn:mail:defaultpk@ornek.com.tr"),
            )
        ),
        frozenset({"UserAccountCheck.WorkScopeCodeUrn"}),
    ),
    RuleCase(
        "reserved-alias",
        lambda: efatura(
            accounts=(
                AccountSpec("GB", alias="usergb"),
                AccountSpec("PK", alias="urn:mail:defaultpk@ornek.com.tr"),
            )
        ),
        # "usergb" is no URN either.
        frozenset({"UserAccountCheck.WorkScopeCodeReserved", "UserAccountCheck.WorkScopeCodeUrn"}),
    ),
    # On its own a document takes its service from the code: 21 is e-Arşiv, which
    # forbids both the role and the alias that an e-Fatura opening carries.
    RuleCase(
        "earchive-code-21-with-gb-pk-aliases",
        lambda: efatura(option_code=21),
        frozenset(
            {"UserAccountCheck.UserRoleForbidden", "UserAccountCheck.AuthorizedWorkScopeForbidden"}
        ),
    ),
    RuleCase(
        "option-code-of-no-service",
        lambda: efatura(option_code=999),
        frozenset({"StandaloneCheck.UserOptionCodeService"}),
    ),
    RuleCase(
        "efatura-code-2-without-alias",
        lambda: efatura(accounts=(AccountSpec("GB"), AccountSpec("PK"))),
        frozenset({"UserAccountCheck.AuthorizedWorkScopeRequired"}),
    ),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in RULE_CASES])
def test_rule_violation_is_refused(case: RuleCase, test_pki: Pki, spy: SigningSpy) -> None:
    data = sign_as_integrator(case.unsigned(), test_pki)
    error = refused_by_countersign(data, test_pki.customer, spy)
    assert type(error) is RuleViolationError, (error, error.detail)
    assert {finding.code for finding in error.findings} == case.findings, error.findings
    report = verification_outcome(data)
    assert isinstance(report, DocumentReport)
    assert {finding.code for finding in report.findings} == case.findings
    # The integrator's signature holds: the refusal is for the rule alone.
    assert report.structure_error is None
    assert report.signatures is not None
    assert report.signatures.main is not None
    assert report.signatures.main.valid, report.signatures.main.error


# -- certificates that may not sign for the customer ---------------------------------------


@pytest.mark.parametrize(
    ("identity", "reasons"),
    [
        pytest.param(lambda p: p.other_company, ["tax_id_mismatch"], id="another-companys-seal"),
        pytest.param(
            lambda p: p.customer_encryption,
            ["no_digital_signature", "encryption_certificate"],
            id="customers-encryption-certificate",
        ),
        pytest.param(lambda p: p.customer_expired, ["expired"], id="expired-seal"),
        pytest.param(
            lambda p: p.person,
            ["seal_required", "tax_id_mismatch"],
            id="personal-nes-for-a-company",
        ),
    ],
)
def test_unusable_certificate_is_refused(
    identity: Callable[[Pki], pki.Identity],
    reasons: list[str],
    signed_document: bytes,
    test_pki: Pki,
    spy: SigningSpy,
) -> None:
    error = refused_by_countersign(signed_document, identity(test_pki), spy)
    assert type(error) is CertificateNotUsableError, (error, error.detail)
    assert error.context["reasons"] == reasons
    # The document itself is fine: only the certificate is refused.
    report = verify(signed_document)
    assert isinstance(report, DocumentReport)
    assert not report.findings
    assert report.signatures is not None
    assert report.signatures.main is not None
    assert report.signatures.main.valid


def test_already_countersigned_is_refused(
    signed_document: bytes, test_pki: Pki, spy: SigningSpy
) -> None:
    once = countersign(signed_document, signing_key(test_pki.customer), test_pki.customer.cert)
    assert verify(once.data).valid
    error = refused_by_countersign(once.data, test_pki.customer_ec, spy)
    assert type(error) is CountersignRefusedError, (error, error.detail)
    assert spy.calls == 1


# -- product bugs found while building the corpus ------------------------------------------


@pytest.mark.parametrize(
    "declaration",
    [
        pytest.param(
            (b"<DataArea>", b'<DataArea xmlns:x="relative">'), id="relative-prefix-on-dataarea"
        ),
        pytest.param(
            (
                b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
                b'xmlns:xsi="//www.w3.org/2001/XMLSchema-instance"',
            ),
            id="network-path-xsi-namespace",
        ),
    ],
)
def test_relative_namespace_uri_is_refused(
    declaration: tuple[bytes, bytes], signed_document: bytes, test_pki: Pki, spy: SigningSpy
) -> None:
    old, new = declaration
    assert signed_document.count(old) == 1
    data = signed_document.replace(old, new)
    refused_by_countersign(data, test_pki.customer, spy)
    verification_outcome(data)


@pytest.mark.parametrize(
    "user_id",
    [
        pytest.param("12345678AB", id="latin-letters"),
        pytest.param("١٢٣٤٥٦٧٨٠٨", id="arabic-digits"),
    ],
)
def test_userid_that_is_no_tax_number_is_refused(
    user_id: str, test_pki: Pki, spy: SigningSpy
) -> None:
    unsigned = efatura().replace(
        f"<UserID>{CUSTOMER_VKN}</UserID>".encode(), f"<UserID>{user_id}</UserID>".encode()
    )
    data = sign_as_integrator(unsigned, test_pki)
    refused_by_countersign(data, test_pki.customer, spy)
