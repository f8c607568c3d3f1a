"""Reading certificates (from a card or a signature) and deciding whether one may counter-sign.

:func:`parse_certificate` turns the DER of a certificate into plain, immutable
data; :func:`assess_usability` says whether that certificate may make the
customer's counter-signature and, if not, lists *every* reason why. Both are
pure functions: no clock, no network, no chain or revocation checks (GİB does
those when it verifies the envelope).

How a certificate's :class:`CertificateKind` is decided, first match wins:

1. ``OTHER`` when it is a CA certificate.
2. ``ENCRYPTION`` when its KeyUsage allows neither ``digitalSignature`` nor
   ``nonRepudiation`` but allows ``keyEncipherment``, ``keyAgreement`` or
   ``dataEncipherment``. This test comes before the seal test because the
   ``…ENCR0`` twin on a mali mühür card carries the seal *policy* as well.
3. ``MALI_MUHUR`` when the ExtendedKeyUsage contains the seal EKU, or when the
   seal policy is present and no ExtendedKeyUsage restricts the key to other
   purposes (RFC 5280 §4.2.1.12: an EKU extension limits the key to the listed
   purposes; ``anyExtendedKeyUsage`` lifts that limit).
4. ``QUALIFIED_PERSONAL`` when the QCStatements extension marks it qualified
   (ETSI QcCompliance or the Turkish Law 5070 statement ``…5070.1.1``) and no
   statement marks it as a *seal* (ETSI ``QcType`` eseal, ``…5070.1.3`` or
   ``…5070.2.2``). A subject TCKN with ``nonRepudiation`` alone is deliberately
   *not* enough: any CA can issue such a certificate, while only a qualified
   one has the legal weight GİB requires from a natural person's signature.
5. ``OTHER`` otherwise.
"""

from __future__ import annotations

import functools
import re
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Literal, TypeVar

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from signer_app.errors import SignerAppError

__all__ = [
    "EKU_MALI_MUHUR",
    "OID_QC_STATEMENTS",
    "POLICY_MALI_MUHUR",
    "QC_COMPLIANCE",
    "QC_TR_5070_NES",
    "CertificateInfo",
    "CertificateKind",
    "CertificateParseError",
    "KeyAlgorithm",
    "TaxIdKind",
    "Usability",
    "UsabilityReason",
    "assess_usability",
    "parse_certificate",
]

EKU_MALI_MUHUR = "2.16.792.1.2.1.1.5.7.50.1"
POLICY_MALI_MUHUR = "2.16.792.1.2.1.1.5.7.4.1"
OID_QC_STATEMENTS = "1.3.6.1.5.5.7.1.3"
QC_COMPLIANCE = "0.4.0.1862.1.1"
QC_TR_5070_NES = "2.16.792.1.61.0.1.5070.1.1"
# Statements that mark a qualified certificate as an organisation's seal; the
# Turkish ones come from a single source (MA3), so they only ever *exclude*.
_QC_SEAL_MARKERS = frozenset(
    {"0.4.0.1862.1.6.2", "2.16.792.1.61.0.1.5070.1.3", "2.16.792.1.61.0.1.5070.2.2"}
)
_ANY_EKU = ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE.dotted_string
_ENCRYPTION_USAGES = frozenset({"keyEncipherment", "keyAgreement", "dataEncipherment"})
_SIGNING_USAGES = frozenset({"digitalSignature", "nonRepudiation"})
_CURVE_DISPLAY = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
# ETSI EN 319 412-1 §5.1.3 semantics identifiers ("IDCTR-12345678901");
# only Turkish ones, and only the types that carry a VKN or TCKN.
_ETSI_ID = re.compile(r"(?:IDC|PNO|TIN|TAX)TR-([0-9]{10,11})")

TaxIdKind = Literal["VKN", "TCKN"]
_E = TypeVar("_E", bound=x509.ExtensionType)


class CertificateParseError(SignerAppError):
    """A certificate on the card could not be read."""

    message_key = "certificate.invalid"


class CertificateKind(Enum):
    """What a certificate is for, as far as counter-signing is concerned."""

    #: A company's fiscal seal (Kamu SM "mali mühür").
    MALI_MUHUR = "mali_muhur"
    #: A natural person's qualified electronic signature (NES).
    QUALIFIED_PERSONAL = "qualified_personal"
    #: A key-transport / key-agreement certificate (the ``…ENCR0`` twin).
    ENCRYPTION = "encryption"
    OTHER = "other"


@dataclass(frozen=True)
class KeyAlgorithm:
    """The public key's algorithm and size."""

    #: ``"RSA"``, ``"EC"``, ``"DSA"``, ``"Ed25519"``, ``"Ed448"`` or the key's OID.
    name: str
    #: Key size in bits; ``None`` when unknown.
    size_bits: int | None
    #: The curve's name in cryptography's spelling (``"secp256r1"``), EC only.
    curve: str | None = None

    @property
    def display(self) -> str:
        """A short text such as ``RSA (2048 bits)`` or ``EC P-256 (256 bits)``."""
        label = self.name
        if self.curve is not None:
            label = f"{label} {_CURVE_DISPLAY.get(self.curve, self.curve)}"
        return label if self.size_bits is None else f"{label} ({self.size_bits} bits)"

    def __str__(self) -> str:
        return self.display


@dataclass(frozen=True)
class CertificateInfo:
    """The facts about one certificate that the program uses or shows."""

    #: Subject and issuer as RFC 4514 strings (``2.5.4.5=`` for serialNumber).
    subject: str
    subject_cn: str | None
    #: A short name to show: the subject's CN, else its O, else the whole subject.
    display_name: str
    issuer: str
    issuer_cn: str | None
    #: Validity bounds, timezone-aware UTC.
    not_before: datetime
    not_after: datetime
    serial_number: int
    fingerprint_sha256: str
    key_algorithm: KeyAlgorithm
    #: RFC 5280 names (``digitalSignature`` …); ``None`` when the extension is absent.
    key_usage: frozenset[str] | None
    key_usage_critical: bool
    extended_key_usage: tuple[str, ...]
    policies: tuple[str, ...]
    qc_statements: tuple[str, ...]
    is_ca: bool
    #: The subject's serialNumber (2.5.4.5) as written.
    subject_serial_number: str | None
    tax_id: str | None
    tax_id_kind: TaxIdKind | None
    kind: CertificateKind
    der: bytes = field(repr=False)

    @property
    def serial_hex(self) -> str:
        """The serial number as upper-case hex with an even number of digits."""
        digits = f"{abs(self.serial_number):X}"
        digits = digits.zfill(len(digits) + len(digits) % 2)
        return f"-{digits}" if self.serial_number < 0 else digits


class UsabilityReason(Enum):
    """Why a certificate cannot make the customer's counter-signature."""

    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    #: KeyUsage is present and lacks ``digitalSignature``.
    NO_DIGITAL_SIGNATURE = "no_digital_signature"
    ENCRYPTION_CERTIFICATE = "encryption_certificate"
    #: Neither a mali mühür nor a qualified personal signature (kind ``OTHER``).
    NOT_A_SEAL_OR_SIGNATURE = "not_a_seal_or_signature"
    #: A personal e-signature (NES) offered for a legal person (10-digit VKN),
    #: which must counter-sign with its mali mühür.
    SEAL_REQUIRED = "seal_required"
    #: The subject's VKN/TCKN is not the customer's id.
    TAX_ID_MISMATCH = "tax_id_mismatch"
    #: The subject carries no VKN/TCKN to compare with the customer's id.
    NO_TAX_ID = "no_tax_id"


@dataclass(frozen=True)
class Usability:
    """The verdict of :func:`assess_usability`."""

    usable: bool
    reasons: tuple[UsabilityReason, ...] = ()


@functools.lru_cache(maxsize=64)
def parse_certificate(der: bytes) -> CertificateInfo:
    """Read a DER certificate.

    :param der: the certificate's DER encoding (``CKA_VALUE``).
    :returns: the certificate's facts.
    :raises CertificateParseError: when the bytes are not a readable certificate
        or one of the extensions used here is malformed.

    Results are cached by DER: verifying and signing meet the same few
    certificates again and again, and the result is immutable.
    """
    try:
        with warnings.catch_warnings():
            # Real Kamu SM CA names exceed X.520's 64-character bound;
            # cryptography warns about each one, which is noise here.
            warnings.simplefilter("ignore", UserWarning)
            return _parse(bytes(der))
    except (ValueError, TypeError) as exc:
        # cryptography parses extensions lazily, so a broken one only shows here.
        raise CertificateParseError(str(exc)) from exc


def assess_usability(cert: CertificateInfo, *, customer_id: str | None, at: datetime) -> Usability:
    """Decide whether ``cert`` may make the customer's counter-signature.

    A legal person (10-digit VKN) must use a mali mühür; a natural person
    (11-digit TCKN) may use a mali mühür or a qualified personal certificate.
    In both cases the subject's tax id must equal the customer's id.

    :param cert: the parsed certificate.
    :param customer_id: the document's UserID (VKN or TCKN); ``None`` skips
        the id checks.
    :param at: the moment to judge validity at; must be timezone-aware.
    :returns: the verdict with every reason that applies, in enum order.
    :raises ValueError: when ``at`` is naive or ``customer_id`` is neither 10
        nor 11 digits.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("'at' must be a timezone-aware datetime")
    if customer_id is not None and not re.fullmatch(r"[0-9]{10,11}", customer_id):
        raise ValueError("customer_id must be a 10-digit VKN or an 11-digit TCKN")
    found: set[UsabilityReason] = set()
    moment = at.astimezone(UTC)
    if moment > cert.not_after:
        found.add(UsabilityReason.EXPIRED)
    if moment < cert.not_before:
        found.add(UsabilityReason.NOT_YET_VALID)
    if cert.key_usage is not None and "digitalSignature" not in cert.key_usage:
        found.add(UsabilityReason.NO_DIGITAL_SIGNATURE)
    if cert.kind is CertificateKind.ENCRYPTION:
        found.add(UsabilityReason.ENCRYPTION_CERTIFICATE)
    if cert.kind is CertificateKind.OTHER:
        found.add(UsabilityReason.NOT_A_SEAL_OR_SIGNATURE)
    if customer_id is not None:
        if len(customer_id) == 10 and cert.kind is CertificateKind.QUALIFIED_PERSONAL:
            found.add(UsabilityReason.SEAL_REQUIRED)
        if cert.tax_id is None:
            found.add(UsabilityReason.NO_TAX_ID)
        elif cert.tax_id != customer_id:
            found.add(UsabilityReason.TAX_ID_MISMATCH)
    reasons = tuple(reason for reason in UsabilityReason if reason in found)
    return Usability(usable=not reasons, reasons=reasons)


def _parse(der: bytes) -> CertificateInfo:
    cert = x509.load_der_x509_certificate(der)
    exts = cert.extensions
    key_usage, ku_critical = _key_usage(exts)
    eku_ext = _extension(exts, x509.ExtendedKeyUsage)
    eku = tuple(oid.dotted_string for oid in eku_ext) if eku_ext is not None else None
    policies = tuple(
        p.policy_identifier.dotted_string for p in _extension(exts, x509.CertificatePolicies) or ()
    )
    constraints = _extension(exts, x509.BasicConstraints)
    is_ca = constraints is not None and constraints.ca
    qc = _qc_statements(exts)
    subject_cn = _first(cert.subject, NameOID.COMMON_NAME)
    serial_text = _first(cert.subject, NameOID.SERIAL_NUMBER)
    tax_id, tax_kind = _tax_id(serial_text)
    subject = cert.subject.rfc4514_string()
    return CertificateInfo(
        subject=subject,
        subject_cn=subject_cn,
        display_name=subject_cn or _first(cert.subject, NameOID.ORGANIZATION_NAME) or subject,
        issuer=cert.issuer.rfc4514_string(),
        issuer_cn=_first(cert.issuer, NameOID.COMMON_NAME),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        serial_number=cert.serial_number,
        fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(),
        key_algorithm=_key_algorithm(cert),
        key_usage=key_usage,
        key_usage_critical=ku_critical,
        extended_key_usage=eku or (),
        policies=policies,
        qc_statements=qc,
        is_ca=is_ca,
        subject_serial_number=serial_text,
        tax_id=tax_id,
        tax_id_kind=tax_kind,
        kind=_kind(is_ca=is_ca, key_usage=key_usage, eku=eku, policies=policies, qc=qc),
        der=der,
    )


def _first(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    attrs = name.get_attributes_for_oid(oid)
    if not attrs:
        return None
    value = attrs[0].value
    return value if isinstance(value, str) else value.decode("latin-1")


def _extension(exts: x509.Extensions, kind: type[_E]) -> _E | None:
    try:
        return exts.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _key_usage(exts: x509.Extensions) -> tuple[frozenset[str] | None, bool]:
    try:
        ext = exts.get_extension_for_class(x509.KeyUsage)
    except x509.ExtensionNotFound:
        return None, False
    ku = ext.value
    names = {
        "digitalSignature": ku.digital_signature,
        "nonRepudiation": ku.content_commitment,
        "keyEncipherment": ku.key_encipherment,
        "dataEncipherment": ku.data_encipherment,
        "keyAgreement": ku.key_agreement,
        "keyCertSign": ku.key_cert_sign,
        "cRLSign": ku.crl_sign,
        # cryptography refuses to read these two unless keyAgreement is set.
        "encipherOnly": ku.key_agreement and ku.encipher_only,
        "decipherOnly": ku.key_agreement and ku.decipher_only,
    }
    return frozenset(name for name, isset in names.items() if isset), ext.critical


def _key_algorithm(cert: x509.Certificate) -> KeyAlgorithm:
    try:
        key = cert.public_key()
    except (UnsupportedAlgorithm, ValueError):
        return KeyAlgorithm(cert.public_key_algorithm_oid.dotted_string, None)
    if isinstance(key, rsa.RSAPublicKey):
        return KeyAlgorithm("RSA", key.key_size)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return KeyAlgorithm("EC", key.curve.key_size, key.curve.name)
    if isinstance(key, dsa.DSAPublicKey):
        return KeyAlgorithm("DSA", key.key_size)
    if isinstance(key, ed25519.Ed25519PublicKey):
        return KeyAlgorithm("Ed25519", 256)
    if isinstance(key, ed448.Ed448PublicKey):
        return KeyAlgorithm("Ed448", 456)
    return KeyAlgorithm(cert.public_key_algorithm_oid.dotted_string, None)


def _tax_id(serial: str | None) -> tuple[str | None, TaxIdKind | None]:
    if serial is None:
        return None, None
    match = _ETSI_ID.fullmatch(serial)
    digits = match.group(1) if match else serial
    # IDC and PNO name a natural person, so only an 11-digit TCKN fits them.
    personal_only = match is not None and serial.startswith(("IDC", "PNO"))
    if re.fullmatch(r"[0-9]{10}", digits) and not personal_only:
        return digits, "VKN"
    if re.fullmatch(r"[0-9]{11}", digits):
        return digits, "TCKN"
    return None, None


def _kind(
    *,
    is_ca: bool,
    key_usage: frozenset[str] | None,
    eku: tuple[str, ...] | None,
    policies: tuple[str, ...],
    qc: tuple[str, ...],
) -> CertificateKind:
    if is_ca:
        return CertificateKind.OTHER
    if key_usage is not None and not key_usage & _SIGNING_USAGES and key_usage & _ENCRYPTION_USAGES:
        return CertificateKind.ENCRYPTION
    eku_allows_seal = eku is None or _ANY_EKU in eku
    if (eku is not None and EKU_MALI_MUHUR in eku) or (
        POLICY_MALI_MUHUR in policies and eku_allows_seal
    ):
        return CertificateKind.MALI_MUHUR
    qualified = QC_COMPLIANCE in qc or QC_TR_5070_NES in qc
    if qualified and _QC_SEAL_MARKERS.isdisjoint(qc):
        return CertificateKind.QUALIFIED_PERSONAL
    return CertificateKind.OTHER


def _qc_statements(exts: x509.Extensions) -> tuple[str, ...]:
    """Return the statement ids of a QCStatements extension (RFC 3739 §3.2.6)."""
    try:
        ext = exts.get_extension_for_oid(x509.ObjectIdentifier(OID_QC_STATEMENTS))
    except x509.ExtensionNotFound:
        return ()
    value = ext.value
    if not isinstance(value, x509.UnrecognizedExtension):
        raise ValueError("unexpected QCStatements representation")
    body, rest = _tlv(value.value, 0x30)
    if rest:
        raise ValueError("trailing bytes after QCStatements")
    ids: list[str] = []
    while body:
        statement, body = _tlv(body, 0x30)
        oid, _info = _tlv(statement, 0x06)
        ids.append(_decode_oid(oid))
    return tuple(ids)


def _tlv(data: bytes, tag: int) -> tuple[bytes, bytes]:
    """Split one DER element with the expected tag off ``data``: (content, rest)."""
    if len(data) < 2 or data[0] != tag:
        raise ValueError("malformed DER")
    length, offset = data[1], 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or len(data) < 2 + count:
            raise ValueError("malformed DER length")
        length, offset = int.from_bytes(data[2 : 2 + count], "big"), 2 + count
    if len(data) < offset + length:
        raise ValueError("truncated DER")
    return data[offset : offset + length], data[offset + length :]


def _decode_oid(content: bytes) -> str:
    if not content or content[-1] & 0x80:
        raise ValueError("malformed OBJECT IDENTIFIER")
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in (first, arcs[0] - 40 * first, *arcs[1:]))
