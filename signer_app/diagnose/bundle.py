"""Writing the support bundle: the sections collected one by one, the problems, the ZIP."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import secrets
import time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import signer_app
from signer_app.config import LoadedSettings, load_settings
from signer_app.diagnose._common import (
    DEFAULT_LOG_LINES,
    DEFAULT_NETWORK_TIMEOUT,
    error_text,
    redacted_report,
    section,
)
from signer_app.diagnose.logfiles import logs_section
from signer_app.diagnose.network import portal_section, proxies_section
from signer_app.diagnose.render import render_report
from signer_app.diagnose.system import settings_section, system_section
from signer_app.diagnose.tokens import tokens_section
from signer_app.errors import DiagnoseError
from signer_app.logs import LOG_FILE_NAME, redact

if TYPE_CHECKING:
    from signer_app.token.service import TokenService

__all__ = ["REPORT_FORMAT", "SupportBundle", "collect_report", "write_support_bundle"]

_log = logging.getLogger(__name__)


#: The ``format`` member of ``report.json``.
REPORT_FORMAT: Final = "signer-app-diagnostics"
_REPORT_VERSION: Final = 1
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
    report = redacted_report(report)
    try:
        text = redact(render_report(report))
    except Exception as exc:  # noqa: BLE001 - the JSON report must still reach support
        _log.warning("rendering report.txt failed", exc_info=True)
        text = f"report.txt could not be rendered ({error_text(exc)}); see report.json\n"
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
    return redacted_report(report)


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
    report["system"] = section("system", system_section)
    step("settings")
    report["settings"] = section("settings", lambda: settings_section(loaded, settings_error))
    url = portal_url if portal_url is not None else (loaded.settings.portal.url if loaded else None)
    step("proxies")
    report["proxies"] = section("proxies", lambda: proxies_section(url))
    step("tokens")
    report["tokens"] = section(
        "tokens", lambda: tokens_section(loaded, modules, tokens, customer_id, now)
    )
    step("portal")
    report["portal"] = section(
        "portal", lambda: portal_section(url, loaded, extra_ca_file, timeout)
    )
    step("logs")
    holder: dict[str, str] = {"text": ""}

    def logs() -> dict[str, Any]:
        section, holder["text"] = logs_section(log_dir, log_lines)
        return section

    report["logs"] = section("logs", logs) if log_lines > 0 else {"included": 0}
    try:
        report["problems"] = _problems(report)
    except Exception:  # noqa: BLE001 - a summary that cannot be made must not cost the bundle
        _log.warning("summarising the diagnostics failed", exc_info=True)
        report["problems"] = ["section_failed:summary"]
    return report, holder["text"]


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
