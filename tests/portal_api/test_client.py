"""The portal client against the stub portal: transport, TLS, retries, errors, protocol."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

import signer_app.portal_api.client as client_module
from signer_app.errors import ConfigError
from signer_app.logs import redact
from signer_app.portal_api.client import PortalClient
from signer_app.portal_api.errors import (
    PROBLEM_ERRORS,
    AccountLockedError,
    AlreadySignedError,
    DocumentNotReadyError,
    DocumentRejectedError,
    DocumentTooLargeError,
    IdempotencyConflictError,
    InsecureTransportError,
    InvalidCredentialsError,
    InvalidRequestError,
    NotAwaitingSignatureError,
    PortalConnectionError,
    PortalError,
    PortalInternalError,
    PortalNotFoundError,
    PortalProtocolError,
    PortalTimeoutError,
    PortalUnavailableError,
    SessionExpiredError,
    TlsError,
    UnsupportedMediaTypeError,
    WrongDocumentError,
    WrongSignerError,
)
from signer_app.portal_api.models import PortalStatus
from tests.portal_api.conftest import SleepRecorder
from tests.portal_api.connect_proxy import ConnectProxy
from tests.portal_api.stub_portal import (
    ACTIVATION_ID,
    COMPANY_ID,
    DOCUMENT,
    PASSWORD,
    Fault,
    StubPortal,
)
from tests.portal_api.tlsutil import TlsFiles, make_tls_files

OPENAPI = Path(client_module.__file__).with_name("openapi.yaml")


def logged_in(portal: StubPortal, sleeps: SleepRecorder, **kwargs: Any) -> PortalClient:
    kwargs.setdefault("allow_plain_loopback", True)
    client = PortalClient(portal.url, sleep=sleeps, **kwargs)
    client.login(COMPANY_ID, PASSWORD)
    return client


def problem(code: str, status: int, **extra: Any) -> bytes:
    return json.dumps(
        {"type": "about:blank", "title": code, "status": status, "code": code, **extra}
    ).encode()


PROBLEM_HEADERS = (("Content-Type", "application/problem+json"),)


# -- URL and transport rules -------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://portal.example.com.tr/api/v1/",
        "http://10.0.0.5:8000/api/v1/",
        "http://127.0.0.1.example/api/v1/",
    ],
)
def test_plain_http_is_refused_except_to_loopback(url: str) -> None:
    for allow in (False, True):
        with pytest.raises(InsecureTransportError):
            PortalClient(url, allow_plain_loopback=allow)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/api/v1/", "http://localhost/api/v1/", "http://[::1]/api/v1/"]
)
def test_plain_http_to_loopback_needs_the_demo_flag(url: str) -> None:
    with pytest.raises(InsecureTransportError):
        PortalClient(url)
    PortalClient(url, allow_plain_loopback=True).close()


@pytest.mark.parametrize(
    "url",
    [
        "ftp://portal.example/api/v1/",
        "https:///api/v1/",
        "https://u:p@portal.example/api/v1/",
        "https://portal.example/api/v1/?x=1",
        "https://portal.example:99999/api/v1/",
    ],
)
def test_malformed_urls_are_configuration_errors(url: str) -> None:
    with pytest.raises(ConfigError):
        PortalClient(url)


def test_url_is_normalised() -> None:
    with PortalClient("https://Portal.Example:443/api/v1") as client:
        assert client.portal_url == "https://portal.example/api/v1/"
        assert "logged_in=False" in repr(client)


def test_plain_http_to_loopback_works_with_the_flag(
    stub: StubPortal, sleeps: SleepRecorder
) -> None:
    client = logged_in(stub, sleeps)
    assert client.activations().company.id == COMPANY_ID


# -- TLS ---------------------------------------------------------------------------


def test_tls_with_the_extra_ca_works(tls_stub: StubPortal, ca_file: Path) -> None:
    client = PortalClient(tls_stub.url, extra_ca_file=ca_file)
    session = client.login(COMPANY_ID, PASSWORD)
    assert session.company.id == COMPANY_ID
    assert client.status(ACTIVATION_ID).status is PortalStatus.AWAITING_CUSTOMER_SIGNATURE


def test_tls_without_the_ca_is_refused_clearly(tls_stub: StubPortal, sleeps: SleepRecorder) -> None:
    client = PortalClient(tls_stub.url, sleep=sleeps)
    with pytest.raises(TlsError) as caught:
        client.login(COMPANY_ID, PASSWORD)
    error = caught.value
    assert "not trusted" in str(error)
    assert "127.0.0.1" in str(error)
    assert error.context["reason"] == "certificate_not_trusted"
    assert not error.retriable
    assert tls_stub.state.hits["createSession"] == 0
    # Not retried either, for a GET.
    with pytest.raises(TlsError):
        client.activations()
    assert sleeps.calls == []


def test_tls_ignores_requests_ca_bundle_variables(
    tls_stub: StubPortal, ca_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_file))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(ca_file))
    with pytest.raises(TlsError):
        PortalClient(tls_stub.url).login(COMPANY_ID, PASSWORD)


def test_a_given_session_cannot_switch_verification_off(
    tls_stub: StubPortal, ca_file: Path
) -> None:
    http = requests.Session()
    http.verify = False
    with pytest.raises(TlsError):
        PortalClient(tls_stub.url, session=http, retries=0).activations()
    client = PortalClient(tls_stub.url, session=http, extra_ca_file=ca_file)
    assert client.login(COMPANY_ID, PASSWORD).company.id == COMPANY_ID
    client.close()


def test_tls_host_name_must_match(tmp_path: Path) -> None:
    files = make_tls_files(tmp_path, hosts=("portal.example",))
    with StubPortal(tls=files.server_context()) as portal:
        client = PortalClient(portal.url, extra_ca_file=files.ca_cert)
        with pytest.raises(TlsError) as caught:
            client.login(COMPANY_ID, PASSWORD)
        assert "not trusted" in str(caught.value)


def test_tls_to_a_plain_server_is_a_handshake_error(stub: StubPortal) -> None:
    url = stub.url.replace("http://", "https://")
    with pytest.raises(TlsError) as caught:
        PortalClient(url, retries=0).activations()
    assert caught.value.context["reason"] == "handshake_failed"


def test_bad_extra_ca_file(tmp_path: Path) -> None:
    (tmp_path / "bad.pem").write_text("not a certificate")
    with pytest.raises(TlsError):
        PortalClient("https://portal.example/api/v1/", extra_ca_file=tmp_path / "bad.pem")
    with pytest.raises(TlsError):
        PortalClient("https://portal.example/api/v1/", extra_ca_file=tmp_path / "missing.pem")


def test_tls_context_is_truststore(tls_files: TlsFiles) -> None:
    import ssl

    import truststore

    context = client_module.tls_context(tls_files.ca_cert)
    assert isinstance(context, truststore.SSLContext)
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2


# -- login, secrets, auth ------------------------------------------------------------


def test_login_keeps_the_token_and_sends_it(stub: StubPortal, sleeps: SleepRecorder) -> None:
    client = PortalClient(stub.url, allow_plain_loopback=True, sleep=sleeps)
    session = client.login(COMPANY_ID, PASSWORD)
    assert session.company.id == COMPANY_ID
    assert session.expires_at.tzinfo is not None
    assert session.token not in repr(session)
    assert session.token not in repr(client)
    client.activations("all")
    method, path, headers = stub.state.requests[-1]
    assert (method, path) == ("GET", "/api/v1/activations?state=all")
    assert headers["Authorization"] == f"Bearer {session.token}"
    assert headers["User-Agent"].startswith("signer-app/")
    client.logout()
    assert client.session is None
    assert stub.state.tokens == set()
    client.logout()  # twice is fine


def test_secrets_are_never_logged(
    stub: StubPortal, sleeps: SleepRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = logged_in(stub, sleeps)
    assert client.session is not None
    token = client.session.token
    client.activations()
    stub.faults.add("getStatus", Fault.status(503, retry_after=1))
    client.status(ACTIVATION_ID)
    client.logout()
    assert PASSWORD not in caplog.text
    assert token not in caplog.text
    assert "POST sessions -> 201" in caplog.text
    assert "GET activations/act-1/status -> 503" in caplog.text
    # Both are registered for redaction by the log handlers.
    assert redact(f"{PASSWORD} {token}") == "*** ***"


def test_wrong_password_then_lock(stub: StubPortal, sleeps: SleepRecorder) -> None:
    client = PortalClient(stub.url, allow_plain_loopback=True, sleep=sleeps)
    for _ in range(3):
        with pytest.raises(InvalidCredentialsError) as caught:
            client.login(COMPANY_ID, "wrong-password")
        assert caught.value.status == 401
        assert "wrong-password" not in str(caught.value)
    with pytest.raises(AccountLockedError):
        client.login(COMPANY_ID, PASSWORD)
    assert stub.state.hits["createSession"] == 4
    assert client.session is None


@pytest.mark.parametrize(
    "fault",
    [
        Fault.status(503, retry_after=1),
        Fault.status(502),
        Fault.drop_after_processing(),
        Fault.drop_before_processing(),
    ],
    ids=["503", "502", "drop-after", "drop-before"],
)
def test_login_is_never_repeated(stub: StubPortal, sleeps: SleepRecorder, fault: Fault) -> None:
    stub.faults.add("createSession", fault)
    client = PortalClient(stub.url, allow_plain_loopback=True, sleep=sleeps, retries=5)
    with pytest.raises(PortalError) as caught:
        client.login(COMPANY_ID, PASSWORD)
    assert isinstance(caught.value, PortalUnavailableError | PortalConnectionError)
    assert caught.value.retriable
    assert stub.state.hits["createSession"] == 1
    assert sleeps.calls == []


def test_login_input_is_checked_locally(stub: StubPortal) -> None:
    client = PortalClient(stub.url, allow_plain_loopback=True)
    with pytest.raises(InvalidRequestError):
        client.login("12345", PASSWORD)
    with pytest.raises(InvalidRequestError):
        client.login(COMPANY_ID, "")
    assert stub.state.hits["createSession"] == 0


def test_unauthorized_drops_the_session(stub: StubPortal, sleeps: SleepRecorder) -> None:
    client = logged_in(stub, sleeps)
    stub.state.tokens.clear()
    with pytest.raises(SessionExpiredError) as caught:
        client.activations()
    assert caught.value.retriable
    assert client.session is None
    assert sleeps.calls == []


def test_netrc_is_not_used(
    stub: StubPortal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password netrc-secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    client = PortalClient(stub.url, allow_plain_loopback=True)
    client.login(COMPANY_ID, PASSWORD)
    assert "Authorization" not in stub.state.requests[0][2]


def test_proxies_are_bypassed_for_loopback(
    stub: StubPortal, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # discard port: nothing listens
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = PortalClient(stub.url, allow_plain_loopback=True, retries=0)
    assert client.login(COMPANY_ID, PASSWORD).company.id == COMPANY_ID


def test_environment_proxy_is_used_for_other_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = PortalClient("https://portal.example/api/v1/", retries=0)
    with pytest.raises(PortalConnectionError) as caught:
        client.activations()
    assert caught.value.context["reason"] == "proxy"
    assert caught.value.retriable


# -- retries ---------------------------------------------------------------------------


def test_503_with_retry_after_is_retried_after_that_delay(
    stub: StubPortal, sleeps: SleepRecorder
) -> None:
    client = logged_in(stub, sleeps)
    stub.faults.add("listActivations", Fault.status(503, retry_after=1))
    assert len(client.activations().items) == 1
    assert sleeps.calls == [1.0]
    assert stub.state.hits["listActivations"] == 2


def test_500_on_get_is_retried_with_backoff(stub: StubPortal, sleeps: SleepRecorder) -> None:
    client = logged_in(stub, sleeps)
    stub.faults.add("getStatus", Fault.status(500))
    assert client.status(ACTIVATION_ID).final is False
    assert len(sleeps.calls) == 1
    assert 0.25 <= sleeps.calls[0] <= 0.5


def test_backoff_grows_and_gives_up(stub: StubPortal, sleeps: SleepRecorder) -> None:
    client = logged_in(stub, sleeps, retries=3)
    for _ in range(4):
        stub.faults.add("getActivation", Fault.status(502))
    with pytest.raises(PortalUnavailableError) as caught:
        client.activation(ACTIVATION_ID)
    assert caught.value.status == 502
    assert caught.value.context["attempts"] == 4
    assert stub.state.hits["getActivation"] == 4
    low_high = [(0.25, 0.5), (0.5, 1.0), (1.0, 2.0)]
    assert len(sleeps.calls) == 3
    for wait, (low, high) in zip(sleeps.calls, low_high, strict=True):
        assert low <= wait <= high


def test_429_retry_after_too_long_is_not_waited_for(
    stub: StubPortal, sleeps: SleepRecorder
) -> None:
    client = logged_in(stub, sleeps)
    stub.faults.add("getStatus", Fault.status(429, retry_after=120))
    with pytest.raises(PortalUnavailableError) as caught:
        client.status(ACTIVATION_ID)
    assert caught.value.retry_after == 120.0
    assert caught.value.retriable
    assert sleeps.calls == []


def test_retry_after_as_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=7), usegmt=True)
    assert client_module._parse_retry_after(later, lambda: now) == 7.0
    assert client_module._parse_retry_after("3", lambda: now) == 3.0
    assert client_module._parse_retry_after("soon", lambda: now) is None
    assert client_module._parse_retry_after(None, lambda: now) is None


def test_4xx_is_not_retried(stub: StubPortal, sleeps: SleepRecorder) -> None:
    client = logged_in(stub, sleeps)
    with pytest.raises(PortalNotFoundError) as caught:
        client.activation("no-such-activation")
    assert caught.value.status == 404
    assert stub.state.hits["getActivation"] == 1
    assert sleeps.calls == []


def test_no_retries_when_disabled(stub: StubPortal, sleeps: SleepRecorder) -> None:
    client = logged_in(stub, sleeps, retries=0)
    stub.faults.add("getStatus", Fault.status(503, retry_after=1))
    with pytest.raises(PortalUnavailableError) as caught:
        client.status(ACTIVATION_ID)
    assert caught.value.retry_after == 1.0
    assert sleeps.calls == []


def test_slow_answer_times_out(stub: StubPortal, sleeps: SleepRecorder) -> None:
    client = logged_in(stub, sleeps, timeout=0.3, retries=0)
    stub.faults.add("getStatus", Fault.delay(1.5))
    with pytest.raises(PortalTimeoutError) as caught:
        client.status(ACTIVATION_ID)
    assert caught.value.retriable
    assert caught.value.context["phase"] == "read"


def test_slow_answer_is_retried(stub: StubPortal, sleeps: SleepRecorder) -> None:
    client = logged_in(stub, sleeps, timeout=0.3, retries=1)
    stub.faults.add("getStatus", Fault.delay(1.0))
    assert client.status(ACTIVATION_ID).label
    assert len(sleeps.calls) == 1


def test_dropped_get_is_retried(stub: StubPortal, sleeps: SleepRecorder) -> None:
    client = logged_in(stub, sleeps)
    stub.faults.add("listActivations", Fault.drop_before_processing())
    stub.faults.add("listActivations", Fault.drop_after_processing())
    assert client.activations().items[0].id == ACTIVATION_ID
    assert len(sleeps.calls) == 2


def test_lost_upload_answer_is_repeated_with_the_same_key(
    stub: StubPortal, sleeps: SleepRecorder
) -> None:
    client = logged_in(stub, sleeps)
    stub.faults.add("uploadSignedDocument", Fault.drop_after_processing())
    result = client.upload(ACTIVATION_ID, b"<signed/>", "key-0001-abcdef")
    assert result.already_accepted  # the first result, answered again
    assert result.reference == "REF-0001"
    assert stub.state.signed == {ACTIVATION_ID: b"<signed/>"}
    keys = [h["Idempotency-Key"] for m, _, h in stub.state.requests if m == "PUT"]
    assert keys == ["key-0001-abcdef", "key-0001-abcdef"]
    # The same upload again later: the same receipt, still one document.
    again = client.upload(ACTIVATION_ID, b"<signed/>", "key-0001-abcdef")
    assert again.reference == result.reference
    assert len(stub.state.signed) == 1


def test_server_stopped_mid_upload(stub: StubPortal) -> None:
    calls: list[float] = []

    def stop_then_wait(seconds: float) -> None:
        if not calls:
            stub.stop()
        calls.append(seconds)

    client = PortalClient(stub.url, allow_plain_loopback=True, sleep=stop_then_wait, retries=2)
    client.login(COMPANY_ID, PASSWORD)
    stub.faults.add("uploadSignedDocument", Fault.drop_before_processing())
    with pytest.raises(PortalConnectionError) as caught:
        client.upload(ACTIVATION_ID, b"<signed/>", "key-0002-abcdef")
    assert caught.value.retriable
    assert caught.value.context["attempts"] == 3
    assert len(calls) == 2
    assert stub.state.signed == {}


# -- errors by problem code ----------------------------------------------------------


def test_problem_table_covers_the_api_exactly() -> None:
    spec = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    codes = spec["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]
    assert set(PROBLEM_ERRORS) == set(codes)


@pytest.mark.parametrize(
    ("code", "status", "cls"),
    [
        ("invalid-request", 400, InvalidRequestError),
        ("unsupported-media-type", 415, UnsupportedMediaTypeError),
        ("not-found", 404, PortalNotFoundError),
        ("not-awaiting-signature", 409, NotAwaitingSignatureError),
        ("document-not-ready", 409, DocumentNotReadyError),
        ("payload-too-large", 413, DocumentTooLargeError),
        ("invalid-document", 422, DocumentRejectedError),
        ("wrong-document", 422, WrongDocumentError),
        ("wrong-signer", 422, WrongSignerError),
        ("already-signed", 409, AlreadySignedError),
        ("idempotency-conflict", 409, IdempotencyConflictError),
        ("unauthorized", 401, SessionExpiredError),
        ("internal-error", 500, PortalInternalError),
    ],
)
def test_problem_codes_map_to_errors(
    stub: StubPortal, sleeps: SleepRecorder, code: str, status: int, cls: type[PortalError]
) -> None:
    client = logged_in(stub, sleeps, retries=0)
    stub.faults.add(
        "uploadSignedDocument",
        Fault.raw(status, problem(code, status, detail=f"{code} detail"), headers=PROBLEM_HEADERS),
    )
    with pytest.raises(PortalError) as caught:
        client.upload(ACTIVATION_ID, b"<signed/>", "key-0003-abcdef")
    assert type(caught.value) is cls
    assert caught.value.status == status
    assert caught.value.context["code"] == code
    assert f"{code} detail" in str(caught.value)


def test_invalid_document_carries_findings(stub: StubPortal, sleeps: SleepRecorder) -> None:
    client = logged_in(stub, sleeps)
    findings = [{"code": "GIB-1", "message": "bad alias"}, {"code": "SIG", "message": "no"}]
    body = problem("invalid-document", 422, findings=findings, extra_member=True)
    stub.faults.add("uploadSignedDocument", Fault.raw(422, body, headers=PROBLEM_HEADERS))
    with pytest.raises(DocumentRejectedError) as caught:
        client.upload(ACTIVATION_ID, b"<signed/>", "key-0004-abcdef")
    assert caught.value.findings == (("GIB-1", "bad alias"), ("SIG", "no"))
    assert not caught.value.retriable


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (502, b"<html>bad gateway</html>", PortalUnavailableError),
        (400, b"<html>bad request</html>", PortalProtocolError),
        (418, problem("teapot", 418), PortalProtocolError),
        (503, problem("teapot", 503), PortalUnavailableError),
        (401, b"", SessionExpiredError),
    ],
)
def test_errors_without_a_known_problem(
    stub: StubPortal, sleeps: SleepRecorder, status: int, body: bytes, cls: type[PortalError]
) -> None:
    client = logged_in(stub, sleeps, retries=0)
    media = "text/html" if body.startswith(b"<") else "application/problem+json"
    stub.faults.add("getStatus", Fault.raw(status, body, headers=(("Content-Type", media),)))
    with pytest.raises(PortalError) as caught:
        client.status(ACTIVATION_ID)
    assert type(caught.value) is cls
    assert caught.value.status == status


# -- protocol ------------------------------------------------------------------------


def _status_json(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "status": "aktif",
        "label": "Aktif",
        "final": True,
        "gib": {"code": 1300, "text": "BASARIYLA TAMAMLANDI"},
        "updated_at": "2026-01-02T03:04:05.123456789+03:00",
    }
    value.update(changes)
    return value


def test_status_is_parsed_strictly(stub: StubPortal, sleeps: SleepRecorder) -> None:
    client = logged_in(stub, sleeps)
    stub.faults.add("getStatus", Fault.raw(200, json.dumps(_status_json()).encode()))
    status = client.status(ACTIVATION_ID)
    assert status.status is PortalStatus.ACTIVE
    assert status.final
    assert str(status.gib) == "(1300) BASARIYLA TAMAMLANDI"
    assert status.updated_at == datetime(2026, 1, 2, 0, 4, 5, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"not json", "application/json"),
        (json.dumps(_status_json()).encode(), "text/plain"),
        (json.dumps(_status_json(extra=1)).encode(), "application/json"),
        (json.dumps(_status_json(status="bilinmiyor")).encode(), "application/json"),
        (json.dumps(_status_json(final=False)).encode(), "application/json"),
        (json.dumps(_status_json(updated_at="2026-01-02T03:04:05")).encode(), "application/json"),
        (json.dumps(_status_json(gib={"code": "1300", "text": "x"})).encode(), "application/json"),
        (json.dumps(_status_json(gib={"code": True, "text": "x"})).encode(), "application/json"),
        (b'{"status": "aktif", "status": "hatali"}', "application/json"),
        (b"[]", "application/json"),
    ],
    ids=[
        "not-json",
        "content-type",
        "unknown-field",
        "bad-enum",
        "final-contradicts",
        "naive-time",
        "string-code",
        "bool-code",
        "duplicate-key",
        "array",
    ],
)
def test_schema_violations_are_protocol_errors(
    stub: StubPortal, sleeps: SleepRecorder, body: bytes, content_type: str
) -> None:
    client = logged_in(stub, sleeps)
    stub.faults.add("getStatus", Fault.raw(200, body, headers=(("Content-Type", content_type),)))
    with pytest.raises(PortalProtocolError) as caught:
        client.status(ACTIVATION_ID)
    assert not caught.value.retriable
    assert sleeps.calls == []


def test_redirects_are_not_followed(stub: StubPortal, sleeps: SleepRecorder) -> None:
    client = logged_in(stub, sleeps)
    headers = (("Location", "http://evil.example/"), ("Content-Type", "text/plain"))
    stub.faults.add("getStatus", Fault.raw(302, b"", headers=headers))
    with pytest.raises(PortalProtocolError, match="302"):
        client.status(ACTIVATION_ID)


def test_oversized_answer_is_refused(stub: StubPortal, sleeps: SleepRecorder) -> None:
    client = logged_in(stub, sleeps)
    big = b'{"x": "' + b"a" * (client_module.MAX_JSON_BYTES + 10) + b'"}'
    stub.faults.add("getStatus", Fault.raw(200, big))
    with pytest.raises(PortalProtocolError) as caught:
        client.status(ACTIVATION_ID)
    assert caught.value.context["reason"] == "too_large"


def test_ids_and_keys_are_checked_before_sending(stub: StubPortal, sleeps: SleepRecorder) -> None:
    client = logged_in(stub, sleeps)
    before = len(stub.state.requests)
    for bad in ("../sessions", "a/b", "", "x" * 65, "ä"):
        with pytest.raises(InvalidRequestError):
            client.status(bad)
    with pytest.raises(InvalidRequestError):
        client.upload(ACTIVATION_ID, b"<x/>", "short")
    with pytest.raises(InvalidRequestError):
        client.upload(ACTIVATION_ID, b"<x/>", "key with spaces")
    with pytest.raises(InvalidRequestError):
        client.upload(ACTIVATION_ID, b"", "key-0005-abcdef")
    with pytest.raises(InvalidRequestError):
        client.activations("some")
    assert len(stub.state.requests) == before


# -- the document --------------------------------------------------------------------


def test_document_is_checked_against_its_etag(stub: StubPortal, sleeps: SleepRecorder) -> None:
    client = logged_in(stub, sleeps)
    assert client.document(ACTIVATION_ID) == DOCUMENT
    digest = hashlib.sha256(DOCUMENT).hexdigest()
    assert client.document(ACTIVATION_ID, expected_sha256=digest.upper()) == DOCUMENT
    with pytest.raises(PortalProtocolError) as caught:
        client.document(ACTIVATION_ID, expected_sha256="0" * 64)
    assert caught.value.context["reason"] == "digest_mismatch"


def test_document_with_a_wrong_etag_is_refused(stub: StubPortal, sleeps: SleepRecorder) -> None:
    client = logged_in(stub, sleeps)
    headers = (("Content-Type", "application/xml"), ("ETag", f'"{"1" * 64}"'))
    stub.faults.add("getDocument", Fault.raw(200, DOCUMENT, headers=headers))
    with pytest.raises(PortalProtocolError) as caught:
        client.document(ACTIVATION_ID)
    assert caught.value.context["reason"] == "digest_mismatch"


def test_document_without_etag_uses_the_activation_digest(
    stub: StubPortal, sleeps: SleepRecorder
) -> None:
    client = logged_in(stub, sleeps)
    xml = (("Content-Type", "application/xml"),)
    stub.faults.add("getDocument", Fault.raw(200, DOCUMENT, headers=xml))
    assert client.document(ACTIVATION_ID) == DOCUMENT
    assert stub.state.hits["getActivation"] == 1
    stub.faults.add("getDocument", Fault.raw(200, DOCUMENT + b" ", headers=xml))
    with pytest.raises(PortalProtocolError):
        client.document(ACTIVATION_ID)


def test_document_must_be_xml(stub: StubPortal, sleeps: SleepRecorder) -> None:
    client = logged_in(stub, sleeps)
    stub.faults.add("getDocument", Fault.raw(200, b"{}"))
    with pytest.raises(PortalProtocolError, match="XML"):
        client.document(ACTIVATION_ID)


# -- through a proxy -------------------------------------------------------------------


def test_tls_through_an_environment_proxy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = make_tls_files(tmp_path, hosts=("portal.test",))
    with StubPortal(tls=files.server_context()) as portal:
        port = int(portal.url.rsplit(":", 1)[1].split("/", 1)[0])
        proxy = ConnectProxy(port)
        try:
            monkeypatch.setenv("HTTPS_PROXY", proxy.url)
            monkeypatch.delenv("NO_PROXY", raising=False)
            monkeypatch.delenv("no_proxy", raising=False)
            url = "https://portal.test/api/v1/"
            client = PortalClient(url, extra_ca_file=files.ca_cert)
            assert client.login(COMPANY_ID, PASSWORD).company.id == COMPANY_ID
            assert client.status(ACTIVATION_ID).label
            assert proxy.connects[0] == "portal.test:443"
            # The tunnel does not weaken verification.
            with pytest.raises(TlsError):
                PortalClient(url, retries=0).activations()
        finally:
            proxy.stop()
