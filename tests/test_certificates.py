"""Tests for signer_app.certificates, using certificates from signer_app.testpki."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from signer_app.certificates import (
    EKU_MALI_MUHUR,
    OID_QC_STATEMENTS,
    POLICY_MALI_MUHUR,
    QC_COMPLIANCE,
    QC_TR_5070_NES,
    CertificateInfo,
    CertificateKind,
    CertificateParseError,
    KeyAlgorithm,
    UsabilityReason,
    assess_usability,
    parse_certificate,
)
from signer_app.errors import SignerAppError
from signer_app.testpki.pki import (
    DEFAULT_NES_CA_NAME,
    DEFAULT_SEAL_CA_NAME,
    Identity,
    generate_key,
    make_ca,
    make_encryption_certificate,
    make_personal_certificate,
    make_seal_certificate,
    make_software_identity,
    qc_statements_extension,
    to_pem,
)

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
TITLE = "ÖRNEK İŞ ÇÖZÜMLERİ DAĞITIM ANONİM ŞİRKETİ"
OTHER_TITLE = "DENİZ ŞEKER ĞIDA SANAYİ VE TİCARET A.Ş."
VKN = "1234567890"
TCKN = "12345678901"
GIVEN, SURNAME = "AYŞE GÜL", "ÇAĞLAYAN"
NOT_BEFORE = NOW - timedelta(days=30)
NOT_AFTER = NOW + timedelta(days=3 * 365)
ESEAL_QC_TYPE = "0.4.0.1862.1.6.2"

Reason = UsabilityReason


@dataclass(frozen=True)
class Pki:
    seal_ca: Identity
    nes_ca: Identity
    rsa_key: rsa.RSAPrivateKey
    ec_key: ec.EllipticCurvePrivateKey


@pytest.fixture(scope="module")
def pki() -> Pki:
    rsa_key = generate_key("rsa2048")
    ec_key = generate_key("ec-p256")
    assert isinstance(rsa_key, rsa.RSAPrivateKey)
    assert isinstance(ec_key, ec.EllipticCurvePrivateKey)
    return Pki(
        seal_ca=make_ca(DEFAULT_SEAL_CA_NAME, now=NOW),
        nes_ca=make_ca(DEFAULT_NES_CA_NAME, now=NOW, key=generate_key("ec-p384")),
        rsa_key=rsa_key,
        ec_key=ec_key,
    )


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def seal(
    pki: Pki, *, not_before: datetime = NOT_BEFORE, not_after: datetime = NOT_AFTER
) -> x509.Certificate:
    return make_seal_certificate(
        pki.seal_ca,
        pki.rsa_key.public_key(),
        vkn=VKN,
        title=TITLE,
        not_before=not_before,
        not_after=not_after,
        locality="İSTANBUL",
    )


def encryption(pki: Pki) -> x509.Certificate:
    return make_encryption_certificate(
        pki.seal_ca,
        pki.ec_key.public_key(),
        vkn=VKN,
        title=TITLE,
        not_before=NOT_BEFORE,
        not_after=NOT_AFTER,
    )


def personal(pki: Pki) -> x509.Certificate:
    return make_personal_certificate(
        pki.nes_ca,
        pki.ec_key.public_key(),
        tckn=TCKN,
        given_name=GIVEN,
        surname=SURNAME,
        not_before=NOT_BEFORE,
        not_after=NOT_AFTER,
    )


def qc_der(*oids: str) -> bytes:
    return qc_statements_extension(*oids).value


def custom(
    pki: Pki,
    *,
    serial_number: str | None = VKN,
    key_usage: x509.KeyUsage | None = None,
    eku: list[x509.ObjectIdentifier] | None = None,
    policies: list[str] | None = None,
    qc: bytes | None = None,
    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey | None = None,
) -> CertificateInfo:
    """Issue an off-profile certificate inline and parse it."""
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "TR")]
    if serial_number is not None:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number))
    attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, OTHER_TITLE))
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attrs))
        .issuer_name(pki.seal_ca.cert.subject)
        .public_key(public_key or pki.ec_key.public_key())
        .serial_number(0x00FF)
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
    )
    if key_usage is not None:
        builder = builder.add_extension(key_usage, critical=False)
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    if policies is not None:
        infos = [x509.PolicyInformation(x509.ObjectIdentifier(p), None) for p in policies]
        builder = builder.add_extension(x509.CertificatePolicies(infos), critical=False)
    if qc is not None:
        ext = x509.UnrecognizedExtension(x509.ObjectIdentifier(OID_QC_STATEMENTS), qc)
        builder = builder.add_extension(ext, critical=False)
    ca_key = pki.seal_ca.key
    assert isinstance(ca_key, rsa.RSAPrivateKey)
    return parse_certificate(der(builder.sign(ca_key, hashes.SHA256())))


def ku(**flags: bool) -> x509.KeyUsage:
    names = (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    )
    return x509.KeyUsage(**{name: flags.get(name, False) for name in names})


# --- parsing ---------------------------------------------------------------


def test_seal_certificate_every_field(pki: Pki) -> None:
    cert = seal(pki)
    info = parse_certificate(der(cert))

    assert info.subject == (f"CN={TITLE},2.5.4.5={VKN},O={TITLE},L=İSTANBUL,C=TR")
    assert info.subject_cn == TITLE
    assert info.display_name == TITLE
    assert info.issuer == (
        f"CN={DEFAULT_SEAL_CA_NAME},OU=Test ESHS,O=Test Kamu Sertifikasyon Merkezi (SAHTE),C=TR"
    )
    assert info.issuer_cn == DEFAULT_SEAL_CA_NAME
    assert info.not_before == NOT_BEFORE
    assert info.not_after == NOT_AFTER
    assert info.not_before.tzinfo is not None
    assert info.not_before.utcoffset() == timedelta(0)
    assert info.serial_number == cert.serial_number
    assert int(info.serial_hex, 16) == cert.serial_number
    assert len(info.serial_hex) % 2 == 0
    assert info.serial_hex == info.serial_hex.upper()
    assert info.fingerprint_sha256 == cert.fingerprint(hashes.SHA256()).hex()
    assert info.key_algorithm == KeyAlgorithm("RSA", 2048, None)
    assert info.key_algorithm.display == "RSA (2048 bits)"
    assert str(info.key_algorithm) == "RSA (2048 bits)"
    assert info.key_usage == frozenset({"digitalSignature"})
    assert info.key_usage_critical is True
    assert info.extended_key_usage == (EKU_MALI_MUHUR,)
    assert info.policies == (POLICY_MALI_MUHUR,)
    assert info.qc_statements == ()
    assert info.is_ca is False
    assert info.subject_serial_number == VKN
    assert info.tax_id == VKN
    assert info.tax_id_kind == "VKN"
    assert info.kind is CertificateKind.MALI_MUHUR
    assert info.der == der(cert)
    assert "der=" not in repr(info)


def test_personal_certificate_fields(pki: Pki) -> None:
    info = parse_certificate(der(personal(pki)))

    assert info.subject_cn == f"{GIVEN} {SURNAME}"
    assert f"2.5.4.42={GIVEN}" in info.subject
    assert f"2.5.4.4={SURNAME}" in info.subject
    assert info.issuer_cn == DEFAULT_NES_CA_NAME
    assert info.key_usage == frozenset({"digitalSignature", "nonRepudiation"})
    assert info.key_usage_critical is True
    assert info.extended_key_usage == ()
    assert info.policies == ("2.16.792.1.2.1.1.5.7.1.1",)
    assert info.qc_statements == (QC_COMPLIANCE, QC_TR_5070_NES)
    assert (info.tax_id, info.tax_id_kind) == (TCKN, "TCKN")
    assert info.key_algorithm == KeyAlgorithm("EC", 256, "secp256r1")
    assert info.key_algorithm.display == "EC P-256 (256 bits)"
    assert info.kind is CertificateKind.QUALIFIED_PERSONAL


def test_encryption_twin(pki: Pki) -> None:
    info = parse_certificate(der(encryption(pki)))

    assert info.kind is CertificateKind.ENCRYPTION
    assert info.key_usage == frozenset({"keyEncipherment", "dataEncipherment"})
    assert info.key_usage_critical is True
    # The twin carries the seal policy; only the KeyUsage keeps it off the signing list.
    assert info.policies == (POLICY_MALI_MUHUR,)
    assert EKU_MALI_MUHUR not in info.extended_key_usage
    assert info.subject_cn == TITLE
    assert info.tax_id == VKN


def test_ca_certificate(pki: Pki) -> None:
    info = parse_certificate(der(pki.seal_ca.cert))

    assert info.is_ca is True
    assert info.kind is CertificateKind.OTHER
    assert info.key_usage == frozenset({"keyCertSign", "cRLSign"})
    assert info.key_usage_critical is True
    assert info.key_algorithm.display == "RSA (3072 bits)"
    assert info.subject == info.issuer
    assert info.tax_id is None
    nes_ca = parse_certificate(der(pki.nes_ca.cert))
    assert nes_ca.key_algorithm.display == "EC P-384 (384 bits)"


def test_no_key_usage_extension(pki: Pki) -> None:
    info = custom(pki, policies=[POLICY_MALI_MUHUR])

    assert info.key_usage is None
    assert info.key_usage_critical is False
    assert info.kind is CertificateKind.MALI_MUHUR
    assert info.subject_cn is None
    assert info.display_name == OTHER_TITLE
    assert info.serial_hex == "FF"
    assert assess_usability(info, customer_id=VKN, at=NOW).usable


def test_key_usage_without_digital_signature(pki: Pki) -> None:
    info = custom(pki, key_usage=ku(content_commitment=True), eku=[_oid(EKU_MALI_MUHUR)])

    assert info.key_usage == frozenset({"nonRepudiation"})
    assert info.key_usage_critical is False
    assert info.kind is CertificateKind.MALI_MUHUR
    verdict = assess_usability(info, customer_id=VKN, at=NOW)
    assert verdict.reasons == (Reason.NO_DIGITAL_SIGNATURE,)


def test_key_agreement_bits(pki: Pki) -> None:
    info = custom(pki, key_usage=ku(key_agreement=True, decipher_only=True))

    assert info.key_usage == frozenset({"keyAgreement", "decipherOnly"})
    assert info.kind is CertificateKind.ENCRYPTION


def test_ec_p384_key(pki: Pki) -> None:
    key = generate_key("ec-p384")
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    info = custom(pki, public_key=key.public_key(), eku=[_oid(EKU_MALI_MUHUR)])

    assert info.key_algorithm == KeyAlgorithm("EC", 384, "secp384r1")
    assert info.key_algorithm.display == "EC P-384 (384 bits)"


def test_key_algorithm_display_fallbacks() -> None:
    assert KeyAlgorithm("EC", 256, "brainpoolP256r1").display == "EC brainpoolP256r1 (256 bits)"
    assert KeyAlgorithm("1.2.3.4", None).display == "1.2.3.4"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a certificate",
        b"\x30\x03\x02\x01\x01",
        bytes(range(256)),
    ],
)
def test_garbage_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(CertificateParseError) as caught:
        parse_certificate(data)
    assert isinstance(caught.value, SignerAppError)
    assert isinstance(caught.value, SignerAppError)
    assert caught.value.message_key == "certificate.invalid"


def test_truncated_certificate_is_a_parse_error(pki: Pki) -> None:
    with pytest.raises(CertificateParseError):
        parse_certificate(der(seal(pki))[:-10])


def test_malformed_qc_statements_is_a_parse_error(pki: Pki) -> None:
    with pytest.raises(CertificateParseError):
        custom(pki, qc=b"\x30\x05\x30\x03\x02\x01\x00")
    with pytest.raises(CertificateParseError):
        custom(pki, qc=qc_der(QC_COMPLIANCE) + b"\x00")


@pytest.mark.parametrize(
    ("serial", "tax_id", "kind"),
    [
        (VKN, VKN, "VKN"),
        (TCKN, TCKN, "TCKN"),
        ("IDCTR-12345678901", TCKN, "TCKN"),
        ("PNOTR-12345678901", TCKN, "TCKN"),
        ("TINTR-1234567890", VKN, "VKN"),
        ("TAXTR-12345678901", TCKN, "TCKN"),
        ("IDCTR-1234567890", None, None),
        ("IDCDE-12345678901", None, None),
        ("VKN1234567890", None, None),
        ("TR1234567890", None, None),
        ("ABC1234567", None, None),
        ("123456789", None, None),
        ("123456789012", None, None),
        (" 1234567890", None, None),
        (None, None, None),
    ],
)
def test_tax_id_from_serial_number(
    pki: Pki, serial: str | None, tax_id: str | None, kind: str | None
) -> None:
    info = custom(pki, serial_number=serial, eku=[_oid(EKU_MALI_MUHUR)])

    assert info.subject_serial_number == serial
    assert (info.tax_id, info.tax_id_kind) == (tax_id, kind)


# --- kinds ------------------------------------------------------------------


def test_seal_policy_with_restricting_eku_is_not_a_seal(pki: Pki) -> None:
    info = custom(pki, policies=[POLICY_MALI_MUHUR], eku=[ExtendedKeyUsageOID.CLIENT_AUTH])
    assert info.kind is CertificateKind.OTHER


def test_seal_policy_with_any_eku_is_a_seal(pki: Pki) -> None:
    any_eku = ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE
    info = custom(pki, policies=[POLICY_MALI_MUHUR], eku=[any_eku])
    assert info.kind is CertificateKind.MALI_MUHUR


@pytest.mark.parametrize(
    ("statements", "kind"),
    [
        ((QC_COMPLIANCE,), CertificateKind.QUALIFIED_PERSONAL),
        ((QC_TR_5070_NES,), CertificateKind.QUALIFIED_PERSONAL),
        ((QC_COMPLIANCE, ESEAL_QC_TYPE), CertificateKind.OTHER),
        ((QC_TR_5070_NES, "2.16.792.1.61.0.1.5070.1.3"), CertificateKind.OTHER),
        (("1.2.3.4",), CertificateKind.OTHER),
    ],
)
def test_qc_statements_decide_personal(
    pki: Pki, statements: tuple[str, ...], kind: CertificateKind
) -> None:
    info = custom(
        pki,
        serial_number=TCKN,
        key_usage=ku(digital_signature=True, content_commitment=True),
        qc=qc_der(*statements),
    )
    assert info.qc_statements == statements
    assert info.kind is kind


def test_tckn_with_non_repudiation_alone_is_not_qualified(pki: Pki) -> None:
    info = custom(
        pki, serial_number=TCKN, key_usage=ku(digital_signature=True, content_commitment=True)
    )
    assert info.kind is CertificateKind.OTHER


# --- usability --------------------------------------------------------------


def test_valid_seal_for_its_company(pki: Pki) -> None:
    info = parse_certificate(der(seal(pki)))
    verdict = assess_usability(info, customer_id=VKN, at=NOW)
    assert verdict.usable is True
    assert verdict.reasons == ()


def test_validity_bounds_are_inclusive(pki: Pki) -> None:
    info = parse_certificate(der(seal(pki)))
    assert assess_usability(info, customer_id=VKN, at=NOT_BEFORE).usable
    assert assess_usability(info, customer_id=VKN, at=NOT_AFTER).usable


def test_expired(pki: Pki) -> None:
    info = parse_certificate(der(seal(pki)))
    verdict = assess_usability(info, customer_id=VKN, at=NOT_AFTER + timedelta(seconds=1))
    assert verdict.usable is False
    assert verdict.reasons == (Reason.EXPIRED,)


def test_not_yet_valid(pki: Pki) -> None:
    info = parse_certificate(der(seal(pki)))
    verdict = assess_usability(info, customer_id=VKN, at=NOT_BEFORE - timedelta(seconds=1))
    assert verdict.reasons == (Reason.NOT_YET_VALID,)


def test_other_timezones_are_compared_in_utc(pki: Pki) -> None:
    info = parse_certificate(der(seal(pki)))
    istanbul = timezone(timedelta(hours=3))
    just_after = (NOT_AFTER + timedelta(seconds=1)).astimezone(istanbul)
    assert assess_usability(info, customer_id=None, at=just_after).reasons == (Reason.EXPIRED,)


def test_encryption_certificate(pki: Pki) -> None:
    info = parse_certificate(der(encryption(pki)))
    verdict = assess_usability(info, customer_id=VKN, at=NOW)
    assert verdict.reasons == (Reason.NO_DIGITAL_SIGNATURE, Reason.ENCRYPTION_CERTIFICATE)


def test_nes_for_a_vkn_customer(pki: Pki) -> None:
    info = parse_certificate(der(personal(pki)))
    verdict = assess_usability(info, customer_id=VKN, at=NOW)
    assert verdict.usable is False
    assert verdict.reasons == (Reason.SEAL_REQUIRED, Reason.TAX_ID_MISMATCH)


def test_nes_for_its_own_tckn(pki: Pki) -> None:
    info = parse_certificate(der(personal(pki)))
    assert assess_usability(info, customer_id=TCKN, at=NOW).usable


def test_nes_for_another_tckn(pki: Pki) -> None:
    info = parse_certificate(der(personal(pki)))
    verdict = assess_usability(info, customer_id="10987654321", at=NOW)
    assert verdict.reasons == (Reason.TAX_ID_MISMATCH,)


def test_seal_for_another_company(pki: Pki) -> None:
    info = parse_certificate(der(seal(pki)))
    verdict = assess_usability(info, customer_id="9999999999", at=NOW)
    assert verdict.reasons == (Reason.TAX_ID_MISMATCH,)


def test_seal_of_a_natural_person_with_tckn(pki: Pki) -> None:
    info = custom(
        pki, serial_number=TCKN, key_usage=ku(digital_signature=True), eku=[_oid(EKU_MALI_MUHUR)]
    )
    assert info.kind is CertificateKind.MALI_MUHUR
    assert assess_usability(info, customer_id=TCKN, at=NOW).usable


def test_no_tax_id_in_subject(pki: Pki) -> None:
    info = custom(pki, serial_number="ABC1234567", eku=[_oid(EKU_MALI_MUHUR)])
    assert assess_usability(info, customer_id=VKN, at=NOW).reasons == (Reason.NO_TAX_ID,)
    assert assess_usability(info, customer_id=None, at=NOW).usable


def test_customer_none_skips_the_id_checks(pki: Pki) -> None:
    info = parse_certificate(der(personal(pki)))
    assert assess_usability(info, customer_id=None, at=NOW).usable


def test_other_certificate(pki: Pki) -> None:
    info = parse_certificate(der(pki.seal_ca.cert))
    verdict = assess_usability(info, customer_id=VKN, at=NOW)
    assert verdict.reasons == (
        Reason.NO_DIGITAL_SIGNATURE,
        Reason.NOT_A_SEAL_OR_SIGNATURE,
        Reason.NO_TAX_ID,
    )


def test_many_reasons_at_once(pki: Pki) -> None:
    info = parse_certificate(der(encryption(pki)))
    verdict = assess_usability(info, customer_id="9999999999", at=NOT_AFTER + timedelta(days=1))
    assert verdict.usable is False
    assert verdict.reasons == (
        Reason.EXPIRED,
        Reason.NO_DIGITAL_SIGNATURE,
        Reason.ENCRYPTION_CERTIFICATE,
        Reason.TAX_ID_MISMATCH,
    )


def test_every_reason_is_reachable(pki: Pki) -> None:
    seen: set[UsabilityReason] = set()
    cases = [
        (parse_certificate(der(seal(pki))), "9999999999", NOT_AFTER + timedelta(days=1)),
        (parse_certificate(der(seal(pki))), VKN, NOT_BEFORE - timedelta(days=1)),
        (parse_certificate(der(encryption(pki))), VKN, NOW),
        (parse_certificate(der(personal(pki))), VKN, NOW),
        (parse_certificate(der(pki.seal_ca.cert)), VKN, NOW),
    ]
    for info, customer, at in cases:
        seen.update(assess_usability(info, customer_id=customer, at=at).reasons)
    assert seen == set(UsabilityReason)


@pytest.mark.parametrize("customer", ["", "123", "12345678901234", "VKN1234567890", "١٢٣٤٥٦٧٨٩٠"])
def test_bad_customer_id(pki: Pki, customer: str) -> None:
    info = parse_certificate(der(seal(pki)))
    with pytest.raises(ValueError, match="customer_id"):
        assess_usability(info, customer_id=customer, at=NOW)


def test_naive_time_is_rejected(pki: Pki) -> None:
    info = parse_certificate(der(seal(pki)))
    with pytest.raises(ValueError, match="timezone-aware"):
        assess_usability(info, customer_id=VKN, at=datetime(2026, 3, 1))


# --- the test PKI itself -----------------------------------------------------


def test_ca_profile(pki: Pki) -> None:
    cert = pki.seal_ca.cert
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
    ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    leaf = seal(pki)
    aki = leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    assert leaf.issuer == cert.subject
    assert cert.not_valid_after_utc - NOW == timedelta(days=3650)


def test_serials_are_random(pki: Pki) -> None:
    assert seal(pki).serial_number != seal(pki).serial_number


def test_software_identity_and_pem(pki: Pki) -> None:
    ident = make_software_identity(pki.seal_ca, vkn=VKN, title=TITLE, now=NOW, key_type="ec-p256")
    info = parse_certificate(der(ident.cert))
    assert info.kind is CertificateKind.MALI_MUHUR
    assert info.not_before <= NOW < info.not_after
    assert info.key_algorithm.display == "EC P-256 (256 bits)"

    cert_pem = to_pem(ident.cert)
    assert cert_pem.startswith(b"-----BEGIN CERTIFICATE-----")
    assert x509.load_pem_x509_certificate(cert_pem) == ident.cert
    key_pem = to_pem(ident.key)
    assert key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    loaded = serialization.load_pem_private_key(key_pem, password=None)
    assert isinstance(loaded, ec.EllipticCurvePrivateKey)
    assert loaded.public_key() == ident.cert.public_key()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"vkn": "123456789"}, "vkn"),
        ({"vkn": "12345678901"}, "vkn"),
        ({"not_before": datetime(2026, 1, 1)}, "timezone-aware"),
    ],
)
def test_seal_arguments_are_checked(pki: Pki, kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "vkn": VKN,
        "title": TITLE,
        "not_before": NOT_BEFORE,
        "not_after": NOT_AFTER,
        **kwargs,
    }
    with pytest.raises(ValueError, match=message):
        make_seal_certificate(pki.seal_ca, pki.rsa_key.public_key(), **args)  # type: ignore[arg-type]


def test_unknown_key_type() -> None:
    with pytest.raises(ValueError, match="unknown key type"):
        generate_key("dsa1024")


# --- cross-check with the openssl CLI ------------------------------------------

needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI missing")


def _openssl(*args: str) -> str:
    done = subprocess.run(["openssl", *args], capture_output=True, text=True, check=True)
    return done.stdout


@needs_openssl
def test_openssl_shows_the_seal_profile(pki: Pki, tmp_path: Path) -> None:
    path = tmp_path / "seal.pem"
    path.write_bytes(to_pem(seal(pki)))
    text = _openssl("x509", "-in", str(path), "-noout", "-text")
    lines = [line.strip() for line in text.splitlines()]

    ku_at = lines.index("X509v3 Key Usage: critical")
    assert lines[ku_at + 1] == "Digital Signature"
    eku_at = lines.index("X509v3 Extended Key Usage:")
    assert lines[eku_at + 1] == EKU_MALI_MUHUR
    assert f"Policy: {POLICY_MALI_MUHUR}" in lines
    assert "CA:FALSE" in lines

    subject = _openssl(
        "x509", "-in", str(path), "-noout", "-subject", "-nameopt", "multiline,show_type,utf8"
    )
    fields = {
        name.strip(): value.strip()
        for name, _, value in (line.partition("=") for line in subject.splitlines()[1:])
    }
    assert fields["countryName"] == "PRINTABLESTRING:TR"
    assert fields["serialNumber"] == f"PRINTABLESTRING:{VKN}"
    assert fields["organizationName"].startswith("UTF8STRING:")
    assert fields["commonName"].startswith("UTF8STRING:")


@needs_openssl
def test_openssl_verifies_the_chain(pki: Pki, tmp_path: Path) -> None:
    (tmp_path / "seal-ca.pem").write_bytes(to_pem(pki.seal_ca.cert))
    (tmp_path / "nes-ca.pem").write_bytes(to_pem(pki.nes_ca.cert))
    (tmp_path / "seal.pem").write_bytes(to_pem(seal(pki)))
    (tmp_path / "encr.pem").write_bytes(to_pem(encryption(pki)))
    (tmp_path / "nes.pem").write_bytes(to_pem(personal(pki)))
    at = str(int(NOW.timestamp()))
    for ca, leaf in [("seal-ca", "seal"), ("seal-ca", "encr"), ("nes-ca", "nes")]:
        out = _openssl(
            "verify",
            "-attime",
            at,
            "-CAfile",
            str(tmp_path / f"{ca}.pem"),
            str(tmp_path / f"{leaf}.pem"),
        )
        assert out.strip().endswith(": OK")


def _oid(dotted: str) -> x509.ObjectIdentifier:
    return x509.ObjectIdentifier(dotted)
