"""Composition root: the only place that picks concrete implementations.

It turns settings into services (the token service, the portal client
factory, the journal) and, for the desktop window, builds the application,
its translators, the single-instance channel and the wizard
(:func:`run_gui`). PySide6 is imported only inside the GUI functions, so the
command-line paths never load Qt.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from signer_app.config import LoadedSettings, Source

# The layers are imported where they are used: a start of the window or of
# one command loads only what it needs, and the window is shown sooner.
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from signer_app.envelope.xades import IntegratorPin
    from signer_app.flow.journal import Journal
    from signer_app.portal_api.client import PortalClient
    from signer_app.portal_api.contract import Contract
    from signer_app.token.catalogue import ModuleSource
    from signer_app.token.service import ServiceOptions, TokenService
    from signer_app.ui.wizard import ActivationWizard

__all__ = [
    "STARTUP_PROBE_ENV",
    "GuiSession",
    "build_token_service",
    "demo_session",
    "display_available",
    "integrator_pin",
    "make_client_factory",
    "run_gui",
    "token_options",
    "trusted_hosts",
]

_log = logging.getLogger(__name__)

#: Environment variable: ``1`` makes the window report its first expose and quit.
STARTUP_PROBE_ENV = "SIGNER_APP_STARTUP_PROBE"


def _module_sources() -> dict[str, ModuleSource]:
    from signer_app.token.catalogue import ModuleSource  # noqa: PLC0415

    return {
        Source.POLICY.value: ModuleSource.POLICY,
        Source.INSTALLER.value: ModuleSource.POLICY,
        Source.USER.value: ModuleSource.USER,
        Source.COMMAND_LINE.value: ModuleSource.COMMAND_LINE,
    }


def token_options(loaded: LoadedSettings) -> ServiceOptions:
    """The token service's options from the settings."""
    from signer_app.token.api import BackendName  # noqa: PLC0415
    from signer_app.token.host_client import Timeouts  # noqa: PLC0415
    from signer_app.token.service import Isolation, ServiceOptions  # noqa: PLC0415

    token = loaded.settings.token
    return ServiceOptions(
        backend=BackendName(loaded.settings.pkcs11.backend),
        isolation=Isolation(token.host),
        timeouts=Timeouts(
            initialize=token.timeouts.initialize,
            default=token.timeouts.default,
            login=token.timeouts.login,
            pinpad_login=token.timeouts.pinpad_login,
            sign=token.timeouts.sign,
        ),
    )


def build_token_service(
    loaded: LoadedSettings, *, command_line_modules: Sequence[str] = ()
) -> TokenService:
    """Build the token service with every module path the settings name.

    Order of the extra paths: the command line's, then the default module,
    then the configured list (from policy or the user's settings).
    """
    from signer_app.token.catalogue import ModuleSource  # noqa: PLC0415
    from signer_app.token.service import TokenService  # noqa: PLC0415

    sources = _module_sources()
    pkcs11 = loaded.settings.pkcs11
    extra = [(path, ModuleSource.COMMAND_LINE) for path in command_line_modules]
    if pkcs11.default_module:
        source = loaded.sources.get("pkcs11.default_module", Source.USER.value)
        extra.append((pkcs11.default_module, sources.get(source, ModuleSource.USER)))
    source = loaded.sources.get("pkcs11.modules", Source.USER.value)
    extra.extend((path, sources.get(source, ModuleSource.USER)) for path in pkcs11.modules)
    return TokenService(token_options(loaded), extra_modules=extra)


def integrator_pin(loaded: LoadedSettings) -> IntegratorPin | None:
    """The configured pins on the integrator's signature, if any."""
    from signer_app.envelope.xades import IntegratorPin  # noqa: PLC0415

    integrator = loaded.settings.integrator
    if integrator.vkn is None and integrator.certificate_sha256 is None:
        return None
    return IntegratorPin(vkn=integrator.vkn, certificate_sha256=integrator.certificate_sha256)


# -- the desktop window ------------------------------------------------------------------------


def display_available(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> bool:
    """Whether a window can be shown.

    On Linux and other Unix systems but macOS: a ``DISPLAY`` or
    ``WAYLAND_DISPLAY``, or an explicit ``QT_QPA_PLATFORM`` (``offscreen``
    in tests). Windows and macOS always have one.
    """
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if platform.startswith(("win", "darwin")):
        return True
    return any(environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def trusted_hosts(loaded: LoadedSettings) -> tuple[str, ...]:
    """The hosts a portal address may use.

    ``portal.trusted_hosts``, plus the host of a ``portal.url`` the machine
    policy or the installer set.
    """
    hosts = list(loaded.settings.portal.trusted_hosts)
    url = loaded.settings.portal.url
    source = loaded.sources.get("portal.url", Source.DEFAULT.value)
    if url and source in (Source.POLICY.value, Source.INSTALLER.value):
        parts = urlsplit(url)
        if parts.hostname:
            host = parts.hostname.lower()
            hosts.append(f"{host}:{parts.port}" if parts.port else host)
    return tuple(dict.fromkeys(hosts))


def make_client_factory(
    hosts: Sequence[str], *, allow_plain_loopback: bool = False
) -> Callable[[str], PortalClient]:
    """A factory of portal clients that refuses addresses off the trusted list.

    :param hosts: see :func:`trusted_hosts`.
    :param allow_plain_loopback: the demo: ``http://`` to this computer only.
    :raises UntrustedPortalError: (from the factory) the address's host is not trusted.
    """
    trusted = tuple(hosts)

    def make(url: str) -> PortalClient:
        # Loaded here, on the worker thread at the first login: requests and
        # its dependencies stay out of the window's start-up.
        from signer_app.portal_api._hosts import (  # noqa: PLC0415
            host_label,
            is_loopback_host,
            is_trusted_host,
        )
        from signer_app.portal_api.client import PortalClient  # noqa: PLC0415
        from signer_app.portal_api.errors import UntrustedPortalError  # noqa: PLC0415

        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        try:
            port = parts.port
        except ValueError:
            port = None
        scheme = parts.scheme.lower()
        allowed = (allow_plain_loopback and is_loopback_host(host)) or is_trusted_host(
            host, port, scheme, trusted
        )
        if not allowed:
            raise UntrustedPortalError(
                f"the portal {host_label(host, port, scheme)} is not on the trusted list",
                reason="untrusted_host",
                host=host_label(host, port, scheme),
            )
        return PortalClient(url, allow_plain_loopback=allow_plain_loopback)

    return make


@dataclass(frozen=True)
class GuiSession:
    """What differs between a normal start and the demo's."""

    #: Accept ``http://`` portals on this computer (the demo's reference portal).
    demo: bool = False
    #: The journal file (default: the user's data folder).
    journal_path: Path | None = None
    #: Card libraries offered (the demo's SoftHSM); ``None``: the catalogue.
    modules: tuple[str, ...] | None = None
    prefill_user: str | None = None
    prefill_password: str | None = None
    prefill_pin: str | None = None
    #: Hold the per-user single-instance lock (never in the demo).
    single_instance: bool = True
    #: Called with the wizard once it is complete (scripts/screenshots.py drives it).
    on_ready: Callable[[ActivationWizard], None] | None = None


def run_gui(argv: Sequence[str], loaded: LoadedSettings, session: GuiSession | None = None) -> int:
    """Show the activation wizard; return the exit status.

    :param argv: the documents named on the command line (``*.aktivasyon``);
        the first usable one is opened.
    :param loaded: the settings (``language`` already includes ``--lang``).
    :param session: demo overrides; default a normal start.
    :returns: 0 also when another running instance took the documents.
    """
    session = session or GuiSession()
    files = [str(Path(a).absolute()) for a in argv]
    from signer_app.ui.single_instance import DISABLE_ENV, SingleInstance  # noqa: PLC0415

    instance: SingleInstance | None = None
    if session.single_instance and os.environ.get(DISABLE_ENV) != "1":
        instance = SingleInstance()
        if not instance.acquire():
            if instance.hand_over(files):
                _log.info("handed %d document(s) to the running instance", len(files))
                return 0
            _log.warning("the running instance does not answer; starting another one")
            instance = None
    try:
        return _run_window(files, loaded, session, instance)
    finally:
        if instance is not None:
            instance.release()


def _run_window(
    files: list[str],
    loaded: LoadedSettings,
    session: GuiSession,
    instance: object | None,
) -> int:
    from PySide6.QtCore import QTimer  # noqa: PLC0415
    from PySide6.QtWidgets import QApplication  # noqa: PLC0415

    from signer_app.ui.app import (  # noqa: PLC0415
        DocumentRouter,
        SignerApplication,
        first_contract,
    )
    from signer_app.ui.i18n import choose_language, install_translators  # noqa: PLC0415
    from signer_app.ui.single_instance import SingleInstance  # noqa: PLC0415

    existing = QApplication.instance()
    app = (
        existing
        if isinstance(existing, SignerApplication)
        else SignerApplication([sys.argv[0] if sys.argv else "signer-app"])
    )
    if isinstance(instance, SingleInstance):
        app.connect_instance(instance)
    language = choose_language(loaded.settings.language, loaded.sources)
    translators = install_translators(app, language)
    app.retranslate()

    hosts = trusted_hosts(loaded)

    def load(path: Path) -> Contract:
        from signer_app.portal_api.contract import load_contract_file  # noqa: PLC0415

        return load_contract_file(path, trusted_hosts=hosts, allow_loopback=session.demo)

    contract, refusals = first_contract(files, load)

    def make_journal() -> Journal:
        from signer_app.flow.journal import Journal  # noqa: PLC0415

        return Journal(session.journal_path)

    from signer_app.ui.context import WizardContext  # noqa: PLC0415
    from signer_app.ui.wizard import ActivationWizard  # noqa: PLC0415

    portal_url = contract.portal_url if contract is not None else loaded.settings.portal.url
    context = WizardContext(
        make_tokens=lambda: build_token_service(loaded),
        make_journal=make_journal,
        make_client=make_client_factory(hosts, allow_plain_loopback=session.demo),
        contract=contract,
        portal_url=portal_url,
        url_editable=not loaded.is_locked("portal.url"),
        modules=session.modules,
        pinpad_seconds=loaded.settings.token.timeouts.pinpad_login,
        prefill_user=session.prefill_user
        or (contract.company.id if contract is not None else None),
        prefill_password=session.prefill_password,
        prefill_pin=session.prefill_pin,
    )
    wizard = ActivationWizard(context)

    def report(title: str, text: str) -> None:
        from PySide6.QtWidgets import QMessageBox  # noqa: PLC0415 - only when there is one

        QMessageBox.warning(wizard, title, text)

    def raise_window() -> None:
        wizard.showNormal()
        wizard.raise_()
        wizard.activateWindow()

    router = DocumentRouter(load, wizard.open_contract, report, raise_window, parent=app)
    app.open_documents.connect(router.open_paths)

    app.aboutToQuit.connect(context.close)

    def when_ready() -> None:
        # After the first paint. Garbage collection was off for the start
        # (signer_app.__main__); what the start made stays, so it moves out
        # of the collector's sight before collections resume.
        gc.freeze()
        gc.enable()
        # A second start retries its hand-over until the server listens
        # (see ui.single_instance).
        if isinstance(instance, SingleInstance):
            instance.listen()
        for title, text in refusals:
            QTimer.singleShot(0, lambda t=title, x=text: report(t, x))
        app.start_accepting()
        app.use_installed_icon()
        if session.on_ready is not None:
            session.on_ready(wizard)

    wizard.ready.connect(when_ready)
    if os.environ.get(STARTUP_PROBE_ENV) == "1":
        from signer_app.ui.app import StartupProbe  # noqa: PLC0415

        probe = StartupProbe(app, lambda line: print(line, flush=True))
        app.installEventFilter(probe)
        wizard.ready.connect(probe.ready)
    wizard.show()
    try:
        return int(app.exec())
    finally:
        # The application may outlive this window (tests, scripts/screenshots.py
        # open one per language): a translator left installed would answer
        # for the next window's language where the new one has no entry.
        for translator in translators:
            app.removeTranslator(translator)


@contextmanager
def demo_session(work: Path | None = None) -> Iterator[tuple[GuiSession, Path]]:
    """Start the demo's parts for the window: reference portal, SoftHSM test seal, contract.

    :param work: the working folder (default: a new temporary folder).
    :returns: (in the ``with``) the session overrides and the demo contract file.
    """
    import tempfile  # noqa: PLC0415
    from datetime import UTC, datetime  # noqa: PLC0415

    from reference_portal.demo import (  # noqa: PLC0415 - only the demo needs the portal
        DEMO_PASSWORD,
        create_demo_data,
        start_demo_activations,
    )
    from reference_portal.server import start_portal  # noqa: PLC0415
    from signer_app.testpki.softhsm import CUSTOMER_VKN, provision  # noqa: PLC0415

    folder = work or Path(tempfile.mkdtemp(prefix="signer-app-demo-"))
    manifest = provision(folder / "tokens")
    # The token host inherits the environment: point SoftHSM at the demo token.
    os.environ.update(manifest.env())
    with start_portal(
        folder / "portal.sqlite3",
        integrator_key_pem=manifest.integrator_key_pem,
        integrator_cert_pem=manifest.integrator_cert_pem,
    ) as portal:
        now = datetime.now(UTC)
        create_demo_data(portal.store, now=now)
        contract_path = folder / "demo.aktivasyon"
        contract_path.write_bytes(
            start_demo_activations(portal.store, CUSTOMER_VKN, now, portal_url=portal.url)
        )
        yield (
            GuiSession(
                demo=True,
                journal_path=folder / "journal.sqlite3",
                modules=(str(manifest.module_path),),
                prefill_user=CUSTOMER_VKN,
                prefill_password=DEMO_PASSWORD,
                prefill_pin=manifest.tokens[0].user_pin,
                single_instance=False,
            ),
            contract_path,
        )
