"""A tiny per-process cache of payouts, so one page view costs GIFQ one request.

A recipient's page often reads the payout several times within a second (the view, the
flow table, a processing poll); all of them share GIFQ's 10 requests/s. Entries are keyed
on HMACs of the payout token *and* of the verification token, so a verified view is never
served to a request that is not verified, nor to one verified with a different credential.

Within ``ttl`` an entry is served without a call. After that it is only good for an
``If-None-Match`` revalidation, except entries that carry card details: those are dropped
at ``ttl``, so a gift-card code never sits in memory longer than it has to.

``flight(key)`` lets one thread per key and process make the call while the others wait
for its answer. Without it, every thread that finds an entry stale in the same instant
made its own call: under load, 16 threads revalidating one payout filled GIFQ's budget
of 9 calls a second, and the rest queued in the budget for up to a second. That was the
landing and card pages' flat tail (bench/README.md, "the tail").

With REDIS_URL set, redeem/gifq/shared_cache.py keeps the entries in Redis instead, shared by
every worker and instance.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from redeem.gifq.models import Payout

Key = tuple[str, str]  # (HMAC of the payout token, HMAC of the verification token or "")
# How far past its ttl a payout may be served while one thread revalidates it (stale_ok).
STALE_GRACE = 5.0


@dataclass(frozen=True, slots=True)
class Fetched:
    """What one read from GIFQ brought: the payout, its ETag, whether it shows card details."""

    etag: str | None
    payout: Payout
    secret: bool


@dataclass(frozen=True, slots=True)
class CachedPayout:
    etag: str | None
    payout: Payout
    fetched_at: float
    secret: bool


def carries_secrets(payout: Payout) -> bool:
    return any(r.details is not None and r.details.present() for r in payout.redemptions)


class PayoutCache:
    def __init__(
        self,
        ttl: float = 1.0,
        maxsize: int = 1024,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.maxsize = maxsize
        self._clock = clock
        self._entries: OrderedDict[Key, CachedPayout] = OrderedDict()
        # When each token was last invalidated, on a counter that only moves forward. A GET
        # that started before a POST for the same token must not store its (older) answer.
        self._tick = 0
        self._invalidated: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[Key, tuple[threading.Lock, int]] = {}

    @contextmanager
    def flight(self, key: Key, timeout: float) -> Iterator[bool]:
        """Hold the one call for ``key`` in this process; yields False if ``timeout`` ran out
        first (the caller then makes its own call rather than fail the page)."""
        with self._lock:
            lock, users = self._flights.get(key, (threading.Lock(), 0))
            self._flights[key] = (lock, users + 1)
        held = lock.acquire(timeout=max(0.0, timeout))
        try:
            yield held
        finally:
            if held:
                lock.release()
            with self._lock:
                lock, users = self._flights[key]
                if users == 1:
                    del self._flights[key]
                else:
                    self._flights[key] = (lock, users - 1)

    def stale_ok(self, entry: CachedPayout | None) -> bool:
        """May ``entry`` be served while another thread revalidates it? Only a copy without
        card details, less than STALE_GRACE past its ttl: a POST for its token removes it
        first (``invalidate``), so this is never an answer older than our own last write."""
        if entry is None or entry.secret:
            return False
        return self._clock() - entry.fetched_at < self.ttl + STALE_GRACE

    def lookup(self, key: Key, max_age: float | None = None) -> tuple[CachedPayout | None, bool]:
        """The entry for ``key`` (or None) and whether it is fresh enough to use without a call.

        ``max_age`` lets a caller accept an older entry, never one that carries card details.
        """
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None, False
            age = self._clock() - entry.fetched_at
            limit = self.ttl if max_age is None or entry.secret else max(self.ttl, max_age)
            if age < limit:
                self._entries.move_to_end(key)
                return entry, True
            if entry.secret:
                del self._entries[key]
                return None, False
            return entry, False

    def generation(self, token_mac: str = "") -> int:
        """Read before a GET; pass to ``store`` so a POST in between wins."""
        with self._lock:
            return self._tick

    def store(
        self, key: Key, fetched: Fetched, *, generation: int, body: bytes | None = None
    ) -> None:
        """``body``: GIFQ's answer as it came, for a shared cache (None after a 304)."""
        with self._lock:
            if self._invalidated.get(key[0], -1) > generation:
                return
            now = self._clock()
            self._prune_secrets(now)
            self._entries[key] = CachedPayout(fetched.etag, fetched.payout, now, fetched.secret)
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def invalidate(self, token_mac: str) -> None:
        with self._lock:
            self._tick += 1
            self._invalidated[token_mac] = self._tick
            self._invalidated.move_to_end(token_mac)
            # Only GETs still in flight (at most one deadline old) need these marks.
            while len(self._invalidated) > self.maxsize * 4:
                self._invalidated.popitem(last=False)
            for key in [k for k in self._entries if k[0] == token_mac]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _prune_secrets(self, now: float) -> None:
        # Entries nobody asks for again would otherwise keep card details until LRU eviction.
        expired = [
            k for k, e in self._entries.items() if e.secret and now - e.fetched_at >= self.ttl
        ]
        for key in expired:
            del self._entries[key]
