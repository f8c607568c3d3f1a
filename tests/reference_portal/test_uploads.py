"""Uploading the counter-signed document: the full check, idempotency and lost answers."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
import requests

from reference_portal import FakeClock, Fault, FaultPlan, RunningPortal
from reference_portal import store as db_rows
from reference_portal.model import PortalStatus
from signer_app.envelope.builder import build_user_envelope
from signer_app.testpki.softhsm import INTEGRATOR_VKN
from tests.reference_portal.helpers import Customer, PortalPki, counter_signed_by


def _refused(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


@pytest.fixture
def efatura(customer: Customer, contract: bytes) -> str:
    del contract
    return str(customer.activation_for("efatura")["id"])


def _submissions(portal: RunningPortal, activation_id: str) -> int:
    with portal.store.transaction() as db:
        row = db.execute(
            "SELECT COUNT(*) FROM gib_submissions WHERE activation_id = ?", (activation_id,)
        ).fetchone()
    return int(row[0])


# --- what the portal refuses ----------------------------------------------------------------


def test_a_document_without_counter_signature(customer: Customer, efatura: str) -> None:
    body = _refused(customer.upload(efatura, customer.document(efatura)), 422, "invalid-document")
    assert [f["code"] for f in body["findings"]] == ["signature.counter.missing"]


def test_another_companys_seal_is_the_wrong_signer(
    customer: Customer, efatura: str, test_pki: PortalPki, clock: FakeClock
) -> None:
    foreign = counter_signed_by(customer.document(efatura), test_pki.second, clock())
    body = _refused(customer.upload(efatura, foreign), 422, "wrong-signer")
    assert body["findings"][0]["code"] == "signature.counter.envelope.signer_mismatch"


def test_changed_content_is_the_wrong_document(customer: Customer, efatura: str) -> None:
    signed = customer.counter_signed(efatura)
    tampered = signed.replace(b"<UserOptionCode>2<", b"<UserOptionCode>1<")
    assert tampered != signed
    body = _refused(customer.upload(efatura, tampered), 422, "wrong-document")
    assert body["findings"][0]["code"] == "document.content"


def test_another_activations_document_is_the_wrong_document(
    customer: Customer, efatura: str
) -> None:
    earsiv = customer.activation_for("earsiv")["id"]
    body = _refused(
        customer.upload(efatura, customer.counter_signed(earsiv)), 422, "wrong-document"
    )
    assert body["findings"][0]["code"] == "document.main-signature"


def test_a_broken_counter_signature_is_invalid(customer: Customer, efatura: str) -> None:
    signed = customer.counter_signed(efatura)
    match = re.search(rb'Id="Counter_Signature_Value_[^"]+">([A-Za-z0-9+/])', signed)
    assert match is not None
    flipped = b"B" if match.group(1) == b"A" else b"A"
    tampered = signed[: match.start(1)] + flipped + signed[match.end(1) :]
    body = _refused(customer.upload(efatura, tampered), 422, "invalid-document")
    assert body["findings"][0]["code"].startswith("signature.counter.")


def test_a_signing_time_in_the_future_is_invalid(
    customer: Customer, efatura: str, test_pki: PortalPki, clock: FakeClock
) -> None:
    future = counter_signed_by(
        customer.document(efatura), test_pki.customer, clock() + timedelta(hours=2)
    )
    _refused(customer.upload(efatura, future), 422, "invalid-document")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not xml at all",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
        b"<Invoice/>",
    ],
)
def test_what_is_not_a_user_document_is_invalid(
    customer: Customer, efatura: str, data: bytes
) -> None:
    body = _refused(customer.upload(efatura, data), 422, "invalid-document")
    assert body["findings"]


def test_an_envelope_is_not_the_document(
    customer: Customer, efatura: str, clock: FakeClock
) -> None:
    envelope = build_user_envelope(
        [customer.counter_signed(efatura)],
        sender_alias="usergb",
        sender_id=INTEGRATOR_VKN,
        created=clock(),
    )
    _refused(customer.upload(efatura, envelope), 422, "invalid-document")


def test_http_level_refusals(customer: Customer, efatura: str) -> None:
    signed = customer.counter_signed(efatura)
    _refused(
        customer.upload(efatura, signed, content_type="text/plain"), 415, "unsupported-media-type"
    )
    _refused(customer.upload(efatura, b"<" * (2 * 1024 * 1024 + 1)), 413, "payload-too-large")
    no_key = customer.http.put(
        customer.url + f"activations/{efatura}/signed-document",
        data=signed,
        headers={"Content-Type": "application/xml"},
        timeout=10,
    )
    _refused(no_key, 400, "invalid-request")
    _refused(customer.upload(efatura, signed, key="short"), 400, "invalid-request")
    _refused(customer.upload(efatura, signed, key="has space in it"), 400, "invalid-request")
    _refused(customer.upload("00000000-0000-0000-0000-000000000000", signed), 404, "not-found")
    # None of it was taken.
    assert customer.status(efatura)["status"] == "musteri_imzasi_bekliyor"
    assert (
        customer.upload(efatura, signed, content_type="text/xml; charset=utf-8").status_code == 202
    )


def test_an_activation_that_no_longer_waits(
    portal: RunningPortal, customer: Customer, efatura: str, clock: FakeClock
) -> None:
    signed = customer.counter_signed(efatura)
    with portal.store.transaction() as db:
        db_rows.update(
            db, "activations", (efatura,), status=PortalStatus.FAILED, updated_at=clock()
        )
    _refused(customer.upload(efatura, signed), 409, "not-awaiting-signature")


# --- idempotency ------------------------------------------------------------------------------


def test_same_key_same_document_answers_the_first_result(
    portal: RunningPortal, customer: Customer, efatura: str, clock: FakeClock
) -> None:
    signed = customer.counter_signed(efatura)
    first = customer.upload(efatura, signed, key="key-0001-first")
    assert first.status_code == 202
    clock.advance(5)
    portal.tick()  # the status moves on; the repeated answer does not
    again = customer.upload(efatura, signed, key="key-0001-first")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert _submissions(portal, efatura) == 1


def test_same_key_other_document_is_a_conflict(
    customer: Customer, efatura: str, clock: FakeClock
) -> None:
    first = customer.counter_signed(efatura)
    assert customer.upload(efatura, first, key="key-0002-first").status_code == 202
    clock.advance(1)
    other = customer.counter_signed(efatura)
    assert other != first
    _refused(customer.upload(efatura, other, key="key-0002-first"), 409, "idempotency-conflict")
    earsiv = customer.activation_for("earsiv")["id"]
    _refused(
        customer.upload(earsiv, customer.counter_signed(earsiv), key="key-0002-first"),
        409,
        "idempotency-conflict",
    )


def test_other_key_same_document_answers_the_first_result(
    portal: RunningPortal, customer: Customer, efatura: str
) -> None:
    signed = customer.counter_signed(efatura)
    first = customer.upload(efatura, signed, key="key-0003-first")
    again = customer.upload(efatura, signed, key="key-0003-second")
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json() == first.json()
    # The second key now stands for this document too.
    assert customer.upload(efatura, signed, key="key-0003-second").status_code == 200
    assert _submissions(portal, efatura) == 1


def test_other_key_other_document_after_acceptance_is_already_signed(
    customer: Customer, efatura: str, clock: FakeClock
) -> None:
    assert customer.upload(efatura, customer.counter_signed(efatura)).status_code == 202
    clock.advance(1)
    _refused(customer.upload(efatura, customer.counter_signed(efatura)), 409, "already-signed")


def test_a_refused_upload_is_checked_again(customer: Customer, efatura: str) -> None:
    unsigned = customer.document(efatura)
    _refused(customer.upload(efatura, unsigned, key="key-0004-refused"), 422, "invalid-document")
    _refused(customer.upload(efatura, unsigned, key="key-0004-refused"), 422, "invalid-document")


# --- faults: lost answers and unavailability ---------------------------------------------


def test_a_lost_answer_is_answered_again_after_the_retry(
    portal: RunningPortal, customer: Customer, efatura: str, faults: FaultPlan
) -> None:
    signed = customer.counter_signed(efatura)
    faults.add("uploadSignedDocument", Fault.drop_after_processing())
    with pytest.raises(requests.ConnectionError):
        customer.upload(efatura, signed, key="key-0005-lost")
    # It was processed: the activation moved on.
    assert customer.status(efatura)["status"] == "gibden_onay_bekliyor"
    retry = customer.upload(efatura, signed, key="key-0005-lost")
    assert retry.status_code == 200
    assert retry.json()["activation"]["id"] == efatura
    assert _submissions(portal, efatura) == 1
    assert faults.pending() == 0


def test_a_request_dropped_before_processing_changes_nothing(
    customer: Customer, efatura: str, faults: FaultPlan
) -> None:
    signed = customer.counter_signed(efatura)
    faults.add("uploadSignedDocument", Fault.drop_before_processing())
    with pytest.raises(requests.ConnectionError):
        customer.upload(efatura, signed, key="key-0006-dropped")
    assert customer.status(efatura)["status"] == "musteri_imzasi_bekliyor"
    assert customer.upload(efatura, signed, key="key-0006-dropped").status_code == 202


def test_unavailable_and_slow_answers(customer: Customer, efatura: str, faults: FaultPlan) -> None:
    signed = customer.counter_signed(efatura)
    faults.add("uploadSignedDocument", Fault.status(503, retry_after=1), Fault.delay(0.3))
    unavailable = customer.upload(efatura, signed, key="key-0007-retry")
    _refused(unavailable, 503, "unavailable")
    assert unavailable.headers["Retry-After"] == "1"
    started = time.monotonic()
    assert customer.upload(efatura, signed, key="key-0007-retry").status_code == 202
    assert time.monotonic() - started >= 0.3
    assert [operation for operation, _ in faults.applied] == ["uploadSignedDocument"] * 2


def test_faults_apply_per_operation(customer: Customer, efatura: str, faults: FaultPlan) -> None:
    faults.add("getStatus", Fault.status(500))
    assert customer.get(f"activations/{efatura}").status_code == 200
    _refused(customer.get(f"activations/{efatura}/status"), 500, "internal-error")
    assert customer.get(f"activations/{efatura}/status").status_code == 200
    with pytest.raises(ValueError, match="unknown operationId"):
        faults.add("noSuchOperation", Fault.status(500))


def test_a_fault_plan_can_be_set_while_running(live_portal: RunningPortal) -> None:
    credentials = {"user": "1234567808", "password": "demo-parola-1234"}
    assert live_portal.faults is None
    plan = FaultPlan()
    live_portal.faults = plan
    plan.add("createSession", Fault.status(429, retry_after=2.5))
    limited = requests.post(live_portal.url + "sessions", json=credentials, timeout=10)
    _refused(limited, 429, "unavailable")
    assert limited.headers["Retry-After"] == "3"
    live_portal.faults = None
    assert (
        requests.post(live_portal.url + "sessions", json=credentials, timeout=10).status_code == 201
    )
