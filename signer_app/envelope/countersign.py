"""The customer's counter-signature, with every check GİB's flow requires before and after.

:func:`countersign` is the one way the program adds the customer's
signature. It refuses — with the specific reason — anything that is not a
well-formed, rule-abiding user document whose single main signature is
valid and made by the integrator named in ``oa:LogicalID``, and any
certificate that may not sign for the document's ``UserID``. The program is
never a signing oracle for arbitrary XML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from signer_app.certificates import CertificateInfo, assess_usability, parse_certificate
from signer_app.envelope.errors import (
    CountersignRefusedError,
    RuleViolationError,
    SignatureInvalidError,
    SignatureMissingError,
    UnsupportedDocumentError,
)
from signer_app.envelope.model import UserDocument
from signer_app.envelope.parsing import parse_xml
from signer_app.envelope.reading import read_user_document
from signer_app.envelope.rules import check_user_document
from signer_app.envelope.signing import add_counter_signature_bytes
from signer_app.envelope.xades import (
    CLAIMED_ROLE,
    IntegratorPin,
    Signatures,
    find_signatures,
    verify_signatures,
)
from signer_app.envelope.xmldsig import SigningKey

__all__ = ["CertificateNotUsableError", "Countersigned", "countersign", "require_signable"]


class CertificateNotUsableError(CountersignRefusedError):
    """The chosen certificate may not sign for this customer."""

    message_key = "envelope.certificate_not_usable"


@dataclass(frozen=True)
class Countersigned:
    """A counter-signed document and the verification of both its signatures."""

    data: bytes
    document: UserDocument
    signatures: Signatures
    signer: CertificateInfo


def require_signable(
    data: bytes, *, pin: IntegratorPin | None = None
) -> tuple[UserDocument, Signatures]:
    """Check that ``data`` may be counter-signed; return what it says.

    :raises XmlRejectedError: not XML this program reads.
    :raises UnsupportedDocumentError: not a standalone user-account document.
    :raises RuleViolationError: it breaks GİB's rules.
    :raises SignatureStructureError: signatures out of place or duplicated Ids.
    :raises SignatureMissingError: no main signature.
    :raises SignatureError: the main signature is invalid or not the integrator's.
    :raises CountersignRefusedError: it is already counter-signed.
    """
    tree = parse_xml(data)
    document = read_user_document(tree, data)
    findings = check_user_document(tree)
    if findings:
        raise RuleViolationError(findings)
    if document.customer_id is None or document.integrator_id is None:
        raise UnsupportedDocumentError("no single UserID or no LogicalID")
    if not (document.customer_id.isascii() and document.customer_id.isdigit()):
        # GİB's rule checks only the length; a signature needs a real VKN/TCKN.
        raise UnsupportedDocumentError("UserID is not a VKN or TCKN")
    main, counter = find_signatures(tree.getroot())
    if main is None:
        raise SignatureMissingError("the integrator has not signed the document")
    if counter is not None:
        raise CountersignRefusedError("the document is already counter-signed")
    signatures = verify_signatures(
        tree, integrator_id=document.integrator_id, customer_id=document.customer_id, pin=pin
    )
    assert signatures.main is not None
    if signatures.main.error is not None:
        raise signatures.main.error
    return document, signatures


def countersign(
    data: bytes,
    key: SigningKey,
    certificate: x509.Certificate,
    *,
    now: datetime | None = None,
    pin: IntegratorPin | None = None,
    claimed_role: str | None = CLAIMED_ROLE,
) -> Countersigned:
    """Add the customer's counter-signature to a verified, integrator-signed document.

    ``key`` is any ``cryptography`` private key — the token layer's card key
    in the product. After signing, the result is read again: both signatures
    must verify with the right signers and GİB's rules must still hold.

    :raises CertificateNotUsableError: the certificate is expired, not a
        seal/e-signature, an encryption certificate, or not the customer's.
    :raises SignatureInvalidError: the result does not verify (never expected).
    :raises: everything :func:`require_signable` raises.
    """
    moment = now or datetime.now(UTC)
    document, _ = require_signable(data, pin=pin)
    assert document.customer_id is not None
    signer = parse_certificate(certificate.public_bytes(serialization.Encoding.DER))
    verdict = assess_usability(signer, customer_id=document.customer_id, at=moment)
    if not verdict.usable:
        raise CertificateNotUsableError(
            ", ".join(r.value for r in verdict.reasons),
            reasons=[r.value for r in verdict.reasons],
        )
    result, signatures = add_counter_signature_bytes(
        data,
        key,
        certificate,
        signing_time=moment.astimezone(),
        claimed_role=claimed_role,
        integrator_id=document.integrator_id,
        customer_id=document.customer_id,
    )
    if not signatures.valid:
        raise SignatureInvalidError("the counter-signed document does not verify")
    findings = check_user_document(parse_xml(result))
    if findings:
        raise RuleViolationError(findings, "the counter-signed document breaks GİB's rules")
    return Countersigned(result, document, signatures, signer)
