"""The background thread that drives time-driven work: :meth:`Lifecycle.tick` every few ms."""

from __future__ import annotations

import logging
import threading

from reference_portal.clock import Clock
from reference_portal.lifecycle import Lifecycle

__all__ = ["Scheduler"]

_log = logging.getLogger("reference_portal.scheduler")


class Scheduler:
    """Call ``lifecycle.tick(clock())`` every ``interval`` seconds until stopped.

    A failing tick is logged and the next one runs as usual.
    """

    def __init__(self, lifecycle: Lifecycle, clock: Clock, *, interval: float = 0.05) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.lifecycle = lifecycle
        self.clock = clock
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="reference-portal-scheduler", daemon=True
        )

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and wait for it (at most ``timeout`` seconds)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.lifecycle.tick(self.clock())
            except Exception:  # noqa: BLE001 - one bad tick must not stop the next
                _log.exception("scheduler tick failed")
