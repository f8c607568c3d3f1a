"""Diagnostics: the redacted support bundle ("Destek paketi oluştur", ``signer-app diagnose``).

:func:`write_support_bundle` collects what a help desk needs to tell a
missing driver from a blocked network from a wrong clock, and writes it as
one ZIP file (mode 0600):

``report.txt``
    the human report, with Turkish/English headings;
``report.json``
    the same facts for tools (format :data:`REPORT_FORMAT`);
``logs/signer-app.log``
    the last lines of the rotating log files, oldest first.

Sections: the system (OS, Python, program and library versions,
architecture, bitness, frozen or not); the settings in effect with the layer
each value came from and the policy locks; the proxies (environment and the
system's, credentials masked); the PKCS#11 modules (probe outcome per
candidate, readers, token flags with the PIN counters, certificate summaries
— public data only, read without a PIN); the portal (DNS, TCP, TLS against
the operating system's store and against Mozilla's bundle, the presented
chain, an HTTP GET of ``openapi.yaml`` and the clock skew from the answer's
``Date``); the recent log lines.

Each section runs on its own: a crashing module, a missing network or a
broken settings file is recorded in its section and the bundle is still
written. Every text in the bundle passes :func:`signer_app.logs.redact`
(registered secrets and secret-looking patterns) on the way out, the log
lines included, although the log handlers masked them when they were
written: a line written by an older version, or a secret registered only
now, is masked too. Nothing here asks for, reads or registers a secret: no
PIN, no web-service password, no keyring, no private key object.

TLS interception is told from the two verifications: a chain the operating
system trusts but Mozilla's bundle (certifi) does not is what a corporate
TLS-inspecting proxy or an antivirus "HTTPS scanning" produces (its root is
installed in the system store only). A portal with a company-private CA
looks the same, so the verdict says "likely", and names the product when the
issuer gives it away.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import importlib
import importlib.metadata
import io
import json
import logging
import os
import platform
import secrets
import socket
import ssl
import struct
import sys
import time
import traceback
import urllib.request
import zipfile
from base64 import b64encode
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import SplitResult, unquote, urlsplit

import signer_app
from signer_app.config import LoadedSettings, Settings, Source, load_settings
from signer_app.errors import DiagnoseError
from signer_app.logs import BACKUP_COUNT, LOG_FILE_NAME, MASK, default_log_dir, redact

if TYPE_CHECKING:
    from signer_app.token.api import SlotInfo
    from signer_app.token.service import TokenService

__all__ = [
    "CLOCK_SKEW_LIMIT",
    "DEFAULT_LOG_LINES",
    "DEFAULT_NETWORK_TIMEOUT",
    "HEALTH_PATH",
    "REPORT_FORMAT",
    "SupportBundle",
    "clock_skew",
    "collect_report",
    "mask_proxy_url",
    "render_report",
    "write_support_bundle",
]

_log = logging.getLogger(__name__)

#: The ``format`` member of ``report.json``.
REPORT_FORMAT: Final = "signer-app-diagnostics"
_REPORT_VERSION: Final = 1
#: Log lines put in the bundle by default (from the newest back).
DEFAULT_LOG_LINES: Final = 2000
#: Seconds each network step (DNS aside) may take.
DEFAULT_NETWORK_TIMEOUT: Final = 10.0
#: Seconds of difference with the portal's clock that are reported as a problem:
#: signing times and certificate validity are judged by the clock.
CLOCK_SKEW_LIMIT: Final = 60.0
#: What the portal check fetches, relative to the portal URL (``…/api/v1/``):
#: the API description every conforming portal serves without a session.
HEALTH_PATH: Final = "openapi.yaml"

#: Libraries whose versions matter to support (distribution names).
_LIBRARIES: Final = (
    "PySide6-Essentials",
    "PySide6",
    "shiboken6",
    "python-pkcs11",
    "PyKCS11",
    "cryptography",
    "asn1crypto",
    "lxml",
    "requests",
    "urllib3",
    "truststore",
    "certifi",
    "keyring",
    "platformdirs",
    "PyYAML",
)
#: Distribution name -> module whose ``__version__`` stands in for missing metadata.
_LIBRARY_MODULES: Final = {
    "PySide6": "PySide6",
    "python-pkcs11": "pkcs11",
    "PyKCS11": "PyKCS11",
    "cryptography": "cryptography",
    "lxml": "lxml",
    "requests": "requests",
    "urllib3": "urllib3",
    "truststore": "truststore",
    "certifi": "certifi",
}
_QT_MODULES: Final = frozenset({"PySide6", "shiboken6"})
#: Environment variables shown in the system section (values redacted); the
#: proxy variables have their own section.
_ENVIRONMENT: Final = (
    "SIGNER_APP_POLICY_FILE",
    "SIGNER_APP_CONFIG_DIR",
    "SIGNER_APP_LOG_DIR",
    "SOFTHSM2_CONF",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "LANG",
    "LC_ALL",
    "TZ",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "QT_QPA_PLATFORM",
)
_PROXY_VARIABLES: Final = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
)
# Words in a TLS issuer that name an inspecting product; matched case-insensitively.
_INTERCEPTORS: Final = (
    "zscaler",
    "fortinet",
    "fortigate",
    "palo alto",
    "blue coat",
    "bluecoat",
    "symantec web",
    "netskope",
    "forcepoint",
    "websense",
    "sophos",
    "cisco umbrella",
    "checkpoint",
    "check point",
    "mcafee web",
    "kaspersky",
    "eset",
    "avast",
    "avg ",
    "bitdefender",
    "trend micro",
    "watchguard",
    "sonicwall",
    "barracuda",
    "mitmproxy",
    "fiddler",
    "charles proxy",
)
# PKCS#11 flag names, for the report (CK_SLOT_INFO.flags, CK_TOKEN_INFO.flags).
_SLOT_FLAGS: Final = {0x1: "TOKEN_PRESENT", 0x2: "REMOVABLE_DEVICE", 0x4: "HW_SLOT"}
_TOKEN_FLAGS: Final = {
    0x1: "RNG",
    0x2: "WRITE_PROTECTED",
    0x4: "LOGIN_REQUIRED",
    0x8: "USER_PIN_INITIALIZED",
    0x20: "RESTORE_KEY_NOT_NEEDED",
    0x40: "CLOCK_ON_TOKEN",
    0x100: "PROTECTED_AUTHENTICATION_PATH",
    0x200: "DUAL_CRYPTO_OPERATIONS",
    0x400: "TOKEN_INITIALIZED",
    0x800: "SECONDARY_AUTHENTICATION",
    0x10000: "USER_PIN_COUNT_LOW",
    0x20000: "USER_PIN_FINAL_TRY",
    0x40000: "USER_PIN_LOCKED",
    0x80000: "USER_PIN_TO_BE_CHANGED",
    0x100000: "SO_PIN_COUNT_LOW",
    0x200000: "SO_PIN_FINAL_TRY",
    0x400000: "SO_PIN_LOCKED",
    0x800000: "SO_PIN_TO_BE_CHANGED",
    0x1000000: "ERROR_STATE",
}
_MAX_LOG_BYTES_PER_FILE: Final = 2 * 1024 * 1024
_MAX_HTTP_BODY: Final = 64 * 1024
# _ssl.ENCODING_DER, the argument of the private _ssl.Certificate.public_bytes().
_ENCODING_DER: Final = 2
_SECTIONS: Final = ("system", "settings", "proxies", "tokens", "portal", "logs")


@dataclass(frozen=True)
class SupportBundle:
    """What :func:`write_support_bundle` wrote."""

    #: The ZIP file.
    path: Path
    #: The report as written to ``report.json`` (redacted).
    report: dict[str, Any]
    #: Sections that could not be collected (their error is in the report).
    failed_sections: tuple[str, ...]
    #: Problem codes found (``tls_interception_likely``, ``clock_skew``…); see
    #: :func:`render_report` for their meaning.
    problems: tuple[str, ...]


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def write_support_bundle(
    out: Path,
    loaded: LoadedSettings | None = None,
    *,
    settings_error: BaseException | None = None,
    portal_url: str | None = None,
    modules: Sequence[str] = (),
    tokens: TokenService | None = None,
    customer_id: str | None = None,
    log_dir: Path | None = None,
    log_lines: int = DEFAULT_LOG_LINES,
    extra_ca_file: Path | None = None,
    timeout: float = DEFAULT_NETWORK_TIMEOUT,
    progress: Callable[[str], None] | None = None,
) -> SupportBundle:
    """Collect the diagnostics and write the support ZIP to *out* (mode 0600).

    Slow (module probes, network checks up to *timeout* each): call it off
    the UI thread. Every section records its own failure; only a ZIP that
    cannot be written raises.

    :param out: the ZIP file to write; its folder is created, an existing
        file is replaced (atomically).
    :param loaded: the settings in effect; ``None`` loads them here (or, with
        *settings_error*, records why they could not be loaded).
    :param settings_error: why the caller could not load the settings.
    :param portal_url: the portal to check; default ``portal.url`` of the settings.
    :param modules: extra PKCS#11 module paths to probe (``--module``).
    :param tokens: a token service to use (the window's); default one built
        from the settings and closed afterwards.
    :param customer_id: the VKN/TCKN to judge certificates against, if known.
    :param log_dir: the log folder; default :func:`signer_app.logs.default_log_dir`.
    :param log_lines: how many of the newest log lines to include.
    :param extra_ca_file: a PEM CA trusted besides the system store, as the
        portal client's ``extra_ca_file`` (tests, demo).
    :param timeout: seconds each network step may take.
    :param progress: called (on the calling thread) with each section's name
        as it starts: ``system``, ``settings``, ``proxies``, ``tokens``,
        ``portal``, ``logs``.
    :returns: the path, the report and the problems found.
    :raises DiagnoseError: the ZIP cannot be written.
    """
    started = time.monotonic()
    report, log_text = _collect(
        loaded,
        settings_error=settings_error,
        portal_url=portal_url,
        modules=modules,
        tokens=tokens,
        customer_id=customer_id,
        log_dir=log_dir,
        log_lines=log_lines,
        extra_ca_file=extra_ca_file,
        timeout=timeout,
        progress=progress,
    )
    report["meta"]["duration_seconds"] = round(time.monotonic() - started, 2)
    report = _redacted_report(report)
    try:
        text = redact(render_report(report))
    except Exception as exc:  # noqa: BLE001 - the JSON report must still reach support
        _log.warning("rendering report.txt failed", exc_info=True)
        text = f"report.txt could not be rendered ({_error_text(exc)}); see report.json\n"
    files = {
        "report.txt": text.encode("utf-8"),
        "report.json": (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        f"logs/{LOG_FILE_NAME}": redact(log_text).encode("utf-8"),
    }
    _write_zip(out, files, report["meta"]["created_at"])
    failed = tuple(name for name in _SECTIONS if "error" in report.get(name, {}))
    _log.info("support bundle written to %s (%d failed sections)", out, len(failed))
    return SupportBundle(out, report, failed, tuple(report["problems"]))


def collect_report(
    loaded: LoadedSettings | None = None,
    *,
    portal_url: str | None = None,
    modules: Sequence[str] = (),
    tokens: TokenService | None = None,
    extra_ca_file: Path | None = None,
    timeout: float = DEFAULT_NETWORK_TIMEOUT,
) -> dict[str, Any]:
    """Collect the report only (no ZIP, no log lines), redacted; for a diagnostics page.

    :param loaded: see :func:`write_support_bundle`.
    :param portal_url: see :func:`write_support_bundle`.
    :param modules: see :func:`write_support_bundle`.
    :param tokens: see :func:`write_support_bundle`.
    :param extra_ca_file: see :func:`write_support_bundle`.
    :param timeout: see :func:`write_support_bundle`.
    :returns: the report as in ``report.json``.
    """
    report, _ = _collect(
        loaded,
        settings_error=None,
        portal_url=portal_url,
        modules=modules,
        tokens=tokens,
        customer_id=None,
        log_dir=None,
        log_lines=0,
        extra_ca_file=extra_ca_file,
        timeout=timeout,
        progress=None,
    )
    return _redacted_report(report)


def clock_skew(date_header: str, sent: float, received: float) -> float | None:
    """How far the server's clock is ahead of ours, from an HTTP ``Date`` header.

    The server stamped its answer between *sent* and *received*; the middle
    is taken as the moment it did. ``Date`` has a resolution of one second
    and servers truncate, so half a second is added to the stamp: the
    estimate is then off by at most half a second plus half the round trip.

    :param date_header: the ``Date`` value (IMF-fixdate).
    :param sent: our clock (``time.time()``) when the request was sent.
    :param received: our clock when the answer's headers arrived.
    :returns: seconds, positive when the server is ahead (our clock is slow);
        ``None`` when the header cannot be read.
    """
    try:
        moment = email.utils.parsedate_to_datetime(date_header.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp() + 0.5 - (sent + received) / 2


def mask_proxy_url(value: str) -> str:
    """Return a proxy setting with any user name and password replaced by ``***``.

    :param value: a proxy URL (``http://user:pass@proxy:3128``), a bare
        ``host:port`` or a ``NO_PROXY`` list.
    :returns: the value with its credentials masked.
    """
    text = value.strip()
    if "@" not in text:
        return text
    parts = urlsplit(text if "://" in text else f"//{text}")
    if parts.username is None and parts.password is None:
        return redact(text)
    host = parts.netloc.rpartition("@")[2]
    masked = parts._replace(netloc=f"{MASK}@{host}").geturl()
    return masked if "://" in text else masked.removeprefix("//")


# ---------------------------------------------------------------------------
# Collection
# ---------------------------------------------------------------------------


def _error_text(exc: BaseException) -> str:
    detail = getattr(exc, "detail", "") or str(exc)
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _section(name: str, collect: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run one section; a failure is recorded in it instead of ending the report."""
    try:
        return collect()
    except Exception as exc:  # noqa: BLE001 - a section must never end the bundle
        _log.warning("diagnostics section %s failed", name, exc_info=True)
        return {
            "error": _error_text(exc),
            "traceback": traceback.format_exc(limit=8),
        }


def _collect(
    loaded: LoadedSettings | None,
    *,
    settings_error: BaseException | None,
    portal_url: str | None,
    modules: Sequence[str],
    tokens: TokenService | None,
    customer_id: str | None,
    log_dir: Path | None,
    log_lines: int,
    extra_ca_file: Path | None,
    timeout: float,
    progress: Callable[[str], None] | None,
) -> tuple[dict[str, Any], str]:
    now = datetime.now(UTC).replace(microsecond=0)

    def step(name: str) -> None:
        if progress is not None:
            with contextlib.suppress(Exception):
                progress(name)

    if loaded is None and settings_error is None:
        try:
            loaded = load_settings()
        except Exception as exc:  # noqa: BLE001 - recorded in the settings section
            settings_error = exc
    report: dict[str, Any] = {
        "format": REPORT_FORMAT,
        "version": _REPORT_VERSION,
        "meta": {
            "created_at": now.isoformat(),
            "program": "signer-app",
            "program_version": signer_app.__version__,
        },
    }
    step("system")
    report["system"] = _section("system", _system_section)
    step("settings")
    report["settings"] = _section("settings", lambda: _settings_section(loaded, settings_error))
    url = portal_url if portal_url is not None else (loaded.settings.portal.url if loaded else None)
    step("proxies")
    report["proxies"] = _section("proxies", lambda: _proxies_section(url))
    step("tokens")
    report["tokens"] = _section(
        "tokens", lambda: _tokens_section(loaded, modules, tokens, customer_id, now)
    )
    step("portal")
    report["portal"] = _section(
        "portal", lambda: _portal_section(url, loaded, extra_ca_file, timeout)
    )
    step("logs")
    holder: dict[str, str] = {"text": ""}

    def logs() -> dict[str, Any]:
        section, holder["text"] = _logs_section(log_dir, log_lines)
        return section

    report["logs"] = _section("logs", logs) if log_lines > 0 else {"included": 0}
    try:
        report["problems"] = _problems(report)
    except Exception:  # noqa: BLE001 - a summary that cannot be made must not cost the bundle
        _log.warning("summarising the diagnostics failed", exc_info=True)
        report["problems"] = ["section_failed:summary"]
    return report, holder["text"]


def _redacted_report(report: dict[str, Any]) -> dict[str, Any]:
    redacted: dict[str, Any] = _redacted(report)
    return redacted


def _redacted(value: Any) -> Any:
    """Every string in *value* (keys too) through :func:`redact`; JSON stays JSON."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {redact(str(k)): _redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v) for v in value]
    return value


# -- system ---------------------------------------------------------------------------------------


def _version_of(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _module_version(name: str) -> str | None:
    module = sys.modules.get(name)
    if module is None and name not in _QT_MODULES:
        # Qt is never loaded here (the command line runs without it); a loaded
        # one (the window's) is reported from sys.modules.
        try:
            module = importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a broken library is reported as absent
            return None
    version = getattr(module, "__version__", None) if module is not None else None
    return str(version) if version else None


def _system_section() -> dict[str, Any]:
    frozen = bool(getattr(sys, "frozen", False))
    libraries = {name: _version_of(name) for name in _LIBRARIES}
    for name, module in _LIBRARY_MODULES.items():
        if libraries.get(name) is None:
            # A PyInstaller bundle may carry no distribution metadata: ask the module.
            libraries[name] = _module_version(module)
    local = datetime.now().astimezone()
    return {
        "os": platform.platform(),
        "system": platform.system(),
        "release": platform.release(),
        "os_version": platform.version(),
        "machine": platform.machine(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "python_executable": sys.executable,
        "bits": struct.calcsize("P") * 8,
        "frozen": frozen,
        "program_version": signer_app.__version__,
        "openssl": ssl.OPENSSL_VERSION,
        "libraries": {name: version for name, version in libraries.items() if version},
        "filesystem_encoding": sys.getfilesystemencoding(),
        "preferred_encoding": _preferred_encoding(),
        "local_time": local.isoformat(timespec="seconds"),
        "utc_offset": local.strftime("%z"),
        "timezone": local.tzname() or "",
        "environment": {
            name: os.environ[name] for name in _ENVIRONMENT if os.environ.get(name) is not None
        },
    }


def _preferred_encoding() -> str:
    import locale  # noqa: PLC0415

    return locale.getpreferredencoding(False)


# -- settings -------------------------------------------------------------------------------------


def _settings_section(
    loaded: LoadedSettings | None, settings_error: BaseException | None
) -> dict[str, Any]:
    if loaded is None:
        # The program runs on the built-in values when the settings are unusable.
        defaults = Settings().as_flat()
        return {
            "error": _error_text(settings_error) if settings_error else "not loaded",
            "values": [
                {"key": k, "value": _plain(v), "source": str(Source.DEFAULT), "locked": False}
                for k, v in defaults.items()
            ],
        }
    flat = loaded.settings.as_flat()
    return {
        "values": [
            {
                "key": key,
                "value": _plain(value),
                "source": loaded.sources.get(key, str(Source.DEFAULT)),
                "locked": loaded.is_locked(key),
            }
            for key, value in flat.items()
        ],
        "locked": sorted(loaded.locked),
        "origins": dict(loaded.origins),
        "ignored_overrides": [{"key": k, "source": s} for k, s in loaded.ignored_overrides],
        "rejected": [{"key": k, "source": s, "reason": r} for k, s, r in loaded.rejected],
    }


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


# -- proxies --------------------------------------------------------------------------------------


def _proxy_for(url: str | None) -> str | None:
    """The proxy ``requests`` would use for *url* (environment and system settings)."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    from signer_app.portal_api._hosts import is_loopback_host  # noqa: PLC0415

    if not host or is_loopback_host(host):
        # The portal client always goes direct to this computer.
        return None
    proxies = urllib.request.getproxies()
    if urllib.request.proxy_bypass(host) or _no_proxy_matches(host, proxies.get("no", "")):
        return None
    return proxies.get(parts.scheme) or proxies.get("all")


def _no_proxy_matches(host: str, no_proxy: str) -> bool:
    name = host.lower().rstrip(".")
    for entry in (e.strip().lower().lstrip(".") for e in no_proxy.split(",")):
        if entry == "*" or (entry and (name == entry or name.endswith("." + entry))):
            return True
    return False


def _proxies_section(url: str | None) -> dict[str, Any]:
    environment = {
        name: mask_proxy_url(os.environ[name])
        for name in _PROXY_VARIABLES
        if os.environ.get(name) is not None
    }
    system = {
        scheme: mask_proxy_url(value) for scheme, value in urllib.request.getproxies().items()
    }
    section: dict[str, Any] = {
        "environment": environment,
        "system": system,
        "portal_proxy": None,
        "notes": [
            "PAC/WPAD scripts and NTLM/Kerberos proxy authentication are not used by the client"
        ],
    }
    if sys.platform == "win32":
        section["windows_internet_settings"] = _windows_internet_settings()
    proxy = _proxy_for(url)
    section["portal_proxy"] = mask_proxy_url(proxy) if proxy else None
    return section


if sys.platform == "win32":

    def _windows_internet_settings() -> dict[str, Any]:
        import winreg  # noqa: PLC0415

        found: dict[str, Any] = {}
        key = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings"
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as handle:
                for name in ("ProxyEnable", "ProxyServer", "ProxyOverride", "AutoConfigURL"):
                    with contextlib.suppress(OSError):
                        value, _ = winreg.QueryValueEx(handle, name)
                        found[name] = mask_proxy_url(str(value))
        except OSError as exc:
            found["error"] = _error_text(exc)
        return found


# -- tokens ---------------------------------------------------------------------------------------


def _flag_names(flags: int, names: Mapping[int, str]) -> list[str]:
    return [name for bit, name in names.items() if flags & bit]


def _tokens_section(
    loaded: LoadedSettings | None,
    modules: Sequence[str],
    tokens: TokenService | None,
    customer_id: str | None,
    now: datetime,
) -> dict[str, Any]:
    from signer_app.token.binfmt import current_architecture  # noqa: PLC0415

    own = tokens is None
    if tokens is None:
        if loaded is not None:
            from signer_app.launch import build_token_service  # noqa: PLC0415 - composition root

            tokens = build_token_service(loaded, command_line_modules=modules)
        else:
            from signer_app.token.catalogue import ModuleSource  # noqa: PLC0415
            from signer_app.token.service import TokenService  # noqa: PLC0415

            tokens = TokenService(
                extra_modules=[(path, ModuleSource.COMMAND_LINE) for path in modules]
            )
    else:
        for path in modules:
            tokens.add_module(path)
    try:
        result: dict[str, Any] = {
            "program_architecture": current_architecture(),
            "isolation": tokens.options.isolation.value,
            "binding": tokens.options.backend.value,
            "pcsc": _pcsc_state(),
            "modules": [],
        }
        seen: set[str] = set()
        for candidate in tokens.candidate_modules():
            if candidate.path in seen:
                continue
            seen.add(candidate.path)
            result["modules"].append(_module_entry(tokens, candidate, customer_id, now))
        return result
    finally:
        if own:
            tokens.close()


def _pcsc_state() -> dict[str, Any]:
    """Whether the smart-card service looks available (readers live behind it)."""
    system = platform.system()
    if system == "Linux":
        socket_path = Path("/run/pcscd/pcscd.comm")
        return {"service": "pcscd", "socket": str(socket_path), "present": socket_path.exists()}
    return {"service": "SCardSvr" if system == "Windows" else "system", "present": None}


def _module_entry(
    tokens: TokenService, candidate: Any, customer_id: str | None, now: datetime
) -> dict[str, Any]:
    from signer_app.token.report import binary_facts  # noqa: PLC0415

    entry: dict[str, Any] = {
        "path": candidate.path,
        "name": candidate.display_name,
        "source": candidate.source.value,
        "exists": candidate.exists,
    }
    try:
        probe = tokens.probe(candidate.path)
    except Exception as exc:  # noqa: BLE001 - one module must not end the section
        _log.warning("probing %s failed", candidate.path, exc_info=True)
        return {**entry, "outcome": "error", "detail": _error_text(exc), "slots": []}
    binary = probe.binary
    entry.update(
        {
            "outcome": probe.outcome.value,
            "detail": probe.detail,
            "missing_dependency": probe.missing_dependency,
            "binary": binary_facts(binary),
            "module_info": dict(probe.module_info),
            "slots": [
                _slot_entry(tokens, candidate.path, slot, customer_id, now) for slot in probe.slots
            ],
        }
    )
    return entry


def _slot_entry(
    tokens: TokenService, module: str, slot: SlotInfo, customer_id: str | None, now: datetime
) -> dict[str, Any]:
    from signer_app.token.report import certificate_facts  # noqa: PLC0415

    entry: dict[str, Any] = {
        "slot_id": slot.slot_id,
        "description": slot.description,
        "manufacturer": slot.manufacturer,
        "flags": _flag_names(slot.flags, _SLOT_FLAGS),
        "token": None,
        "certificates": [],
    }
    token = slot.token
    if token is None:
        return entry
    flags = token.flags
    entry["token"] = {
        "label": token.label,
        "serial": token.serial,
        "manufacturer": token.manufacturer,
        "model": token.model,
        "flags": _flag_names(flags, _TOKEN_FLAGS),
        "initialized": token.initialized,
        "login_required": token.login_required,
        "protected_authentication_path": token.protected_authentication_path,
        "pin_status": token.pin_status.value,
        "pin_count_low": bool(flags & 0x10000),
        "pin_final_try": bool(flags & 0x20000),
        "pin_locked": bool(flags & 0x40000),
    }
    if slot.token_present and token.initialized:
        try:
            entry["certificates"] = [
                certificate_facts(cert, customer_id, now)
                for cert in tokens.certificates(module, slot.slot_id)
            ]
        except Exception as exc:  # noqa: BLE001 - one slot must not end the section
            entry["certificate_error"] = _error_text(exc)
    return entry


# -- portal ---------------------------------------------------------------------------------------


class _ProxyRefusedError(OSError):
    """The proxy did not open a tunnel (its status line is the message)."""


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _connect(
    host: str, port: int, proxy: SplitResult | None, timeout: float
) -> tuple[socket.socket, str]:
    """A TCP connection to host:port, through an HTTP proxy's CONNECT tunnel if given."""
    if proxy is None:
        sock = socket.create_connection((host, port), timeout=timeout)
        peer = sock.getpeername()
        return sock, f"{peer[0]}:{peer[1]}"
    proxy_port = proxy.port or (443 if proxy.scheme == "https" else 8080)
    sock = socket.create_connection((proxy.hostname or "", proxy_port), timeout=timeout)
    try:
        target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
        if proxy.username is not None:
            # Basic only, as the portal client; the credentials never reach the report.
            pair = f"{unquote(proxy.username)}:{unquote(proxy.password or '')}"
            lines.append(f"Proxy-Authorization: Basic {b64encode(pair.encode()).decode()}")
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        answer = b""
        while b"\r\n\r\n" not in answer and len(answer) < 16384:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
        status = answer.split(b"\r\n", 1)[0].decode("latin-1", "replace")
        if len(status.split()) < 2 or status.split()[1] != "200":
            raise _ProxyRefusedError(f"the proxy refused the tunnel: {status or 'no answer'}")
    except BaseException:
        sock.close()
        raise
    return sock, f"via proxy {proxy.hostname}:{proxy_port}"


def _certificate_summary(der: bytes) -> dict[str, Any]:
    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415

    cert = x509.load_der_x509_certificate(der)
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial_hex": f"{cert.serial_number:X}",
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
        "self_signed": cert.subject == cert.issuer,
    }


def _presented_chain(tls: ssl.SSLSocket) -> list[bytes]:
    """The certificates the server sent, leaf first, unverified."""
    # SSLSocket.get_unverified_chain() is public from Python 3.13; 3.11 and
    # 3.12 have it on the private _sslobj.
    sslobj = getattr(tls, "_sslobj", None)
    getter = getattr(sslobj, "get_unverified_chain", None) or getattr(
        tls, "get_unverified_chain", None
    )
    if getter is not None:
        chain = getter() or []
        return [c if isinstance(c, bytes) else c.public_bytes(_ENCODING_DER) for c in chain]
    leaf = tls.getpeercert(binary_form=True)
    return [leaf] if leaf else []


def _verify_error(exc: BaseException) -> dict[str, Any]:
    found: dict[str, Any] = {"ok": False, "error": _error_text(exc)}
    if isinstance(exc, ssl.SSLCertVerificationError):
        found["verify_code"] = exc.verify_code
        found["verify_message"] = exc.verify_message
    return found


def _mozilla_context() -> ssl.SSLContext | None:
    try:
        import certifi  # noqa: PLC0415 - comes with requests
    except ImportError:
        return None
    context = ssl.create_default_context(cafile=certifi.where())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _handshake(
    context: ssl.SSLContext,
    host: str,
    port: int,
    proxy: SplitResult | None,
    timeout: float,
) -> ssl.SSLSocket:
    sock, _ = _connect(host, port, proxy, timeout)
    try:
        return context.wrap_socket(sock, server_hostname=host)
    except BaseException:
        sock.close()
        raise


def _interceptor_in(chain: Sequence[Mapping[str, Any]]) -> str | None:
    for cert in chain:
        issuer = f"{cert.get('issuer', '')} {cert.get('subject', '')}".lower()
        for word in _INTERCEPTORS:
            if word in issuer:
                return word.strip()
    return None


def _tls_checks(
    host: str,
    port: int,
    proxy: SplitResult | None,
    timeout: float,
    extra_ca_file: Path | None,
) -> tuple[dict[str, Any], ssl.SSLSocket | None]:
    """TLS: the chain as presented, then the OS store's and Mozilla's verdicts.

    Returns the section and, when the OS store verified it, an open connection.
    """
    from signer_app.portal_api.client import tls_context  # noqa: PLC0415

    tls: dict[str, Any] = {}
    capture = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    capture.check_hostname = False
    # Only to see what the server presents; nothing is sent on this connection.
    capture.verify_mode = ssl.CERT_NONE
    started = time.monotonic()
    try:
        with _handshake(capture, host, port, proxy, timeout) as raw:
            tls["handshake"] = {
                "ok": True,
                "ms": _ms(started),
                "version": raw.version(),
                "cipher": (raw.cipher() or ("",))[0],
            }
            tls["chain"] = [_certificate_summary(der) for der in _presented_chain(raw)]
    except (OSError, ValueError) as exc:
        tls["handshake"] = {"ok": False, "ms": _ms(started), "error": _error_text(exc)}
        tls["verdict"] = "tls_handshake_failed"
        return tls, None

    verified: ssl.SSLSocket | None = None
    try:
        verified = _handshake(tls_context(extra_ca_file), host, port, proxy, timeout)
        tls["os_store"] = {"ok": True}
    except (OSError, ValueError) as exc:
        tls["os_store"] = _verify_error(exc)
    except Exception as exc:  # noqa: BLE001 - e.g. TlsError for a bad extra CA file
        tls["os_store"] = _verify_error(exc)

    mozilla = _mozilla_context()
    if mozilla is None:
        tls["mozilla"] = {"ok": None, "error": "certifi is not available"}
    else:
        try:
            _handshake(mozilla, host, port, proxy, timeout).close()
            tls["mozilla"] = {"ok": True}
        except (OSError, ValueError) as exc:
            tls["mozilla"] = _verify_error(exc)

    os_ok, mozilla_ok = tls["os_store"]["ok"], tls["mozilla"]["ok"]
    if os_ok and mozilla_ok is False:
        tls["verdict"] = "tls_interception_likely"
        product = _interceptor_in(tls.get("chain", []))
        if product:
            tls["interceptor"] = product
    elif os_ok:
        tls["verdict"] = "ok"
    elif mozilla_ok:
        tls["verdict"] = "os_store_missing_root"
    else:
        tls["verdict"] = "tls_untrusted"
        product = _interceptor_in(tls.get("chain", []))
        if product:
            tls["interceptor"] = product
    return tls, verified


def _http_get(
    sock: socket.socket, host_header: str, path: str, timeout: float
) -> tuple[dict[str, Any], float | None]:
    """GET *path* on an open connection; the answer's status and headers, and the clock skew."""
    connection = http.client.HTTPConnection(host_header, timeout=timeout)
    connection.sock = sock
    started = time.monotonic()
    try:
        sent = time.time()
        connection.request(
            "GET",
            path,
            headers={
                "User-Agent": f"signer-app/{signer_app.__version__} diagnostics",
                "Accept": "*/*",
                "Connection": "close",
            },
        )
        response = connection.getresponse()
        received = time.time()
        response.read(_MAX_HTTP_BODY)
        date = response.getheader("Date")
        skew = clock_skew(date, sent, received) if date else None
        return {
            "ok": response.status == 200,
            "status": response.status,
            "reason": response.reason,
            "ms": _ms(started),
            "content_type": response.getheader("Content-Type"),
            "server": response.getheader("Server"),
            "date": date,
        }, skew
    finally:
        connection.close()


def _portal_section(
    url: str | None,
    loaded: LoadedSettings | None,
    extra_ca_file: Path | None,
    timeout: float,
) -> dict[str, Any]:
    if not url:
        return {"configured": False, "verdict": "not_configured"}
    from signer_app.portal_api._hosts import (  # noqa: PLC0415
        DEFAULT_PORTS,
        host_label,
        is_loopback_host,
        is_trusted_host,
    )

    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme, 443)
    except ValueError:
        return {"configured": True, "url": url, "verdict": "bad_url"}
    if scheme not in ("http", "https") or not host:
        return {"configured": True, "url": url, "verdict": "bad_url"}
    base = parts.path if parts.path.endswith("/") else parts.path + "/"
    hosts: tuple[str, ...] = ()
    if loaded is not None:
        from signer_app.launch import trusted_hosts  # noqa: PLC0415 - composition root

        hosts = trusted_hosts(loaded)
    section: dict[str, Any] = {
        "configured": True,
        "url": parts._replace(path=base, query="", fragment="").geturl(),
        "host": host,
        "port": port,
        "scheme": scheme,
        "loopback": is_loopback_host(host),
        "trusted_host": is_trusted_host(host, parts.port, scheme, hosts),
    }
    if scheme == "http" and not section["loopback"]:
        section["note"] = "plain HTTP is refused by the client except on this computer (demo)"
    proxy_url = _proxy_for(url) if scheme == "https" else None
    proxy = (
        urlsplit(proxy_url if "://" in proxy_url else f"http://{proxy_url}") if proxy_url else None
    )
    section["proxy"] = mask_proxy_url(proxy_url) if proxy_url else None

    # DNS: through a proxy the proxy resolves, so a local failure is only noted.
    started = time.monotonic()
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        section["dns"] = {
            "ok": True,
            "ms": _ms(started),
            "addresses": sorted({str(info[4][0]) for info in infos}),
        }
    except OSError as exc:
        section["dns"] = {"ok": False, "ms": _ms(started), "error": _error_text(exc)}
        if proxy is None:
            section["verdict"] = "dns_failed"
            return section

    started = time.monotonic()
    try:
        sock, peer = _connect(host, port, proxy, timeout)
        section["tcp"] = {"ok": True, "ms": _ms(started), "peer": peer}
    except OSError as exc:
        section["tcp"] = {"ok": False, "ms": _ms(started), "error": _error_text(exc)}
        refused = isinstance(exc, _ProxyRefusedError)
        section["verdict"] = "proxy_refused" if refused else "connect_failed"
        return section

    label = host_label(host, parts.port, scheme)
    path = base + HEALTH_PATH
    skew: float | None = None
    if scheme == "http":
        section["tls"] = {"verdict": "not_applicable"}
        try:
            section["http"], skew = _http_get(sock, label, path, timeout)
        except (OSError, http.client.HTTPException) as exc:
            section["http"] = {"ok": False, "error": _error_text(exc)}
    else:
        sock.close()
        section["tls"], verified = _tls_checks(host, port, proxy, timeout, extra_ca_file)
        connection: socket.socket | None = verified
        if connection is None and section["tls"]["handshake"]["ok"]:
            # The clock is a common cause of a failed verification: read the
            # Date of an unverified answer. Nothing secret is ever sent here.
            with contextlib.suppress(OSError, ValueError):
                capture = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                capture.check_hostname = False
                capture.verify_mode = ssl.CERT_NONE
                connection = _handshake(capture, host, port, proxy, timeout)
                section["http_unverified"] = True
        if connection is not None:
            try:
                section["http"], skew = _http_get(connection, label, path, timeout)
            except (OSError, http.client.HTTPException) as exc:
                section["http"] = {"ok": False, "error": _error_text(exc)}
    if skew is not None:
        section["clock"] = {
            "skew_seconds": round(skew, 1),
            "server_ahead": skew > 0,
            "limit_seconds": CLOCK_SKEW_LIMIT,
            "ok": abs(skew) <= CLOCK_SKEW_LIMIT,
        }
    section["verdict"] = _portal_verdict(section)
    return section


def _portal_verdict(section: Mapping[str, Any]) -> str:
    tls = section.get("tls", {})
    if tls.get("verdict") not in (None, "ok", "not_applicable"):
        return str(tls["verdict"])
    http_result = section.get("http", {})
    if not http_result:
        return "http_failed"
    if "status" not in http_result:
        return "http_failed"
    if http_result["status"] != 200:
        return "http_status"
    return "ok"


def _problems(report: Mapping[str, Any]) -> list[str]:
    """The problem codes of the whole report, most useful first."""
    found: list[str] = []
    portal = report.get("portal", {})
    verdict = portal.get("verdict")
    if verdict not in (None, "ok", "not_configured"):
        found.append(str(verdict))
    if portal.get("clock", {}).get("ok") is False:
        found.append("clock_skew")
    # A loopback portal is the demo's, which the client allows in demo mode only.
    if portal.get("trusted_host") is False and not portal.get("loopback"):
        found.append("portal_not_trusted_host")
    tokens = report.get("tokens", {})
    cards = [
        slot["token"]
        for module in tokens.get("modules", [])
        for slot in module.get("slots", [])
        if slot.get("token") and slot["token"].get("initialized")
    ]
    if "modules" in tokens and not cards:
        found.append("no_card")
    if any(card.get("pin_locked") for card in cards):
        found.append("pin_locked")
    elif any(card.get("pin_final_try") for card in cards):
        found.append("pin_final_try")
    if "error" in report.get("settings", {}):
        found.append("settings_unreadable")
    for name in _SECTIONS:
        if "error" in report.get(name, {}) and name != "settings":
            found.append(f"section_failed:{name}")
    return found


# -- logs -----------------------------------------------------------------------------------------


def _tail_lines(path: Path, limit: int) -> list[str]:
    with path.open("rb") as stream:
        stream.seek(0, os.SEEK_END)
        size = stream.tell()
        stream.seek(max(0, size - _MAX_LOG_BYTES_PER_FILE))
        data = stream.read()
    lines = data.decode("utf-8", "backslashreplace").splitlines()
    if size > _MAX_LOG_BYTES_PER_FILE and lines:
        lines = lines[1:]  # the first one was cut in the middle
    return lines[-limit:]


def _logs_section(log_dir: Path | None, limit: int) -> tuple[dict[str, Any], str]:
    folder = log_dir if log_dir is not None else default_log_dir()
    names = [LOG_FILE_NAME, *(f"{LOG_FILE_NAME}.{n}" for n in range(1, BACKUP_COUNT + 1))]
    files: list[dict[str, Any]] = []
    collected: list[str] = []
    # Newest file first; lines are gathered backwards, then put in time order.
    for name in names:
        path = folder / name
        try:
            stat = path.stat()
        except OSError:
            continue
        info: dict[str, Any] = {
            "name": name,
            "size": stat.st_size,
            "modified": datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(timespec="seconds"),
        }
        files.append(info)
        if len(collected) >= limit:
            continue
        try:
            lines = _tail_lines(path, limit - len(collected))
        except OSError as exc:
            info["error"] = _error_text(exc)
            continue
        info["lines_included"] = len(lines)
        collected = lines + collected
    text = "".join(redact(line) + "\n" for line in collected)
    return {"folder": str(folder), "files": files, "included": len(collected)}, text


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def _write_zip(out: Path, files: Mapping[str, bytes], created_at: str) -> None:
    moment = datetime.fromisoformat(created_at)
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, 0)
    temporary = out.with_name(f".{out.name}.{secrets.token_hex(4)}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        # Created 0600 from the start: the bundle names the company and its cards.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        descriptor = os.open(temporary, flags, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, data in files.items():
                    entry = zipfile.ZipInfo(name, date_time=stamp)
                    entry.compress_type = zipfile.ZIP_DEFLATED
                    entry.external_attr = 0o600 << 16
                    archive.writestr(entry, data)
            stream.write(buffer.getvalue())
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, out)
        os.chmod(out, 0o600)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise DiagnoseError(
            f"cannot write the support bundle {out}: {exc.strerror or exc}",
            path=str(out),
            reason="unwritable",
        ) from exc


# ---------------------------------------------------------------------------
# The human report
# ---------------------------------------------------------------------------

#: Problem code -> (Turkish, English) explanation, for report.txt.
_PROBLEM_TEXTS: Final[dict[str, tuple[str, str]]] = {
    "tls_interception_likely": (
        "TLS araya girme olası (kurumsal vekil sunucu/antivirüs): zincir işletim sisteminin "
        "deposuyla doğrulanıyor ama Mozilla'nın listesiyle doğrulanmıyor",
        "TLS interception (corporate proxy/antivirus) likely: the chain verifies against the "
        "OS store but not against Mozilla's bundle",
    ),
    "tls_untrusted": (
        "Portalın TLS sertifikası güvenilir değil (işletim sistemi deposu ve Mozilla listesi)",
        "The portal's TLS certificate is not trusted (OS store and Mozilla bundle)",
    ),
    "os_store_missing_root": (
        "İşletim sisteminin sertifika deposunda kök sertifika eksik (Mozilla listesi doğruluyor)",
        "The OS certificate store lacks the root (Mozilla's bundle verifies the chain)",
    ),
    "tls_handshake_failed": ("TLS el sıkışması başarısız", "The TLS handshake failed"),
    "dns_failed": ("Portal adı çözümlenemedi (DNS)", "The portal's name does not resolve (DNS)"),
    "connect_failed": ("Portala bağlanılamadı (TCP)", "Cannot connect to the portal (TCP)"),
    "proxy_refused": ("Vekil sunucu bağlantıyı reddetti", "The proxy refused the connection"),
    "http_failed": ("Portal HTTP isteğine yanıt vermedi", "The portal did not answer over HTTP"),
    "http_status": (
        "Portal beklenmeyen bir HTTP durumu döndürdü",
        "The portal answered an unexpected HTTP status",
    ),
    "bad_url": ("Portal adresi geçersiz", "The portal URL is invalid"),
    "clock_skew": (
        "Bilgisayarın saati portalınkinden farklı",
        "This computer's clock differs from the portal's",
    ),
    "portal_not_trusted_host": (
        "Portal adresi güvenilen sunucular listesinde değil",
        "The portal's host is not on the trusted list",
    ),
    "no_card": ("Kullanılabilir kart bulunamadı", "No usable card was found"),
    "pin_locked": ("Bir kartın PIN'i bloke", "A card's PIN is locked"),
    "pin_final_try": ("Bir kartta son PIN deneme hakkı kaldı", "A card has one PIN try left"),
    "settings_unreadable": (
        "Ayarlar okunamadı; yerleşik değerler kullanılıyor",
        "The settings could not be read; built-in values are used",
    ),
}


def _line(key: str, value: object) -> str:
    if isinstance(value, bool):
        shown = "evet/yes" if value else "hayır/no"
    elif value is None or value in ("", []):
        shown = "-"
    elif isinstance(value, list):
        shown = ", ".join(str(v) for v in value)
    else:
        shown = str(value)
    return f"  {key}: {shown}"


def _heading(number: int, turkish: str, english: str) -> list[str]:
    title = f"{number}. {turkish} / {english}"
    return ["", title, "=" * len(title)]


def _error_lines(section: Mapping[str, Any]) -> list[str]:
    if "error" not in section:
        return []
    return [f"  HATA / ERROR: {section['error']}"]


def render_report(report: Mapping[str, Any]) -> str:
    """The human form of the report (``report.txt``): Turkish/English headings.

    :param report: a report as produced for ``report.json``.
    :returns: the text, one line per fact, ending with a newline.
    """
    meta = report.get("meta", {})
    lines = [
        "signer-app tanılama raporu / diagnostics report",
        _line("Oluşturma / Created", meta.get("created_at")),
        _line("Sürüm / Version", meta.get("program_version")),
        _line("Süre / Duration (s)", meta.get("duration_seconds")),
    ]
    lines += _heading(0, "Özet", "Summary")
    problems = report.get("problems", [])
    if not problems:
        lines.append("  Sorun bulunmadı / No problems found")
    for code in problems:
        turkish, english = _PROBLEM_TEXTS.get(code, (code, code))
        lines.append(f"  ! {turkish}")
        lines.append(f"    {english}")
    lines += _render_system(report.get("system", {}))
    lines += _render_settings(report.get("settings", {}))
    lines += _render_proxies(report.get("proxies", {}))
    lines += _render_tokens(report.get("tokens", {}))
    lines += _render_portal(report.get("portal", {}))
    lines += _render_logs(report.get("logs", {}))
    return "\n".join(lines) + "\n"


def _render_system(section: Mapping[str, Any]) -> list[str]:
    lines = _heading(1, "Sistem", "System") + _error_lines(section)
    for key in (
        "os",
        "machine",
        "bits",
        "python",
        "python_executable",
        "frozen",
        "program_version",
        "openssl",
        "local_time",
        "timezone",
        "preferred_encoding",
    ):
        if key in section:
            lines.append(_line(key, section[key]))
    if section.get("libraries"):
        lines.append("  Kütüphaneler / Libraries:")
        lines += [f"    {name} {version}" for name, version in section["libraries"].items()]
    if section.get("environment"):
        lines.append("  Ortam / Environment:")
        lines += [f"    {name}={value}" for name, value in section["environment"].items()]
    return lines


def _render_settings(section: Mapping[str, Any]) -> list[str]:
    lines = _heading(2, "Ayarlar ve makine ilkesi", "Settings and machine policy")
    lines += _error_lines(section)
    lines.append("  anahtar = değer  (kaynak) / key = value  (source)")
    for item in section.get("values", []):
        lock = ", kilitli / locked" if item.get("locked") else ""
        value = item.get("value")
        shown = "; ".join(map(str, value)) if isinstance(value, list) else value
        lines.append(
            f"  {item['key']} = {'-' if shown in (None, '') else shown}  "
            f"({item.get('source')}{lock})"
        )
    for layer, origin in section.get("origins", {}).items():
        lines.append(f"  {layer}: {origin}")
    for item in section.get("ignored_overrides", []):
        lines.append(
            f"  yok sayıldı (kilitli) / ignored (locked): {item['key']} from {item['source']}"
        )
    for item in section.get("rejected", []):
        lines.append(
            f"  reddedildi / rejected: {item['key']} from {item['source']}: {item['reason']}"
        )
    return lines


def _render_proxies(section: Mapping[str, Any]) -> list[str]:
    lines = _heading(3, "Vekil sunucu", "Proxy") + _error_lines(section)
    environment = section.get("environment", {})
    lines.append("  Ortam değişkenleri / Environment: " + ("" if environment else "-"))
    lines += [f"    {name}={value}" for name, value in environment.items()]
    system = section.get("system", {})
    lines.append("  Sistem / System: " + ("" if system else "-"))
    lines += [f"    {scheme}: {value}" for scheme, value in system.items()]
    for name, value in section.get("windows_internet_settings", {}).items():
        lines.append(f"    {name}: {value}")
    lines.append(_line("Portal için / For the portal", section.get("portal_proxy") or "direct"))
    lines += [f"  not / note: {note}" for note in section.get("notes", [])]
    return lines


def _render_tokens(section: Mapping[str, Any]) -> list[str]:
    lines = _heading(4, "Kart kütüphaneleri ve kartlar", "PKCS#11 modules and cards")
    lines += _error_lines(section)
    if "program_architecture" in section:
        lines.append(
            _line("Program mimarisi / Program architecture", section["program_architecture"])
        )
        lines.append(_line("Yalıtım / Isolation", section.get("isolation")))
        lines.append(_line("Bağlayıcı / Binding", section.get("binding")))
        pcsc = section.get("pcsc", {})
        lines.append(_line(f"PC/SC ({pcsc.get('service')})", pcsc.get("present")))
    for module in section.get("modules", []):
        lines.append(f"  - {module['path']}  [{module.get('name')}, {module.get('source')}]")
        outcome = module.get("outcome")
        detail = module.get("detail") or ""
        lines.append(f"      sonuç / outcome: {outcome}{f' ({detail})' if detail else ''}")
        if module.get("missing_dependency"):
            lines.append(f"      eksik / missing: {module['missing_dependency']}")
        binary = module.get("binary")
        if binary and outcome != "file_missing":
            arch = "/".join(binary.get("architectures", [])) or "?"
            lines.append(
                f"      ikili / binary: {binary.get('format')} {arch} {binary.get('bits')}-bit"
            )
        info = module.get("module_info") or {}
        if info:
            lines.append(
                "      "
                + ", ".join(f"{k}={v}" for k, v in sorted(info.items()) if v not in (None, ""))
            )
        for slot in module.get("slots", []):
            lines += _render_slot(slot)
    return lines


def _render_slot(slot: Mapping[str, Any]) -> list[str]:
    flags = ", ".join(slot.get("flags", []))
    lines = [f"      Okuyucu / Slot {slot['slot_id']}: {slot.get('description')} [{flags}]"]
    token = slot.get("token")
    if token is None:
        return [*lines, "        kart yok / no card"]
    if not token.get("initialized"):
        return [*lines, "        kart başlatılmamış (boş) / token not initialised (empty)"]
    lines.append(
        f"        Kart / Token: {token['label']} (seri/serial {token['serial']}, "
        f"{token['manufacturer']}, {token['model']})"
    )
    lines.append(f"        bayraklar / flags: {', '.join(token.get('flags', []))}")
    lines.append(
        f"        PIN: {token['pin_status']} (count_low={token['pin_count_low']}, "
        f"final_try={token['pin_final_try']}, locked={token['pin_locked']}); "
        f"PIN-pad: {token['protected_authentication_path']}"
    )
    if slot.get("certificate_error"):
        lines.append(f"        HATA / ERROR: {slot['certificate_error']}")
    for cert in slot.get("certificates", []):
        lines.append(f"        Sertifika / Certificate [{cert['id'][:16]}] {cert['label']}")
        if "error" in cert:
            lines.append(f"          okunamadı / unreadable: {cert['error']}")
            continue
        lines.append(f"          subject: {cert['subject']}")
        lines.append(f"          issuer:  {cert['issuer']}")
        lines.append(f"          serial:  {cert['serial_hex']}")
        lines.append(f"          valid:   {cert['not_before']} .. {cert['not_after']}")
        lines.append(f"          key:     {cert['key_algorithm']}; kind: {cert['kind']}")
        verdict = "usable" if cert["usable"] else "NOT usable: " + ", ".join(cert["reasons"])
        lines.append(f"          kullanılabilir / {verdict}")
    return lines


def _render_portal(section: Mapping[str, Any]) -> list[str]:
    lines = _heading(5, "Portal erişimi ve TLS", "Portal reachability and TLS")
    lines += _error_lines(section)
    if not section.get("configured", True):
        return [*lines, "  portal adresi ayarlanmamış / no portal URL configured"]
    for key in ("url", "verdict", "trusted_host", "proxy", "note"):
        if key in section:
            lines.append(_line(key, section[key]))
    for step in ("dns", "tcp"):
        if step in section:
            result = section[step]
            shown = result.get("addresses") or result.get("peer") or result.get("error")
            lines.append(
                f"  {step.upper()}: {'OK' if result['ok'] else 'FAIL'} {shown} ({result['ms']} ms)"
            )
    tls = section.get("tls", {})
    if tls:
        lines.append(f"  TLS: {tls.get('verdict')}")
        handshake = tls.get("handshake", {})
        if handshake:
            extra = handshake.get("version") if handshake.get("ok") else handshake.get("error")
            lines.append(
                f"    el sıkışma / handshake: {extra} {handshake.get('cipher', '')}".rstrip()
            )
        for name, label in (("os_store", "OS deposu / OS store"), ("mozilla", "Mozilla (certifi)")):
            if name in tls:
                result = tls[name]
                lines.append(
                    f"    {label}: {'OK' if result['ok'] else 'FAIL'}"
                    + (f" ({result['error']})" if result.get("error") else "")
                )
        if tls.get("interceptor"):
            lines.append(f"    ürün / product: {tls['interceptor']}")
        for index, cert in enumerate(tls.get("chain", [])):
            lines.append(f"    zincir / chain[{index}] subject: {cert['subject']}")
            lines.append(f"        issuer: {cert['issuer']}")
            lines.append(f"        sha256: {cert['sha256']}")
            lines.append(f"        valid: {cert['not_before']} .. {cert['not_after']}")
    result = section.get("http")
    if result:
        if "status" in result:
            lines.append(
                f"  HTTP GET {HEALTH_PATH}: {result['status']} {result.get('reason', '')} "
                f"({result.get('ms')} ms)"
            )
        else:
            lines.append(f"  HTTP GET {HEALTH_PATH}: FAIL ({result.get('error')})")
        if section.get("http_unverified"):
            lines.append("    (doğrulanmamış bağlantı, yalnız saat için / unverified, clock only)")
    clock = section.get("clock")
    if clock:
        lines.append(
            f"  Saat farkı / Clock skew: {clock['skew_seconds']:+} s "
            f"({'OK' if clock['ok'] else 'FAIL'}, limit ±{clock['limit_seconds']:g} s; "
            "+ = portal ileride / portal ahead)"
        )
    return lines


def _render_logs(section: Mapping[str, Any]) -> list[str]:
    lines = _heading(6, "Günlük", "Logs") + _error_lines(section)
    lines.append(_line("Klasör / Folder", section.get("folder")))
    for item in section.get("files", []):
        lines.append(f"    {item['name']}: {item['size']} bytes, {item['modified']}")
    lines.append(
        f"  Son {section.get('included', 0)} satır logs/{LOG_FILE_NAME} içinde / "
        f"last {section.get('included', 0)} lines in logs/{LOG_FILE_NAME}"
    )
    return lines
