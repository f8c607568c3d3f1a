"""The help document's lifecycle: from Müşteri İmzası Bekliyor to Aktif or Hatalı."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from reference_portal import (
    ActivationError,
    ActivationRequest,
    FakeClock,
    Opening,
    RunningPortal,
    start_demo_activations,
)
from reference_portal import store as db_rows
from reference_portal.clock import to_api
from reference_portal.demo import SECOND_PASSWORD
from signer_app.testpki.softhsm import CUSTOMER_VKN, SECOND_VKN
from tests.reference_portal.helpers import (
    Customer,
    PortalPki,
    admin_get,
    immediate,
    scheduled,
    start_activations,
)


def _gib(status: dict[str, Any]) -> int | None:
    return None if status["gib"] is None else int(status["gib"]["code"])


def _step(portal: RunningPortal, clock: FakeClock, seconds: float = 1.0) -> None:
    clock.advance(seconds)
    portal.tick()


def _services(portal: RunningPortal, company_id: str = CUSTOMER_VKN) -> dict[str, Any]:
    response = admin_get(portal, f"/portal/companies/{company_id}/services")
    assert response.status_code == 200, response.text
    return {item["service"]: item for item in response.json()["items"]}


def _subjects(portal: RunningPortal, company_id: str = CUSTOMER_VKN) -> list[str]:
    response = admin_get(portal, f"/portal/companies/{company_id}/notifications")
    assert response.status_code == 200, response.text
    return [item["subject"] for item in response.json()["items"]]


def test_an_accepted_upload_walks_gibs_codes_to_aktif(
    portal: RunningPortal, customer: Customer, clock: FakeClock, contract: bytes
) -> None:
    del contract
    efatura = customer.activation_for("efatura")["id"]
    assert _services(portal)["efatura"]["status"] == "musteri_imzasi_bekliyor"
    accepted = customer.sign_and_upload(efatura).json()
    assert accepted["activation"]["status"]["status"] == "gibden_onay_bekliyor"
    assert accepted["reference"].startswith("AKT-")
    seen = [_gib(customer.status(efatura))]
    for _ in range(3):
        _step(portal, clock)
        seen.append(_gib(customer.status(efatura)))
    assert seen == [1000, 1100, 1200, 1300]
    final = customer.status(efatura)
    assert final["status"] == "aktif"
    assert final["label"] == "Aktif"
    assert final["final"] is True
    assert final["gib"] == {"code": 1300, "text": "BASARIYLA TAMAMLANDI"}
    service = _services(portal)["efatura"]
    assert service["status"] == "aktif"
    assert service["activation_date"] == final["updated_at"]
    # Nothing moves any more.
    _step(portal, clock, 60)
    assert customer.status(efatura) == final


def test_every_status_change_is_notified(
    portal: RunningPortal, customer: Customer, clock: FakeClock, contract: bytes
) -> None:
    del contract
    customer.sign_and_upload(customer.activation_for("earsiv")["id"])
    for _ in range(3):
        _step(portal, clock)
    earsiv = [subject for subject in _subjects(portal) if subject.startswith("e-Arşiv hizmeti")]
    assert earsiv == [
        "e-Arşiv hizmeti açma: Müşteri İmzası Bekliyor",
        "e-Arşiv hizmeti açma: GİB'den Onay Bekliyor",
        "e-Arşiv hizmeti açma: Aktif",
    ]
    last = admin_get(portal, f"/portal/companies/{CUSTOMER_VKN}/notifications").json()["items"][-1]
    assert "(1300) BASARIYLA TAMAMLANDI" in last["body"]


def test_a_scheduled_opening_waits_for_its_time(
    portal: RunningPortal, customer: Customer, clock: FakeClock, contract: bytes
) -> None:
    del contract
    saklama = customer.activation_for("earsiv_saklama")
    at = datetime.fromisoformat(saklama["opening"]["at"])
    accepted = customer.sign_and_upload(saklama["id"]).json()
    assert accepted["activation"]["status"]["status"] == "gibe_gonderimi_bekliyor"
    assert accepted["activation"]["status"]["label"] == "GİB'e Gönderimi Bekliyor"
    portal.tick(at - timedelta(seconds=1))
    assert customer.status(saklama["id"])["status"] == "gibe_gonderimi_bekliyor"
    assert customer.status(saklama["id"])["gib"] is None
    clock.set(at)
    portal.tick()
    status = customer.status(saklama["id"])
    assert (status["status"], _gib(status)) == ("gibden_onay_bekliyor", 1000)
    for _ in range(3):
        _step(portal, clock)
    assert customer.status(saklama["id"])["status"] == "aktif"


def test_signing_after_the_scheduled_time_sends_at_once(
    portal: RunningPortal, customer: Customer, clock: FakeClock, contract: bytes
) -> None:
    del contract
    saklama = customer.activation_for("earsiv_saklama")
    clock.set(datetime.fromisoformat(saklama["opening"]["at"]) + timedelta(minutes=1))
    accepted = customer.sign_and_upload(saklama["id"]).json()
    assert accepted["activation"]["status"]["status"] == "gibden_onay_bekliyor"


def test_efatura_may_not_open_later_than_the_others(
    portal: RunningPortal, clock: FakeClock
) -> None:
    tomorrow = to_api(clock() + timedelta(days=1))
    later = start_activations(
        portal, CUSTOMER_VKN, [scheduled("efatura", tomorrow), immediate("earsiv")]
    )
    assert later.status_code == 422
    assert later.json()["code"] == "efatura-later-than-others"
    # Refused as a whole: nothing was started.
    assert _services(portal)["earsiv"]["status"] == "aktivasyon_bekliyor"
    earlier = start_activations(
        portal, CUSTOMER_VKN, [immediate("efatura"), scheduled("earsiv", tomorrow)]
    )
    assert earlier.status_code == 201, earlier.text


def test_efatura_is_compared_with_activations_under_way(
    portal: RunningPortal, clock: FakeClock
) -> None:
    assert start_activations(portal, CUSTOMER_VKN, [immediate("earsiv")]).status_code == 201
    with pytest.raises(ActivationError) as refused:
        portal.lifecycle.start_activation(
            CUSTOMER_VKN,
            [ActivationRequest("efatura", "open", Opening.scheduled(clock() + timedelta(hours=1)))],
            now=clock(),
        )
    assert refused.value.code == "efatura-later-than-others"


@pytest.mark.parametrize(
    ("services", "status", "code"),
    [
        ([immediate("efatura"), immediate("efatura")], 422, "duplicate-service"),
        ([immediate("ebilet")], 409, "service-not-available"),
        ([immediate("efatura", "close")], 409, "service-not-available"),
        ([immediate("no-such-service")], 422, "unknown-service"),
        ([scheduled("earsiv", "2000-01-01T00:00:00Z")], 422, "invalid-opening"),
        ([scheduled("earsiv", "yarın")], 422, "invalid-opening"),
        ([], 422, "invalid-opening"),
    ],
)
def test_activations_that_cannot_start(
    portal: RunningPortal, services: list[dict[str, Any]], status: int, code: str
) -> None:
    response = start_activations(portal, CUSTOMER_VKN, services)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code


def test_a_service_cannot_be_started_twice(portal: RunningPortal, contract: bytes) -> None:
    del contract
    again = start_activations(portal, CUSTOMER_VKN, [immediate("earsiv")])
    assert again.status_code == 409
    assert again.json()["code"] == "service-not-available"


def test_gib_refuses_efatura_without_the_application(
    portal: RunningPortal, test_pki: PortalPki, clock: FakeClock
) -> None:
    started = start_activations(portal, SECOND_VKN, [immediate("efatura"), immediate("earsiv")])
    assert started.status_code == 201, started.text
    second = Customer(portal.url, test_pki.second, clock, user=SECOND_VKN, password=SECOND_PASSWORD)
    second.log_in()
    efatura = second.activation_for("efatura")["id"]
    earsiv = second.activation_for("earsiv")["id"]
    second.sign_and_upload(efatura)
    second.sign_and_upload(earsiv)
    for _ in range(3):
        _step(portal, clock)
    failed = second.status(efatura)
    assert failed["status"] == "hatali"
    assert failed["label"] == "Hatalı"
    assert failed["final"] is True
    assert failed["gib"] == {"code": 1182, "text": "KULLANICI EKLENEMEDİ"}
    assert second.status(earsiv)["status"] == "aktif"
    assert _services(portal, SECOND_VKN)["efatura"]["status"] == "hatali"
    mails = admin_get(portal, f"/portal/companies/{SECOND_VKN}/notifications").json()["items"]
    refusal = [m for m in mails if m["subject"] == "e-Fatura hizmeti açma: Hatalı"]
    assert len(refusal) == 1
    assert "(1182) KULLANICI EKLENEMEDİ" in refusal[0]["body"]
    assert "e-Fatura application" in refusal[0]["body"]
    # Hatalı can be started again (after the company files its application).
    assert start_activations(portal, SECOND_VKN, [immediate("efatura")]).status_code == 201


def _open(portal: RunningPortal, customer: Customer, clock: FakeClock, service: str) -> None:
    assert start_activations(portal, CUSTOMER_VKN, [immediate(service)]).status_code == 201
    customer.sign_and_upload(customer.activation_for(service, "pending")["id"])
    for _ in range(3):
        _step(portal, clock)
    assert _services(portal)[service]["status"] == "aktif"


def test_closing_an_active_service(
    portal: RunningPortal, customer: Customer, clock: FakeClock
) -> None:
    _open(portal, customer, clock, "earsiv")
    assert (
        start_activations(portal, CUSTOMER_VKN, [immediate("earsiv", "close")]).status_code == 201
    )
    closing = customer.activation_for("earsiv", "pending")
    assert closing["operation"] == "close"
    assert b"<CancelUserAccount" in customer.document(closing["id"])
    customer.sign_and_upload(closing["id"])
    for _ in range(3):
        _step(portal, clock)
    closed = customer.status(closing["id"])
    assert closed["status"] == "aktif"
    assert closed["label"] == "Kapatıldı"
    assert closed["gib"]["code"] == 1300
    assert _services(portal)["earsiv"]["status"] == "aktivasyon_bekliyor"


def test_gib_cannot_close_an_account_it_does_not_have(
    portal: RunningPortal, customer: Customer, clock: FakeClock
) -> None:
    _open(portal, customer, clock, "earsiv")
    with portal.store.transaction() as db:
        db_rows.set_gib_account(db, CUSTOMER_VKN, "earsiv", active=False, at=clock())
    assert (
        start_activations(portal, CUSTOMER_VKN, [immediate("earsiv", "close")]).status_code == 201
    )
    closing = customer.activation_for("earsiv", "pending")["id"]
    customer.sign_and_upload(closing)
    for _ in range(3):
        _step(portal, clock)
    assert customer.status(closing)["gib"] == {"code": 1183, "text": "KULLANICI SİLENEMEDİ"}
    assert customer.status(closing)["status"] == "hatali"
    # The portal still shows it active: GİB did not close anything.
    assert _services(portal)["earsiv"]["status"] == "aktif"


def test_the_live_portal_finishes_the_demo_by_itself(
    live_portal: RunningPortal, test_pki: PortalPki
) -> None:
    start_demo_activations(
        live_portal.store,
        CUSTOMER_VKN,
        datetime.now(UTC),
        schedule_delay=timedelta(seconds=2),
    )
    client = Customer(live_portal.url, test_pki.customer, lambda: datetime.now(UTC))
    client.log_in()
    ids = [item["id"] for item in client.activations()]
    assert len(ids) == 4
    for activation_id in ids:
        client.sign_and_upload(activation_id)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        statuses = [client.status(activation_id) for activation_id in ids]
        if all(status["final"] for status in statuses):
            break
        time.sleep(0.1)
    assert [(s["status"], _gib(s)) for s in statuses] == [("aktif", 1300)] * 4
