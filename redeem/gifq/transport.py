"""The wire under the GIFQ client: a total deadline enforced at the socket, and no cookies.

Part of the client (redeem/gifq/client.py is the only other module that imports httpx);
split out only because the client grew past a file's comfortable size.
"""

from __future__ import annotations

import contextvars
import http.cookiejar
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

# --- the transport: a total deadline down at the socket ---------------------------------

# The deadline of the call running in this thread (time.monotonic() value), read by the
# network streams below so that no single connect, read or write outlives it.
CALL_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "gifq_deadline", default=None
)


def _clamp(timeout: float | None, exc: type[Exception]) -> float | None:
    deadline = CALL_DEADLINE.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise exc("GIFQ deadline passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read and write is cut to what is left of the call's deadline.

    Without this a server that drips its headers one byte at a time, never idle for a full
    read timeout, would hold the worker far past any deadline we check between chunks.
    """

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(
            ssl_context, server_hostname, _clamp(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _clamp(timeout, httpcore.ConnectTimeout)
        inner = super().connect_tcp(
            host, port, timeout, local_address=local_address, socket_options=socket_options
        )
        return _DeadlineStream(inner)


class DeadlineTransport(httpx.HTTPTransport):
    def __init__(self, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        # httpx offers no hook for the network backend, so we build the same pool it would
        # (no proxy, HTTP/1.1, verified TLS) with ours.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_DeadlineBackend(),
        )


class NullCookieJar(http.cookiejar.CookieJar):
    """A jar that never stores: GIFQ is stateless, and a shared jar leaks between recipients."""

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None

    def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
        return None
