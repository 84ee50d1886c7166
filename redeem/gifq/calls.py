"""One call to GIFQ over HTTP: the deadline, the budget, the breaker, retries, the body cap.

The policy these enforce is written down in redeem/gifq/client.py's docstring; this module is
where it happens, one attempt at a time, and where every attempt is reported to observers
(metrics) as (endpoint, status or "error"/"timeout"/"throttled"/"circuit_open", seconds).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import random
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from redeem.gifq.breaker import CircuitBreaker, CircuitOpen
from redeem.gifq.budget import Budget
from redeem.gifq.errors import ContractError, GifqTimeout, GifqUnavailable, RateLimited, retry_after
from redeem.gifq.settings import Settings
from redeem.gifq.transport import CALL_DEADLINE, DeadlineTransport, NullCookieJar

log = logging.getLogger(__name__)

USER_AGENT = "gifq-redeem/0.1"
# A 429 shorter than this is waited out for a GET; longer ones become a "busy" page.
MAX_RETRY_AFTER_WAIT = 1.0
# Error bodies are only read for their "code": anything bigger is not worth holding.
ERROR_BODY_CAP = 64 * 1024

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

Observer = Callable[[str, int | str, float], None]


@dataclass(frozen=True, slots=True)
class Call:
    """One request to GIFQ: the endpoint's name (for metrics), what to send, and the payout
    it is about, by its keyed hash (for logs)."""

    endpoint: str
    method: str
    path: str
    token_name: str
    headers: dict[str, str] = field(default_factory=dict)
    payload: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: httpx.Headers
    body: bytes


class Calls:
    def __init__(self, settings: Settings, breaker: CircuitBreaker, budget: Budget) -> None:
        self.settings = settings
        self.breaker = breaker
        self.budget = budget
        # Metrics hang off this: each is called after every HTTP attempt.
        self.observers: list[Observer] = []
        self._lock = threading.Lock()
        self._http: httpx.Client | None = None
        self._http_pid: int | None = None

    def close(self) -> None:
        with self._lock:
            http, self._http = self._http, None
            mine = self._http_pid == os.getpid()
        # A client inherited across fork is dropped, never closed: its sockets (and TLS
        # sessions) still belong to the parent.
        if http is not None and mine:
            http.close()

    def http(self) -> httpx.Client:
        pid = os.getpid()
        http = self._http
        if http is not None and self._http_pid == pid:
            return http
        settings = self.settings
        if settings.base_url is None:
            raise RuntimeError("GIFQ_API_BASE is not configured")
        with self._lock:
            if self._http is None or self._http_pid != pid:
                limits = httpx.Limits(
                    max_connections=settings.max_connections,
                    max_keepalive_connections=settings.max_connections,
                    keepalive_expiry=5.0,
                )
                self._http = httpx.Client(
                    base_url=settings.base_url,
                    transport=settings.transport or DeadlineTransport(limits),
                    cookies=NullCookieJar(),
                    follow_redirects=False,
                    trust_env=False,
                    headers={"Accept": "application/json", "User-Agent": USER_AGENT},
                )
                self._http_pid = pid
            return self._http

    def call(self, call: Call) -> Answer:
        deadline = time.monotonic() + self.settings.deadline
        call = dataclasses.replace(call, headers={**call.headers, "X-Request-Id": _request_id()})
        try:
            with self.breaker.guard() as ticket:
                try:
                    answer = self._attempts(call, deadline)
                except GifqUnavailable:
                    ticket.failure()
                    raise
                if answer.status >= 500:
                    ticket.failure()
                elif answer.status < 300 or 400 <= answer.status < 500:
                    ticket.success()
                return answer
        except CircuitOpen:
            # Reported, so dashboards show refused calls instead of going quiet.
            self.observe(call, "circuit_open", time.monotonic(), 0)
            raise

    def _attempts(self, call: Call, deadline: float) -> Answer:
        safe = call.method == "GET"
        attempt = 0
        while True:
            attempt += 1
            may_retry = attempt == 1
            started = time.monotonic()
            try:
                self.budget.acquire(max(0.0, deadline - started))
            except RateLimited:
                self.observe(call, "throttled", started, attempt)
                raise
            started = time.monotonic()
            try:
                answer = self.attempt(call, deadline)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                self.observe(call, _failure_label(exc), started, attempt)
                if may_retry and _left(deadline) > 0:
                    continue  # nothing was sent, so this is safe for any method
                raise _unavailable(deadline, exc) from exc
            except (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError) as exc:
                self.observe(call, _failure_label(exc), started, attempt)
                if safe and may_retry and _backoff(deadline):
                    continue
                raise _unavailable(deadline, exc) from exc
            except httpx.TransportError as exc:
                # Write and pool timeouts, a broken pipe mid-request: outcome unknown for a POST.
                self.observe(call, _failure_label(exc), started, attempt)
                raise _unavailable(deadline, exc) from exc
            except GifqTimeout:
                self.observe(call, "timeout", started, attempt)
                raise
            except ContractError:
                self.observe(call, "error", started, attempt)
                raise
            self.observe(call, answer.status, started, attempt)
            if safe and may_retry and answer.status in (502, 503, 504) and _backoff(deadline):
                continue
            # GIFQ's rate limit (`rate_limited`) refuses a request before doing anything with
            # it, so a POST it refused is as safe to send again as a GET. Our budget keeps
            # these rare, but its window and GIFQ's see the same calls a few ms apart.
            if may_retry and answer.status == 429 and (safe or _refused_unread(answer)):
                wait = retry_after(answer.headers.get("retry-after"))
                if wait <= MAX_RETRY_AFTER_WAIT and wait < _left(deadline):
                    time.sleep(wait)
                    continue
            return answer

    def attempt(self, call: Call, deadline: float, *, read_body: bool = True) -> Answer:
        remaining = _left(deadline)
        if remaining <= 0:
            raise GifqTimeout("GIFQ deadline passed")
        s = self.settings
        timeout = httpx.Timeout(
            connect=min(s.connect_timeout, remaining),
            read=min(s.read_timeout, remaining),
            write=min(s.write_timeout, remaining),
            pool=min(s.pool_timeout, remaining),
        )
        http = self.http()
        request = http.build_request(
            call.method, call.path, headers=call.headers, json=call.payload, timeout=timeout
        )
        reset = CALL_DEADLINE.set(deadline)
        try:
            response = http.send(request, stream=True)
            try:
                status = response.status_code
                ok = 200 <= status < 300
                limit = s.max_body if ok else ERROR_BODY_CAP
                body = _read_body(response, deadline, limit, strict=ok) if read_body else b""
            finally:
                response.close()
        finally:
            CALL_DEADLINE.reset(reset)
        return Answer(status, response.headers, body)

    def observe(self, call: Call, status: int | str, started: float, attempt: int) -> None:
        seconds = time.monotonic() - started
        log.debug(
            "gifq %s status=%s seconds=%.3f token=%s attempt=%d",
            *(call.endpoint, status, seconds, call.token_name[:12], attempt),
        )
        for observer in self.observers:
            try:
                observer(call.endpoint, status, seconds)
            except Exception:
                # A broken metrics hook must not turn a good answer into an error page.
                log.exception("GIFQ observer failed")


# --- helpers -------------------------------------------------------------------------------


def _refused_unread(answer: Answer) -> bool:
    """A 429 from GIFQ's request rate limit, not from one of its rules (a code cooldown)."""
    try:
        return bool(json.loads(answer.body[:ERROR_BODY_CAP]).get("code") == "rate_limited")
    except (ValueError, AttributeError):
        return False


def _left(deadline: float) -> float:
    return deadline - time.monotonic()


def _backoff(deadline: float) -> bool:
    """Sleep a little jitter before the one retry; False when the deadline leaves no room."""
    pause = random.uniform(0.05, 0.25)  # noqa: S311 - jitter, not security
    if _left(deadline) <= pause + 0.05:
        return False
    time.sleep(pause)
    return True


def _unavailable(deadline: float, exc: httpx.TransportError) -> GifqUnavailable:
    # A timeout once the request may have been sent means "outcome unknown" (GifqTimeout);
    # a refused or failed connection means nothing was sent.
    waited = isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout)
    if waited or _left(deadline) <= 0:
        return GifqTimeout("no answer from GIFQ in time")
    return GifqUnavailable(f"GIFQ unreachable ({type(exc).__name__})")


def _failure_label(exc: Exception) -> str:
    return "timeout" if isinstance(exc, httpx.TimeoutException) else "error"


def _read_body(response: httpx.Response, deadline: float, cap: int, *, strict: bool) -> bytes:
    """The body, read against the deadline and a size cap.

    ``strict`` (success answers): too big is a contract error. Otherwise (error answers,
    read only for their ``code``) an oversized body is simply ignored.
    """
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        if strict:
            raise ContractError("GIFQ answer too large")
        return b""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > cap:
            if strict:
                raise ContractError("GIFQ answer too large")
            return b""
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise GifqTimeout("GIFQ answer still arriving at the deadline")
    return b"".join(chunks)


def _request_id() -> str:
    from flask import g, has_app_context

    if has_app_context():
        rid = g.get("request_id")
        if isinstance(rid, str) and _REQUEST_ID.fullmatch(rid):
            return rid
    return uuid.uuid4().hex
