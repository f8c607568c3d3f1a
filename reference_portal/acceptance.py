"""Whether an uploaded document is the issued one, counter-signed by the company.

:func:`check_counter_signed` refuses with one of three API codes:

``wrong-document``
    not the document issued for the activation: the main ``SignatureValue``
    or the signed content (the document without its signature) differs;
``wrong-signer``
    the counter-signature verifies but is not by the company (its VKN/TCKN is
    not ``UserID``, or the certificate may not sign for it);
``invalid-document``
    anything else: not XML the envelope layer reads, an envelope, no
    counter-signature, a signature that does not verify, a GİB rule finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from lxml import etree

from signer_app.certificates import assess_usability
from signer_app.envelope import xmldsig
from signer_app.envelope.errors import (
    EnvelopeError,
    SignerMismatchError,
    UnsupportedDocumentError,
    XmlRejectedError,
)
from signer_app.envelope.model import UserDocument
from signer_app.envelope.names import ds
from signer_app.envelope.parsing import parse_xml
from signer_app.envelope.reading import read
from signer_app.envelope.verification import verify_document
from signer_app.envelope.xades import SignatureReport, find_signatures

__all__ = ["DocumentRejectedError", "check_counter_signed"]

# How far a signer's clock may run ahead of the portal's.
_CLOCK_SKEW: Final = timedelta(minutes=10)


class DocumentRejectedError(Exception):
    """The upload is refused; :attr:`code` is the API's problem code."""

    def __init__(self, code: str, detail: str, findings: list[dict[str, str]]) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.findings = findings


def _finding(code: str, message: str, **extra: str) -> dict[str, str]:
    return {"code": code, "message": message, **extra}


def _reject(code: str, detail: str, *findings: dict[str, str]) -> DocumentRejectedError:
    return DocumentRejectedError(code, detail, list(findings))


@dataclass(frozen=True)
class _Signed:
    value: bytes
    content: bytes


def _main_signature(tree: etree._ElementTree) -> _Signed | None:
    main, _ = find_signatures(tree.getroot())
    if main is None:
        return None
    value = main.find(ds("SignatureValue"))
    text = None if value is None else value.text
    return _Signed(xmldsig.unb64(text, "SignatureValue"), xmldsig.document_without(main))


def _compare_with_issued(issued: bytes, tree: etree._ElementTree) -> None:
    expected = _main_signature(parse_xml(issued))
    assert expected is not None, "an issued document always carries the integrator's signature"
    try:
        found = _main_signature(tree)
    except EnvelopeError as exc:
        raise _reject(
            "invalid-document",
            "the signatures cannot be examined",
            _finding(f"signature.{exc.message_key}", exc.detail or str(exc)),
        ) from exc
    if found is None or found.value != expected.value:
        raise _reject(
            "wrong-document",
            "the integrator's signature is not the one on the issued document",
            _finding("document.main-signature", "main SignatureValue differs from the issued one"),
        )
    if found.content != expected.content:
        raise _reject(
            "wrong-document",
            "the document's content is not the issued document's",
            _finding("document.content", "signed content differs from the issued document"),
        )


def _signature_finding(report: SignatureReport) -> dict[str, str]:
    error = report.error
    assert error is not None
    return _finding(
        f"signature.{report.role.value}.{error.message_key}", error.detail or str(error)
    )


def check_counter_signed(
    issued: bytes, uploaded: bytes, company_id: str, *, now: datetime
) -> UserDocument:
    """Check an upload against the issued document and the company.

    :param issued: the integrator-signed document the portal issued.
    :param uploaded: what the client uploaded.
    :param company_id: the logged-in company's VKN/TCKN.
    :param now: when it arrived; the counter-signature may not claim a later
        signing time (beyond a little clock skew). The certificate is judged at
        its signing time.
    :returns: the document, read.
    :raises DocumentRejectedError: with ``invalid-document``, ``wrong-document``
        or ``wrong-signer``.
    """
    try:
        loaded = read(uploaded)
    except (XmlRejectedError, UnsupportedDocumentError) as exc:
        raise _reject(
            "invalid-document",
            "not a user-account document",
            _finding(f"xml.{exc.message_key}", exc.detail or str(exc)),
        ) from exc
    document = loaded.model
    if not isinstance(document, UserDocument):
        raise _reject(
            "invalid-document",
            "an envelope was uploaded; upload the counter-signed document itself",
            _finding("xml.envelope", "USERENVELOPE instead of a user-account document"),
        )
    _compare_with_issued(issued, loaded.tree)
    report = verify_document(document)
    if report.structure_error is not None:
        error = report.structure_error
        raise _reject(
            "invalid-document",
            "the signatures are not where GİB's profile puts them",
            _finding(f"signature.{error.message_key}", error.detail or str(error)),
        )
    signatures = report.signatures
    assert signatures is not None and signatures.main is not None
    if signatures.main.error is not None:
        raise _reject(
            "invalid-document",
            "the integrator's signature does not verify",
            _signature_finding(signatures.main),
        )
    counter = signatures.counter
    if counter is None:
        raise _reject(
            "invalid-document",
            "the document is not counter-signed",
            _finding("signature.counter.missing", "no counter-signature by the customer's seal"),
        )
    if counter.error is not None:
        code = "wrong-signer" if isinstance(counter.error, SignerMismatchError) else None
        raise _reject(
            code or "invalid-document",
            "the counter-signature is not the company's"
            if code
            else "the counter-signature does not verify",
            _signature_finding(counter),
        )
    signer = counter.signer
    assert signer is not None and counter.signing_time is not None
    if counter.signing_time > now + _CLOCK_SKEW:
        raise _reject(
            "invalid-document",
            "the counter-signature's signing time is in the future",
            _finding("signature.counter.signing_time", "SigningTime is later than now"),
        )
    verdict = assess_usability(signer, customer_id=company_id, at=counter.signing_time)
    if signer.tax_id != company_id or not verdict.usable:
        raise _reject(
            "wrong-signer",
            "the counter-signature is not the company's",
            *(
                _finding(f"certificate.{reason.value}", f"signer certificate: {reason.value}")
                for reason in verdict.reasons
            ),
        )
    if report.findings:
        raise _reject(
            "invalid-document",
            "the document breaks GİB's rules",
            *(
                _finding(f.code, f.message_tr, message_en=f.message_en, location=f.location)
                for f in report.findings
            ),
        )
    return document
