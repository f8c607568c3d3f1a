"""GİB's XAdES-BES profile: the integrator's main signature and the customer's counter-signature.

Verification follows the profile strictly (see :func:`verify_signatures`):
the main signature sits at ``oa:ApplicationArea/oa:Signature/ds:Signature``
and signs the whole document (``URI=""``, enveloped) and its own
SignedProperties; the counter-signature sits in the main signature's
``UnsignedSignatureProperties/CounterSignature`` and signs the main
``SignatureValue`` and its own SignedProperties. Any other signature, any
other reference, any duplicated ``Id`` is refused — so a signed element cannot
be moved or duplicated to make the verifier look at one thing while the
person reads another.

Signatures are built *in place* (:func:`add_main_signature`,
:func:`add_counter_signature`): with inclusive canonicalisation the digests
depend on the namespaces in scope, so they must be computed where the
signature will finally sit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from signer_app.certificates import CertificateInfo, CertificateParseError, parse_certificate
from signer_app.envelope import xmldsig
from signer_app.envelope.errors import (
    CertificateMismatchError,
    DigestMismatchError,
    EnvelopeError,
    SignatureError,
    SignatureMissingError,
    SignatureStructureError,
    SignerMismatchError,
    UnsupportedAlgorithmError,
)
from signer_app.envelope.names import DS, XADES, ds, oa, xades

__all__ = [
    "CLAIMED_ROLE",
    "IntegratorPin",
    "SignatureReport",
    "SignatureRole",
    "Signatures",
    "add_counter_signature",
    "add_main_signature",
    "find_signatures",
    "verify_signatures",
]

#: The role GİB's samples claim in both signatures.
CLAIMED_ROLE: Final = "Tedarikçi"
SIGNED_PROPERTIES_TYPE: Final = "http://uri.etsi.org/01903#SignedProperties"
COUNTERSIGNED_TYPE: Final = "http://uri.etsi.org/01903#CountersignedSignature"

_SIGNATURE = ds("Signature")
_QP_PATH: Final = (ds("Object"), xades("QualifyingProperties"))
_COUNTER_PATH: Final = (
    xades("UnsignedProperties"),
    xades("UnsignedSignatureProperties"),
    xades("CounterSignature"),
)


class SignatureRole(Enum):
    """Which of the two signatures GİB expects."""

    MAIN = "main"
    COUNTER = "counter"


@dataclass(frozen=True)
class IntegratorPin:
    """Configuration that pins who may make the main signature."""

    vkn: str | None = None
    #: SHA-256 fingerprint (hex) of the integrator's certificate.
    certificate_sha256: str | None = None


@dataclass(frozen=True)
class SignatureReport:
    """What one signature says and whether it holds."""

    role: SignatureRole
    valid: bool
    signature_id: str | None = None
    #: Why it is invalid; None when valid.
    error: EnvelopeError | None = None
    signer: CertificateInfo | None = None
    signing_time: datetime | None = None
    method: str | None = None
    #: The VKN/TCKN the signer must have (LogicalID or UserID).
    expected_signer: str | None = None
    signer_matches: bool | None = None

    @property
    def error_key(self) -> str | None:
        """The message key of :attr:`error`."""
        return self.error.message_key if self.error else None

    @property
    def error_detail(self) -> str:
        """The technical detail of :attr:`error`."""
        return self.error.detail if self.error else ""


@dataclass(frozen=True)
class Signatures:
    """The signatures of one standalone document."""

    main: SignatureReport | None
    counter: SignatureReport | None

    @property
    def valid(self) -> bool:
        """Both signatures present and valid."""
        return bool(self.main and self.main.valid and self.counter and self.counter.valid)


# -- structure -------------------------------------------------------------------


def _only(parent: etree._Element, tag: str, what: str) -> etree._Element:
    found = [c for c in parent if c.tag == tag]
    if len(found) != 1:
        raise SignatureStructureError(f"{what}: {len(found)} found, one expected")
    return found[0]


def _child(parent: etree._Element, tag: str) -> etree._Element | None:
    for child in parent:
        if child.tag == tag:
            return child
    return None


def _path(start: etree._Element, tags: tuple[str, ...]) -> etree._Element | None:
    node: etree._Element | None = start
    for tag in tags:
        if node is None:
            return None
        node = _child(node, tag)
    return node


def _qualifying_properties(signature: etree._Element) -> etree._Element:
    qp = _path(signature, _QP_PATH)
    if qp is None:
        raise SignatureStructureError("no ds:Object/xades:QualifyingProperties")
    return qp


def find_signatures(root: etree._Element) -> tuple[etree._Element | None, etree._Element | None]:
    """Locate the main signature and the counter-signature, refusing any other.

    :raises SignatureStructureError: a signature elsewhere, two main signatures,
        or more than one counter-signature.
    """
    area = _child(root, oa("ApplicationArea"))
    holder = _child(area, oa("Signature")) if area is not None else None
    main = None
    if holder is not None:
        inside = [c for c in holder if isinstance(c.tag, str)]
        if len(inside) > 1:
            raise SignatureStructureError("oa:Signature holds more than one element")
        if inside:
            if inside[0].tag != _SIGNATURE:
                raise SignatureStructureError(
                    "oa:Signature holds something other than ds:Signature"
                )
            main = inside[0]
    counters: list[etree._Element] = []
    if main is not None:
        qp = _path(main, _QP_PATH)
        usp = _path(qp, _COUNTER_PATH[:2]) if qp is not None else None
        if usp is not None:
            for cs in usp:
                if cs.tag == xades("CounterSignature"):
                    counters.extend(c for c in cs if c.tag == _SIGNATURE)
    expected = {id(main), *(id(c) for c in counters)}
    for signature in root.iter(_SIGNATURE):
        if id(signature) not in expected:
            raise SignatureStructureError("a ds:Signature outside the places GİB allows")
    if len(counters) > 1:
        raise SignatureStructureError("more than one counter-signature")
    return main, counters[0] if counters else None


# -- verification ------------------------------------------------------------------


def _transforms(reference: etree._Element) -> list[str]:
    holder = _child(reference, ds("Transforms"))
    if holder is None:
        return []
    return [str(t.get("Algorithm")) for t in holder if t.tag == ds("Transform")]


def _check_digest(reference: etree._Element, content: bytes, name: str) -> None:
    method = _only(reference, ds("DigestMethod"), "DigestMethod").get("Algorithm", "")
    expected = xmldsig.unb64(_only(reference, ds("DigestValue"), "DigestValue").text, "DigestValue")
    if xmldsig.digest(content, method) != expected:
        raise DigestMismatchError(f"{name} digest does not match")


def _target(uri: str | None, ids: dict[str, etree._Element], expected: etree._Element) -> None:
    if not uri or not uri.startswith("#"):
        raise SignatureStructureError(f"reference URI {uri!r} is not a same-document Id")
    if ids.get(uri[1:]) is not expected:
        raise SignatureStructureError(
            f"reference {uri[:80]!r} does not point where GİB's profile does"
        )


def _check_references(
    signature: etree._Element,
    signed_info: etree._Element,
    role: SignatureRole,
    ids: dict[str, etree._Element],
    countersigned: etree._Element | None,
) -> None:
    references = [r for r in signed_info if r.tag == ds("Reference")]
    if len(references) != 2:
        raise SignatureStructureError(f"{len(references)} references, GİB's profile has two")
    signed_properties = _path(_qualifying_properties(signature), (xades("SignedProperties"),))
    if signed_properties is None:
        raise SignatureStructureError("no xades:SignedProperties")
    props = [r for r in references if r.get("Type") == SIGNED_PROPERTIES_TYPE]
    if len(props) != 1:
        raise SignatureStructureError("exactly one reference must be to the SignedProperties")
    [prop] = props
    [content] = [r for r in references if r is not prop]
    _target(prop.get("URI"), ids, signed_properties)
    if _transforms(prop) not in ([], [xmldsig.C14N], [xmldsig.C14N_WITH_COMMENTS]):
        raise UnsupportedAlgorithmError("transforms of the SignedProperties reference")
    _check_digest(
        prop, xmldsig.canonicalize(signed_properties, with_comments=False), "SignedProperties"
    )
    if role is SignatureRole.MAIN:
        if content.get("URI") != "":
            raise SignatureStructureError(
                'the main signature must sign the whole document (URI="")'
            )
        transforms = _transforms(content)
        if (
            not transforms
            or transforms[0] != xmldsig.ENVELOPED
            or len(transforms) > 2
            or (len(transforms) == 2 and transforms[1] not in xmldsig.CANONICALIZATIONS)
        ):
            raise UnsupportedAlgorithmError("transforms of the document reference")
        _check_digest(content, xmldsig.document_without(signature), "document")
    else:
        assert countersigned is not None
        if content.get("Type") not in (None, COUNTERSIGNED_TYPE):
            raise SignatureStructureError("unexpected reference type in the counter-signature")
        _target(content.get("URI"), ids, countersigned)
        if _transforms(content) not in ([], [xmldsig.C14N], [xmldsig.C14N_WITH_COMMENTS]):
            raise UnsupportedAlgorithmError("transforms of the countersigned reference")
        _check_digest(
            content, xmldsig.canonicalize(countersigned, with_comments=False), "SignatureValue"
        )


def _issuer_parts(name: str) -> list[tuple[str, str]]:
    parts, current, escaped = [], "", False
    for char in name:
        if escaped:
            current += char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in ",;":
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    aliases = {"SERIALNUMBER": "2.5.4.5", "S": "ST"}
    result = []
    for part in parts:
        key, _, value = part.strip().partition("=")
        key = key.strip().upper()
        result.append((aliases.get(key, key), value.strip()))
    return sorted(result)


def _signing_certificate(
    signature: etree._Element,
) -> tuple[x509.Certificate, CertificateInfo]:
    key_info = _only(signature, ds("KeyInfo"), "KeyInfo")
    data = _only(key_info, ds("X509Data"), "X509Data")
    embedded = [
        xmldsig.unb64(c.text, "X509Certificate") for c in data if c.tag == ds("X509Certificate")
    ]
    if not embedded:
        raise SignatureStructureError("no ds:X509Certificate")
    ssp = _path(
        _qualifying_properties(signature),
        (xades("SignedProperties"), xades("SignedSignatureProperties")),
    )
    cert_ref = _path(ssp, (xades("SigningCertificate"), xades("Cert"))) if ssp is not None else None
    if cert_ref is None:
        raise SignatureStructureError("no xades:SigningCertificate")
    cert_digest = _only(cert_ref, xades("CertDigest"), "CertDigest")
    method = _only(cert_digest, ds("DigestMethod"), "DigestMethod").get("Algorithm", "")
    value = xmldsig.unb64(_only(cert_digest, ds("DigestValue"), "DigestValue").text, "CertDigest")
    for der in embedded:
        if xmldsig.digest(der, method) == value:
            break
    else:
        raise CertificateMismatchError("no embedded certificate has the SigningCertificate digest")
    try:
        certificate = x509.load_der_x509_certificate(der)
        info = parse_certificate(der)
    except (ValueError, CertificateParseError) as exc:
        raise CertificateMismatchError("the embedded certificate cannot be read") from exc
    issuer_serial = _only(cert_ref, xades("IssuerSerial"), "IssuerSerial")
    serial = (_only(issuer_serial, ds("X509SerialNumber"), "X509SerialNumber").text or "").strip()
    if serial != str(certificate.serial_number):
        raise CertificateMismatchError("IssuerSerial serial number is not the certificate's")
    issuer = _only(issuer_serial, ds("X509IssuerName"), "X509IssuerName").text or ""
    if _issuer_parts(issuer) != _issuer_parts(info.issuer):
        raise CertificateMismatchError("IssuerSerial issuer name is not the certificate's")
    _check_key_value(key_info, certificate)
    return certificate, info


def _check_key_value(key_info: etree._Element, certificate: x509.Certificate) -> None:
    rsa_value = _path(key_info, (ds("KeyValue"), ds("RSAKeyValue")))
    if rsa_value is None:
        return

    def number(tag: str) -> int:
        element = _child(rsa_value, ds(tag))
        text = element.text if element is not None else None
        return int.from_bytes(xmldsig.unb64(text, tag), "big")

    public = certificate.public_key()
    if not isinstance(public, rsa.RSAPublicKey) or public.public_numbers() != (
        rsa.RSAPublicNumbers(number("Exponent"), number("Modulus"))
    ):
        raise CertificateMismatchError("KeyValue is not the certificate's key")


def _signing_time(signature: etree._Element) -> datetime:
    text = _path(
        _qualifying_properties(signature),
        (xades("SignedProperties"), xades("SignedSignatureProperties"), xades("SigningTime")),
    )
    if text is None or not (text.text or "").strip():
        raise SignatureStructureError("no xades:SigningTime")
    try:
        moment = datetime.fromisoformat((text.text or "").strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise SignatureStructureError("SigningTime is not a date and time") from exc
    if moment.tzinfo is None:
        raise SignatureStructureError("SigningTime has no time zone")
    return moment


def _verify_one(
    signature: etree._Element,
    role: SignatureRole,
    *,
    ids: dict[str, etree._Element],
    countersigned: etree._Element | None,
    expected_signer: str | None,
    pin: IntegratorPin | None,
) -> SignatureReport:
    signer: CertificateInfo | None = None
    signing_time: datetime | None = None
    method: str | None = None
    try:
        qp = _qualifying_properties(signature)
        if qp.get("Target") != "#" + (signature.get("Id") or "\0"):
            raise SignatureStructureError("QualifyingProperties Target is not this signature")
        signed_info = _only(signature, ds("SignedInfo"), "SignedInfo")
        c14n = _only(signed_info, ds("CanonicalizationMethod"), "CanonicalizationMethod")
        c14n_method = c14n.get("Algorithm", "")
        if c14n_method not in xmldsig.CANONICALIZATIONS:
            raise UnsupportedAlgorithmError(f"canonicalisation {c14n_method}")
        method = _only(signed_info, ds("SignatureMethod"), "SignatureMethod").get("Algorithm", "")
        certificate, signer = _signing_certificate(signature)
        signing_time = _signing_time(signature)
        _check_references(signature, signed_info, role, ids, countersigned)
        value = xmldsig.unb64(
            _only(signature, ds("SignatureValue"), "SignatureValue").text, "value"
        )
        canonical = xmldsig.canonicalize(
            signed_info, with_comments=xmldsig.CANONICALIZATIONS[c14n_method]
        )
        xmldsig.verify_signed_info(canonical, value, method, certificate.public_key())
        if not signer.not_before <= signing_time <= signer.not_after:
            raise SignatureError("the certificate was not valid at the signing time")
        matches = expected_signer is not None and signer.tax_id == expected_signer
        if expected_signer is not None and not matches:
            raise SignerMismatchError(
                f"signed by {signer.tax_id or 'no VKN/TCKN'}, expected {expected_signer}"
            )
        if pin is not None:
            if pin.vkn is not None and signer.tax_id != pin.vkn:
                raise SignerMismatchError("the integrator's signature is not by the pinned VKN")
            if pin.certificate_sha256 is not None and (
                signer.fingerprint_sha256.lower() != pin.certificate_sha256.lower()
            ):
                raise SignerMismatchError("the integrator's certificate is not the pinned one")
    except EnvelopeError as exc:
        return SignatureReport(
            role=role,
            valid=False,
            signature_id=signature.get("Id"),
            error=exc,
            signer=signer,
            signing_time=signing_time,
            method=method,
            expected_signer=expected_signer,
            signer_matches=(
                None
                if signer is None or expected_signer is None
                else signer.tax_id == expected_signer
            ),
        )
    return SignatureReport(
        role=role,
        valid=True,
        signature_id=signature.get("Id"),
        signer=signer,
        signing_time=signing_time,
        method=method,
        expected_signer=expected_signer,
        signer_matches=matches if expected_signer is not None else None,
    )


def verify_signatures(
    tree: etree._ElementTree,
    *,
    integrator_id: str | None,
    customer_id: str | None,
    pin: IntegratorPin | None = None,
) -> Signatures:
    """Verify the main signature and the counter-signature of a standalone document.

    ``tree`` must be the document parsed on its own (never cut out of an
    envelope with lxml). The main signer must be ``integrator_id``
    (LogicalID), the counter-signer ``customer_id`` (UserID).

    :raises SignatureStructureError: the signatures are not where GİB puts them,
        or an Id occurs twice; nothing is then worth reporting per signature.
    """
    root = tree.getroot()
    ids = xmldsig.id_index(root)
    main, counter = find_signatures(root)
    if main is None:
        return Signatures(main=None, counter=None)
    main_report = _verify_one(
        main,
        SignatureRole.MAIN,
        ids=ids,
        countersigned=None,
        expected_signer=integrator_id,
        pin=pin,
    )
    counter_report = None
    if counter is not None:
        countersigned = _child(main, ds("SignatureValue"))
        if countersigned is None:
            raise SignatureStructureError("the main signature has no SignatureValue")
        counter_report = _verify_one(
            counter,
            SignatureRole.COUNTER,
            ids=ids,
            countersigned=countersigned,
            expected_signer=customer_id,
            pin=None,
        )
    return Signatures(main=main_report, counter=counter_report)


# -- creation --------------------------------------------------------------------------


def _text_child(parent: etree._Element, tag: str, text: str, **attrib: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrib)
    element.text = text
    return element


def _key_info(
    signature: etree._Element, certificate: x509.Certificate, info: CertificateInfo
) -> None:
    key_info = etree.SubElement(signature, ds("KeyInfo"))
    public = certificate.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        numbers = public.public_numbers()
        rsa_value = etree.SubElement(etree.SubElement(key_info, ds("KeyValue")), ds("RSAKeyValue"))
        _text_child(rsa_value, ds("Modulus"), xmldsig.b64(_int_bytes(numbers.n)))
        _text_child(rsa_value, ds("Exponent"), xmldsig.b64(_int_bytes(numbers.e)))
    data = etree.SubElement(key_info, ds("X509Data"))
    _text_child(data, ds("X509SubjectName"), info.subject)
    _text_child(
        data,
        ds("X509Certificate"),
        xmldsig.b64(certificate.public_bytes(serialization.Encoding.DER)),
    )


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")


def _qualifying_properties_for(
    signature: etree._Element,
    certificate: x509.Certificate,
    info: CertificateInfo,
    *,
    properties_id: str,
    signing_time: datetime,
    claimed_role: str | None,
) -> etree._Element:
    qp = etree.SubElement(
        etree.SubElement(signature, ds("Object")),
        xades("QualifyingProperties"),
        Target="#" + str(signature.get("Id")),
    )
    sp = etree.SubElement(qp, xades("SignedProperties"), Id=properties_id)
    ssp = etree.SubElement(sp, xades("SignedSignatureProperties"))
    _text_child(ssp, xades("SigningTime"), signing_time.isoformat(timespec="milliseconds"))
    cert = etree.SubElement(etree.SubElement(ssp, xades("SigningCertificate")), xades("Cert"))
    cert_digest = etree.SubElement(cert, xades("CertDigest"))
    etree.SubElement(cert_digest, ds("DigestMethod"), Algorithm=xmldsig.SHA256)
    der = certificate.public_bytes(serialization.Encoding.DER)
    _text_child(cert_digest, ds("DigestValue"), xmldsig.b64(xmldsig.digest(der, xmldsig.SHA256)))
    issuer_serial = etree.SubElement(cert, xades("IssuerSerial"))
    _text_child(issuer_serial, ds("X509IssuerName"), info.issuer)
    _text_child(issuer_serial, ds("X509SerialNumber"), str(certificate.serial_number))
    if claimed_role:
        roles = etree.SubElement(etree.SubElement(ssp, xades("SignerRole")), xades("ClaimedRoles"))
        _text_child(roles, xades("ClaimedRole"), claimed_role)
    return sp


def _reference(
    signed_info: etree._Element,
    uri: str,
    transforms: tuple[str, ...],
    content: bytes,
    **attrib: str,
) -> None:
    reference = etree.SubElement(signed_info, ds("Reference"), attrib, URI=uri)
    if transforms:
        holder = etree.SubElement(reference, ds("Transforms"))
        for transform in transforms:
            etree.SubElement(holder, ds("Transform"), Algorithm=transform)
    etree.SubElement(reference, ds("DigestMethod"), Algorithm=xmldsig.SHA256)
    _text_child(reference, ds("DigestValue"), xmldsig.b64(xmldsig.digest(content, xmldsig.SHA256)))


def _public_key_matches(key: xmldsig.SigningKey, certificate: x509.Certificate) -> bool:
    mine = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    theirs = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return mine == theirs


def _finish(
    signature: etree._Element, signed_info: etree._Element, key: xmldsig.SigningKey, method: str
) -> None:
    # SignatureValue must exist (it precedes KeyInfo) but is filled last.
    value = signature.find(ds("SignatureValue"))
    assert value is not None
    canonical = xmldsig.canonicalize(signed_info, with_comments=True)
    value.text = xmldsig.b64(xmldsig.sign_signed_info(canonical, method, key))


def _new_signature(parent: etree._Element, signature_id: str) -> etree._Element:
    in_scope = parent.nsmap
    nsmap = {
        prefix: uri
        for prefix, uri in (("ds", DS), ("xades", XADES))
        if uri not in in_scope.values()
    }
    return etree.SubElement(parent, ds("Signature"), nsmap=nsmap or None, Id=signature_id)


def _skeleton(
    holder: etree._Element,
    prefix: str,
    suffix: str,
    key: xmldsig.SigningKey,
    certificate: x509.Certificate,
    *,
    signing_time: datetime,
    claimed_role: str | None,
) -> tuple[etree._Element, etree._Element, str, etree._Element]:
    """Everything of a signature but its references and value, with GİB's Ids.

    Returns the signature, its SignedInfo, the signature method and the
    SignedProperties.
    """
    method = xmldsig.signature_method_for(key)
    signature = _new_signature(holder, f"{prefix}Signature_{suffix}")
    signed_info = etree.SubElement(signature, ds("SignedInfo"), Id=f"{prefix}Signed_Info_{suffix}")
    etree.SubElement(
        signed_info, ds("CanonicalizationMethod"), Algorithm=xmldsig.C14N_WITH_COMMENTS
    )
    etree.SubElement(signed_info, ds("SignatureMethod"), Algorithm=method)
    etree.SubElement(signature, ds("SignatureValue"), Id=f"{prefix}Signature_Value_{suffix}")
    info = parse_certificate(certificate.public_bytes(serialization.Encoding.DER))
    _key_info(signature, certificate, info)
    sp = _qualifying_properties_for(
        signature,
        certificate,
        info,
        properties_id=f"{prefix}Prop_Id_{suffix}",
        signing_time=signing_time,
        claimed_role=claimed_role,
    )
    return signature, signed_info, method, sp


def add_main_signature(
    tree: etree._ElementTree,
    key: xmldsig.SigningKey,
    certificate: x509.Certificate,
    *,
    signing_time: datetime,
    claimed_role: str | None = CLAIMED_ROLE,
) -> etree._Element:
    """Put the integrator's XAdES-BES signature into the empty ``oa:Signature``.

    :raises SignatureStructureError: no empty ``oa:Signature`` to sign into.
    :raises SignatureError: the key is not the certificate's.
    """
    if not _public_key_matches(key, certificate):
        raise SignatureError("the key does not belong to the certificate")
    holder = _path(tree.getroot(), (oa("ApplicationArea"), oa("Signature")))
    if holder is None or len(holder) or (holder.text or "").strip():
        raise SignatureStructureError("an empty oa:Signature is needed for the main signature")
    suffix = str(uuid.uuid4())
    signature, signed_info, method, sp = _skeleton(
        holder, "", suffix, key, certificate, signing_time=signing_time, claimed_role=claimed_role
    )
    _reference(signed_info, "", (xmldsig.ENVELOPED,), xmldsig.document_without(signature))
    _reference(
        signed_info,
        f"#Prop_Id_{suffix}",
        (),
        xmldsig.canonicalize(sp, with_comments=False),
        Id=f"Prop_Ref_Id_{suffix}",
        Type=SIGNED_PROPERTIES_TYPE,
    )
    _finish(signature, signed_info, key, method)
    return signature


def _chain(
    parent: etree._Element, tags: tuple[str, ...]
) -> tuple[etree._Element, etree._Element | None]:
    """Walk ``tags`` below ``parent``, creating what is missing.

    Returns the deepest element and the first one created (None when all existed).
    """
    created: etree._Element | None = None
    node = parent
    for tag in tags:
        child = _child(node, tag)
        if child is None:
            child = etree.SubElement(node, tag)
            created = created if created is not None else child
        node = child
    return node, created


def add_counter_signature(
    tree: etree._ElementTree,
    key: xmldsig.SigningKey,
    certificate: x509.Certificate,
    *,
    signing_time: datetime,
    claimed_role: str | None = CLAIMED_ROLE,
) -> tuple[etree._Element, etree._Element]:
    """Add the customer's counter-signature over the main ``SignatureValue``, in place.

    Returns ``(container, added)``: the deepest element that existed before
    (new content was appended as its last child) and the top-most element
    added, so that the caller can splice ``added`` into the original bytes.

    :raises SignatureMissingError: no main signature.
    :raises SignatureStructureError: the main signature has no SignatureValue Id
        or is already counter-signed.
    """
    if not _public_key_matches(key, certificate):
        raise SignatureError("the key does not belong to the certificate")
    main, counter = find_signatures(tree.getroot())
    if main is None:
        raise SignatureMissingError("no main signature to counter-sign")
    if counter is not None:
        raise SignatureStructureError("the document is already counter-signed")
    value = _child(main, ds("SignatureValue"))
    if value is None or not value.get("Id"):
        raise SignatureStructureError("the main SignatureValue has no Id to point to")
    main_id = main.get("Id") or ""
    suffix = (
        main_id.removeprefix("Signature_")
        if main_id.startswith("Signature_")
        else str(uuid.uuid4())
    )
    qp = _qualifying_properties(main)
    existing = _path(qp, _COUNTER_PATH[:2])
    container = existing if existing is not None else (_path(qp, _COUNTER_PATH[:1]) or qp)
    holder, created = _chain(qp, _COUNTER_PATH)
    signature, signed_info, method, sp = _skeleton(
        holder,
        "Counter_",
        suffix,
        key,
        certificate,
        signing_time=signing_time,
        claimed_role=claimed_role,
    )
    _reference(
        signed_info,
        "#" + str(value.get("Id")),
        (xmldsig.C14N_WITH_COMMENTS,),
        xmldsig.canonicalize(value, with_comments=False),
    )
    _reference(
        signed_info,
        f"#Counter_Prop_Id_{suffix}",
        (),
        xmldsig.canonicalize(sp, with_comments=False),
        Id=f"Counter_Prop_Ref_Id_{suffix}",
        Type=SIGNED_PROPERTIES_TYPE,
    )
    _finish(signature, signed_info, key, method)
    return container, created if created is not None else signature
