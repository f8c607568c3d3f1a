"""Signatures we make, checked by independent verifiers and GİB's own schemas and rules.

The customer's key is on a SoftHSM2 token, used through the token layer
(token host process) exactly as in the product; the integrator's key is the
test integrator seal. Every result is verified by the ``xmlsec1`` command
line and by python-xmlsec as well as by our verifier, validated against
GİB's XSDs and run through GİB's official schematron inside an envelope.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree

from signer_app.envelope.builder import AccountSpec, build_user_document, build_user_envelope
from signer_app.envelope.countersign import countersign
from signer_app.envelope.names import NSMAP
from signer_app.envelope.signing import add_main_signature_bytes
from signer_app.envelope.verification import DocumentReport, EnvelopeReport, verify
from signer_app.envelope.xades import SignatureRole
from signer_app.testpki.manifest import Manifest
from signer_app.testpki.softhsm import (
    CUSTOMER_TITLE,
    CUSTOMER_VKN,
    INTEGRATOR_VKN,
    PERSON_GIVEN_NAME,
    PERSON_SURNAME,
    PERSON_TCKN,
    SECOND_TITLE,
    SECOND_VKN,
)
from signer_app.token.service import TokenService
from tests.support.gibschema import (
    gib_dir,
    run_gib_schematron,
    validate_envelope_xsd,
    validate_user_document_xsd,
)

MAIN_XPATH = (
    "//*[local-name()='ApplicationArea']/*[local-name()='Signature']/*[local-name()='Signature']"
)
COUNTER_XPATH = "//*[local-name()='CounterSignature']/*[local-name()='Signature']"


# -- GİB's own samples ------------------------------------------------------------


@pytest.mark.parametrize("name", ["4_KULLANICI_ACMA.xml", "5_KULLANICI_SILME.xml"])
def test_gib_samples_verify(name: str) -> None:
    report = verify((gib_dir() / "xml" / name).read_bytes())
    assert isinstance(report, DocumentReport)
    assert report.valid, report
    doc = report.document
    assert doc.integrator_id == doc.customer_id == "9999999999"
    assert doc.service is not None and doc.service.id == "efatura"
    assert doc.operation.name == ("OPEN" if name.startswith("4") else "CLOSE")
    assert report.signatures is not None
    for signature in (report.signatures.main, report.signatures.counter):
        assert signature is not None and signature.valid and signature.signer_matches
        assert signature.signer is not None and signature.signer.tax_id == "9999999999"


@pytest.mark.parametrize("name", ["4_KULLANICI_ACMA_ZARF.xml", "5_KULLANICI_SILME_ZARF.xml"])
def test_documents_inside_gib_sample_envelopes_verify(name: str) -> None:
    report = verify((gib_dir() / "xml" / name).read_bytes())
    assert isinstance(report, EnvelopeReport)
    # The 2013 samples predate the TypeVersion 1.2 rule; nothing else is wrong.
    assert [f.code for f in report.findings] == ["TypeVersionCheck.TypeVersion"]
    [document] = report.documents
    assert document.valid, document
    assert document.document.raw == (gib_dir() / "xml" / name.replace("_ZARF", "")).read_bytes()


# -- documents we make ---------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    token_label: str
    customer_id: str
    document: bytes


def _document(customer_id: str) -> bytes:
    if len(customer_id) == 11:
        names: dict[str, str] = {"given_name": PERSON_GIVEN_NAME, "family_name": PERSON_SURNAME}
    else:
        names = {"customer_name": CUSTOMER_TITLE if customer_id == CUSTOMER_VKN else SECOND_TITLE}
    return build_user_document(
        operation="open",
        integrator_id=INTEGRATOR_VKN,
        customer_id=customer_id,
        option_code=2,
        accounts=[
            AccountSpec("GB", alias="urn:mail:defaultgb@ornek.com.tr"),
            AccountSpec("PK", alias="urn:mail:defaultpk@ornek.com.tr"),
        ],
        created=datetime.now(UTC),
        **names,
    )


CASES = {
    "rsa2048-seal": ("MALI MUHUR", CUSTOMER_VKN),
    "ec-p384-seal": ("MALI MUHUR 2", SECOND_VKN),
    "ec-p256-personal": ("NES KART", PERSON_TCKN),
}


@pytest.fixture(scope="module")
def service(softhsm: Manifest) -> Iterator[TokenService]:
    svc = TokenService()
    yield svc
    svc.close()


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def countersigned(
    request: pytest.FixtureRequest, softhsm: Manifest, service: TokenService
) -> tuple[bytes, bytes, Manifest]:
    """(integrator-signed, counter-signed on SoftHSM2 through the token host, manifest)."""
    label, customer_id = CASES[request.param]
    integrator_key = serialization.load_pem_private_key(
        softhsm.integrator_key_pem.read_bytes(), None
    )
    integrator_cert = x509.load_pem_x509_certificate(softhsm.integrator_cert_pem.read_bytes())
    signed = add_main_signature_bytes(
        _document(customer_id),
        integrator_key,  # type: ignore[arg-type]
        integrator_cert,
        signing_time=datetime.now().astimezone(),
    )
    token = softhsm.token(label)
    module = softhsm.module_path
    slot_id = next(
        s.slot_id for s in service.slots(module) if s.token and s.token.label == token.label
    )
    seal = next(o for o in token.objects if customer_id in o.usable_for)
    cert = next(c for c in service.certificates(module, slot_id) if c.id == seal.id)
    service.login(module, slot_id, token.user_pin)
    try:
        key = service.private_key(cert)
        result = countersign(signed, key, x509.load_der_x509_certificate(cert.object.der))
    finally:
        service.logout(module, slot_id)
    return signed, result.data, softhsm


def test_our_verifier_sees_both_signatures_by_the_right_signers(
    countersigned: tuple[bytes, bytes, Manifest],
) -> None:
    _, data, _ = countersigned
    report = verify(data)
    assert isinstance(report, DocumentReport)
    assert report.valid, report
    assert report.signatures is not None
    main, counter = report.signatures.main, report.signatures.counter
    assert main is not None and counter is not None
    assert main.role is SignatureRole.MAIN and main.signer_matches
    assert counter.role is SignatureRole.COUNTER and counter.signer_matches
    assert counter.signer is not None
    assert counter.signer.tax_id == report.document.customer_id


def test_nothing_but_the_counter_signature_was_added(
    countersigned: tuple[bytes, bytes, Manifest],
) -> None:
    signed, data, _ = countersigned
    # Bytes compared as bytes: the first difference is where the fragment starts.
    start = next(i for i, (a, b) in enumerate(zip(signed, data, strict=False)) if a != b)
    added = len(data) - len(signed)
    assert data[:start] + data[start + added :] == signed
    fragment = data[start : start + added]
    assert fragment.count(b"<ds:Signature ") == 1
    assert b"CounterSignature" in fragment or b"UnsignedProperties" in fragment


def _xmlsec1(path: Path, cas: list[Path], node: str, *ids: str) -> subprocess.CompletedProcess[str]:
    args = ["xmlsec1", "--verify", "--node-xpath", node]
    for ca in cas:
        args += ["--trusted-pem", str(ca)]
    for element in ids:
        args += ["--id-attr:Id", element]
    return subprocess.run(
        [*args, str(path)], capture_output=True, text=True, timeout=60, check=False
    )


def test_xmlsec1_command_line_verifies_both_signatures_standalone(
    countersigned: tuple[bytes, bytes, Manifest], tmp_path: Path
) -> None:
    _, data, manifest = countersigned
    path = tmp_path / "document.xml"
    path.write_bytes(data)
    # Chains are checked too: the test CAs are the only trust anchors.
    ca = [manifest.seal_ca_pem, manifest.nes_ca_pem]
    signed_properties = "http://uri.etsi.org/01903/v1.3.2#:SignedProperties"
    signature_value = "http://www.w3.org/2000/09/xmldsig#:SignatureValue"
    main = _xmlsec1(path, ca, MAIN_XPATH, signed_properties)
    assert main.returncode == 0, main.stderr
    counter = _xmlsec1(path, ca, COUNTER_XPATH, signed_properties, signature_value)
    assert counter.returncode == 0, counter.stderr


def test_python_xmlsec_verifies_both_signatures(
    countersigned: tuple[bytes, bytes, Manifest],
) -> None:
    signed, data, _ = countersigned
    for document, expected in ((signed, 1), (data, 2)):
        root = etree.fromstring(document)
        xmlsec.tree.add_ids(root, ["Id"])
        signatures = root.xpath(f"{MAIN_XPATH} | {COUNTER_XPATH}")
        assert isinstance(signatures, list) and len(signatures) == expected
        for signature in signatures:
            assert isinstance(signature, etree._Element)
            pem = signature.findtext(".//ds:X509Certificate", namespaces=NSMAP)
            assert pem
            context = xmlsec.SignatureContext()
            der = "".join(pem.split())
            context.key = xmlsec.Key.from_memory(
                f"-----BEGIN CERTIFICATE-----\n{der}\n-----END CERTIFICATE-----\n".encode(),
                xmlsec.constants.KeyDataFormatCertPem,
            )
            context.verify(signature)  # raises xmlsec.Error when invalid


def test_main_signature_still_verifies_after_the_counter_signature(
    countersigned: tuple[bytes, bytes, Manifest],
) -> None:
    signed, data, _ = countersigned
    before = verify(signed)
    after = verify(data)
    assert isinstance(before, DocumentReport) and isinstance(after, DocumentReport)
    assert before.signatures is not None and after.signatures is not None
    assert before.signatures.main is not None and before.signatures.main.valid
    assert before.signatures.counter is None
    assert after.signatures.main is not None and after.signatures.main.valid


def test_gib_xsd_accepts_the_document(countersigned: tuple[bytes, bytes, Manifest]) -> None:
    _, data, _ = countersigned
    assert validate_user_document_xsd(data) == []


def test_gib_schematron_and_xsd_accept_it_inside_a_user_envelope(
    countersigned: tuple[bytes, bytes, Manifest],
) -> None:
    _, data, _ = countersigned
    envelope = build_user_envelope(
        [data], sender_alias="usergb", sender_id=INTEGRATOR_VKN, created=datetime.now(UTC)
    )
    assert run_gib_schematron(envelope) == []
    assert validate_envelope_xsd(envelope) == []
    report = verify(envelope)
    assert isinstance(report, EnvelopeReport)
    assert report.valid, report
