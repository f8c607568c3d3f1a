"""Issuing fake CA, mali mühür, encryption and NES certificates.

The profiles follow the decoded Kamu SM certificates closely enough for the
client's certificate filter and the XAdES code to treat them like real ones:
same subject layout and string types (C and serialNumber PrintableString,
Turkish text UTF8String), same KeyUsage, EKU, policy and QCStatements OIDs.
Every CA name says "SAHTE" (fake) so that no one mistakes one for the real
thing.

cryptography refuses name attributes longer than 64 UTF-8 bytes (the X.520
upper bound), so very long company titles raise :class:`ValueError` here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = [
    "CA_ORGANIZATION",
    "CA_ORGANIZATIONAL_UNIT",
    "DEFAULT_NES_CA_NAME",
    "DEFAULT_SEAL_CA_NAME",
    "EKU_MALI_MUHUR",
    "KEY_TYPES",
    "POLICY_MALI_MUHUR",
    "POLICY_NES",
    "QC_COMPLIANCE",
    "QC_TR_5070_NES",
    "Identity",
    "generate_key",
    "make_ca",
    "make_encryption_certificate",
    "make_personal_certificate",
    "make_seal_certificate",
    "make_software_identity",
    "qc_statements_extension",
    "to_pem",
]

# The real issuer is "… Sağlayıcısı - Sürüm N"; with " TEST" added that would
# pass the 64-byte limit cryptography enforces on CN, so the version is dropped.
DEFAULT_SEAL_CA_NAME = "Mali Mühür Elektronik Sertifika Hizmet Sağlayıcısı - TEST"
DEFAULT_NES_CA_NAME = "NES Elektronik Sertifika Hizmet Sağlayıcısı - TEST"
CA_ORGANIZATION = "Test Kamu Sertifikasyon Merkezi (SAHTE)"
CA_ORGANIZATIONAL_UNIT = "Test ESHS"

EKU_MALI_MUHUR = "2.16.792.1.2.1.1.5.7.50.1"
POLICY_MALI_MUHUR = "2.16.792.1.2.1.1.5.7.4.1"
POLICY_NES = "2.16.792.1.2.1.1.5.7.1.1"
QC_COMPLIANCE = "0.4.0.1862.1.1"
QC_TR_5070_NES = "2.16.792.1.61.0.1.5070.1.1"
_OID_QC_STATEMENTS = "1.3.6.1.5.5.7.1.3"

#: The key types :func:`generate_key` and :func:`make_software_identity` accept.
KEY_TYPES = ("rsa2048", "rsa3072", "ec-p256", "ec-p384")

_IssuerKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
_SubjectKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey
# Kamu SM renews a mali mühür every three years.
_SEAL_LIFETIME = timedelta(days=3 * 365)


@dataclass(frozen=True)
class Identity:
    """A software private key with its certificate (a CA or a soft seal)."""

    key: PrivateKeyTypes
    cert: x509.Certificate


def generate_key(key_type: str = "rsa2048") -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    """Generate a software private key.

    :param key_type: one of :data:`KEY_TYPES`.
    :returns: the new key.
    :raises ValueError: for an unknown key type.
    """
    if key_type == "rsa2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if key_type == "rsa3072":
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    if key_type == "ec-p256":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type == "ec-p384":
        return ec.generate_private_key(ec.SECP384R1())
    raise ValueError(f"unknown key type {key_type!r}; expected one of {', '.join(KEY_TYPES)}")


def make_ca(
    common_name: str, *, now: datetime, years: int = 10, key: PrivateKeyTypes | None = None
) -> Identity:
    """Create a self-signed test CA.

    :param common_name: the CA's CN, e.g. :data:`DEFAULT_SEAL_CA_NAME`.
    :param now: the issuing moment (timezone-aware); validity starts a day
        earlier so that certificates backdated a little still chain.
    :param years: validity in years of 365 days.
    :param key: the CA key (RSA or EC); a new RSA-3072 key when ``None``.
    :returns: the CA's key and certificate.
    :raises ValueError: when ``now`` is naive.
    :raises TypeError: when ``key`` is neither RSA nor EC.
    """
    ca_key = _issuer_key(key if key is not None else generate_key("rsa3072"))
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "TR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, CA_ORGANIZATION),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, CA_ORGANIZATIONAL_UNIT),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    start = _aware(now) - timedelta(days=1)
    ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(_aware(now) + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return Identity(key=ca_key, cert=cert)


def make_seal_certificate(
    ca: Identity,
    public_key: PublicKeyTypes,
    *,
    vkn: str,
    title: str,
    not_before: datetime,
    not_after: datetime,
    locality: str = "ANKARA",
) -> x509.Certificate:
    """Issue a mali mühür (``…SIGN0``) certificate.

    :param ca: the issuing CA.
    :param public_key: the seal's public key (RSA or EC), e.g. read from a token.
    :param vkn: the company's 10-digit tax number, written to serialNumber.
    :param title: the company title (ticaret unvanı), written to O and CN.
    :param not_before: start of validity (timezone-aware).
    :param not_after: end of validity (timezone-aware).
    :param locality: the L attribute.
    :returns: the certificate.
    :raises ValueError: when ``vkn`` is not 10 digits or a time is naive.
    """
    _check_digits(vkn, 10, "vkn")
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (_key_usage(digital_signature=True), True),
        (x509.ExtendedKeyUsage([x509.ObjectIdentifier(EKU_MALI_MUHUR)]), False),
        (_policies(POLICY_MALI_MUHUR), False),
    ]
    subject = _seal_subject(vkn=vkn, title=title, locality=locality)
    return _issue(
        ca, public_key, subject, not_before=not_before, not_after=not_after, extensions=extensions
    )


def make_encryption_certificate(
    ca: Identity,
    public_key: PublicKeyTypes,
    *,
    vkn: str,
    title: str,
    not_before: datetime,
    not_after: datetime,
    locality: str = "ANKARA",
) -> x509.Certificate:
    """Issue the encryption (``…ENCR0``) twin of a mali mühür certificate.

    Like the reported real twin it carries the seal *policy* and the
    clientAuth EKU, but not the seal EKU, so a filter that goes by the policy
    alone would wrongly offer it for signing.

    :param ca: the issuing CA.
    :param public_key: the certificate's public key (RSA or EC).
    :param vkn: the company's 10-digit tax number.
    :param title: the company title.
    :param not_before: start of validity (timezone-aware).
    :param not_after: end of validity (timezone-aware).
    :param locality: the L attribute.
    :returns: the certificate.
    :raises ValueError: when ``vkn`` is not 10 digits or a time is naive.
    """
    _check_digits(vkn, 10, "vkn")
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (_key_usage(key_encipherment=True, data_encipherment=True), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False),
        (_policies(POLICY_MALI_MUHUR), False),
    ]
    subject = _seal_subject(vkn=vkn, title=title, locality=locality)
    return _issue(
        ca, public_key, subject, not_before=not_before, not_after=not_after, extensions=extensions
    )


def make_personal_certificate(
    ca: Identity,
    public_key: PublicKeyTypes,
    *,
    tckn: str,
    given_name: str,
    surname: str,
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    """Issue a natural person's qualified e-signature (NES) certificate.

    :param ca: the issuing CA, e.g. one named :data:`DEFAULT_NES_CA_NAME`.
    :param public_key: the person's public key (RSA or EC).
    :param tckn: the 11-digit Turkish identity number, written to serialNumber.
    :param given_name: the GN attribute.
    :param surname: the SN attribute.
    :param not_before: start of validity (timezone-aware).
    :param not_after: end of validity (timezone-aware).
    :returns: the certificate.
    :raises ValueError: when ``tckn`` is not 11 digits or a time is naive.
    """
    _check_digits(tckn, 11, "tckn")
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "TR"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, tckn),
            x509.NameAttribute(NameOID.GIVEN_NAME, given_name),
            x509.NameAttribute(NameOID.SURNAME, surname),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{given_name} {surname}"),
        ]
    )
    qc = qc_statements_extension(QC_COMPLIANCE, QC_TR_5070_NES)
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (_key_usage(digital_signature=True, content_commitment=True), True),
        (_policies(POLICY_NES), False),
        (qc, False),
    ]
    return _issue(
        ca, public_key, subject, not_before=not_before, not_after=not_after, extensions=extensions
    )


def make_software_identity(
    ca: Identity, *, vkn: str, title: str, now: datetime, key_type: str = "rsa2048"
) -> Identity:
    """Create a seal whose key lives in memory (the integrator's test seal).

    :param ca: the issuing CA.
    :param vkn: the 10-digit tax number.
    :param title: the company title.
    :param now: the issuing moment (timezone-aware); valid from an hour
        before it for three years.
    :param key_type: one of :data:`KEY_TYPES`.
    :returns: the key and its mali mühür certificate.
    :raises ValueError: for a bad ``vkn``, key type or a naive ``now``.
    """
    key = generate_key(key_type)
    start = _aware(now) - timedelta(hours=1)
    end = start + _SEAL_LIFETIME
    cert = make_seal_certificate(
        ca, key.public_key(), vkn=vkn, title=title, not_before=start, not_after=end
    )
    return Identity(key=key, cert=cert)


def qc_statements_extension(*statement_ids: str) -> x509.UnrecognizedExtension:
    """Build a QCStatements extension (RFC 3739) of statements without info.

    cryptography has no type for this extension, so the DER is written here.

    :param statement_ids: dotted OIDs, e.g. :data:`QC_COMPLIANCE`.
    :returns: the extension value, to be added as non-critical.
    """
    statements = b"".join(_der(0x30, _der(0x06, _encode_oid(oid))) for oid in statement_ids)
    return x509.UnrecognizedExtension(
        x509.ObjectIdentifier(_OID_QC_STATEMENTS), _der(0x30, statements)
    )


def to_pem(obj: x509.Certificate | PrivateKeyTypes) -> bytes:
    """Encode a certificate, or an unencrypted PKCS#8 private key, as PEM.

    :param obj: the certificate or private key.
    :returns: the PEM bytes.
    """
    if isinstance(obj, x509.Certificate):
        return obj.public_bytes(serialization.Encoding.PEM)
    return obj.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _issue(
    ca: Identity,
    public_key: PublicKeyTypes,
    subject: x509.Name,
    *,
    not_before: datetime,
    not_after: datetime,
    extensions: list[tuple[x509.ExtensionType, bool]],
) -> x509.Certificate:
    if not isinstance(public_key, _SubjectKey):
        raise TypeError("only RSA and EC subject keys are supported")
    ca_key = _issuer_key(ca.key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(_aware(not_before))
        .not_valid_after(_aware(not_after))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(_authority_key_id(ca.cert), critical=False)
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(ca_key, hashes.SHA256())


def _seal_subject(*, vkn: str, title: str, locality: str) -> x509.Name:
    # cryptography writes C and serialNumber as PrintableString and the rest
    # as UTF8String by default, which is what the real certificates use.
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "TR"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, locality),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, title),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, vkn),
            x509.NameAttribute(NameOID.COMMON_NAME, title),
        ]
    )


def _authority_key_id(ca_cert: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    try:
        ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:
        return x509.AuthorityKeyIdentifier.from_issuer_public_key(_issuer_key_public(ca_cert))
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _issuer_key_public(ca_cert: x509.Certificate) -> _SubjectKey:
    key = ca_cert.public_key()
    if not isinstance(key, _SubjectKey):
        raise TypeError("only RSA and EC CA keys are supported")
    return key


def _issuer_key(key: PrivateKeyTypes) -> _IssuerKey:
    if not isinstance(key, _IssuerKey):
        raise TypeError("only RSA and EC CA keys are supported")
    return key


def _key_usage(
    *,
    digital_signature: bool = False,
    content_commitment: bool = False,
    key_encipherment: bool = False,
    data_encipherment: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=content_commitment,
        key_encipherment=key_encipherment,
        data_encipherment=data_encipherment,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _policies(*oids: str) -> x509.CertificatePolicies:
    return x509.CertificatePolicies(
        [x509.PolicyInformation(x509.ObjectIdentifier(oid), None) for oid in oids]
    )


def _der(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + content


def _encode_oid(dotted: str) -> bytes:
    arcs = [int(arc) for arc in dotted.split(".")]
    out = bytearray()
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        rest = arc >> 7
        while rest:
            chunk.append(0x80 | (rest & 0x7F))
            rest >>= 7
        out.extend(reversed(chunk))
    return bytes(out)


def _check_digits(value: str, count: int, what: str) -> None:
    if not re.fullmatch(rf"[0-9]{{{count}}}", value):
        raise ValueError(f"{what} must be exactly {count} digits")


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment
