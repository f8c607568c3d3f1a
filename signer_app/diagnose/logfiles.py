"""The log section: the newest lines of the rotating log files."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from signer_app.diagnose._common import error_text
from signer_app.logs import BACKUP_COUNT, LOG_FILE_NAME, default_log_dir, redact

if TYPE_CHECKING:
    pass

__all__ = ["logs_section"]

_log = logging.getLogger(__name__)


_MAX_LOG_BYTES_PER_FILE: Final = 2 * 1024 * 1024


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


def logs_section(log_dir: Path | None, limit: int) -> tuple[dict[str, Any], str]:
    """The log section and the newest lines themselves (redacted), oldest first."""
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
            info["error"] = error_text(exc)
            continue
        info["lines_included"] = len(lines)
        collected = lines + collected
    text = "".join(redact(line) + "\n" for line in collected)
    return {"folder": str(folder), "files": files, "included": len(collected)}, text
