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
- ``OPEN``: landing-page lookups. They never take the reserved share
  (``GIFQ_BUDGET_RESERVED_SHARE``, a third by default, 3 of 9) while the reserved lane is
  not using it, but they may use whatever the reserved lane leaves: with r reserved sends in
  the window, the open lane may fill min(budget - share, budget - r). (Before, it was capped
  at budget - share for both lanes together, so a burst of real recipients, whose code
  sends fill the reserved lane, left their own landings one slot a second.) At most
  ``OPEN_WAITERS`` (4) landing lookups per process wait, each at most ``open_wait``
  (``GIFQ_BUDGET_OPEN_WAIT``, 2 s): a burst of genuine recipients is absorbed by short
  queueing; any more at once is a flood and gets the branded "busy" page at once, so a
  flood only starves landing pages and never holds more than 4 worker threads.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

from redeem.gifq.errors import RateLimited

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], None]

OPEN = "open"
RESERVED = "reserved"
DEFAULT_RESERVED_SHARE = 1 / 3
DEFAULT_OPEN_WAIT = 2.0
OPEN_WAITERS = 4  # landing lookups per process that may queue for a slot at one time

# Outside a request (workers' own calls, tests of the client) a call is in the reserved lane.
_lane: ContextVar[str] = ContextVar("gifq_budget_lane", default=RESERVED)


def use_lane(lane: str) -> None:
    """This request's lane; set at the start of every request, so nothing leaks between them."""
    if lane not in (OPEN, RESERVED):
        raise ValueError(f"unknown budget lane {lane!r}")
    _lane.set(lane)


def current_lane() -> str:
    return _lane.get()


@contextmanager
def readmitted() -> Iterator[None]:
    """The one retry of a call GIFQ's own rate limit refused. This budget admitted the call
    once already (GIFQ's window and ours see the same calls a few ms apart), so the retry
    queues in the reserved lane rather than join the landing crowd again as a newcomer."""
    token = _lane.set(RESERVED)
    try:
        yield
    finally:
        _lane.reset(token)


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
        self.reserved_slots = per_second - self.open_limit
        self.open_wait = open_wait
        self.open_waiters = OPEN_WAITERS
        self._open_lock = threading.Lock()
        self._open_waiters = 0
        self.window = window
        self.sleep = sleep

    def try_acquire(self, lane: str = RESERVED) -> float:
        """Take a slot for ``lane`` and return 0, or return how many seconds until one may
        free up (at least until the oldest send leaves the window).

        The reserved lane may take any slot. The open lane may not take the reserved
        share's unused slots: it goes only if open + max(reserved, share) < budget.
        """
        raise NotImplementedError

    def acquire(self, timeout: float) -> None:
        if current_lane() != OPEN:
            self._wait(RESERVED, timeout)
            return
        wait = self.try_acquire(OPEN)
        if wait <= 0:
            return
        # A few landing lookups per process may wait their turn (a burst of recipients
        # opening their links is absorbed); any more at once is a flood, refused now rather
        # than left holding a worker thread.
        with self._open_lock:
            queued = self._open_waiters >= self.open_waiters
            if not queued:
                self._open_waiters += 1
        if queued:
            raise RateLimited(wait)
        try:
            self._wait(OPEN, min(timeout, self.open_wait))
        finally:
            with self._open_lock:
                self._open_waiters -= 1

    def _wait(self, lane: str, timeout: float) -> None:
        started = self.clock()
        while True:
            wait = self.try_acquire(lane)
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
        self._sent: deque[tuple[float, str]] = deque()
        self._reserved = 0  # reserved sends in ``_sent``
        self._lock = threading.Lock()

    def try_acquire(self, lane: str = RESERVED) -> float:
        with self._lock:
            now = self.clock()
            while self._sent and self._sent[0][0] <= now - self.window:
                if self._sent.popleft()[1] == RESERVED:
                    self._reserved -= 1
            total = len(self._sent)
            if lane == OPEN:
                # Unused reserved slots stay free for the reserved lane.
                total += max(0, self.reserved_slots - self._reserved)
            if total < self.limit:
                self._sent.append((now, lane))
                if lane == RESERVED:
                    self._reserved += 1
                return 0.0
            if lane == RESERVED:
                # The slot this caller waits for: the one that brings the log under the budget.
                return self._sent[len(self._sent) - self.limit][0] + self.window - now
            return self._sent[0][0] + self.window - now


# KEYS[1]: the sorted set of sends, KEYS[2]: the reserved lane's sends. ARGV: limit, window
# in microseconds, a unique member, "now" in microseconds (empty: use Redis's clock, which
# every instance shares), the lane ("reserved"/"open") and the reserved share in slots.
# Returns 0 when a slot was taken, else the microseconds until a slot may free up.
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
local reserved_lane = ARGV[5] == 'reserved'
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local total = count
if not reserved_lane then
  total = total + math.max(0, tonumber(ARGV[6]) - redis.call('ZCARD', KEYS[2]))
end
if total < limit then
  local ttl = math.ceil(window / 1000) + 1000
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ttl)
  if reserved_lane then
    redis.call('ZADD', KEYS[2], now, ARGV[3])
    redis.call('PEXPIRE', KEYS[2], ttl)
  end
  return 0
end
local index = 0
if reserved_lane then
  index = count - limit
end
local oldest = redis.call('ZRANGE', KEYS[1], index, index, 'WITHSCORES')
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

    def try_acquire(self, lane: str = RESERVED) -> float:
        import redis

        now = "" if self._redis_clock is None else str(int(self._redis_clock() * 1_000_000))
        try:
            wait_us = self._script(
                keys=[self.key, f"{self.key}:reserved"],
                args=[
                    self.limit,
                    int(self.window * 1_000_000),
                    self._member(),
                    now,
                    lane,
                    self.reserved_slots,
                ],
            )
        except redis.RedisError as exc:
            self._warn(exc)
            # The fallback's own lanes scale with it: same share of a per-process log.
            return self.fallback.try_acquire(lane)
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
