"""Where flow records are kept: in memory for one process, in Redis for several.

The flow never depends on cookies (it runs inside iframes where browsers refuse them), so its
id travels in form fields and page URLs, and everything else stays here. With REDIS_URL the
records live in Redis so that several workers and instances behave as one.

Two rules from issue 12, item 7:
- the id is a bearer secret, so a record is stored under a keyed hash of it (HMAC with a key
  derived from SECRET_KEY), never the id itself: whoever can list Redis keys learns nothing
  they could put in a URL;
- a flow lives ``ttl`` seconds after its last save (idle), and never more than ``max_age``
  after it began, however often it is read: a never-verified flow's page, fetched again and
  again, no longer keeps it alive forever.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections.abc import Mapping
from typing import Any, Protocol, cast

from redeem.flow_store.record import Flow, is_flow_id, new_flow_id

DEFAULT_TTL = 30 * 60
DEFAULT_MAX_AGE = 60 * 60


class _Backend(Protocol):
    def get(self, key: str) -> str | bytes | None: ...
    def set(self, key: str, value: str, ttl: int) -> None: ...
    def delete(self, key: str) -> None: ...


class MemoryBackend:
    def __init__(self) -> None:
        self._data: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def count(self, prefix: str) -> int:
        now = time.monotonic()
        with self._lock:
            return sum(1 for k, v in self._data.items() if k.startswith(prefix) and v[0] >= now)

    def get(self, key: str) -> str | None:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            if item[0] < time.monotonic():
                del self._data[key]
                return None
            return item[1]

    def set(self, key: str, value: str, ttl: int) -> None:
        with self._lock:
            if len(self._data) > 50_000:
                now = time.monotonic()
                self._data = {k: v for k, v in self._data.items() if v[0] >= now}
            self._data[key] = (time.monotonic() + ttl, value)

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)


class RedisBackend:
    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def count(self, prefix: str) -> int:
        return sum(1 for _ in self._redis.scan_iter(match=prefix + "*"))

    def get(self, key: str) -> bytes | None:
        # No decode_responses: redis-py hands back the stored bytes.
        return cast("bytes | None", self._redis.get(key))

    def set(self, key: str, value: str, ttl: int) -> None:
        self._redis.set(key, value, ex=ttl)

    def delete(self, key: str) -> None:
        self._redis.delete(key)


class FlowStore:
    """One per app (redeem/extensions.py): memory for one process, Redis for several."""

    prefix = "redeem:flow:"

    def __init__(
        self,
        backend: MemoryBackend | RedisBackend,
        ttl: int = DEFAULT_TTL,
        *,
        max_age: int = DEFAULT_MAX_AGE,
        secret: str | bytes | None = None,
    ) -> None:
        self._backend = backend
        self.ttl = ttl
        self.max_age = max_age
        raw = secret.encode() if isinstance(secret, str) else (secret or secrets.token_bytes(32))
        # A key of its own, so these names can never be mistaken for any other keyed hash.
        self._name_key = hmac.new(raw, b"redeem.flow_store.record-name", hashlib.sha256).digest()

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> FlowStore:
        url = config.get("REDIS_URL")
        backend = RedisBackend(url) if url else MemoryBackend()
        return cls(
            backend,
            int(config.get("FLOW_TTL_SECONDS") or DEFAULT_TTL),
            max_age=int(config.get("FLOW_MAX_AGE_SECONDS") or DEFAULT_MAX_AGE),
            secret=config.get("SECRET_KEY"),
        )

    def _name(self, flow_id: str) -> str:
        return self.prefix + hmac.new(self._name_key, flow_id.encode(), hashlib.sha256).hexdigest()

    def _left(self, flow: Flow) -> float:
        """Seconds until the flow's absolute end."""
        return flow.created_at + self.max_age - time.time()

    def count(self) -> int:
        """How many live flows are stored (for tests and diagnostics: Redis scans for them)."""
        return self._backend.count(self.prefix)

    def create(self, *, token: str, token_key: str, campaign_id: str, **extra: Any) -> Flow:
        flow = self.new(token=token, token_key=token_key, campaign_id=campaign_id, **extra)
        self.save(flow)
        return flow

    @staticmethod
    def new(*, token: str, token_key: str, campaign_id: str, **extra: Any) -> Flow:
        """A flow not yet saved: the request that makes it saves it once, when done."""
        fid = new_flow_id()
        return Flow(
            id=fid,
            token=token,
            token_key=token_key,
            campaign_id=campaign_id,
            root_id=fid,
            created_at=time.time(),
            **extra,
        )

    def get(self, flow_id: str) -> Flow | None:
        if not is_flow_id(flow_id):
            return None
        raw = self._backend.get(self._name(flow_id))
        if not raw:
            return None
        flow = Flow.from_json(raw)
        if flow.id != flow_id or self._left(flow) <= 0:
            return None
        return flow

    def save(self, flow: Flow, *, replaces: str | None = None) -> None:
        """Write the flow; ``replaces``: its id before ``Flow.rotate_id``, dropped once the
        new record is written (an id seen before the code was entered is worth nothing)."""
        left = self._left(flow)
        if left <= 0:
            self._backend.delete(self._name(flow.id))
        else:
            self._backend.set(self._name(flow.id), flow.to_json(), min(self.ttl, math.ceil(left)))
        if replaces and replaces != flow.id:
            self._backend.delete(self._name(replaces))
