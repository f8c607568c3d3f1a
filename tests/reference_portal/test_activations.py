"""Listing activations, downloading documents, reading statuses."""

from __future__ import annotations

import hashlib
import json

import requests

from reference_portal import RunningPortal
from signer_app.envelope.model import UserDocument
from signer_app.envelope.reading import load
from signer_app.envelope.verification import DocumentReport, verify
from signer_app.testpki.softhsm import CUSTOMER_VKN, INTEGRATOR_VKN, SECOND_VKN
from tests.reference_portal.helpers import TIMEOUT, Customer, immediate, start_activations


def test_pending_lists_what_waits_for_the_signature(customer: Customer, contract: bytes) -> None:
    del contract
    response = customer.get("activations")
    assert response.status_code == 200
    body = response.json()
    assert body["company"]["id"] == CUSTOMER_VKN
    services = [item["service"]["id"] for item in body["items"]]
    assert services == ["efatura", "earsiv", "eirsaliye", "earsiv_saklama"]
    first = body["items"][0]
    assert first["service"] == {"id": "efatura", "name": "e-Fatura"}
    assert first["operation"] == "open"
    assert first["opening"] == {"mode": "immediate", "at": None}
    assert first["status"]["status"] == "musteri_imzasi_bekliyor"
    assert first["status"]["label"] == "Müşteri İmzası Bekliyor"
    assert first["status"]["final"] is False
    assert first["status"]["gib"] is None
    assert body["items"][3]["opening"]["mode"] == "scheduled"
    # "pending" is the default.
    assert customer.get("activations", params={"state": "pending"}).json() == body


def test_all_lists_signed_ones_too(customer: Customer, contract: bytes) -> None:
    del contract
    efatura = customer.activations()[0]
    customer.sign_and_upload(efatura["id"])
    pending = [item["id"] for item in customer.activations()]
    everything = [item["id"] for item in customer.activations("all")]
    assert efatura["id"] not in pending
    assert efatura["id"] in everything
    assert len(everything) == len(pending) + 1


def test_a_company_sees_only_its_own_activations(
    customer: Customer, contract: bytes, portal: RunningPortal, test_pki: object
) -> None:
    del contract, test_pki
    started = start_activations(portal, SECOND_VKN, [immediate("earsiv")])
    assert started.status_code == 201, started.text
    theirs = started.json()["activations"][0]["id"]
    assert theirs not in [item["id"] for item in customer.activations("all")]
    for path in ("", "/document", "/status"):
        response = customer.get(f"activations/{theirs}{path}")
        assert response.status_code == 404
        assert response.json()["code"] == "not-found"


def test_the_document_is_the_integrator_signed_one_with_an_etag(
    customer: Customer, contract: bytes
) -> None:
    del contract
    item = customer.activations()[0]
    response = customer.get(f"activations/{item['id']}/document")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml"
    digest = hashlib.sha256(response.content).hexdigest()
    assert response.headers["ETag"] == f'"{digest}"'
    assert item["document_sha256"] == digest
    report = verify(response.content)
    assert isinstance(report, DocumentReport)
    assert report.findings == ()
    assert report.signatures is not None and report.signatures.main is not None
    assert report.signatures.main.valid
    assert report.signatures.main.signer is not None
    assert report.signatures.main.signer.tax_id == INTEGRATOR_VKN
    assert report.signatures.counter is None


def test_documents_follow_gibs_service_table(customer: Customer, contract: bytes) -> None:
    del contract
    documents = {
        item["service"]["id"]: load(customer.document(item["id"]))
        for item in customer.activations()
    }
    efatura = documents["efatura"]
    assert isinstance(efatura, UserDocument)
    assert efatura.option_code == 2
    assert [(a.role_code, a.alias) for a in efatura.accounts] == [
        ("GB", "urn:mail:defaultgb@ornek-is.com.tr"),
        ("PK", "urn:mail:defaultpk@ornek-is.com.tr"),
    ]
    assert documents["eirsaliye"].option_code == 52  # type: ignore[union-attr]
    for service, code in (("earsiv", 22), ("earsiv_saklama", 32)):
        document = documents[service]
        assert isinstance(document, UserDocument)
        assert document.option_code == code
        assert [(a.role_code, a.alias) for a in document.accounts] == [(None, None)]
        assert document.customer_id == CUSTOMER_VKN
        assert document.integrator_id == INTEGRATOR_VKN


def test_one_activation_and_its_status(customer: Customer, contract: bytes) -> None:
    del contract
    item = customer.activations()[0]
    single = customer.get(f"activations/{item['id']}")
    assert single.status_code == 200
    assert single.json() == item
    assert customer.status(item["id"]) == item["status"]


def test_bad_ids_and_parameters(customer: Customer, contract: bytes) -> None:
    del contract
    assert customer.get("activations/no_such_id!").status_code == 422
    assert customer.get("activations/" + "a" * 65).status_code == 422
    missing = customer.get("activations/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert customer.get("activations", params={"state": "done"}).json()["code"] == "invalid-request"
    assert customer.get("activations?state=all&state=pending").status_code == 400


def test_unknown_paths_answer_problems(customer: Customer) -> None:
    response = customer.get("nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert json.loads(response.content)["code"] == "not-found"
    wrong_method = requests.patch(customer.url + "activations", timeout=TIMEOUT)
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "invalid-request"
