"""The simulated GİB's checks on user envelopes and the codes it answers."""

from __future__ import annotations

from datetime import datetime

import pytest

from reference_portal import FakeClock, RunningPortal
from reference_portal.gib import TEXTS, build_envelope, examine
from signer_app.envelope.builder import build_user_envelope
from signer_app.testpki.softhsm import INTEGRATOR_TITLE, INTEGRATOR_VKN
from tests.reference_portal.helpers import Customer, PortalPki, counter_signed_by


def _envelope(document: bytes, now: datetime, service: str = "efatura") -> bytes:
    return build_envelope(
        document,
        service_id=service,
        integrator_vkn=INTEGRATOR_VKN,
        integrator_title=INTEGRATOR_TITLE,
        now=now,
    )


def _verdict(portal: RunningPortal, envelope: bytes) -> int:
    with portal.store.transaction() as db:
        code, detail = examine(db, envelope)
    assert (detail is None) == (code == 1200)
    return code


@pytest.fixture
def efatura(customer: Customer, contract: bytes) -> str:
    del contract
    return str(customer.activation_for("efatura")["id"])


def test_a_good_envelope_is_processed(
    portal: RunningPortal, customer: Customer, efatura: str, clock: FakeClock
) -> None:
    envelope = _envelope(customer.counter_signed(efatura), clock())
    assert b"<sh:Identifier>usergb</sh:Identifier>" in envelope
    assert _verdict(portal, envelope) == 1200


def test_what_gib_cannot_read_fails_the_schema(portal: RunningPortal) -> None:
    assert _verdict(portal, b"<not-an-envelope") == 1160
    assert _verdict(portal, b"<Invoice/>") == 1160


def test_the_wrong_sender_alias_fails_the_schematron(
    portal: RunningPortal, customer: Customer, efatura: str, clock: FakeClock
) -> None:
    envelope = build_user_envelope(
        [customer.counter_signed(efatura)],
        sender_alias="earchive",
        sender_id=INTEGRATOR_VKN,
        created=clock(),
    )
    assert _verdict(portal, envelope) == 1150


def test_a_missing_counter_signature_is_an_invalid_signature(
    portal: RunningPortal, customer: Customer, efatura: str, clock: FakeClock
) -> None:
    assert _verdict(portal, _envelope(customer.document(efatura), clock())) == 1177


def test_another_companys_seal_is_not_authorised(
    portal: RunningPortal, customer: Customer, efatura: str, test_pki: PortalPki, clock: FakeClock
) -> None:
    foreign = counter_signed_by(customer.document(efatura), test_pki.second, clock())
    assert _verdict(portal, _envelope(foreign, clock())) == 1176


def test_a_changed_document_has_an_invalid_signature(
    portal: RunningPortal, customer: Customer, efatura: str, clock: FakeClock
) -> None:
    tampered = customer.counter_signed(efatura).replace(
        b"defaultpk@ornek-is.com.tr", b"digerpk@ornek-is.com.tr"
    )
    assert _verdict(portal, _envelope(tampered, clock())) == 1177


def test_the_texts_are_gibs() -> None:
    assert TEXTS[1300] == "BASARIYLA TAMAMLANDI"
    assert TEXTS[1182] == "KULLANICI EKLENEMEDİ"
    assert TEXTS[1177] == "GEÇERSİZ İMZA"
