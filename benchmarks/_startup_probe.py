"""Measuring a window's start from outside: shared by ``bench_startup`` and ``bench_bundle``.

The parent reads ``time.monotonic()`` just before starting the child; the
child prints ``EXPOSED <time.monotonic()>`` at the first ``Expose`` event of
a window that is exposed (signer-app does so with
``SIGNER_APP_STARTUP_PROBE=1``; on Linux the clock is system-wide) and, for
signer-app, ``READY …`` once the wizard is complete, then quits.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["print_medians", "probe_env", "reported_after"]


def reported_after(
    command: Sequence[str], env: Mapping[str, str], cwd: Path | None = None
) -> dict[str, float]:
    """The child's ``EXPOSED`` (and ``READY``) moments, in seconds after its start."""
    start = time.monotonic()
    result = subprocess.run(
        list(command),
        capture_output=True,
        text=True,
        env=dict(env),
        cwd=cwd,
        timeout=120,
        check=False,
    )
    moments: dict[str, float] = {}
    for line in result.stdout.splitlines():
        word, _, value = line.partition(" ")
        if word in ("EXPOSED", "READY"):
            moments[word] = float(value) - start
    if "EXPOSED" not in moments:
        raise RuntimeError(
            f"no expose reported (exit {result.returncode}): {result.stderr[-2000:]}"
        )
    return moments


def probe_env(base: Path) -> dict[str, str]:
    """The environment of a measured start: our probe on, a fresh home under ``base``."""
    return {
        # Byte code is cached (as in an installed program) even where the
        # machine sets PYTHONDONTWRITEBYTECODE; the warm-up runs fill the cache.
        **{
            k: v
            for k, v in os.environ.items()
            if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("SIGNER_APP_")
        },
        "PYTHONPYCACHEPREFIX": str(base / "pycache"),
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "SIGNER_APP_STARTUP_PROBE": "1",
        "SIGNER_APP_INSTANCE_KEY": f"bench-{uuid.uuid4().hex}",
        # A fresh home rather than the program's folder overrides, so that
        # the start looks its folders up as on a user's machine.
        "HOME": str(base / "home"),
        "XDG_CONFIG_HOME": str(base / "home" / ".config"),
        "XDG_DATA_HOME": str(base / "home" / ".local" / "share"),
        "XDG_STATE_HOME": str(base / "home" / ".local" / "state"),
        "XDG_CACHE_HOME": str(base / "home" / ".cache"),
        "QT_LOGGING_RULES": "qt.qpa.*=false",
    }


def print_medians(times: Mapping[str, Sequence[float]], width: int = 22) -> dict[str, float]:
    """Print each case's median (min, max) in milliseconds; return the medians in seconds."""
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        print(
            f"  {name:<{width}} median {medians[name] * 1000:7.1f} ms"
            f"  (min {min(values) * 1000:.1f}, max {max(values) * 1000:.1f})"
        )
    return medians
