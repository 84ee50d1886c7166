"""The payout cache in Redis, shared by every worker and instance (REDIS_URL set).

It keeps the per-process cache's rules (redeem/gifq/cache.py) and adds the ones sharing
needs: entries age on Redis's clock, a POST's generation beats an older GET's answer, and
bodies are stored compressed and parsed once per process and version.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from redeem.gifq.cache import CachedPayout, Fetched, Key, PayoutCache
from redeem.gifq.models import Payout

log = logging.getLogger(__name__)

# The largest compressed payout kept in Redis (bigger ones: per process).
MAX_SHARED_BODY = 1_000_000

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
        self, key: Key, fetched: Fetched, *, generation: int, body: bytes | None = None
    ) -> None:
        import redis

        if generation < 0:
            return
        # Compressed: a 5,000-brand payout is 3 MB of JSON and 124 KB packed, and Redis also
        # holds every flow under `noeviction`, so cache entries must stay small.
        packed = zlib.compress(body, 1) if body else b""
        if len(packed) > MAX_SHARED_BODY:  # this process's own copy only, for its ttl
            self._remember(key, "", _cached(fetched, self._clock()))
            return
        version = uuid.uuid4().hex
        ttl_ms = int((self.ttl if fetched.secret else self.keep) * 1000)
        args = [generation, version, fetched.etag or "", int(fetched.secret), packed, ttl_ms]
        try:
            stored = self._store(keys=self._keys(key), args=args)
        except redis.RedisError as exc:
            self._warn(exc)
            return
        if stored and body:
            self._remember(key, version, _cached(fetched, self._clock()))

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
            payout = self._parse(zlib.decompress(body))
            entry = CachedPayout(etag or None, payout, self._clock(), secret)
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


def _cached(fetched: Fetched, now: float) -> CachedPayout:
    return CachedPayout(fetched.etag, fetched.payout, now, fetched.secret)


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
