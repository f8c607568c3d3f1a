"""The served API description, the contract file and the integrator's pages."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from importlib import resources

import requests

from reference_portal import FakeClock, RunningPortal
from signer_app.testpki.softhsm import CUSTOMER_TITLE, CUSTOMER_VKN
from tests.reference_portal.helpers import (
    TIMEOUT,
    admin_get,
    immediate,
    scheduled,
    start_activations,
)


def test_the_api_description_is_served_byte_for_byte(portal: RunningPortal) -> None:
    response = requests.get(portal.url + "openapi.yaml", timeout=TIMEOUT)
    assert response.status_code == 200
    expected = resources.files("signer_app.portal_api").joinpath("openapi.yaml").read_bytes()
    assert response.content == expected
    # FastAPI's own description and docs are off.
    for path in ("/openapi.json", "/docs", "/redoc", "/api/v1/openapi.json"):
        assert requests.get(portal.base_url + path, timeout=TIMEOUT).status_code == 404


def test_the_contract_file(portal: RunningPortal, clock: FakeClock) -> None:
    at = (clock() + timedelta(days=2)).replace(microsecond=0)
    started = start_activations(
        portal,
        CUSTOMER_VKN,
        [immediate("efatura"), scheduled("earsiv", at.isoformat())],
    )
    assert started.status_code == 201, started.text
    body = started.json()
    assert body["contract_url"] == (
        f"{portal.base_url}/portal/contracts/{body['contract_id']}.aktivasyon"
    )
    download = admin_get(portal, f"/portal/contracts/{body['contract_id']}.aktivasyon")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/vnd.hizmet-aktivasyon+json"
    assert "attachment" in download.headers["content-disposition"]
    contract = json.loads(download.content.decode("utf-8"))
    issued = clock().replace(microsecond=0)
    assert contract == {
        "format": "hizmet-aktivasyon-sozlesmesi",
        "version": 1,
        "portal_url": portal.url,
        "contract_id": body["contract_id"],
        "company": {"id": CUSTOMER_VKN, "title": CUSTOMER_TITLE},
        "services": [
            {
                "service": "efatura",
                "name": "e-Fatura",
                "operation": "open",
                "opening": {"mode": "immediate", "at": None},
            },
            {
                "service": "earsiv",
                "name": "e-Arşiv",
                "operation": "open",
                "opening": {"mode": "scheduled", "at": at.isoformat().replace("+00:00", "Z")},
            },
        ],
        "issued_at": issued.isoformat().replace("+00:00", "Z"),
        "expires_at": (issued + timedelta(days=7)).isoformat().replace("+00:00", "Z"),
    }
    assert len(download.content) < 4096
    assert portal.url.endswith("/api/v1/")


def test_the_demo_contract(contract: bytes, portal: RunningPortal) -> None:
    parsed = json.loads(contract)
    assert parsed["portal_url"] == portal.url
    assert [s["service"] for s in parsed["services"]] == [
        "efatura",
        "earsiv",
        "eirsaliye",
        "earsiv_saklama",
    ]
    modes = [s["opening"]["mode"] for s in parsed["services"]]
    assert modes == ["immediate", "immediate", "immediate", "scheduled"]
    at = datetime.fromisoformat(parsed["services"][3]["opening"]["at"])
    assert at > datetime.fromisoformat(parsed["issued_at"])


def test_the_pages_need_the_admin_token(portal: RunningPortal, contract: bytes) -> None:
    contract_id = json.loads(contract)["contract_id"]
    for path in (
        f"/portal/contracts/{contract_id}.aktivasyon",
        f"/portal/companies/{CUSTOMER_VKN}/services",
        f"/portal/companies/{CUSTOMER_VKN}/notifications",
    ):
        assert requests.get(portal.base_url + path, timeout=TIMEOUT).status_code == 401
        wrong = requests.get(
            portal.base_url + path, headers={"X-Admin-Token": "wrong"}, timeout=TIMEOUT
        )
        assert wrong.status_code == 401
        assert admin_get(portal, path).status_code == 200
    assert admin_get(portal, f"/portal/contracts/{contract_id}.json").status_code == 404
    assert admin_get(portal, "/portal/companies/1111111111/services").status_code == 404
    refused = start_activations(portal, "1111111111", [immediate("efatura")])
    assert (refused.status_code, refused.json()["code"]) == (404, "unknown-company")
