"""Tokens GIFQ does not know, remembered briefly, and a cap on how many we ask about.

Any address can ask for `/r/<anything of the right shape>`, and each unknown token costs a
GIFQ call from the budget every recipient shares (issue 12, item 2). So:
- a token GIFQ answered 404 for is remembered for ``unknown_ttl`` (ten minutes) and refused
  again without a call;
- unknown-token answers are counted for all addresses together, per minute; past
  ``per_minute`` a landing lookup of a token we have not seen GIFQ confirm is refused with
  the "busy" page until the minute ends. Links GIFQ confirmed in the last ``known_ttl`` (an
  hour) still get through, so a flood costs new visitors their landing page at worst.

Tokens are named only by the client's keyed hash (the HMAC it already uses in logs), never
as themselves. With ``REDIS_URL`` every worker and instance shares the memory; if Redis
fails, each process keeps its own.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_PER_MINUTE = 60
DEFAULT_UNKNOWN_TTL = 600
DEFAULT_KNOWN_TTL = 3600
MAX_LOCAL_ENTRIES = 50_000
PREFIX = "gifq:tokens:"


class _Local:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._marks: OrderedDict[str, float] = OrderedDict()  # key → expires at
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def mark(self, key: str, ttl: int) -> None:
        with self._lock:
            self._marks[key] = self._clock() + ttl
            self._marks.move_to_end(key)
            while len(self._marks) > MAX_LOCAL_ENTRIES:
                self._marks.popitem(last=False)

    def marked(self, key: str) -> bool:
        with self._lock:
            expires = self._marks.get(key)
            if expires is None:
                return False
            if expires <= self._clock():
                del self._marks[key]
                return False
            return True

    def incr(self, key: str, ttl: int) -> int:
        with self._lock:
            if len(self._counts) > 4:  # only the current minute and its neighbours matter
                self._counts = {k: v for k, v in self._counts.items() if k >= key}
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key]

    def count(self, key: str) -> int:
        with self._lock:
            return self._counts.get(key, 0)

    def keys(self) -> list[str]:
        with self._lock:
            return [*self._marks, *self._counts]


class _Redis:
    def __init__(self, client: Any) -> None:
        self._redis = client

    def mark(self, key: str, ttl: int) -> None:
        self._redis.set(key, b"1", ex=ttl)

    def marked(self, key: str) -> bool:
        return bool(self._redis.exists(key))

    def incr(self, key: str, ttl: int) -> int:
        pipe = self._redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, ttl)
        return int(pipe.execute()[0])

    def count(self, key: str) -> int:
        return int(self._redis.get(key) or 0)

    def keys(self) -> list[str]:
        return [k.decode() for k in self._redis.scan_iter(match=PREFIX + "*", count=1000)]


class TokenMemory:
    def __init__(
        self,
        *,
        per_minute: int = DEFAULT_PER_MINUTE,
        unknown_ttl: int = DEFAULT_UNKNOWN_TTL,
        known_ttl: int = DEFAULT_KNOWN_TTL,
        redis_url: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.per_minute = per_minute
        self.unknown_ttl = unknown_ttl
        self.known_ttl = known_ttl
        self._clock = clock
        self._local = _Local(clock)
        self._store: _Local | _Redis = self._local
        if redis_url:
            import redis

            self._store = _Redis(
                redis.Redis.from_url(redis_url, socket_timeout=0.25, socket_connect_timeout=0.25)
            )
        self._warned_at = float("-inf")

    # --- what the client asks --------------------------------------------------------

    def is_unknown(self, token_mac: str) -> bool:
        return bool(self._do("marked", self._key("unknown", token_mac)))

    def is_known(self, token_mac: str) -> bool:
        return bool(self._do("marked", self._key("known", token_mac)))

    def seconds_until_lookups(self) -> float:
        """0 while unknown-token lookups are under the cap, else how long until they are."""
        if self.per_minute <= 0:
            return 0.0
        now = self._clock()
        if self._do("count", self._minute(now)) < self.per_minute:
            return 0.0
        return max(1.0, 60 - now % 60)

    # --- what the client tells -------------------------------------------------------

    def unknown(self, token_mac: str) -> None:
        self._do("mark", self._key("unknown", token_mac), self.unknown_ttl)
        self._do("incr", self._minute(self._clock()), 120)

    def known(self, token_mac: str) -> None:
        self._do("mark", self._key("known", token_mac), self.known_ttl)

    def keys(self) -> list[str]:
        return list(self._do("keys"))

    # --- plumbing --------------------------------------------------------------------

    @staticmethod
    def _key(kind: str, token_mac: str) -> str:
        return f"{PREFIX}{kind}:{token_mac[:32]}"

    @staticmethod
    def _minute(now: float) -> str:
        return f"{PREFIX}misses:{int(now // 60)}"

    def _do(self, name: str, *args: Any) -> Any:
        import redis

        try:
            return getattr(self._store, name)(*args)
        except redis.RedisError as exc:
            now = time.monotonic()
            if now - self._warned_at >= 60:
                self._warned_at = now
                log.warning(
                    "unknown-token memory: Redis unavailable, remembering per process (%s)",
                    type(exc).__name__,
                )
            return getattr(self._local, name)(*args)
