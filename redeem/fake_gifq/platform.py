"""GIFQ's platform rules that are not about payouts: rate limits, pagination, faults."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from redeem.fake_gifq.errors import ApiError, malformed

T = TypeVar("T")

RATE_LIMIT_MESSAGE = "Too many requests. Try again later."


def rate_limited(retry_after: int) -> ApiError:
    return ApiError(
        429,
        "rate_limited",
        RATE_LIMIT_MESSAGE,
        headers={"Retry-After": str(retry_after)},
    )


class RateLimiter:
    """A one-second sliding window per key (API token, or client IP without one).

    Real monotonic time, not the movable clock: jumping the sandbox clock must not
    unblock or block anyone.
    """

    def __init__(self, per_second: int) -> None:
        self.per_second = per_second
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> int | None:
        """Count a request; return seconds to wait when it is over the limit."""
        if self.per_second <= 0:
            return None
        now = time.monotonic()
        with self._lock:
            window = self._hits.setdefault(key, deque())
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= self.per_second:
                return max(1, math.ceil(1.0 - (now - window[0])))
            window.append(now)
            return None

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()


# --- pagination --------------------------------------------------------------------------

DEFAULT_LIMIT = 10
MAX_LIMIT = 20


def _positive_int(raw: str | None, name: str, default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise malformed(f"{name} must be a whole number") from None
    if value < 1:
        raise malformed(f"{name} must be 1 or more")
    return value


def paginate(items: Sequence[T], args: Any) -> tuple[list[T], dict[str, str]]:
    """Slice ``items`` by ``page``/``limit`` and build GIFQ's four headers.

    An empty list still has one (empty) page, so ``page=1`` always answers. Past the last
    page is 400 with GIFQ's documented message naming the valid range.
    """
    page = _positive_int(args.get("page"), "page", 1)
    limit = _positive_int(args.get("limit"), "limit", DEFAULT_LIMIT)
    if limit > MAX_LIMIT:
        raise malformed(f"limit must be at most {MAX_LIMIT}")
    total = len(items)
    pages = max(1, math.ceil(total / limit))
    if page > pages:
        raise ApiError(
            400,
            "page_out_of_range",
            f"Pagination error: expected :page in 1..{pages}; got {page}",
        )
    chunk = list(items[(page - 1) * limit : page * limit])
    headers = {
        "current-page": str(page),
        "page-items": str(len(chunk)),
        "total-count": str(total),
        "total-pages": str(pages),
    }
    return chunk, headers


# --- faults ------------------------------------------------------------------------------

FAULT_MODES = ("error", "rate_limit", "latency", "hang", "malformed", "reset")
DEFAULT_SECONDS = {"rate_limit": 1.0, "latency": 2.0, "hang": 30.0}
DEFAULT_STATUS = {"error": 503, "malformed": 200}


@dataclass
class Fault:
    id: int
    mode: str
    path_prefix: str
    count: int
    method: str | None = None
    status: int | None = None
    seconds: float | None = None
    hits: int = field(default=0)

    def public(self) -> dict[str, Any]:
        data = asdict(self)
        data["remaining"] = self.count - self.hits
        return data


class Faults:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._next_id = 1
        self._lock = threading.Lock()

    def add(self, spec: Any) -> Fault:
        if not isinstance(spec, dict):
            raise malformed("the body must be a JSON object")
        mode = spec.get("mode")
        if mode not in FAULT_MODES:
            raise malformed(f"mode must be one of {', '.join(FAULT_MODES)}")
        prefix = spec.get("path_prefix", "/api")
        if not isinstance(prefix, str) or not prefix.startswith("/api"):
            raise malformed("path_prefix must start with /api: faults never touch the sandbox")
        count = spec.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise malformed("count must be a whole number of 1 or more")
        status = spec.get("status", DEFAULT_STATUS.get(mode))
        if status is not None and (
            isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599
        ):
            raise malformed("status must be an HTTP status code")
        seconds = spec.get("seconds", DEFAULT_SECONDS.get(mode))
        if seconds is not None:
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float, Decimal)):
                raise malformed("seconds must be a number")
            if not 0 <= seconds <= 600:
                raise malformed("seconds must be between 0 and 600")
            seconds = float(seconds)
        method = spec.get("method")
        if method is not None and (not isinstance(method, str) or not method.isalpha()):
            raise malformed("method must be an HTTP method name")
        with self._lock:
            fault = Fault(
                id=self._next_id,
                mode=mode,
                path_prefix=prefix,
                count=count,
                method=method.upper() if method else None,
                status=status,
                seconds=seconds,
            )
            self._next_id += 1
            self._faults.append(fault)
        return fault

    def take(self, path: str, method: str) -> Fault | None:
        """Consume one use of the oldest fault that matches this request."""
        with self._lock:
            for fault in self._faults:
                if path.startswith(fault.path_prefix) and fault.method in (None, method):
                    fault.hits += 1
                    if fault.hits >= fault.count:
                        self._faults.remove(fault)
                    return fault
        return None

    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
