"""A small, fully controllable portal for the client's fault and protocol tests.

It serves the API of ``openapi.yaml`` from memory with :mod:`http.server`
(HTTP or TLS on 127.0.0.1) and lets a test script what goes wrong, with the
same vocabulary as the reference portal's ``FaultPlan``::

    stub.faults.add("getStatus", Fault.status(503, retry_after=1))
    stub.faults.add("uploadSignedDocument", Fault.drop_after_processing())

Each added fault is used once, in order, by the next request of that
operation. ``Fault.raw`` answers arbitrary bytes, for protocol tests. The
stub checks nothing about uploaded documents beyond being non-empty XML
bytes: document checks belong to the reference portal.
"""

from __future__ import annotations

import hashlib
import json
import re
import ssl
import threading
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

COMPANY_ID = "1234567808"
COMPANY_TITLE = "Örnek Ticaret A.Ş."
PASSWORD = "demo-parola-1234"
LOCK_AFTER = 3
DOCUMENT = b'<?xml version="1.0" encoding="UTF-8"?><ProcessUserAccount>stub</ProcessUserAccount>'


@dataclass(frozen=True)
class Fault:
    """One scripted misbehaviour."""

    kind: str
    status_code: int = 0
    retry_after: float | None = None
    seconds: float = 0.0
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def status(cls, code: int, *, retry_after: float | None = None) -> Fault:
        """Answer ``code`` with a problem document instead of processing."""
        return cls("status", status_code=code, retry_after=retry_after)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Wait before processing."""
        return cls("delay", seconds=seconds)

    @classmethod
    def drop_after_processing(cls) -> Fault:
        """Process the request, then close the connection without an answer."""
        return cls("drop_after")

    @classmethod
    def drop_before_processing(cls) -> Fault:
        """Close the connection without processing or answering."""
        return cls("drop_before")

    @classmethod
    def raw(cls, code: int, body: bytes, *, headers: tuple[tuple[str, str], ...] = ()) -> Fault:
        """Answer exactly these bytes."""
        return cls("raw", status_code=code, body=body, headers=headers)


class FaultPlan:
    """Faults per operation id, each used once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)

    def add(self, operation_id: str, fault: Fault) -> None:
        """Make the next request of ``operation_id`` misbehave."""
        with self._lock:
            self._faults[operation_id].append(fault)

    def take(self, operation_id: str) -> Fault | None:
        """Return (and use up) the next fault of ``operation_id``."""
        with self._lock:
            queue = self._faults.get(operation_id)
            return queue.popleft() if queue else None


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class StubState:
    """What the stub portal holds."""

    wrong_logins: int = 0
    tokens: set[str] = field(default_factory=set)
    #: activation id -> signed document bytes (accepted uploads).
    signed: dict[str, bytes] = field(default_factory=dict)
    #: idempotency key -> (activation id, body sha, upload result JSON).
    uploads: dict[str, tuple[str, str, dict[str, Any]]] = field(default_factory=dict)
    #: operation id -> number of requests seen.
    hits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    #: (method, path, headers) of every request.
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)


def _activation(activation_id: str, state: StubState) -> dict[str, Any]:
    signed = activation_id in state.signed
    status = "gibden_onay_bekliyor" if signed else "musteri_imzasi_bekliyor"
    label = "GİB'den Onay Bekliyor" if signed else "Müşteri İmzası Bekliyor"
    return {
        "id": activation_id,
        "service": {"id": "efatura", "name": "e-Fatura"},
        "operation": "open",
        "opening": {"mode": "immediate", "at": None},
        "status": {
            "status": status,
            "label": label,
            "final": False,
            "gib": None,
            "updated_at": _now(),
        },
        "document_sha256": hashlib.sha256(DOCUMENT).hexdigest(),
    }


_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(r"/api/v1/sessions"), "createSession"),
    ("DELETE", re.compile(r"/api/v1/sessions/current"), "deleteSession"),
    ("GET", re.compile(r"/api/v1/activations"), "listActivations"),
    ("GET", re.compile(r"/api/v1/activations/(?P<id>[A-Za-z0-9-]+)"), "getActivation"),
    ("GET", re.compile(r"/api/v1/activations/(?P<id>[A-Za-z0-9-]+)/document"), "getDocument"),
    (
        "PUT",
        re.compile(r"/api/v1/activations/(?P<id>[A-Za-z0-9-]+)/signed-document"),
        "uploadSignedDocument",
    ),
    ("GET", re.compile(r"/api/v1/activations/(?P<id>[A-Za-z0-9-]+)/status"), "getStatus"),
]

ACTIVATION_ID = "act-1"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    problem_type: ClassVar[str] = "about:blank"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # -- plumbing -----------------------------------------------------------------

    def _send(
        self,
        code: int,
        body: bytes,
        content_type: str,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, code: int, value: object, headers: tuple[tuple[str, str], ...] = ()) -> None:
        self._send(code, json.dumps(value).encode(), "application/json", headers)

    def _problem(self, code: int, problem: str, headers: tuple[tuple[str, str], ...] = ()) -> None:
        body = {"type": self.problem_type, "title": problem, "status": code, "code": problem}
        self._send(code, json.dumps(body).encode(), "application/problem+json", headers)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _drop(self) -> None:
        self.close_connection = True

    # -- dispatch -------------------------------------------------------------------

    def _dispatch(self) -> None:
        state = self.server.state
        path, _, _query = self.path.partition("?")
        state.requests.append((self.command, self.path, dict(self.headers.items())))
        found = [
            (operation, match)
            for method, pattern, operation in _ROUTES
            if method == self.command and (match := pattern.fullmatch(path))
        ]
        if not found:
            self._body()
            self._problem(404, "not-found")
            return
        operation, match = found[0]
        state.hits[operation] += 1
        fault = self.server.faults.take(operation)
        if fault is not None:
            if fault.kind == "drop_before":
                self._drop()
                return
            if fault.kind == "delay":
                time.sleep(fault.seconds)
            elif fault.kind == "status":
                self._body()
                extra = (
                    (("Retry-After", str(int(fault.retry_after))),)
                    if fault.retry_after is not None
                    else ()
                )
                code = "unavailable" if fault.status_code != 500 else "internal-error"
                self._problem(fault.status_code, code, extra)
                return
            elif fault.kind == "raw":
                self._body()
                headers = fault.headers or (("Content-Type", "application/json"),)
                self.send_response(fault.status_code)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(fault.body)))
                self.end_headers()
                self.wfile.write(fault.body)
                return
        drop_after = fault is not None and fault.kind == "drop_after"
        handler = getattr(self, f"_op_{operation}")
        handler(match, drop_after)

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    # -- operations ---------------------------------------------------------------------

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        if header.startswith("Bearer ") and header[7:] in self.server.state.tokens:
            return True
        self._problem(401, "unauthorized")
        return False

    def _op_createSession(self, match: re.Match[str], drop: bool) -> None:  # noqa: N802
        state = self.server.state
        body = json.loads(self._body() or b"{}")
        if state.wrong_logins >= LOCK_AFTER:
            self._problem(423, "account-locked")
            return
        if body.get("user") != COMPANY_ID or body.get("password") != PASSWORD:
            state.wrong_logins += 1
            self._problem(401, "invalid-credentials")
            return
        token = uuid.uuid4().hex
        state.tokens.add(token)
        if drop:
            self._drop()
            return
        self._json(
            201,
            {
                "token": token,
                "expires_at": "2099-01-01T00:00:00Z",
                "company": {"id": COMPANY_ID, "title": COMPANY_TITLE},
            },
        )

    def _op_deleteSession(self, match: re.Match[str], drop: bool) -> None:  # noqa: N802
        if not self._authorized():
            return
        self.server.state.tokens.discard(self.headers["Authorization"][7:])
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _op_listActivations(self, match: re.Match[str], drop: bool) -> None:  # noqa: N802
        if not self._authorized():
            return
        items = [_activation(ACTIVATION_ID, self.server.state)]
        if drop:
            self._drop()
            return
        self._json(200, {"company": {"id": COMPANY_ID, "title": COMPANY_TITLE}, "items": items})

    def _op_getActivation(self, match: re.Match[str], drop: bool) -> None:  # noqa: N802
        if not self._authorized():
            return
        if match["id"] != ACTIVATION_ID:
            self._problem(404, "not-found")
            return
        self._json(200, _activation(ACTIVATION_ID, self.server.state))

    def _op_getDocument(self, match: re.Match[str], drop: bool) -> None:  # noqa: N802
        if not self._authorized():
            return
        etag = f'"{hashlib.sha256(DOCUMENT).hexdigest()}"'
        self._send(200, DOCUMENT, "application/xml", (("ETag", etag),))

    def _op_uploadSignedDocument(self, match: re.Match[str], drop: bool) -> None:  # noqa: N802
        state = self.server.state
        body = self._body()
        if not self._authorized():
            return
        key = self.headers.get("Idempotency-Key", "")
        digest = hashlib.sha256(body).hexdigest()
        activation_id = match["id"]
        with self.server.lock:
            if key in state.uploads:
                first_id, first_digest, result = state.uploads[key]
                if first_id != activation_id or first_digest != digest:
                    self._problem(409, "idempotency-conflict")
                    return
                code = 200
            elif activation_id in state.signed:
                self._problem(409, "already-signed")
                return
            else:
                state.signed[activation_id] = body
                result = {
                    "reference": f"REF-{len(state.signed):04d}",
                    "received_at": _now(),
                    "activation": _activation(activation_id, state),
                }
                state.uploads[key] = (activation_id, digest, result)
                code = 202
        if drop:
            self._drop()
            return
        self._json(code, result)

    def _op_getStatus(self, match: re.Match[str], drop: bool) -> None:  # noqa: N802
        if not self._authorized():
            return
        self._json(200, _activation(match["id"], self.server.state)["status"])


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, tls: ssl.SSLContext | None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = StubState()
        self.faults = FaultPlan()
        self.lock = threading.Lock()
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)


class StubPortal:
    """A running stub portal; use as a context manager or call :meth:`stop`."""

    def __init__(self, *, tls: ssl.SSLContext | None = None) -> None:
        self._server = _Server(tls)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}/api/v1/"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def faults(self) -> FaultPlan:
        """The fault plan."""
        return self._server.faults

    @property
    def state(self) -> StubState:
        """What the portal holds and has seen."""
        return self._server.state

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> StubPortal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
