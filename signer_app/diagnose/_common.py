"""What the diagnostics sections share: limits, error text, redaction, plain JSON values."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from signer_app.logs import redact

if TYPE_CHECKING:
    pass


__all__ = [
    "CLOCK_SKEW_LIMIT",
    "DEFAULT_LOG_LINES",
    "DEFAULT_NETWORK_TIMEOUT",
    "HEALTH_PATH",
    "error_text",
    "ms",
    "plain",
    "redacted_report",
    "section",
]

_log = logging.getLogger(__name__)


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


def error_text(exc: BaseException) -> str:
    """The exception's type and detail, for a section that failed."""
    detail = getattr(exc, "detail", "") or str(exc)
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def section(name: str, collect: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run one section; a failure is recorded in it instead of ending the report."""
    try:
        return collect()
    except Exception as exc:  # noqa: BLE001 - a section must never end the bundle
        _log.warning("diagnostics section %s failed", name, exc_info=True)
        return {
            "error": error_text(exc),
            "traceback": traceback.format_exc(limit=8),
        }


def redacted_report(report: dict[str, Any]) -> dict[str, Any]:
    """*report* with every text passed through :func:`signer_app.logs.redact`."""
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


def plain(value: object) -> object:
    """A JSON-ready value (tuples become lists)."""
    return list(value) if isinstance(value, tuple) else value


def ms(started: float) -> float:
    """Milliseconds since the ``time.monotonic()`` reading *started*."""
    return round((time.monotonic() - started) * 1000, 1)
