"""The fake's movable clock.

Every expiry, code lifetime, cooldown and fulfilment delay is measured on this clock, so a
test can jump over ten minutes with ``POST /sandbox/clock`` instead of sleeping. It still
runs with real time between jumps, which is what makes fulfilment finish on its own.
The rate limiter alone uses real monotonic time: it protects the process, not a story.
"""

from __future__ import annotations

import math
import threading
from datetime import UTC, date, datetime, timedelta


class Clock:
    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = timedelta(0)


def iso(moment: datetime | None, *, round_up: bool = False) -> str | None:
    """Whole-second UTC timestamp with a ``Z``.

    ``round_up`` is for "not before" times (``resend_available_at``): a client that waits
    until the printed second must never arrive a fraction too early.
    """
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    if round_up and moment.microsecond:
        moment = moment + timedelta(microseconds=1_000_000 - moment.microsecond)
    return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_date(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def seconds_until(later: datetime, now: datetime) -> int:
    """A ``Retry-After`` value: whole seconds, at least 1."""
    return max(1, math.ceil((later - now).total_seconds()))
