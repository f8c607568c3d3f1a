"""Errors of the envelope layer.

Every refusal names its reason as a class, so the UI and the CLI can say in
plain words why a document was not accepted, and tests can tell the cases
apart. ``detail`` carries technical context (an Id, an element name), never
document content that could be long or hostile.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from signer_app.errors import SignerAppError

if TYPE_CHECKING:
    from signer_app.envelope.rules import Finding

__all__ = [
    "CertificateMismatchError",
    "CountersignRefusedError",
    "DigestMismatchError",
    "DoctypeForbiddenError",
    "DocumentTooDeepError",
    "DocumentTooLargeError",
    "DuplicateIdError",
    "EnvelopeError",
    "NotStandaloneError",
    "NotWellFormedError",
    "RuleViolationError",
    "SignatureError",
    "SignatureInvalidError",
    "SignatureMissingError",
    "SignatureStructureError",
    "SignerMismatchError",
    "UnsupportedAlgorithmError",
    "UnsupportedDocumentError",
    "XmlRejectedError",
]


class EnvelopeError(SignerAppError):
    """The document cannot be accepted."""

    message_key = "envelope.error"


class XmlRejectedError(EnvelopeError):
    """The file is not XML this program reads."""

    message_key = "envelope.xml_rejected"


class NotWellFormedError(XmlRejectedError):
    """The file is not well-formed XML."""

    message_key = "envelope.not_well_formed"


class DoctypeForbiddenError(XmlRejectedError):
    """The document declares a DOCTYPE or entities, which GİB documents never do."""

    message_key = "envelope.doctype"


class DocumentTooLargeError(XmlRejectedError):
    """The document is larger than any GİB document."""

    message_key = "envelope.too_large"


class DocumentTooDeepError(XmlRejectedError):
    """The document nests elements deeper than any GİB document."""

    message_key = "envelope.too_deep"


class NotStandaloneError(XmlRejectedError):
    """A document inside the envelope cannot be read as a document of its own."""

    message_key = "envelope.not_standalone"


class UnsupportedDocumentError(EnvelopeError):
    """The file is neither a GİB user-account document nor a user envelope."""

    message_key = "envelope.unsupported"


class RuleViolationError(EnvelopeError):
    """The document breaks GİB's rules."""

    message_key = "envelope.rules"

    def __init__(self, findings: Sequence[Finding], detail: str = "") -> None:
        self.findings = tuple(findings)
        super().__init__(detail or "; ".join(f.code for f in self.findings))


class SignatureError(EnvelopeError):
    """A signature is missing, malformed or invalid."""

    message_key = "envelope.signature"


class SignatureMissingError(SignatureError):
    """The document carries no signature where GİB expects one."""

    message_key = "envelope.signature_missing"


class SignatureStructureError(SignatureError):
    """A signature does not have the structure GİB's XAdES-BES profile prescribes."""

    message_key = "envelope.signature_structure"


class DuplicateIdError(SignatureStructureError):
    """Two elements carry the same Id, so a reference is ambiguous."""

    message_key = "envelope.duplicate_id"


class UnsupportedAlgorithmError(SignatureError):
    """A signature uses an algorithm outside GİB's profile."""

    message_key = "envelope.algorithm"


class DigestMismatchError(SignatureError):
    """The signed content was changed after signing."""

    message_key = "envelope.digest"


class SignatureInvalidError(SignatureError):
    """The signature value does not match the signed content and the certificate."""

    message_key = "envelope.signature_invalid"


class CertificateMismatchError(SignatureError):
    """The certificate in the signature is not the one its signed properties name."""

    message_key = "envelope.certificate_mismatch"


class SignerMismatchError(SignatureError):
    """The signature was made by someone other than who GİB requires."""

    message_key = "envelope.signer_mismatch"


class CountersignRefusedError(EnvelopeError):
    """The document cannot be counter-signed."""

    message_key = "envelope.countersign_refused"
