"""Time for the portal: a clock type, a fake clock for tests, and one text format.

Every moment the portal stores or serves is timezone-aware UTC. The API
writes them as RFC 3339 with a ``Z`` (``2026-01-02T03:04:05Z``); the database
keeps microseconds in a fixed-width form so that text order is time order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

__all__ = ["Clock", "FakeClock", "from_db", "parse_api_time", "system_clock", "to_api", "to_db"]

#: Returns the current moment, timezone-aware.
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real current time, in UTC."""
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment.astimezone(UTC)


def to_db(moment: datetime) -> str:
    """Write ``moment`` for the database: UTC, always with microseconds.

    :raises ValueError: ``moment`` is naive.
    """
    return _utc(moment).isoformat(timespec="microseconds")


def from_db(text: str) -> datetime:
    """Read a moment written by :func:`to_db`."""
    return datetime.fromisoformat(text).astimezone(UTC)


def to_api(moment: datetime) -> str:
    """Write ``moment`` for the API and the contract file: RFC 3339, UTC, seconds, ``Z``.

    :raises ValueError: ``moment`` is naive.
    """
    return _utc(moment).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_api_time(text: str) -> datetime:
    """Read an RFC 3339 date-time with a time zone (``Z`` or an offset).

    :raises ValueError: not such a date-time.
    """
    if "T" not in text and "t" not in text:
        raise ValueError("a date-time needs a time part")
    moment = datetime.fromisoformat(text.replace("z", "Z"))
    return _utc(moment)


class FakeClock:
    """A clock that moves only when told to; safe to share between threads.

    :param start: the first moment (timezone-aware); the current time when ``None``.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = _utc(start) if start is not None else system_clock()
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        """The clock's current moment."""
        with self._lock:
            return self._now

    def advance(self, delta: timedelta | float) -> datetime:
        """Move the clock forward by ``delta`` (a timedelta or seconds) and return the new time."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        if step < timedelta(0):
            raise ValueError("a clock does not go back")
        with self._lock:
            self._now += step
            return self._now

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (timezone-aware, not earlier than now)."""
        target = _utc(moment)
        with self._lock:
            if target < self._now:
                raise ValueError("a clock does not go back")
            self._now = target
