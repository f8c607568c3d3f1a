"""Logging in: sessions, wrong passwords, lock-out and expiry."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
import requests

from reference_portal import DEMO_PASSWORD, FakeClock, RunningPortal
from signer_app.testpki.softhsm import CUSTOMER_TITLE, CUSTOMER_VKN
from tests.reference_portal.helpers import TIMEOUT, Customer


def _login(portal: RunningPortal, body: Any, **kwargs: Any) -> requests.Response:
    return requests.post(portal.url + "sessions", json=body, timeout=TIMEOUT, **kwargs)


def _problem(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    return body


def test_login_opens_a_session_for_thirty_minutes(portal: RunningPortal, clock: FakeClock) -> None:
    response = _login(portal, {"user": CUSTOMER_VKN, "password": DEMO_PASSWORD})
    assert response.status_code == 201
    body = response.json()
    assert body["company"] == {"id": CUSTOMER_VKN, "title": CUSTOMER_TITLE}
    assert body["token"]
    expected = (clock() + timedelta(minutes=30)).replace(microsecond=0)
    assert body["expires_at"] == expected.isoformat().replace("+00:00", "Z")
    listed = requests.get(
        portal.url + "activations",
        headers={"Authorization": f"Bearer {body['token']}"},
        timeout=TIMEOUT,
    )
    assert listed.status_code == 200


def test_wrong_password_and_unknown_user_are_refused_alike(portal: RunningPortal) -> None:
    wrong = _login(portal, {"user": CUSTOMER_VKN, "password": "yanlis"})
    unknown = _login(portal, {"user": "1111111111", "password": DEMO_PASSWORD})
    assert _problem(wrong, 401, "invalid-credentials") == _problem(
        unknown, 401, "invalid-credentials"
    )


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(
    portal: RunningPortal, clock: FakeClock
) -> None:
    for _ in range(4):
        _problem(
            _login(portal, {"user": CUSTOMER_VKN, "password": "yanlis"}), 401, "invalid-credentials"
        )
    _problem(_login(portal, {"user": CUSTOMER_VKN, "password": "yanlis"}), 423, "account-locked")
    # Locked: even the right password is not looked at.
    locked = _login(portal, {"user": CUSTOMER_VKN, "password": DEMO_PASSWORD})
    _problem(locked, 423, "account-locked")
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    clock.advance(timedelta(minutes=14))
    _problem(
        _login(portal, {"user": CUSTOMER_VKN, "password": DEMO_PASSWORD}), 423, "account-locked"
    )
    clock.advance(timedelta(minutes=1, seconds=1))
    assert _login(portal, {"user": CUSTOMER_VKN, "password": DEMO_PASSWORD}).status_code == 201


def test_a_good_login_resets_the_count(portal: RunningPortal) -> None:
    for _ in range(4):
        _login(portal, {"user": CUSTOMER_VKN, "password": "yanlis"})
    assert _login(portal, {"user": CUSTOMER_VKN, "password": DEMO_PASSWORD}).status_code == 201
    for _ in range(4):
        _problem(
            _login(portal, {"user": CUSTOMER_VKN, "password": "yanlis"}), 401, "invalid-credentials"
        )


def test_a_session_expires_after_thirty_minutes(customer: Customer, clock: FakeClock) -> None:
    clock.advance(timedelta(minutes=29, seconds=59))
    assert customer.get("activations").status_code == 200
    clock.advance(timedelta(seconds=1))
    expired = customer.get("activations")
    _problem(expired, 401, "unauthorized")
    assert expired.headers["WWW-Authenticate"].startswith("Bearer")


def test_logout_ends_the_session(customer: Customer) -> None:
    assert (
        customer.http.delete(customer.url + "sessions/current", timeout=TIMEOUT).status_code == 204
    )
    _problem(customer.get("activations"), 401, "unauthorized")
    _problem(
        customer.http.delete(customer.url + "sessions/current", timeout=TIMEOUT),
        401,
        "unauthorized",
    )


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic eDp5"},
        {"Authorization": "Bearer nope"},
    ],
)
def test_the_api_needs_a_session(portal: RunningPortal, headers: dict[str, str]) -> None:
    response = requests.get(portal.url + "activations", headers=headers, timeout=TIMEOUT)
    _problem(response, 401, "unauthorized")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"user": CUSTOMER_VKN}, 422),
        ({"user": "12345", "password": "x"}, 422),
        ({"user": CUSTOMER_VKN, "password": ""}, 422),
        ({"user": CUSTOMER_VKN, "password": "x", "extra": 1}, 422),
        ([CUSTOMER_VKN, "x"], 422),
    ],
)
def test_malformed_credentials_are_invalid_requests(
    portal: RunningPortal, body: Any, status: int
) -> None:
    _problem(_login(portal, body), status, "invalid-request")


def test_credentials_must_be_json(portal: RunningPortal) -> None:
    not_json = requests.post(
        portal.url + "sessions",
        data=b"user=1234567808",
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    _problem(not_json, 400, "invalid-request")
    form = requests.post(
        portal.url + "sessions", data={"user": CUSTOMER_VKN, "password": "x"}, timeout=TIMEOUT
    )
    _problem(form, 400, "invalid-request")


def test_passwords_and_tokens_are_never_logged(
    portal: RunningPortal, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _login(portal, {"user": CUSTOMER_VKN, "password": "yanlis-parola-42"})
    token = _login(portal, {"user": CUSTOMER_VKN, "password": DEMO_PASSWORD}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    requests.get(portal.url + "activations", headers=headers, timeout=TIMEOUT)
    requests.delete(portal.url + "sessions/current", headers=headers, timeout=TIMEOUT)
    assert "session opened for 1234567808" in caplog.text
    for secret in ("yanlis-parola-42", DEMO_PASSWORD, token):
        assert secret not in caplog.text
