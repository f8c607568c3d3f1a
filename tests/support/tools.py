"""Command-line tools the installer tests drive: find them, run them, fail with their output."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

__all__ = ["need", "run"]


def need(tool: str, packages: str) -> str:
    """The path of *tool*; skip the test without it, but fail on CI (``CI`` set).

    :param packages: the Debian packages that provide it, for the message.
    """
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} is not installed (Debian: {packages})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def run(
    args: list[str],
    env: dict[str, str] | None = None,
    *,
    check: bool = True,
    timeout: int = 60,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run *args* (text output, UTF-8); with *check*, fail the test with its output."""
    result = subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
        check=False,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        pytest.fail(f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result
