"""``PUT /activations/{id}/signed-document``: idempotent acceptance of the counter-signed document.

The decision, in order (the API description's rules):

1. the activation must be the company's (else 404);
2. a known ``Idempotency-Key``: the same body for the same activation
   answers the stored first result with 200; anything else is 409
   ``idempotency-conflict``;
3. an activation that already has an accepted document: the very same
   document answers the first result with 200; another one is 409
   ``already-signed``;
4. an activation that does not wait for the signature: 409
   ``not-awaiting-signature``;
5. the document is checked in full (:mod:`reference_portal.acceptance`,
   422 on failure), accepted, answered with 202, and the answer kept under
   the key.

Only accepted results are kept: a refused upload is checked again when it
is repeated.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from reference_portal import store as db_rows
from reference_portal.acceptance import DocumentRejectedError, check_counter_signed
from reference_portal.lifecycle import Lifecycle
from reference_portal.model import PortalStatus
from reference_portal.problems import Problem
from reference_portal.store import ActivationRow, IdempotencyRecord
from reference_portal.views import upload_result_json

__all__ = ["MAX_UPLOAD_BYTES", "UploadOutcome", "receive_upload"]

#: The largest signed document the portal takes (a real one is about 15 KB).
MAX_UPLOAD_BYTES: Final = 2 * 1024 * 1024


@dataclass(frozen=True)
class UploadOutcome:
    """The answer to an upload: 202 when accepted now, 200 when answered again."""

    status: int
    body: dict[str, Any]


def _decide(
    db: sqlite3.Connection, company_id: str, activation_id: str, key: str, body_sha256: str
) -> UploadOutcome | ActivationRow:
    """Answer from what is stored, or return the activation the document must be checked for."""
    row = db_rows.activation(db, activation_id)
    if row is None or row.company_id != company_id:
        raise Problem(404, "not-found", "no such activation")
    record = db_rows.idempotency_record(db, company_id, key)
    if record is not None:
        if record.activation_id == activation_id and record.body_sha256 == body_sha256:
            return UploadOutcome(200, json.loads(record.response_body))
        raise Problem(
            409, "idempotency-conflict", "this Idempotency-Key was used for another document"
        )
    if row.signed_sha256 is not None:
        if row.signed_sha256 != body_sha256:
            raise Problem(
                409, "already-signed", "another signed document was accepted for this activation"
            )
        first = db_rows.first_acceptance(db, activation_id)
        assert first is not None
        # Remember the new key too: it must not be reused for something else.
        _remember(
            db,
            IdempotencyRecord(
                company_id, key, activation_id, body_sha256, 202, first.response_body
            ),
            row,
        )
        return UploadOutcome(200, json.loads(first.response_body))
    if row.status is not PortalStatus.AWAITING_CUSTOMER_SIGNATURE:
        raise Problem(
            409,
            "not-awaiting-signature",
            f"the activation is {row.status.label}, not waiting for the signature",
        )
    return row


def _remember(db: sqlite3.Connection, record: IdempotencyRecord, row: ActivationRow) -> None:
    db_rows.insert_idempotency_record(db, record, row.received_at or row.updated_at)


def receive_upload(
    lifecycle: Lifecycle,
    company_id: str,
    activation_id: str,
    key: str,
    body: bytes,
    *,
    now: datetime,
) -> UploadOutcome:
    """Take a counter-signed document for an activation of the logged-in company.

    :raises Problem: 404, 409 or 422 as the module notes say.
    """
    store = lifecycle.store
    body_sha256 = hashlib.sha256(body).hexdigest()
    with store.transaction() as db:
        decided = _decide(db, company_id, activation_id, key, body_sha256)
    if isinstance(decided, UploadOutcome):
        return decided
    # The expensive check runs without the lock; the state is looked at again below.
    try:
        check_counter_signed(decided.document, body, company_id, now=now)
    except DocumentRejectedError as rejected:
        raise Problem(422, rejected.code, rejected.detail, findings=rejected.findings) from rejected
    with store.transaction() as db:
        decided = _decide(db, company_id, activation_id, key, body_sha256)
        if isinstance(decided, UploadOutcome):
            return decided  # another request with this document won the race
        accepted = lifecycle.accept_signed_document(db, decided, body, now=now)
        response = upload_result_json(accepted)
        response_body = json.dumps(response, ensure_ascii=False)
        record = IdempotencyRecord(company_id, key, activation_id, body_sha256, 202, response_body)
        _remember(db, record, accepted)
    return UploadOutcome(202, response)
