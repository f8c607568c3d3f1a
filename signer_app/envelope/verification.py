"""Verifying what arrives: a user-account document or a ``USERENVELOPE``.

A report says what the document means (the model), which of GİB's rules it
breaks, and what each signature says — who signed and whether that is who
GİB requires. Documents inside an envelope are verified from their own
bytes, as GİB reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

from signer_app.envelope.errors import EnvelopeError, SignatureStructureError
from signer_app.envelope.model import Envelope, UserDocument
from signer_app.envelope.parsing import parse_xml
from signer_app.envelope.reading import read
from signer_app.envelope.rules import Finding, check_envelope, check_user_document
from signer_app.envelope.xades import IntegratorPin, Signatures, verify_signatures

__all__ = ["DocumentReport", "EnvelopeReport", "verify", "verify_document"]


@dataclass(frozen=True)
class DocumentReport:
    """One user-account document: its meaning, rule findings and signatures."""

    document: UserDocument
    findings: tuple[Finding, ...]
    signatures: Signatures | None
    #: Set when the signatures could not even be examined (out of place, duplicate Ids).
    structure_error: EnvelopeError | None = None

    @property
    def valid(self) -> bool:
        """No finding, and both signatures present, valid and by the right signers."""
        return (
            not self.findings
            and self.structure_error is None
            and self.signatures is not None
            and self.signatures.valid
        )


@dataclass(frozen=True)
class EnvelopeReport:
    """A user envelope: its header, rule findings (its own and its documents') and documents."""

    envelope: Envelope
    findings: tuple[Finding, ...]
    documents: tuple[DocumentReport, ...]

    @property
    def valid(self) -> bool:
        """No finding anywhere and every document's signatures valid."""
        return not self.findings and all(d.valid for d in self.documents)


def _signatures(
    document: UserDocument, pin: IntegratorPin | None
) -> tuple[Signatures | None, EnvelopeError | None]:
    try:
        return (
            verify_signatures(
                parse_xml(document.raw),
                integrator_id=document.integrator_id,
                customer_id=document.customer_id,
                pin=pin,
            ),
            None,
        )
    except SignatureStructureError as exc:
        return None, exc


def verify_document(
    document: UserDocument,
    *,
    findings: tuple[Finding, ...] | None = None,
    pin: IntegratorPin | None = None,
) -> DocumentReport:
    """Verify one document read on its own (rules are checked unless given)."""
    if findings is None:
        findings = tuple(check_user_document(parse_xml(document.raw)))
    signatures, error = _signatures(document, pin)
    return DocumentReport(document, findings, signatures, error)


def verify(data: bytes, *, pin: IntegratorPin | None = None) -> DocumentReport | EnvelopeReport:
    """Read and verify a document or an envelope.

    :raises XmlRejectedError: not XML this program reads.
    :raises UnsupportedDocumentError: neither a user-account document nor a user envelope.
    """
    loaded = read(data)
    model = loaded.model
    if isinstance(model, Envelope):
        return EnvelopeReport(
            model,
            tuple(check_envelope(loaded.tree)),
            tuple(verify_document(d, findings=(), pin=pin) for d in model.documents),
        )
    return verify_document(model, findings=tuple(check_user_document(loaded.tree)), pin=pin)
