"""A per-process circuit breaker for calls to GIFQ.

When GIFQ is down, every recipient request would otherwise hold a worker thread for the
whole deadline; after ``threshold`` consecutive failures we answer "unavailable" at once
for ``cooldown`` seconds, then let exactly one probe through (ASVS 16.5.2). Per-process
state is enough: each worker learns within a few calls, and nothing needs sharing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from redeem.gifq.errors import GifqUnavailable

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half_open"


class CircuitOpen(GifqUnavailable):
    """Refused without a call: to views just "unavailable", to metrics its own status."""


class CircuitBreaker:
    def __init__(
        self,
        threshold: int = 5,
        cooldown: float = 10.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._probe_started: float | None = None

    @property
    def state(self) -> str:
        with self._lock:
            return self._state(self._clock())

    def _state(self, now: float) -> str:
        if self._opened_at is None:
            return CLOSED
        if now - self._opened_at < self.cooldown:
            return OPEN
        return HALF_OPEN

    def allow(self) -> bool:
        """Whether a call may go out now; in half-open state only one caller gets True."""
        if self.threshold <= 0:
            return True
        with self._lock:
            now = self._clock()
            state = self._state(now)
            if state == CLOSED:
                return True
            if state == OPEN:
                return False
            # A probe that never reported back (its thread died) must not wedge the breaker.
            if self._probe_started is not None and now - self._probe_started < self.cooldown:
                return False
            self._probe_started = now
            return True

    def success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._probe_started = None

    def failure(self) -> None:
        with self._lock:
            now = self._clock()
            self._failures += 1
            was_probing = self._probe_started is not None
            self._probe_started = None
            if self.threshold > 0 and (was_probing or self._failures >= self.threshold):
                self._opened_at = now

    def release(self) -> None:
        """End a call that proved nothing either way (a 4xx-free contract error, a budget wait)."""
        with self._lock:
            self._probe_started = None

    def seconds_until_probe(self) -> float:
        with self._lock:
            if self._opened_at is None:
                return 0.0
            return max(0.0, self._opened_at + self.cooldown - self._clock())

    @contextmanager
    def guard(self) -> Iterator[Ticket]:
        """Admit one call or raise ``CircuitOpen``; the caller settles the ticket."""
        if not self.allow():
            raise CircuitOpen("GIFQ circuit open")
        ticket = Ticket(self)
        try:
            yield ticket
        finally:
            if not ticket.settled:
                self.release()


class Ticket:
    def __init__(self, breaker: CircuitBreaker) -> None:
        self._breaker = breaker
        self.settled = False

    def success(self) -> None:
        self.settled = True
        self._breaker.success()

    def failure(self) -> None:
        self.settled = True
        self._breaker.failure()
