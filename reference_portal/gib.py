"""A simulated GİB for user envelopes: what it checks and the status codes it answers.

The portal wraps each counter-signed document in a ``USERENVELOPE``
(:func:`build_envelope`) and hands it to :class:`SimulatedGib`. GİB answers
over time, one step per ``step`` (EK-2 §4):

``1000 ZARF KUYRUGA EKLENDI`` → ``1100 ZARF ISLENIYOR`` → either an error
code (final) or ``1200 ZARF BASARIYLA ISLENDI`` → ``1300 BASARIYLA TAMAMLANDI``.

While processing (after 1100) it checks what GİB checks, in this order:

* the envelope cannot be read, or a signature is out of place → ``1160``;
* a GİB rule (schematron) finding → ``1150``;
* a signature missing or invalid → ``1177``; a signer without a VKN/TCKN →
  ``1161``; a main signer that is not ``oa:LogicalID`` or a counter-signer
  that is not ``UserID`` → ``1176``;
* opening e-Fatura or e-İrsaliye for a company that has not filed GİB's
  e-Fatura application, or an account GİB already has → ``1182``;
* closing an account GİB does not have → ``1183``.

GİB's own user list (which accounts are open) is kept in the store; a 1300
opens or closes the account in it.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from reference_portal import store as db_rows
from reference_portal.documents import service_by_id
from reference_portal.store import SubmissionRow
from signer_app.envelope.builder import build_user_envelope
from signer_app.envelope.errors import (
    SignerMismatchError,
    UnsupportedDocumentError,
    XmlRejectedError,
)
from signer_app.envelope.model import Envelope, Operation
from signer_app.envelope.reading import read
from signer_app.envelope.rules import check_envelope
from signer_app.envelope.verification import DocumentReport, verify_document
from signer_app.envelope.xades import SignatureReport

__all__ = [
    "NEEDS_EFATURA_APPLICATION",
    "TEXTS",
    "GibEvent",
    "SimulatedGib",
    "build_envelope",
]

#: GİB's texts for the codes this simulation answers (EK-2 §4).
TEXTS: Final[dict[int, str]] = {
    1000: "ZARF KUYRUGA EKLENDI",
    1100: "ZARF ISLENIYOR",
    1150: "SCHEMATRON KONTROL SONUCU HATALI",
    1160: "XML SEMA KONTROLUNDEN GECEMEDI",
    1161: "IMZA SAHIBI TCKN VKN ALINAMADI",
    1176: "IMZA SAHIBI YETKISIZ",
    1177: "GEÇERSİZ İMZA",
    1182: "KULLANICI EKLENEMEDİ",
    1183: "KULLANICI SİLENEMEDİ",
    1200: "ZARF BASARIYLA ISLENDI",
    1300: "BASARIYLA TAMAMLANDI",
}
#: Services GİB opens only for a company that has filed its e-Fatura application.
NEEDS_EFATURA_APPLICATION: Final = frozenset({"efatura", "eirsaliye"})


def build_envelope(
    document: bytes,
    *,
    service_id: str,
    integrator_vkn: str,
    integrator_title: str | None,
    now: datetime,
) -> bytes:
    """Wrap one counter-signed document in the ``USERENVELOPE`` of its service.

    :raises KeyError: unknown service.
    :raises ValueError: the document cannot go into an envelope.
    """
    return build_user_envelope(
        [document],
        sender_alias=service_by_id(service_id).sender_alias,
        sender_id=integrator_vkn,
        sender_title=integrator_title,
        created=now,
    )


@dataclass(frozen=True)
class GibEvent:
    """GİB moved an envelope on: its new code and text, and whether it has finished.

    :ivar detail: why GİB refused it (what GİB's e-mail would say), if it did.
    :ivar success: for a final event, whether the account was opened or closed.
    """

    activation_id: str
    code: int
    text: str
    detail: str | None
    final: bool
    success: bool
    at: datetime


class _Refusal(Exception):  # noqa: N818 - a verdict, caught right away
    def __init__(self, code: int, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _signature_verdict(report: SignatureReport | None, what: str) -> None:
    if report is None:
        raise _Refusal(1177, f"the {what} signature is missing")
    if report.error is None:
        return
    if isinstance(report.error, SignerMismatchError):
        if report.signer is not None and report.signer.tax_id is None:
            raise _Refusal(1161, f"the {what} signer's certificate carries no VKN/TCKN")
        raise _Refusal(1176, f"the {what} signer is not allowed: {report.error_detail}")
    raise _Refusal(1177, f"the {what} signature is invalid: {report.error_detail}")


def _check_signatures(report: DocumentReport) -> None:
    if report.structure_error is not None:
        raise _Refusal(1160, f"signature structure: {report.structure_error.detail}")
    signatures = report.signatures
    _signature_verdict(signatures.main if signatures is not None else None, "integrator's")
    assert signatures is not None
    customer_type = report.document.customer_type
    if signatures.counter is None and customer_type is not None and customer_type.vuk507:
        return  # GİB does not ask VUK 507 customers for their seal.
    _signature_verdict(signatures.counter, "customer's")


def _check_account(db: sqlite3.Connection, report: DocumentReport) -> None:
    document = report.document
    service = document.service
    customer = document.customer_id
    if service is None or customer is None:  # the rules would have refused it
        raise _Refusal(1150, "no service or no single UserID")
    company = db_rows.company(db, customer)
    active = db_rows.gib_account_active(db, customer, service.id)
    if document.operation is Operation.OPEN:
        if company is None:
            raise _Refusal(1182, f"{customer} is not a registered taxpayer")
        if service.id in NEEDS_EFATURA_APPLICATION and not company.gib_application_filed:
            raise _Refusal(1182, f"{customer} has not filed the e-Fatura application")
        if active:
            raise _Refusal(1182, f"{customer} already has a {service.name_tr} account")
    elif not active:
        raise _Refusal(1183, f"{customer} has no {service.name_tr} account to close")


def examine(db: sqlite3.Connection, envelope: bytes) -> tuple[int, str | None]:
    """GİB's verdict on an envelope: ``(1200, None)`` or an error code and why."""
    try:
        try:
            loaded = read(envelope)
        except (XmlRejectedError, UnsupportedDocumentError) as exc:
            raise _Refusal(1160, f"unreadable: {exc.detail or exc}") from exc
        if not isinstance(loaded.model, Envelope) or not loaded.model.documents:
            raise _Refusal(1160, "not a user envelope with documents")
        findings = check_envelope(loaded.tree)
        if findings:
            first = findings[0]
            raise _Refusal(1150, f"{first.code}: {first.message_tr}")
        reports = [verify_document(document, findings=()) for document in loaded.model.documents]
        for report in reports:
            _check_signatures(report)
        for report in reports:
            _check_account(db, report)
    except _Refusal as refusal:
        return refusal.code, refusal.detail
    return 1200, None


class SimulatedGib:
    """GİB's processing of user envelopes, advanced by :meth:`advance`.

    :param step: how long each step (1000 → 1100 → … → 1300) takes.
    """

    def __init__(self, *, step: timedelta = timedelta(seconds=0.2)) -> None:
        if step < timedelta(0):
            raise ValueError("step must not be negative")
        self.step = step

    def receive(
        self, db: sqlite3.Connection, activation_id: str, envelope: bytes, *, now: datetime
    ) -> GibEvent:
        """Queue an envelope (1000 ZARF KUYRUGA EKLENDI)."""
        db_rows.insert_submission(
            db,
            SubmissionRow(
                id=str(uuid.uuid4()),
                activation_id=activation_id,
                envelope=envelope,
                submitted_at=now,
                code=1000,
                text=TEXTS[1000],
                detail=None,
                next_step_at=now + self.step,
                final=False,
            ),
        )
        return GibEvent(activation_id, 1000, TEXTS[1000], None, final=False, success=False, at=now)

    def advance(self, db: sqlite3.Connection, now: datetime) -> list[GibEvent]:
        """Take every step that is due at ``now``; return what changed, in order."""
        events: list[GibEvent] = []
        for submission in db_rows.due_submissions(db, now):
            code, due = submission.code, submission.next_step_at
            while due is not None and due <= now:
                detail: str | None = None
                final = success = False
                if code == 1000:
                    code = 1100
                elif code == 1100:
                    code, detail = examine(db, submission.envelope)
                    final = code != 1200
                else:
                    code, final, success = 1300, True, True
                    self._record_account(db, submission.envelope, due)
                text = TEXTS[code]
                next_due = None if final else due + self.step
                db_rows.update(
                    db,
                    "gib_submissions",
                    (submission.id,),
                    code=code,
                    text=text,
                    detail=detail,
                    next_step_at=next_due,
                    final=final,
                )
                events.append(
                    GibEvent(submission.activation_id, code, text, detail, final, success, due)
                )
                due = next_due
        return events

    @staticmethod
    def _record_account(db: sqlite3.Connection, envelope: bytes, at: datetime) -> None:
        model = read(envelope).model
        assert isinstance(model, Envelope)
        for document in model.documents:
            if document.service is not None and document.customer_id is not None:
                db_rows.set_gib_account(
                    db,
                    document.customer_id,
                    document.service.id,
                    active=document.operation is Operation.OPEN,
                    at=at,
                )
