"""The HTTP client of the integrator portal API (``openapi.yaml`` beside this module).

:class:`PortalClient` speaks JSON over HTTPS to one portal and returns the
typed results of :mod:`signer_app.portal_api.models`. Everything that can go
wrong is raised as a :class:`~signer_app.portal_api.errors.PortalError`.

Transport security
    TLS is always verified, against the operating system's trust store via
    :mod:`truststore`: on Windows the CryptoAPI certificate chain engine, on
    macOS the Security framework, and on Linux OpenSSL with the
    distribution's CA bundle (``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` or the
    compiled-in OpenSSL paths, else the usual bundle locations such as
    ``/etc/ssl/certs/ca-certificates.crt``). certifi's bundle and the
    ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` variables are *not* used: a
    company that runs its own CA installs it in the system store. For tests
    and the demo, ``extra_ca_file`` adds one more trusted CA on top of the
    system store (truststore honours ``load_verify_locations`` on every
    platform). TLS 1.2 is the minimum. Plain ``http://`` is refused
    (:class:`InsecureTransportError`) unless ``allow_plain_loopback`` is set
    and the host is this computer (127.0.0.0/8, ``::1``, ``localhost``).
    Redirects are never followed.

Proxies
    ``requests`` takes proxies from the environment (``HTTPS_PROXY``,
    ``NO_PROXY`` …) and, through :func:`urllib.request.getproxies`, from the
    Windows Internet Settings (registry) and the macOS network settings.
    Not covered: proxy auto-configuration (PAC/WPAD) scripts, proxies that
    require NTLM or Kerberos (Negotiate) authentication (only Basic, as
    ``user:pass@`` in the proxy URL), and Linux desktop (GNOME/KDE) proxy
    settings that are not exported to the environment. Loopback portals are
    always reached directly. ``~/.netrc`` is never consulted.

Retries
    Only idempotent calls are repeated: ``GET``, ``DELETE`` and the ``PUT``
    upload (idempotent through its ``Idempotency-Key``). ``POST /sessions``
    is never repeated, so a wrong password is never sent twice (lock-out).
    A call is repeated after a connection error, a timeout, or HTTP 429,
    500, 502, 503 or 504, at most ``retries`` times, waiting
    ``Retry-After`` when the portal sends one (seconds or an HTTP date), or
    else an exponential back-off (0.5 s, 1 s, 2 s … up to 8 s) with jitter
    (each wait drawn between half and all of that). A ``Retry-After``
    longer than ``max_retry_after`` is not waited for: the call fails at
    once with :class:`PortalUnavailableError` carrying ``retry_after``. A
    TLS failure and any other 4xx are never repeated.

Logging
    Each attempt is logged at DEBUG with its method, path and status (or
    error) and its duration; retries at INFO. Bodies, headers, the password
    and the session token are never logged; the password and the token are
    given to :func:`signer_app.logs.register_secret` the moment they enter.

A client is meant to be used by one thread at a time.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import re
import secrets
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Self, TypeVar
from urllib.parse import quote, urlsplit

import requests
import requests.adapters
import requests.auth
import truststore
import urllib3.exceptions
from requests.structures import CaseInsensitiveDict

import signer_app
from signer_app.errors import ConfigError
from signer_app.logs import redact, register_secret
from signer_app.portal_api import _wire
from signer_app.portal_api._hosts import host_label, is_loopback_host
from signer_app.portal_api.errors import (
    PROBLEM_ERRORS,
    DocumentRejectedError,
    DocumentTooLargeError,
    InsecureTransportError,
    InvalidRequestError,
    PortalConnectionError,
    PortalError,
    PortalInternalError,
    PortalNotFoundError,
    PortalProtocolError,
    PortalTimeoutError,
    PortalUnavailableError,
    SessionExpiredError,
    TlsError,
)
from signer_app.portal_api.models import (
    Activation,
    ActivationList,
    PortalSession,
    Status,
    UploadResult,
)

if TYPE_CHECKING:
    from requests.adapters import _HostParams, _PoolKwargs

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "DEFAULT_MAX_RETRY_AFTER",
    "MAX_DOCUMENT_BYTES",
    "MAX_JSON_BYTES",
    "RETRY_STATUSES",
    "PortalClient",
    "tls_context",
]

_log = logging.getLogger(__name__)

#: HTTP statuses after which an idempotent call is repeated.
RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
#: The longest ``Retry-After`` (seconds) the client waits for by default.
DEFAULT_MAX_RETRY_AFTER: Final = 30.0
#: The first back-off wait, in seconds; it doubles with each retry.
BACKOFF_BASE: Final = 0.5
#: The longest back-off wait, in seconds.
BACKOFF_CAP: Final = 8.0
#: The largest JSON answer read.
MAX_JSON_BYTES: Final = 4 * 1024 * 1024
#: The largest document downloaded (GİB user documents are a few kilobytes).
MAX_DOCUMENT_BYTES: Final = 16 * 1024 * 1024

_USER_AGENT: Final = f"signer-app/{signer_app.__version__}"
_JSON: Final = "application/json"
_XML_TYPES: Final = frozenset({"application/xml", "text/xml"})
_STATES: Final = ("pending", "all")
_IDEMPOTENCY_KEY: Final = re.compile(r"[A-Za-z0-9._:-]{8,128}", re.ASCII)
_CHUNK: Final = 64 * 1024

_T = TypeVar("_T")


def tls_context(extra_ca_file: Path | None = None) -> ssl.SSLContext:
    """Build the TLS context of every portal connection.

    :param extra_ca_file: a PEM file with one more CA to trust besides the
        operating system's store (tests, demo).
    :returns: a :class:`truststore.SSLContext` (certificate and host name
        verification on, TLS 1.2 at least).
    :raises TlsError: the extra CA file cannot be read or holds no certificate.
    """
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if extra_ca_file is not None:
        try:
            context.load_verify_locations(cafile=str(extra_ca_file))
        except (OSError, ssl.SSLError) as exc:
            raise TlsError(
                f"cannot use the extra CA file {extra_ca_file}: {exc}",
                reason="extra_ca_file",
                path=str(extra_ca_file),
            ) from None
    return context


class _TrustStoreAdapter(requests.adapters.HTTPAdapter):
    """An adapter whose every HTTPS connection uses one fixed TLS context.

    requests would otherwise load certifi's bundle (or ``REQUESTS_CA_BUNDLE``)
    into the context; here the CA settings are pinned to the context alone.
    """

    def __init__(self, context: ssl.SSLContext) -> None:
        self._context = context
        super().__init__(max_retries=0)

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        """Create the pool manager with the TLS context (see requests)."""
        pool_kwargs["ssl_context"] = self._context
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """Create a proxy manager whose tunnelled connections use the TLS context."""
        proxy_kwargs.setdefault("ssl_context", self._context)
        return super().proxy_manager_for(proxy, **proxy_kwargs)

    def build_connection_pool_key_attributes(
        self,
        request: requests.PreparedRequest,
        verify: bool | str | None,
        cert: str | tuple[str, str] | None = None,
    ) -> tuple[_HostParams, _PoolKwargs]:
        """Pool key: always verified, always our context, never a CA file."""
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, True, cert)
        pool_kwargs.pop("ca_certs", None)
        pool_kwargs.pop("ca_cert_dir", None)
        pool_kwargs["cert_reqs"] = "CERT_REQUIRED"
        pool_kwargs["ssl_context"] = self._context
        return host_params, pool_kwargs

    def cert_verify(
        self,
        conn: Any,
        url: str,
        verify: bool | str | None,
        cert: str | tuple[str, str] | None,
    ) -> None:
        """Require verification and keep CA files out of the connection."""
        conn.cert_reqs = "CERT_REQUIRED"
        conn.ca_certs = None
        conn.ca_cert_dir = None


class _BearerAuth(requests.auth.AuthBase):
    """Sets the session token; also keeps requests from reading ``~/.netrc``."""

    def __init__(self, token: str | None) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self._token is not None:
            request.headers["Authorization"] = f"Bearer {self._token}"
        else:
            request.headers.pop("Authorization", None)
        return request

    def __repr__(self) -> str:
        return "_BearerAuth(***)"


@dataclass(frozen=True)
class _Call:
    """One API operation as it is sent."""

    method: str
    path: str
    operation: str
    expect: tuple[int, ...]
    retry: bool
    auth: bool = True


@dataclass(frozen=True)
class _Payload:
    """What one call sends, and how much of the answer it reads."""

    json_body: object = None
    body: bytes | None = None
    headers: Mapping[str, str] | None = None
    accept: str = _JSON
    limit: int = MAX_JSON_BYTES


_NO_PAYLOAD: Final = _Payload()


@dataclass(frozen=True)
class _Answer:
    """The status, headers and body of one HTTP answer."""

    status: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def media_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()


def _parse_retry_after(value: str | None, now: Callable[[], datetime]) -> float | None:
    """Read ``Retry-After`` (delay-seconds or an HTTP date) as seconds from now."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(int(text))
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now()).total_seconds())


def _find_cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """Search an exception's arguments, reasons and chain for one of ``kind``."""
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        item = pending.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, kind):
            return item
        pending.extend(item.args)
        pending.extend((getattr(item, "reason", None), item.__cause__, item.__context__))
    return None


class PortalClient:
    """A client of one integrator portal.

    :param portal_url: the portal API address, ending with ``/api/v1/``
        (a missing final slash is added).
    :param timeout: seconds to wait for each read from the portal.
    :param connect_timeout: seconds to wait for the connection.
    :param retries: how many times an idempotent call is repeated (see the
        module documentation); ``0`` for none.
    :param allow_plain_loopback: allow ``http://`` to this computer (demo mode).
    :param extra_ca_file: a PEM file with a CA trusted besides the system store.
    :param session: a :class:`requests.Session` to use (tests); the client
        mounts its own adapters on it for the portal's address.
    :param sleep: how to wait between retries (tests inject a recorder).
    :param max_retry_after: the longest ``Retry-After`` waited for.
    :raises ConfigError: the URL is not an http(s) URL with a host, or
        carries a user name, password, query or fragment.
    :raises InsecureTransportError: plain HTTP where it is not allowed.
    :raises TlsError: the extra CA file cannot be used.
    """

    def __init__(
        self,
        portal_url: str,
        *,
        timeout: float = 20.0,
        connect_timeout: float = 10.0,
        retries: int = 3,
        allow_plain_loopback: bool = False,
        extra_ca_file: Path | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
    ) -> None:
        if timeout <= 0 or connect_timeout <= 0:
            raise ValueError("timeouts must be positive")
        if retries < 0:
            raise ValueError("retries must not be negative")
        self._base, scheme, host = self._check_url(portal_url, allow_plain_loopback)
        self._timeout = (connect_timeout, timeout)
        self._retries = retries
        self._sleep = sleep
        self._max_retry_after = max_retry_after
        self._random = secrets.SystemRandom()
        self._session: PortalSession | None = None
        # A proxy cannot reach this computer's loopback: go direct.
        self._proxies: dict[str, str] | None = (
            {"no_proxy": host} if is_loopback_host(host) else None
        )
        self._owns_http = session is None
        self._http = session if session is not None else requests.Session()
        self._http.headers["User-Agent"] = _USER_AGENT
        if scheme == "https":
            adapter: requests.adapters.HTTPAdapter = _TrustStoreAdapter(tls_context(extra_ca_file))
        else:
            adapter = requests.adapters.HTTPAdapter(max_retries=0)
        self._adapter = adapter
        self._http.mount(self._base, adapter)

    @staticmethod
    def _check_url(url: str, allow_plain_loopback: bool) -> tuple[str, str, str]:
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError as exc:
            raise ConfigError(
                f"the portal URL is not valid ({exc})", key="portal.url", reason="bad_url"
            ) from None
        scheme = parts.scheme.lower()
        host = parts.hostname or ""
        if scheme not in ("https", "http") or not host:
            raise ConfigError(
                "the portal URL must be an https:// URL with a host name",
                key="portal.url",
                reason="bad_url",
            )
        if parts.username is not None or parts.password is not None:
            raise ConfigError(
                "the portal URL must not contain a user name or password",
                key="portal.url",
                reason="bad_url",
            )
        if parts.query or parts.fragment:
            raise ConfigError(
                "the portal URL must not have a query or fragment",
                key="portal.url",
                reason="bad_url",
            )
        if scheme == "http" and not (allow_plain_loopback and is_loopback_host(host)):
            raise InsecureTransportError(
                f"plain HTTP to {host} refused: the portal must be reached over HTTPS "
                "(HTTP is allowed only to this computer, in demo mode)",
                host=host,
            )
        path = parts.path if parts.path.endswith("/") else parts.path + "/"
        netloc = host_label(host, port, scheme)
        return f"{scheme}://{netloc}{path}", scheme, host

    # -- state ---------------------------------------------------------------------

    @property
    def portal_url(self) -> str:
        """The portal API address, ending with ``/``."""
        return self._base

    @property
    def session(self) -> PortalSession | None:
        """The current session, or ``None`` when not logged in."""
        return self._session

    def __repr__(self) -> str:
        return f"PortalClient({self._base!r}, logged_in={self._session is not None})"

    def close(self) -> None:
        """Release the connections (the session token is dropped, not logged out)."""
        self._session = None
        if self._owns_http:
            self._http.close()
        else:
            self._adapter.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- the API ---------------------------------------------------------------------

    def login(self, user: str, password: str) -> PortalSession:
        """Log in with the company's VKN/TCKN and web-service password (never repeated).

        :param user: the VKN (10 digits) or TCKN (11 digits).
        :param password: the web-service password.
        :returns: the session; its token is used by the later calls.
        :raises InvalidCredentialsError: wrong VKN/TCKN or password.
        :raises AccountLockedError: too many wrong passwords.
        :raises InvalidRequestError: ``user`` or ``password`` has an impossible form.
        :raises PortalError: any other failure (see the module documentation).
        """
        register_secret(password)
        if not _wire.TAX_ID.fullmatch(user):
            raise InvalidRequestError(
                "the user must be a 10-digit VKN or an 11-digit TCKN", field="user"
            )
        if not 1 <= len(password) <= 256:
            raise InvalidRequestError(
                "the password must have 1 to 256 characters", field="password"
            )
        self._session = None
        call = _Call("POST", "sessions", "createSession", (201,), retry=False, auth=False)
        answer = self._exchange(call, _Payload(json_body={"user": user, "password": password}))
        document = self._json(call, answer)
        token = document.get("token")
        if isinstance(token, str):
            register_secret(token)
        session = self._parse(call, _wire.parse_session, document)
        self._session = session
        _log.info("Logged in to %s as %s", self._base, session.company.id)
        return session

    def logout(self) -> None:
        """End the session at the portal; the local token is dropped in any case.

        Logging out when not logged in does nothing; a session the portal
        already ended counts as logged out.

        :raises PortalError: the portal could not be told (the token is dropped anyway).
        """
        if self._session is None:
            return
        call = _Call("DELETE", "sessions/current", "deleteSession", (204,), retry=True)
        try:
            self._exchange(call)
        except SessionExpiredError:
            pass
        finally:
            self._session = None

    def activations(self, state: str = "pending") -> ActivationList:
        """List the company's activations, oldest first.

        :param state: ``pending`` (waiting for the customer's signature) or ``all``.
        :returns: the company and its activations.
        :raises PortalError: see the module documentation.
        """
        if state not in _STATES:
            raise InvalidRequestError(f"state must be one of {', '.join(_STATES)}", field="state")
        call = _Call("GET", f"activations?state={state}", "listActivations", (200,), retry=True)
        return self._parse(
            call, _wire.parse_activation_list, self._json(call, self._exchange(call))
        )

    def activation(self, activation_id: str) -> Activation:
        """Fetch one activation.

        :raises PortalNotFoundError: the portal does not know it.
        :raises PortalError: see the module documentation.
        """
        path = f"activations/{self._id(activation_id)}"
        call = _Call("GET", path, "getActivation", (200,), retry=True)
        return self._parse(call, _wire.parse_activation, self._json(call, self._exchange(call)))

    def document(self, activation_id: str, *, expected_sha256: str | None = None) -> bytes:
        """Download the integrator-signed document, byte for byte.

        The bytes' SHA-256 must equal the ``ETag`` the portal sent and
        ``expected_sha256`` when given (e.g. ``activation.document_sha256``).
        When the portal sent no ETag and no digest is given, the activation
        is fetched and its ``document_sha256`` is used.

        :param activation_id: the activation.
        :param expected_sha256: the digest (hex) the document must have.
        :returns: the XML document.
        :raises PortalProtocolError: a digest does not match, none is known,
            or the answer is not XML.
        :raises DocumentNotReadyError: the integrator has not prepared it yet.
        :raises PortalError: see the module documentation.
        """
        path = f"activations/{self._id(activation_id)}/document"
        call = _Call("GET", path, "getDocument", (200,), retry=True)
        answer = self._exchange(call, _Payload(accept="application/xml", limit=MAX_DOCUMENT_BYTES))
        media = answer.media_type
        if media not in _XML_TYPES and not media.endswith("+xml"):
            raise self._protocol(call, f"expected XML, got {media or 'no content type'!r}")
        actual = hashlib.sha256(answer.content).hexdigest()
        checks: list[tuple[str, str]] = []
        etag = answer.headers.get("ETag")
        if etag is not None:
            checks.append(("ETag", self._etag_digest(call, etag)))
        if expected_sha256 is not None:
            checks.append(("expected digest", expected_sha256.strip().lower()))
        if not checks:
            digest = self.activation(activation_id).document_sha256
            if digest is None:
                raise self._protocol(call, "the portal names no digest for the document")
            checks.append(("activation.document_sha256", digest))
        for what, digest in checks:
            if digest != actual:
                raise self._protocol(
                    call,
                    f"the document's SHA-256 {actual} is not the {what} {digest}",
                    reason="digest_mismatch",
                )
        return answer.content

    def upload(self, activation_id: str, data: bytes, idempotency_key: str) -> UploadResult:
        """Upload the counter-signed document (idempotent).

        A lost answer is repeated with the same ``idempotency_key``; the
        portal then answers the first result again
        (:attr:`UploadResult.already_accepted`).

        :param activation_id: the activation.
        :param data: the counter-signed XML document.
        :param idempotency_key: a key chosen per document (a UUID) and kept
            with it, so that a later retry sends the same one.
        :returns: the portal's receipt.
        :raises DocumentRejectedError: the portal refused the document (with findings).
        :raises NotAwaitingSignatureError: the activation no longer waits for it.
        :raises AlreadySignedError: another signed document was accepted before.
        :raises IdempotencyConflictError: the key was used for another document.
        :raises PortalError: see the module documentation.
        """
        if not _IDEMPOTENCY_KEY.fullmatch(idempotency_key):
            raise InvalidRequestError(
                "the idempotency key must have 8 to 128 of A-Z a-z 0-9 . _ : -",
                field="idempotency_key",
            )
        if not data:
            raise InvalidRequestError("the document is empty", field="data")
        path = f"activations/{self._id(activation_id)}/signed-document"
        call = _Call("PUT", path, "uploadSignedDocument", (200, 202), retry=True)
        headers = {"Content-Type": "application/xml", "Idempotency-Key": idempotency_key}
        answer = self._exchange(call, _Payload(body=data, headers=headers))
        document = self._json(call, answer)
        repeated = answer.status == 200
        return self._parse(
            call, lambda v: _wire.parse_upload_result(v, already_accepted=repeated), document
        )

    def status(self, activation_id: str) -> Status:
        """Fetch an activation's portal status and GİB's answer.

        :raises PortalError: see the module documentation.
        """
        path = f"activations/{self._id(activation_id)}/status"
        call = _Call("GET", path, "getStatus", (200,), retry=True)
        return self._parse(call, _wire.parse_status, self._json(call, self._exchange(call)))

    # -- helpers ----------------------------------------------------------------------

    @staticmethod
    def _id(activation_id: str) -> str:
        if not _wire.ACTIVATION_ID.fullmatch(activation_id):
            raise InvalidRequestError(
                "an activation id has 1 to 64 of A-Z a-z 0-9 -", field="activation_id"
            )
        return quote(activation_id, safe="")

    def _protocol(self, call: _Call, message: str, **context: Any) -> PortalProtocolError:
        context.setdefault("reason", "invalid_answer")
        return PortalProtocolError(
            f"{call.method} {call.path}: {message}", operation=call.operation, **context
        )

    def _etag_digest(self, call: _Call, etag: str) -> str:
        text = etag.strip()
        if text.startswith("W/"):
            text = text[2:]
        text = text.strip('"').lower()
        if not _wire.SHA256_HEX.fullmatch(text):
            raise self._protocol(call, "the ETag is not a SHA-256 in hex")
        return text

    def _json(self, call: _Call, answer: _Answer) -> dict[str, object]:
        media = answer.media_type
        if media != _JSON and not media.endswith("+json"):
            raise self._protocol(call, f"expected JSON, got {media or 'no content type'!r}")
        try:
            return _wire.loads_object(answer.content)
        except _wire.WireError as exc:
            raise self._protocol(call, str(exc), reason=exc.kind) from None

    def _parse(self, call: _Call, parser: Callable[[object], _T], value: object) -> _T:
        try:
            return parser(value)
        except _wire.WireError as exc:
            raise self._protocol(call, str(exc), reason=exc.kind, path=exc.path) from None

    def _backoff(self, attempt: int) -> float:
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
        return self._random.uniform(ceiling / 2, ceiling)

    def _exchange(self, call: _Call, payload: _Payload = _NO_PAYLOAD) -> _Answer:
        """Send ``call`` (repeating it where safe) and return its expected answer.

        :raises PortalError: the transport failed or the portal answered an error.
        """
        attempt = 0
        while True:
            attempt += 1
            may_retry = call.retry and attempt <= self._retries
            try:
                answer = self._attempt(call, attempt, payload)
            except (PortalConnectionError, PortalTimeoutError) as exc:
                if not may_retry:
                    exc.context["attempts"] = attempt
                    raise
                delay = self._backoff(attempt)
                why = type(exc).__name__
            else:
                if answer.status in call.expect:
                    return answer
                retry_after = _parse_retry_after(
                    answer.headers.get("Retry-After"), lambda: datetime.now(UTC)
                )
                too_long = retry_after is not None and retry_after > self._max_retry_after
                if not (may_retry and answer.status in RETRY_STATUSES) or too_long:
                    raise self._answer_error(call, answer, retry_after, attempt)
                delay = retry_after if retry_after is not None else self._backoff(attempt)
                why = f"HTTP {answer.status}"
            _log.info(
                "%s %s: %s; retry %d of %d in %.1f s",
                call.method,
                call.path,
                why,
                attempt,
                self._retries,
                delay,
            )
            self._sleep(delay)

    def _attempt(self, call: _Call, attempt: int, payload: _Payload) -> _Answer:
        send_headers = {"Accept": f"{payload.accept}, application/problem+json"}
        if payload.headers:
            send_headers.update(payload.headers)
        token = self._session.token if (call.auth and self._session is not None) else None
        started = time.monotonic()
        try:
            response = self._http.request(
                call.method,
                self._base + call.path,
                json=payload.json_body,
                data=payload.body,
                headers=send_headers,
                auth=_BearerAuth(token),
                timeout=self._timeout,
                allow_redirects=False,
                stream=True,
                proxies=self._proxies,
            )
            try:
                content = self._read(call, response, payload.limit)
            finally:
                response.close()
        except requests.RequestException as exc:
            error = self._transport_error(call, exc)
            _log.debug(
                "%s %s -> %s after %.0f ms (attempt %d)",
                call.method,
                call.path,
                type(error).__name__,
                (time.monotonic() - started) * 1000,
                attempt,
            )
            raise error from None
        _log.debug(
            "%s %s -> %d in %.0f ms (attempt %d)",
            call.method,
            call.path,
            response.status_code,
            (time.monotonic() - started) * 1000,
            attempt,
        )
        return _Answer(response.status_code, CaseInsensitiveDict(response.headers), content)

    def _read(self, call: _Call, response: requests.Response, limit: int) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise self._protocol(
                call, f"the answer is larger than {limit} bytes", reason="too_large"
            )
        chunks: list[bytes] = []
        size = 0
        chunk: bytes
        for chunk in response.iter_content(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise self._protocol(
                    call, f"the answer is larger than {limit} bytes", reason="too_large"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _transport_error(self, call: _Call, exc: requests.RequestException) -> PortalError:
        host = urlsplit(self._base).hostname or ""
        where = f"{call.method} {call.path}"
        context: dict[str, Any] = {"operation": call.operation, "host": host}
        if isinstance(exc, requests.exceptions.SSLError):
            verify = _find_cause(exc, ssl.SSLCertVerificationError)
            if verify is not None:
                why = getattr(verify, "verify_message", "") or "certificate verification failed"
                return TlsError(
                    f"the TLS certificate of {host} is not trusted ({why}); the connection "
                    "was refused. If this portal uses a private CA, that CA must be "
                    "installed in the operating system's certificate store.",
                    reason="certificate_not_trusted",
                    **context,
                )
            return TlsError(
                f"the TLS handshake with {host} failed ({_find_cause(exc, ssl.SSLError) or exc})",
                reason="handshake_failed",
                **context,
            )
        if isinstance(exc, requests.exceptions.Timeout) or _find_cause(
            exc, urllib3.exceptions.ReadTimeoutError
        ):
            phase = "connect" if isinstance(exc, requests.exceptions.ConnectTimeout) else "read"
            return PortalTimeoutError(
                f"{where}: {host} did not answer in time ({phase})", phase=phase, **context
            )
        if isinstance(exc, requests.exceptions.ProxyError):
            return PortalConnectionError(
                f"{where}: the proxy failed ({exc})", reason="proxy", **context
            )
        if isinstance(
            exc, requests.exceptions.ConnectionError | requests.exceptions.ChunkedEncodingError
        ):
            return PortalConnectionError(
                f"{where}: cannot reach {host} ({_short_cause(exc)})", **context
            )
        return PortalProtocolError(f"{where}: {exc}", reason="transport", **context)

    def _answer_error(
        self, call: _Call, answer: _Answer, retry_after: float | None, attempt: int
    ) -> PortalError:
        """Translate an unexpected answer into the error its problem code names."""
        status = answer.status
        where = f"{call.method} {call.path}"
        context: dict[str, Any] = {"operation": call.operation, "attempts": attempt}
        if 200 <= status < 400:
            return self._protocol(call, f"unexpected HTTP {status}", status=status)
        problem: _wire.Problem | None = None
        if answer.media_type in ("application/problem+json", _JSON):
            try:
                problem = _wire.parse_problem(_wire.loads_object(answer.content))
            except _wire.WireError as exc:
                _log.debug("%s: unreadable problem document: %s", where, exc)
        cls: type[PortalError]
        if problem is not None and problem.code in PROBLEM_ERRORS:
            cls = PROBLEM_ERRORS[problem.code]
            detail = redact(problem.detail or problem.title or problem.code)
            context["code"] = problem.code
        else:
            cls = _fallback_error(status)
            if problem is not None:
                context["code"] = problem.code
                detail = redact(problem.detail or problem.title or f"HTTP {status}")
            else:
                detail = f"HTTP {status} without a problem document"
        if cls is SessionExpiredError:
            self._session = None
        message = f"{where}: {detail}"
        if issubclass(cls, DocumentRejectedError):
            findings = problem.findings if problem is not None else ()
            return cls(message, status=status, findings=findings, **context)
        if issubclass(cls, PortalUnavailableError):
            return cls(message, status=status, retry_after=retry_after, **context)
        return cls(message, status=status, **context)


def _fallback_error(status: int) -> type[PortalError]:
    """The error for an answer without a (known) problem code, by HTTP status."""
    if status == 401:
        return SessionExpiredError
    if status == 404:
        return PortalNotFoundError
    if status == 413:
        return DocumentTooLargeError
    if status == 500:
        return PortalInternalError
    if status == 429 or status >= 500:
        return PortalUnavailableError
    return PortalProtocolError


def _short_cause(exc: BaseException) -> str:
    """The innermost reason of a connection error, without urllib3's pool wording."""
    for kind in (
        ConnectionRefusedError,
        ConnectionResetError,
        urllib3.exceptions.NameResolutionError,
        urllib3.exceptions.ProtocolError,
    ):
        cause = _find_cause(exc, kind)
        if cause is not None:
            return str(cause) or type(cause).__name__
    return str(exc)
