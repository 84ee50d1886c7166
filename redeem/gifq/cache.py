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
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from redeem.gifq.models import Payout

log = logging.getLogger(__name__)

Key = tuple[str, str]
# How far past its ttl a payout may be served while one thread revalidates it (stale_ok).
STALE_GRACE = 5.0  # (HMAC of the payout token, HMAC of the verification token or "")


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
        self,
        key: Key,
        etag: str | None,
        payout: Payout,
        *,
        secret: bool,
        generation: int,
        body: bytes | None = None,
    ) -> None:
        """``body``: GIFQ's answer as it came, for a shared cache (None after a 304)."""
        with self._lock:
            if self._invalidated.get(key[0], -1) > generation:
                return
            now = self._clock()
            self._prune_secrets(now)
            self._entries[key] = CachedPayout(etag, payout, now, secret)
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


# --- shared by every worker and instance, through Redis ------------------------------------

# KEYS: the entry, the token's generation. Returns {version, age in ms, etag, secret} of a
# current entry (not older than the token's last POST), or nil. Ages on Redis's own clock,
# which every instance shares.
_LOOKUP = """
local e = redis.call('HMGET', KEYS[1], 'v', 't', 'etag', 's', 'g')
if not e[1] then return nil end
local g = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(e[5]) < g then return nil end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return {e[1], now - tonumber(e[2]), e[3], e[4]}
"""

# KEYS: the entry, the token's generation. ARGV: generation read before the GET, version,
# etag, secret (0/1), body ('' for a 304: only refresh an entry with the same etag), ttl ms.
_STORE = """
local g = tonumber(redis.call('GET', KEYS[2]) or '0')
if g > tonumber(ARGV[1]) then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[5] == '' then
  if redis.call('HGET', KEYS[1], 'etag') ~= ARGV[3] then return 0 end
  redis.call('HSET', KEYS[1], 't', now, 'g', g)
else
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'v', ARGV[2], 't', now, 'etag', ARGV[3], 's', ARGV[4],
             'g', g, 'body', ARGV[5])
end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 1
"""


class SharedPayoutCache(PayoutCache):
    """The payout cache in Redis, so every worker and instance reuses one GIFQ answer.

    Behind a proxy that spreads a recipient's requests over workers and instances, a
    per-process cache costs a call each time a request lands in a process that has not seen
    the payout, and worse, a POST in one process (a redemption) left another process serving
    its older copy for up to ``ttl``. Here a POST moves the token's generation in Redis, and
    entries older than it are never served, in any process.

    Redis holds GIFQ's answer as it came (JSON, etag, when it was fetched); each process keeps
    the parsed payout of the version it last read, so a 5,000-brand payout (~3 MB) is parsed
    once per process and version, not per request. Entries with card details expire in Redis
    after ``ttl``, like the local ones. When Redis fails, every read is a miss and the client
    asks GIFQ: slower, never wrong.
    """

    def __init__(
        self,
        redis_client: Any,
        parse: Callable[[bytes], Payout],
        ttl: float = 1.0,
        maxsize: int = 1024,
        *,
        keep: float = 120.0,
        prefix: str = "gifq:payout",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(ttl, maxsize, clock=clock)
        self._redis = redis_client
        self._parse = parse
        # Non-secret entries stay for If-None-Match revalidation, and for callers that accept
        # an older answer (max_age, e.g. 60 s for the "email me a code" POST).
        self.keep = max(keep, ttl)
        self.prefix = prefix
        self._lookup = redis_client.register_script(_LOOKUP)
        self._store = redis_client.register_script(_STORE)
        self._versions: OrderedDict[Key, tuple[str, CachedPayout]] = OrderedDict()
        self._parsing = threading.Lock()
        self._warned_at = float("-inf")

    def _keys(self, key: Key) -> list[str]:
        return [f"{self.prefix}:{key[0]}:{key[1] or '-'}", f"{self.prefix}-gen:{key[0]}"]

    def lookup(self, key: Key, max_age: float | None = None) -> tuple[CachedPayout | None, bool]:
        import redis

        # Within the ttl of its fetch, this process's own copy is served without asking
        # Redis: the landing page is most requests, and a Redis round trip on each cost a
        # quarter of its throughput. A POST in another process is seen here within the ttl,
        # as before; the processing page re-reads when its redemption is missing.
        with self._lock:
            held = self._versions.get(key)
        own = held is not None and (max_age is None or held[1].secret)
        if held is not None and own and self._clock() - held[1].fetched_at < self.ttl:
            return held[1], True
        try:
            found = self._lookup(keys=self._keys(key))
        except redis.RedisError as exc:
            self._warn(exc)
            return None, False
        if found is None:
            return None, False
        version, age_ms, etag, details = (_text(v) for v in found)
        secret = details == "1"  # the entry carries card details
        entry = self._parsed(key, version, etag, secret)
        if entry is None:
            return None, False
        age = int(age_ms) / 1000
        limit = self.ttl if max_age is None or secret else max(self.ttl, max_age)
        # Aged on Redis's clock, so every process judges it the same (stale_ok, fast path).
        entry = dataclasses.replace(entry, fetched_at=self._clock() - age)
        self._remember(key, version, entry)
        return entry, age < limit

    def generation(self, token_mac: str = "") -> int:
        import redis

        try:
            return int(self._redis.get(f"{self.prefix}-gen:{token_mac}") or 0)
        except redis.RedisError as exc:
            self._warn(exc)
            return -1  # unknown: this answer will not be shared

    def store(
        self,
        key: Key,
        etag: str | None,
        payout: Payout,
        *,
        secret: bool,
        generation: int,
        body: bytes | None = None,
    ) -> None:
        import redis

        if generation < 0:
            return
        version = uuid.uuid4().hex
        ttl_ms = int((self.ttl if secret else self.keep) * 1000)
        args = [generation, version, etag or "", int(secret), body or b"", ttl_ms]
        try:
            stored = self._store(keys=self._keys(key), args=args)
        except redis.RedisError as exc:
            self._warn(exc)
            return
        if stored and body:
            self._remember(key, version, CachedPayout(etag, payout, self._clock(), secret))

    def invalidate(self, token_mac: str) -> None:
        import redis

        super().invalidate(token_mac)
        with self._lock:
            for key in [k for k in self._versions if k[0] == token_mac]:
                del self._versions[key]
        try:
            pipe = self._redis.pipeline()
            pipe.incr(f"{self.prefix}-gen:{token_mac}")
            pipe.expire(f"{self.prefix}-gen:{token_mac}", 3600)
            pipe.execute()
        except redis.RedisError as exc:
            self._warn(exc)

    def clear(self) -> None:
        super().clear()
        with self._lock:
            self._versions.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._versions)

    # --- the parsed copies in this process ----------------------------------------------

    def _parsed(self, key: Key, version: str, etag: str, secret: bool) -> CachedPayout | None:
        import redis

        with self._lock:
            held = self._versions.get(key)
        if held is not None and held[0] == version:
            return held[1]
        # One thread parses a new version; the others wait and take its copy. Parsing is
        # CPU under the GIL anyway, and eight threads each parsing the same 3 MB payout
        # was a tail of its own.
        with self._parsing:
            with self._lock:
                held = self._versions.get(key)
            if held is not None and held[0] == version:
                return held[1]
            try:
                body = self._redis.hget(self._keys(key)[0], "body")
            except redis.RedisError as exc:
                self._warn(exc)
                return None
            if not body:
                return None
            entry = CachedPayout(etag or None, self._parse(body), self._clock(), secret)
            self._remember(key, version, entry)
            return entry

    def _remember(self, key: Key, version: str, entry: CachedPayout) -> None:
        with self._lock:
            self._versions[key] = (version, entry)
            self._versions.move_to_end(key)
            while len(self._versions) > self.maxsize:
                self._versions.popitem(last=False)

    def _warn(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at >= 60:
            self._warned_at = now
            log.warning("payout cache: Redis unavailable, asking GIFQ (%s)", type(exc).__name__)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def make_cache(
    ttl: float, maxsize: int, redis_url: str | None, parse: Callable[[bytes], Payout]
) -> PayoutCache:
    """Shared through Redis when there is one (every worker and instance), else per process."""
    if not redis_url:
        return PayoutCache(ttl, maxsize)
    import redis

    # Short socket timeouts: a slow Redis must not eat the recipient's GIFQ deadline.
    client = redis.Redis.from_url(redis_url, socket_timeout=0.25, socket_connect_timeout=0.25)
    return SharedPayoutCache(client, parse, ttl, maxsize)
