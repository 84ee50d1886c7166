"""The server-side flow record: where a recipient is in the journey, under an unguessable id.

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
import json
import math
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, cast

DEFAULT_TTL = 30 * 60
DEFAULT_MAX_AGE = 60 * 60
FLOW_ID_BYTES = 24  # 192 bits: unguessable, and short enough for a URL segment


def new_flow_id() -> str:
    return secrets.token_urlsafe(FLOW_ID_BYTES)


def is_flow_id(value: str) -> bool:
    return len(value) == 32 and all(c.isascii() and (c.isalnum() or c in "-_") for c in value)


@dataclass
class Flow:
    id: str
    token: str
    token_key: str  # HMAC of the token: the only form of it that may reach logs and limiter keys
    campaign_id: str
    root_id: str  # survives id rotation; the idempotency reference is derived from it
    created_at: float
    csrf_secret: str = field(default_factory=lambda: secrets.token_hex(16))
    verified: bool = False
    verification_token: str | None = None
    verification_expires_at: float = 0.0
    locale: str | None = None
    embedded: bool = False
    # "<bound|unbound>:<keyed hash of the binding cookie>" (redeem/security/binding.py)
    binding: str | None = None
    card_until: float = 0.0  # without cookies: until when the card may be shown again
    attempt: int = 0  # bumps after a failed redemption, so the next choice gets a new reference
    redemption_id: str | None = None
    redemption_brand: str | None = None
    redemption_unknown: dict[str, Any] | None = None  # a POST whose outcome we never saw
    card_id: str | None = None  # the card issued last in this flow, shown on the card page
    notice: str | None = None  # a one-time message for the next page (e.g. fulfilment failed)
    resend_at: float = 0.0  # when GIFQ will accept another code send (epoch seconds)
    # What the pages show about the payout, kept so later steps need no GIFQ call. No secrets.
    amount: str = "0"
    currency: str = ""
    balance: str = "0"
    recipient_name: str | None = None
    email_hint: str | None = None
    expires_at: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> Flow:
        return cls(**json.loads(raw))


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
        fid = new_flow_id()
        flow = Flow(
            id=fid,
            token=token,
            token_key=token_key,
            campaign_id=campaign_id,
            root_id=fid,
            created_at=time.time(),
            **extra,
        )
        self.save(flow)
        return flow

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

    def save(self, flow: Flow) -> None:
        left = self._left(flow)
        if left <= 0:
            self._backend.delete(self._name(flow.id))
            return
        self._backend.set(self._name(flow.id), flow.to_json(), min(self.ttl, math.ceil(left)))

    def rotate(self, flow: Flow) -> Flow:
        """A new id after verification: an id seen before the code was entered is worth nothing."""
        old = flow.id
        flow.id = new_flow_id()
        flow.csrf_secret = secrets.token_hex(16)
        self.save(flow)
        self._backend.delete(self._name(old))
        return flow
