"""Run the portal in this process: uvicorn in a background thread plus the scheduler.

::

    with start_portal(db, integrator_key_pem=key, integrator_cert_pem=cert) as portal:
        requests.post(portal.url + "sessions", json={...})

``port=0`` picks a free port; :func:`start_portal` returns once the server
accepts connections.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType

import uvicorn

from reference_portal.api_spec import API_PREFIX
from reference_portal.app import PortalApp, create_app
from reference_portal.clock import Clock, system_clock
from reference_portal.documents import IntegratorSeal
from reference_portal.faults import FaultPlan
from reference_portal.gib import GibEvent, SimulatedGib
from reference_portal.lifecycle import (
    SETTING_GIB_STEP,
    SETTING_INTEGRATOR_CERT,
    SETTING_INTEGRATOR_KEY,
    SETTING_PORTAL_URL,
    Lifecycle,
)
from reference_portal.scheduler import Scheduler
from reference_portal.store import Store

__all__ = ["PortalStartError", "RunningPortal", "start_portal"]

_STARTUP_TIMEOUT = 15.0


class PortalStartError(RuntimeError):
    """The server did not come up."""


class RunningPortal:
    """A portal serving in background threads; stop it with :meth:`stop` or ``with``.

    :ivar url: the API's base URL, e.g. ``https://127.0.0.1:54321/api/v1/``
        (the contract file's ``portal_url``).
    :ivar base_url: the server's root, e.g. ``https://127.0.0.1:54321``.
    :ivar admin_token: the token of the ``/portal`` pages (``X-Admin-Token``).
    :ivar store: the database.
    :ivar lifecycle: the portal's actions (start activations, tick …).
    :ivar clock: the portal's clock.
    :ivar app: the ASGI application.
    """

    def __init__(
        self,
        *,
        base_url: str,
        admin_token: str,
        store: Store,
        lifecycle: Lifecycle,
        clock: Clock,
        app: PortalApp,
        server: uvicorn.Server,
        thread: threading.Thread,
        scheduler: Scheduler | None,
    ) -> None:
        self.base_url = base_url
        self.url = f"{base_url}{API_PREFIX}/"
        self.admin_token = admin_token
        self.store = store
        self.lifecycle = lifecycle
        self.clock = clock
        self.app = app
        self._server = server
        self._thread = thread
        self._scheduler = scheduler
        self._stopped = False

    def __repr__(self) -> str:
        return f"RunningPortal(url={self.url!r})"

    @property
    def faults(self) -> FaultPlan | None:
        """The fault plan the server applies (``None``: none); it can be replaced at run time."""
        return self.app.faults

    @faults.setter
    def faults(self, plan: FaultPlan | None) -> None:
        self.app.faults = plan

    def __enter__(self) -> RunningPortal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def tick(self, now: datetime | None = None) -> list[GibEvent]:
        """Run the scheduler's work once now (at the portal's clock, or at ``now``)."""
        return self.lifecycle.tick(now if now is not None else self.clock())

    def stop(self) -> None:
        """Stop the scheduler and the server, then close the store. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        if self._scheduler is not None:
            self._scheduler.stop()
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self.store.close()


def _listen(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def start_portal(
    db_path: Path,
    *,
    integrator_key_pem: Path,
    integrator_cert_pem: Path,
    host: str = "127.0.0.1",
    port: int = 0,
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
    gib_step_seconds: float = 0.2,
    faults: FaultPlan | None = None,
    clock: Clock | None = None,
    scheduler_interval: float | None = 0.05,
    admin_token: str | None = None,
) -> RunningPortal:
    """Start the portal on ``host:port`` and return when it accepts connections.

    :param db_path: the SQLite file (created when missing).
    :param integrator_key_pem: the integrator seal's private key (PKCS#8 PEM, unencrypted).
    :param integrator_cert_pem: the integrator seal's certificate (PEM).
    :param host: the address to listen on.
    :param port: the port; 0 picks a free one.
    :param tls_cert: the server certificate (PEM) for HTTPS; plain HTTP without it.
    :param tls_key: the server certificate's key (PEM).
    :param gib_step_seconds: how long each of the simulated GİB's steps takes.
    :param faults: a fault plan for tests.
    :param clock: the portal's clock (a fake one in tests); the system clock by default.
    :param scheduler_interval: seconds between scheduler ticks; ``None`` runs no
        scheduler (call :meth:`RunningPortal.tick` yourself).
    :param admin_token: the ``/portal`` pages' token; a random one by default.
    :raises ValueError: only one of ``tls_cert`` and ``tls_key``, or an unusable seal.
    :raises OSError: the port cannot be bound, or a file cannot be read.
    :raises PortalStartError: the server did not start.
    """
    if (tls_cert is None) != (tls_key is None):
        raise ValueError("give both tls_cert and tls_key, or neither")
    seal = IntegratorSeal.from_pem_files(integrator_key_pem, integrator_cert_pem)
    time_source = clock if clock is not None else system_clock
    token = admin_token if admin_token is not None else secrets.token_urlsafe(24)
    sock = _listen(host, port)
    bound_port = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    base_url = f"{'https' if tls_cert else 'http'}://{shown_host}:{bound_port}"
    store = Store(db_path)
    try:
        store.set_setting(SETTING_PORTAL_URL, f"{base_url}{API_PREFIX}/")
        store.set_setting(SETTING_INTEGRATOR_KEY, str(Path(integrator_key_pem).resolve()))
        store.set_setting(SETTING_INTEGRATOR_CERT, str(Path(integrator_cert_pem).resolve()))
        store.set_setting(SETTING_GIB_STEP, repr(float(gib_step_seconds)))
        lifecycle = Lifecycle(
            store,
            seal=seal,
            portal_url=f"{base_url}{API_PREFIX}/",
            gib=SimulatedGib(step=timedelta(seconds=gib_step_seconds)),
        )
        app = create_app(
            store, clock=time_source, faults=faults, lifecycle=lifecycle, admin_token=token
        )
        config = uvicorn.Config(
            app,
            host=host,
            port=bound_port,
            ssl_certfile=None if tls_cert is None else str(tls_cert),
            ssl_keyfile=None if tls_key is None else str(tls_key),
            http="h11",
            ws="none",
            lifespan="off",
            loop="asyncio",
            log_config=None,
            access_log=False,
            server_header=False,
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="reference-portal", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                raise PortalStartError("the portal's server did not start")
            time.sleep(0.01)
    except BaseException:
        sock.close()
        store.close()
        raise
    scheduler = None
    if scheduler_interval is not None:
        scheduler = Scheduler(lifecycle, time_source, interval=scheduler_interval)
        scheduler.start()
    return RunningPortal(
        base_url=base_url,
        admin_token=token,
        store=store,
        lifecycle=lifecycle,
        clock=time_source,
        app=app,
        server=server,
        thread=thread,
        scheduler=scheduler,
    )
