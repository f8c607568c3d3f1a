"""The portal's HTTP application: the API of ``openapi.yaml`` under ``/api/v1`` and admin pages.

The API is implemented by hand against the description (FastAPI's own
schema generation and docs are off; ``GET /api/v1/openapi.yaml`` serves the
description's exact bytes). Requests are parsed and validated here, so every
error — also for malformed input — is ``application/problem+json`` with one
of the description's codes and statuses.

The ``/portal/...`` pages stand in for the integrator's web portal (for the
demo and the tests) and need the admin token given to :func:`create_app`
in an ``X-Admin-Token`` header:

* ``POST /portal/companies/{id}/activations`` — "Aktivasyonu Başlat";
* ``GET /portal/contracts/{contract_id}.aktivasyon`` — the contract file;
* ``GET /portal/companies/{id}/services`` — the "Hizmetlerim" page;
* ``GET /portal/companies/{id}/notifications`` — the e-mails it would send.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
import threading
from collections.abc import Callable
from typing import Any, Final

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from reference_portal import accounts
from reference_portal import store as db_rows
from reference_portal.api_spec import API_PREFIX, openapi_bytes
from reference_portal.clock import Clock, parse_api_time, system_clock, to_api
from reference_portal.contracts import CONTRACT_MEDIA_TYPE, CONTRACT_SUFFIX
from reference_portal.documents import service_by_id
from reference_portal.faults import FaultPlan, apply_faults
from reference_portal.lifecycle import ActivationError, ActivationRequest, Lifecycle
from reference_portal.model import OPERATIONS, Opening, PortalStatus
from reference_portal.problems import Problem, problem_response
from reference_portal.store import CompanyRow, Store
from reference_portal.uploads import MAX_UPLOAD_BYTES, receive_upload
from reference_portal.views import activation_json, company_json, opening_json, status_json

__all__ = ["PortalApp", "create_app"]

_log = logging.getLogger("reference_portal")

_ACTIVATION_ID: Final = re.compile(r"[A-Za-z0-9-]{1,64}")
_IDEMPOTENCY_KEY: Final = re.compile(r"[A-Za-z0-9._:-]{8,128}")
_USER: Final = re.compile(r"[0-9]{10,11}")
_XML_TYPES: Final = frozenset({"application/xml", "text/xml"})
_MAX_JSON_BYTES: Final = 64 * 1024
# Beyond this an oversized upload is not even read to its end.
_MAX_DRAIN_BYTES: Final = 32 * 1024 * 1024
_BEARER: Final = {"WWW-Authenticate": 'Bearer realm="hizmet-aktivasyon"'}
_ADMIN_HEADER: Final = "x-admin-token"
_ACTIVATION_ERROR_STATUS: Final = {"unknown-company": 404, "service-not-available": 409}


class PortalApp(FastAPI):
    """The FastAPI application, with the fault plan applied before anything else."""

    faults: FaultPlan | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one connection event; API requests may meet an injected fault first."""
        plan = self.faults
        if plan is not None and scope["type"] == "http":
            await apply_faults(plan, scope, receive, send, super().__call__)
            return
        await super().__call__(scope, receive, send)


class _Portal:
    """The request handlers and what they share."""

    def __init__(
        self, store: Store, clock: Clock, lifecycle: Lifecycle | None, admin_token: str
    ) -> None:
        self.store = store
        self.clock = clock
        self.admin_token = admin_token
        self._lifecycle = lifecycle
        self._lifecycle_lock = threading.Lock()

    @property
    def lifecycle(self) -> Lifecycle:
        """The lifecycle, built from the store's settings on first use."""
        with self._lifecycle_lock:
            if self._lifecycle is None:
                self._lifecycle = Lifecycle.from_store(self.store)
            return self._lifecycle

    # --- helpers -----------------------------------------------------------------------------

    async def _company(self, request: Request) -> CompanyRow:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Problem(
                401, "unauthorized", "a Bearer session token is required", headers=_BEARER
            )
        company = await run_in_threadpool(
            accounts.authenticate, self.store, token, now=self.clock()
        )
        if company is None:
            raise Problem(401, "unauthorized", "the session has ended or expired", headers=_BEARER)
        return company

    def _admin(self, request: Request) -> None:
        given = request.headers.get(_ADMIN_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.admin_token.encode()):
            raise Problem(401, "unauthorized", "the admin token is missing or wrong")

    @staticmethod
    def _activation_id(request: Request) -> str:
        value = str(request.path_params["activation_id"])
        if not _ACTIVATION_ID.fullmatch(value):
            raise Problem(422, "invalid-request", "activationId is not a valid id")
        return value

    @staticmethod
    async def _read_body(request: Request, limit: int) -> tuple[bytes, bool]:
        """The body up to ``limit`` bytes and whether it was longer (read to its end anyway)."""
        kept = bytearray()
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size <= limit:
                kept += chunk
            elif size > _MAX_DRAIN_BYTES:
                break
        return bytes(kept), size > limit

    async def _own_activation(self, request: Request) -> db_rows.ActivationRow:
        company = await self._company(request)
        activation_id = self._activation_id(request)

        def load() -> db_rows.ActivationRow | None:
            with self.store.transaction() as db:
                return db_rows.activation(db, activation_id)

        row = await run_in_threadpool(load)
        if row is None or row.company_id != company.id:
            raise Problem(404, "not-found", "no such activation")
        return row

    # --- the API ------------------------------------------------------------------------------

    async def openapi(self, request: Request) -> Response:
        """``GET /api/v1/openapi.yaml``: the API description, byte for byte."""
        del request
        return Response(openapi_bytes(), media_type="application/yaml")

    async def create_session(self, request: Request) -> Response:
        """``POST /sessions`` (createSession)."""
        body, too_large = await self._read_body(request, _MAX_JSON_BYTES)
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if too_large:
            raise Problem(400, "invalid-request", "the request body is too large")
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise Problem(400, "invalid-request", "send the credentials as application/json")
        try:
            credentials = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise Problem(400, "invalid-request", "the body is not JSON") from None
        user, password = _credentials(credentials)
        try:
            session = await run_in_threadpool(
                accounts.log_in, self.store, user, password, now=self.clock()
            )
        except accounts.InvalidCredentialsError:
            _log.info("login refused for %s", user)
            raise Problem(401, "invalid-credentials", "wrong VKN/TCKN or password") from None
        except accounts.AccountLockedError as locked:
            _log.info("login refused for %s: locked", user)
            seconds = max(1, int((locked.until - self.clock()).total_seconds()))
            raise Problem(
                423,
                "account-locked",
                f"locked until {to_api(locked.until)} after too many wrong passwords",
                headers={"Retry-After": str(seconds)},
            ) from None
        _log.info("session opened for %s", user)
        content = {
            "token": session.token,
            "expires_at": to_api(session.expires_at),
            "company": company_json(session.company),
        }
        return JSONResponse(content, status_code=201, headers={"Cache-Control": "no-store"})

    async def delete_session(self, request: Request) -> Response:
        """``DELETE /sessions/current`` (deleteSession)."""
        await self._company(request)
        token = request.headers["authorization"].partition(" ")[2].strip()
        await run_in_threadpool(accounts.log_out, self.store, token)
        return Response(status_code=204)

    async def list_activations(self, request: Request) -> Response:
        """``GET /activations`` (listActivations)."""
        company = await self._company(request)
        states = request.query_params.getlist("state")
        if len(states) > 1:
            raise Problem(400, "invalid-request", "give state at most once")
        state = states[0] if states else "pending"
        if state not in ("pending", "all"):
            raise Problem(422, "invalid-request", "state must be pending or all")
        wanted = None if state == "all" else (PortalStatus.AWAITING_CUSTOMER_SIGNATURE,)

        def load() -> list[db_rows.ActivationRow]:
            with self.store.transaction() as db:
                return db_rows.activations(db, company_id=company.id, statuses=wanted)

        rows = await run_in_threadpool(load)
        return JSONResponse(
            {"company": company_json(company), "items": [activation_json(row) for row in rows]}
        )

    async def get_activation(self, request: Request) -> Response:
        """``GET /activations/{activationId}`` (getActivation)."""
        return JSONResponse(activation_json(await self._own_activation(request)))

    async def get_document(self, request: Request) -> Response:
        """``GET /activations/{activationId}/document`` (getDocument)."""
        row = await self._own_activation(request)
        return Response(
            row.document,
            media_type="application/xml",
            headers={"ETag": f'"{row.document_sha256}"'},
        )

    async def get_status(self, request: Request) -> Response:
        """``GET /activations/{activationId}/status`` (getStatus)."""
        return JSONResponse(status_json(await self._own_activation(request)))

    async def upload_signed_document(self, request: Request) -> Response:
        """``PUT /activations/{activationId}/signed-document`` (uploadSignedDocument)."""
        # Read first: answering before the body is read breaks the client's send.
        body, too_large = await self._read_body(request, MAX_UPLOAD_BYTES)
        company = await self._company(request)
        activation_id = self._activation_id(request)
        key = request.headers.get("idempotency-key")
        if key is None:
            raise Problem(400, "invalid-request", "the Idempotency-Key header is required")
        if not _IDEMPOTENCY_KEY.fullmatch(key):
            raise Problem(400, "invalid-request", "the Idempotency-Key is not valid")
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in _XML_TYPES:
            raise Problem(415, "unsupported-media-type", "upload the document as application/xml")
        if too_large:
            raise Problem(
                413, "payload-too-large", f"a signed document is at most {MAX_UPLOAD_BYTES} bytes"
            )
        now = self.clock()
        outcome = await run_in_threadpool(
            receive_upload, self.lifecycle, company.id, activation_id, key, body, now=now
        )
        if outcome.status == 202:
            _log.info("signed document accepted for activation %s", activation_id)
        return JSONResponse(outcome.body, status_code=outcome.status)

    # --- the integrator's pages ----------------------------------------------------------------

    async def start_activations(self, request: Request) -> Response:
        """``POST /portal/companies/{company_id}/activations``: "Aktivasyonu Başlat"."""
        self._admin(request)
        company_id = str(request.path_params["company_id"])
        body, too_large = await self._read_body(request, _MAX_JSON_BYTES)
        if too_large:
            raise Problem(400, "invalid-request", "the request body is too large")
        try:
            wanted = _activation_requests(json.loads(body))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise Problem(400, "invalid-request", "the body is not JSON") from None
        lifecycle = self.lifecycle
        try:
            started = await run_in_threadpool(
                lifecycle.start_activation, company_id, wanted, now=self.clock()
            )
        except ActivationError as refused:
            status = _ACTIVATION_ERROR_STATUS.get(refused.code, 422)
            raise Problem(status, refused.code, refused.message) from None
        base = lifecycle.portal_url.removesuffix(API_PREFIX + "/")
        contract_id = started.contract.id
        return JSONResponse(
            {
                "contract_id": contract_id,
                "contract_url": f"{base}/portal/contracts/{contract_id}{CONTRACT_SUFFIX}",
                "activations": [activation_json(row) for row in started.activations],
            },
            status_code=201,
        )

    async def get_contract(self, request: Request) -> Response:
        """``GET /portal/contracts/{contract_id}.aktivasyon``: the contract file."""
        self._admin(request)
        name = str(request.path_params["file_name"])
        contract_id = name.removesuffix(CONTRACT_SUFFIX)

        def load() -> db_rows.ContractRow | None:
            with self.store.transaction() as db:
                return db_rows.contract(db, contract_id)

        found = await run_in_threadpool(load) if name.endswith(CONTRACT_SUFFIX) else None
        if found is None:
            raise Problem(404, "not-found", "no such contract")
        return Response(
            found.body,
            media_type=CONTRACT_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{found.id}{CONTRACT_SUFFIX}"'},
        )

    async def company_services(self, request: Request) -> Response:
        """``GET /portal/companies/{company_id}/services``: the "Hizmetlerim" page."""
        self._admin(request)
        company_id = str(request.path_params["company_id"])

        def load() -> list[dict[str, Any]]:
            with self.store.transaction() as db:
                if db_rows.company(db, company_id) is None:
                    raise Problem(404, "not-found", "no such company")
                rows = db_rows.services(db, company_id)
                latest = {
                    row.service_id: db_rows.activation(db, row.activation_id)
                    for row in rows
                    if row.activation_id is not None
                }
            return [_service_json(row, latest.get(row.service_id)) for row in rows]

        return JSONResponse({"company": company_id, "items": await run_in_threadpool(load)})

    async def company_notifications(self, request: Request) -> Response:
        """``GET /portal/companies/{company_id}/notifications``: the e-mails it would send."""
        self._admin(request)
        company_id = str(request.path_params["company_id"])

        def load() -> list[db_rows.NotificationRow]:
            with self.store.transaction() as db:
                return db_rows.notifications(db, company_id)

        rows = await run_in_threadpool(load)
        items = [
            {"sent_at": to_api(row.sent_at), "subject": row.subject, "body": row.body}
            for row in rows
        ]
        return JSONResponse({"company": company_id, "items": items})


def _service_json(row: db_rows.ServiceRow, latest: db_rows.ActivationRow | None) -> dict[str, Any]:
    return {
        "service": row.service_id,
        "name": service_by_id(row.service_id).name_tr,
        "status": row.status.value,
        "label": row.status.label,
        "opening": None if row.opening is None else opening_json(row.opening),
        "activation_date": None if row.activation_date is None else to_api(row.activation_date),
        "activation_id": row.activation_id,
        "gib": None
        if latest is None or latest.gib_code is None
        else {"code": latest.gib_code, "text": latest.gib_text},
    }


def _credentials(value: object) -> tuple[str, str]:
    if not isinstance(value, dict):
        raise Problem(422, "invalid-request", "the credentials must be a JSON object")
    unknown = set(value) - {"user", "password"}
    if unknown:
        raise Problem(422, "invalid-request", "unknown fields in the credentials")
    user, password = value.get("user"), value.get("password")
    if not isinstance(user, str) or not _USER.fullmatch(user):
        raise Problem(422, "invalid-request", "user must be a 10-digit VKN or 11-digit TCKN")
    if not isinstance(password, str) or not 1 <= len(password) <= 256:
        raise Problem(422, "invalid-request", "password must be 1 to 256 characters")
    return user, password


def _activation_requests(value: object) -> list[ActivationRequest]:
    services = value.get("services") if isinstance(value, dict) else None
    if not isinstance(services, list):
        raise Problem(422, "invalid-request", 'give {"services": [...]}')
    wanted = []
    for entry in services:
        if not isinstance(entry, dict) or not isinstance(entry.get("service"), str):
            raise Problem(422, "invalid-request", "each service needs a service id")
        operation = entry.get("operation", "open")
        if operation not in OPERATIONS:
            raise Problem(422, "invalid-request", "operation must be open or close")
        opening = entry.get("opening") or {"mode": "immediate"}
        if not isinstance(opening, dict):
            raise Problem(422, "invalid-opening", "opening must be an object")
        at, mode = opening.get("at"), opening.get("mode")
        try:
            moment = None if at is None else parse_api_time(str(at))
            if mode == "immediate":
                parsed = Opening("immediate", moment)
            elif mode == "scheduled":
                parsed = Opening("scheduled", moment)
            else:
                raise ValueError("opening mode must be immediate or scheduled")
        except ValueError as exc:
            raise Problem(422, "invalid-opening", str(exc)) from None
        wanted.append(ActivationRequest(entry["service"], operation, parsed))
    return wanted


async def _problem(request: Request, exc: Exception) -> Response:
    del request
    assert isinstance(exc, Problem)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    del request
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return problem_response(404, "not-found", "no such resource")
    if exc.status_code == 405:
        return problem_response(405, "invalid-request", "method not allowed")
    return problem_response(exc.status_code, "invalid-request", None)


async def _server_error(request: Request, exc: Exception) -> Response:
    del request
    _log.error("request failed: %s", type(exc).__name__)
    return problem_response(500, "internal-error", "the portal failed")


def create_app(
    store: Store,
    *,
    clock: Clock = system_clock,
    faults: FaultPlan | None = None,
    lifecycle: Lifecycle | None = None,
    admin_token: str | None = None,
) -> PortalApp:
    """Build the portal application.

    :param store: the database.
    :param clock: the time source (a :class:`~reference_portal.clock.FakeClock` in tests).
    :param faults: a fault plan for tests; ``None`` injects nothing.
    :param lifecycle: the lifecycle to use; by default built from the store's
        settings on first use (see :meth:`Lifecycle.from_store`).
    :param admin_token: the token of the ``/portal`` pages; a random one when
        ``None`` (see ``app.state.admin_token``).
    :returns: a :class:`PortalApp`.
    """
    token = admin_token if admin_token is not None else secrets.token_urlsafe(24)
    portal = _Portal(store, clock, lifecycle, token)
    app = PortalApp(
        title="Hizmet Aktivasyon reference portal",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
        telemetry={
            "tracing": False,
            "metrics": False,
            "logs": False,
            "operation_spans": False,
            "auto_configure": False,
        },
    )
    app.faults = faults
    app.state.admin_token = token
    app.state.portal = portal
    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _server_error)
    api = API_PREFIX
    routes: list[tuple[str, str, Callable[[Request], Any]]] = [
        ("GET", f"{api}/openapi.yaml", portal.openapi),
        ("POST", f"{api}/sessions", portal.create_session),
        ("DELETE", f"{api}/sessions/current", portal.delete_session),
        ("GET", f"{api}/activations", portal.list_activations),
        ("GET", f"{api}/activations/{{activation_id}}", portal.get_activation),
        ("GET", f"{api}/activations/{{activation_id}}/document", portal.get_document),
        (
            "PUT",
            f"{api}/activations/{{activation_id}}/signed-document",
            portal.upload_signed_document,
        ),
        ("GET", f"{api}/activations/{{activation_id}}/status", portal.get_status),
        ("POST", "/portal/companies/{company_id}/activations", portal.start_activations),
        ("GET", "/portal/companies/{company_id}/services", portal.company_services),
        ("GET", "/portal/companies/{company_id}/notifications", portal.company_notifications),
        ("GET", "/portal/contracts/{file_name}", portal.get_contract),
    ]
    for method, path, endpoint in routes:
        app.add_api_route(path, endpoint, methods=[method], include_in_schema=False)
    return app
