"""A small HTTP client for the tests: the customer's side and the integrator's pages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from reference_portal import DEMO_PASSWORD, RunningPortal
from signer_app.envelope.countersign import countersign
from signer_app.envelope.signing import build_counter_signature
from signer_app.testpki import pki
from signer_app.testpki.softhsm import CUSTOMER_VKN

TIMEOUT = 10


@dataclass(frozen=True)
class PortalPki:
    """The seals: the integrator's (also as PEM files) and two customers' (in memory)."""

    ca: pki.Identity
    integrator: pki.Identity
    customer: pki.Identity
    second: pki.Identity
    integrator_key_pem: Path
    integrator_cert_pem: Path


def signing_key(seal: pki.Identity) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    """The seal's key, as the envelope layer's signing functions want it."""
    assert isinstance(seal.key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    return seal.key


class Customer:
    """The customer's client: logs in, lists, downloads, counter-signs, uploads."""

    def __init__(
        self,
        url: str,
        seal: pki.Identity,
        clock: Callable[[], datetime],
        user: str = CUSTOMER_VKN,
        password: str = DEMO_PASSWORD,
    ) -> None:
        self.url = url
        self.seal = seal
        self.clock = clock
        self.user = user
        self.password = password
        self.http = requests.Session()

    def log_in(self) -> requests.Response:
        response = self.http.post(
            self.url + "sessions",
            json={"user": self.user, "password": self.password},
            timeout=TIMEOUT,
        )
        assert response.status_code == 201, response.text
        self.http.headers["Authorization"] = "Bearer " + response.json()["token"]
        return response

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.url + path, timeout=TIMEOUT, **kwargs)

    def activations(self, state: str = "pending") -> list[dict[str, Any]]:
        response = self.get("activations", params={"state": state})
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def activation_for(self, service: str, state: str = "all") -> dict[str, Any]:
        found = [item for item in self.activations(state) if item["service"]["id"] == service]
        assert found, f"no activation for {service}"
        return found[-1]

    def document(self, activation_id: str) -> bytes:
        response = self.get(f"activations/{activation_id}/document")
        assert response.status_code == 200, response.text
        return response.content

    def status(self, activation_id: str) -> dict[str, Any]:
        response = self.get(f"activations/{activation_id}/status")
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def counter_signed(self, activation_id: str) -> bytes:
        signed = countersign(
            self.document(activation_id), signing_key(self.seal), self.seal.cert, now=self.clock()
        )
        return signed.data

    def upload(
        self,
        activation_id: str,
        data: bytes,
        *,
        key: str | None = None,
        content_type: str = "application/xml",
    ) -> requests.Response:
        headers = {"Content-Type": content_type}
        headers["Idempotency-Key"] = key if key is not None else str(uuid.uuid4())
        return self.http.put(
            self.url + f"activations/{activation_id}/signed-document",
            data=data,
            headers=headers,
            timeout=TIMEOUT,
        )

    def sign_and_upload(self, activation_id: str) -> requests.Response:
        response = self.upload(activation_id, self.counter_signed(activation_id))
        assert response.status_code == 202, response.text
        return response


def counter_signed_by(document: bytes, seal: pki.Identity, now: datetime) -> bytes:
    """Counter-sign with any seal, without the client's checks (a wrong signer)."""
    return build_counter_signature(document, signing_key(seal), seal.cert, signing_time=now)


def start_activations(
    portal: RunningPortal, company_id: str, services: list[dict[str, Any]]
) -> requests.Response:
    """ "Aktivasyonu Başlat" on the integrator's pages."""
    return requests.post(
        f"{portal.base_url}/portal/companies/{company_id}/activations",
        json={"services": services},
        headers={"X-Admin-Token": portal.admin_token},
        timeout=TIMEOUT,
    )


def admin_get(portal: RunningPortal, path: str) -> requests.Response:
    """GET one of the integrator's pages."""
    return requests.get(
        f"{portal.base_url}{path}", headers={"X-Admin-Token": portal.admin_token}, timeout=TIMEOUT
    )


def immediate(service: str, operation: str = "open") -> dict[str, Any]:
    return {"service": service, "operation": operation, "opening": {"mode": "immediate"}}


def scheduled(service: str, at: str, operation: str = "open") -> dict[str, Any]:
    return {"service": service, "operation": operation, "opening": {"mode": "scheduled", "at": at}}
