"""Start-up of the window against a bare PySide6 window, and the demo batch's peak memory.

Start-up: the time from process start to the first window exposed, for

* **bare**: a Python process that imports PySide6 and shows a ``QLabel``;
* **signer-app**: ``python -m signer_app`` (settings, logging, translators,
  single-instance lock and server, token service, journal) up to the
  activation wizard's Giriş page. The wizard builds its other pages and
  starts its worker thread right after that first paint; the time until
  then ("ready") is reported too, outside the target.

The parent reads ``time.monotonic()`` just before starting the child; the
child prints ``time.monotonic()`` at the first ``Expose`` event of a
window that is exposed (on Linux the clock is system-wide) and quits. The
two cases alternate, after warm-up runs, and medians are compared.
Target: signer-app ≤ 1.3× bare.

Memory: the peak resident size (``ru_maxrss`` from ``wait4``) of one
``signer-app demo --unattended`` run — the reference portal, the token host
and the whole batch.

Runs on the offscreen platform unless ``QT_QPA_PLATFORM`` is set. Byte
code is cached in a temporary folder for both cases, as an installed
program has it.
Run: ``.venv/bin/python benchmarks/bench_startup.py [--rounds N] [--warmup N]``.
Exit status 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _startup_probe import print_medians, probe_env, reported_after

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.3

_BARE = r"""
import time, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QApplication, QLabel

class Probe(QObject):
    def eventFilter(self, watched, event):
        if (event.type() == QEvent.Type.Expose and isinstance(watched, QWindow)
                and watched.isExposed()):
            print(f"EXPOSED {time.monotonic():.6f}", flush=True)
            app.quit()
        return False

app = QApplication(sys.argv)
probe = Probe()
app.installEventFilter(probe)
label = QLabel("Merhaba")
label.show()
app.exec()
"""


def _peak_memory_of_demo(work: Path, env: dict[str, str]) -> tuple[float, int, float]:
    """(peak RSS in MiB, exit status, seconds) of one unattended demo."""
    start = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "signer_app", "demo", "--unattended", "--work", str(work)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return peak, process.returncode, time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--no-demo", action="store_true", help="skip the memory measurement")
    options = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-startup-") as folder:
        base = Path(folder)
        env = probe_env(base)
        cases = {
            "bare PySide6 QLabel": [sys.executable, "-c", _BARE],
            "signer-app → Giriş": [sys.executable, "-m", "signer_app"],
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        ready: list[float] = []
        for round_number in range(options.warmup + options.rounds):
            for name, command in cases.items():
                moments = reported_after(command, env, cwd=ROOT)
                if round_number >= options.warmup:
                    times[name].append(moments["EXPOSED"])
                    if "READY" in moments:
                        ready.append(moments["READY"])

        print(f"start-up to first expose ({env['QT_QPA_PLATFORM']}), n={options.rounds}:")
        medians = print_medians(times)
        bare, app = medians.values()
        ratio = app / bare
        verdict = "ok" if ratio <= TARGET else "MISSED"
        print(f"signer-app / bare: {ratio:.2f}× (target ≤ {TARGET}×) {verdict}")
        if ready:
            # Not part of the target: what follows the first paint.
            print(
                f"  then all pages built and the worker running: median"
                f" {statistics.median(ready) * 1000:.1f} ms after the start"
            )

        if not options.no_demo:
            demo_env = {k: v for k, v in env.items() if k != "SIGNER_APP_STARTUP_PROBE"}
            peak, status, seconds = _peak_memory_of_demo(base / "demo", demo_env)
            print(
                f"demo --unattended peak memory (ru_maxrss): {peak:.1f} MiB"
                f" (exit {status}, {seconds:.1f} s)"
            )
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
