"""Keep every worker and instance together under GIFQ's requests-per-second limit.

GIFQ throttles recipient calls per client IP (10/s in the docs), and all our instances
usually leave through one egress IP. A 429 costs a recipient a "busy" page, so we queue
briefly instead: ``acquire(timeout)`` waits for a free slot and raises ``RateLimited`` only
when the wait would not fit in what is left of the caller's deadline.

The limiter is a sliding log ("at most N sends in any window of one second"), not a fixed
per-second counter: two bursts either side of a second boundary would let 2N through in
well under a second, which a sliding-window limiter upstream would answer with 429s.
With ``REDIS_URL`` the log lives in one Redis sorted set, updated by an atomic Lua script
on Redis's own clock so instances with skewed clocks still agree.

Lanes (issue 12, item 2): anyone on the internet can ask for landing pages, so a flood of them
must not starve recipients who are further along. Every call runs in one of two lanes:
- ``RESERVED``: verified flows and the POSTs that move a journey forward. They may use the
  whole budget and queue for a slot while their deadline allows;
- ``OPEN``: landing-page lookups. They may only use the budget less a reserved share
  (``GIFQ_BUDGET_RESERVED_SHARE``, a third by default) and wait at most ``open_wait``
  (one window, a second: enough that visitors arriving one after another never see "busy"),
  at most ``OPEN_WAITERS`` (4) callers per process at a time; any other gets the branded
  "busy" page at once. A flood then only starves landing pages, and holds at most four
  worker threads per process for at most a second.
The lane is chosen per request (``use_lane``, from redeem/security/lanes.py) and read here
from a context variable, so the client's methods keep their signatures.
"""

from __future__ import annotations

import logging
import math
import os
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Protocol

from redeem.gifq.errors import RateLimited

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], None]

OPEN = "open"
RESERVED = "reserved"
DEFAULT_RESERVED_SHARE = 1 / 3
DEFAULT_OPEN_WAIT = 1.0
# Landing lookups per process that may queue for a slot at one time. One was too few: the
# benchmark's burst (5 new recipients a second on top of journeys under way) turned 22 of 50
# landings away (bench/README.md); four let such a burst through and still cap a flood.
OPEN_WAITERS = 4

# Outside a request (workers' own calls, tests of the client) a call is in the reserved lane.
_lane: ContextVar[str] = ContextVar("gifq_budget_lane", default=RESERVED)


def use_lane(lane: str) -> None:
    """This request's lane; set at the start of every request, so nothing leaks between them."""
    if lane not in (OPEN, RESERVED):
        raise ValueError(f"unknown budget lane {lane!r}")
    _lane.set(lane)


def current_lane() -> str:
    return _lane.get()


class Budget(Protocol):
    def acquire(self, timeout: float) -> None: ...


class Unlimited:
    """``GIFQ_BUDGET_PER_SECOND = 0``: load tests against a fake with its limit off."""

    def acquire(self, timeout: float) -> None:
        return None


def open_slots(per_second: int, reserved_share: float) -> int:
    """How many of the per-second slots the open lane may fill: never all, never none."""
    reserved = max(1, math.ceil(per_second * reserved_share)) if reserved_share > 0 else 0
    return max(1, per_second - reserved) if per_second > 1 else 1


class _Waiting:
    """The queueing policy shared by both limiters: wait while the deadline (and lane) allows."""

    clock: Clock

    def __init__(
        self, per_second: int, window: float, sleep: Sleep, reserved_share: float, open_wait: float
    ) -> None:
        self.limit = per_second
        self.open_limit = open_slots(per_second, reserved_share)
        self.open_wait = open_wait
        self.open_waiters = OPEN_WAITERS
        self._open_lock = threading.Lock()
        self._open_waiters = 0
        self.window = window
        self.sleep = sleep

    def try_acquire(self, limit: int | None = None) -> float:
        """Take a slot and return 0, or return how many seconds until one frees up.

        ``limit``: how many sends in the window this caller may find (its lane's share).
        """
        raise NotImplementedError

    def acquire(self, timeout: float) -> None:
        if current_lane() != OPEN:
            self._wait(self.limit, timeout)
            return
        wait = self.try_acquire(self.open_limit)
        if wait <= 0:
            return
        # A few landing lookups per process may wait their turn (visitors arriving together
        # never see "busy"); any more at once is a flood, refused now rather than left
        # holding worker threads.
        with self._open_lock:
            queued = self._open_waiters >= self.open_waiters
            if not queued:
                self._open_waiters += 1
        if queued:
            raise RateLimited(wait)
        try:
            self._wait(self.open_limit, min(timeout, self.open_wait))
        finally:
            with self._open_lock:
                self._open_waiters -= 1

    def _wait(self, limit: int, timeout: float) -> None:
        started = self.clock()
        while True:
            wait = self.try_acquire(limit)
            if wait <= 0:
                return
            if self.clock() - started + wait > timeout:
                raise RateLimited(wait)
            # A little jitter so the waiters of one slot don't all wake in the same instant.
            self.sleep(wait + random.uniform(0, 0.01))  # noqa: S311 - not security relevant


class LocalBudget(_Waiting):
    """One process's sliding log: used alone without Redis, and as Redis's fallback."""

    def __init__(
        self,
        per_second: int,
        *,
        window: float = 1.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        reserved_share: float = DEFAULT_RESERVED_SHARE,
        open_wait: float = DEFAULT_OPEN_WAIT,
    ) -> None:
        if per_second < 1:
            raise ValueError("per_second must be at least 1; use Unlimited to switch it off")
        super().__init__(per_second, window, sleep, reserved_share, open_wait)
        self.clock = clock
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    def try_acquire(self, limit: int | None = None) -> float:
        limit = self.limit if limit is None else limit
        with self._lock:
            now = self.clock()
            while self._sent and self._sent[0] <= now - self.window:
                self._sent.popleft()
            if len(self._sent) < limit:
                self._sent.append(now)
                return 0.0
            # The slot this caller waits for: the one that brings the log under its limit.
            return self._sent[len(self._sent) - limit] + self.window - now


# KEYS[1]: the sorted set of sends. ARGV: limit, window in microseconds, a unique member,
# and "now" in microseconds (empty: use Redis's clock, which every instance shares).
# Returns 0 when a slot was taken, else the microseconds until the oldest send leaves.
_SLIDING_LOG = """
local now
if ARGV[4] ~= '' then
  now = tonumber(ARGV[4])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1000)
  return 0
end
local count = redis.call('ZCARD', KEYS[1])
local oldest = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
"""


class RedisBudget(_Waiting):
    """The sliding log shared by every process that uses the same Redis and key.

    If Redis fails, we fall back to this process's own limiter rather than fail the
    recipient's request: GIFQ would at worst answer 429, which the client already handles.
    """

    def __init__(
        self,
        redis_client: Any,
        per_second: int,
        *,
        key: str = "gifq:budget",
        window: float = 1.0,
        clock: Clock | None = None,
        sleep: Sleep = time.sleep,
        reserved_share: float = DEFAULT_RESERVED_SHARE,
        open_wait: float = DEFAULT_OPEN_WAIT,
    ) -> None:
        super().__init__(per_second, window, sleep, reserved_share, open_wait)
        self.key = key
        self.clock = time.monotonic
        self._redis_clock = clock
        self._script = redis_client.register_script(_SLIDING_LOG)
        self.fallback = LocalBudget(
            per_second,
            window=window,
            sleep=sleep,
            reserved_share=reserved_share,
            open_wait=open_wait,
        )
        self._counter = 0
        self._lock = threading.Lock()
        self._warned_at = float("-inf")

    def _member(self) -> str:
        with self._lock:
            self._counter += 1
            counter = self._counter
        return f"{os.getpid()}:{counter}:{random.getrandbits(32):08x}"

    def try_acquire(self, limit: int | None = None) -> float:
        import redis

        limit = self.limit if limit is None else limit
        now = "" if self._redis_clock is None else str(int(self._redis_clock() * 1_000_000))
        try:
            wait_us = self._script(
                keys=[self.key],
                args=[limit, int(self.window * 1_000_000), self._member(), now],
            )
        except redis.RedisError as exc:
            self._warn(exc)
            # The fallback's own lanes scale with it: same share of a per-process log.
            return self.fallback.try_acquire(
                self.fallback.limit if limit == self.limit else self.fallback.open_limit
            )
        return int(wait_us) / 1_000_000

    def _warn(self, exc: Exception) -> None:
        # Once a minute is enough to page someone; once per request would flood the logs.
        now = time.monotonic()
        if now - self._warned_at >= 60:
            self._warned_at = now
            log.warning(
                "GIFQ budget: Redis unavailable, limiting per process (%s)", type(exc).__name__
            )


def make_budget(
    per_second: int,
    redis_url: str | None = None,
    *,
    key: str = "gifq:budget",
    reserved_share: float = DEFAULT_RESERVED_SHARE,
    open_wait: float = DEFAULT_OPEN_WAIT,
) -> Budget:
    if per_second <= 0:
        return Unlimited()
    if not redis_url:
        return LocalBudget(per_second, reserved_share=reserved_share, open_wait=open_wait)
    import redis

    # Short socket timeouts: a slow Redis must not eat the recipient's GIFQ deadline.
    client = redis.Redis.from_url(redis_url, socket_timeout=0.25, socket_connect_timeout=0.25)
    return RedisBudget(
        client, per_second, key=key, reserved_share=reserved_share, open_wait=open_wait
    )
