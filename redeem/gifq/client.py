"""The app's only door to GIFQ: one method per endpoint, facts out, never raw HTTP.

Everything about talking to GIFQ over the wire lives here and nowhere else: paths, headers,
status codes, timeouts, retries, the total deadline, the circuit breaker, the shared
request budget and the short payout cache. Views get parsed models or an exception from
``redeem.gifq.errors``; a drift in GIFQ's undocumented recipient API is a one-file change.

Failure policy (see docs/research security.md §6):
- every call has a total deadline (``GIFQ_DEADLINE``) covering retries, waits and a slowly
  dripping body, because httpx's timeouts are per phase and per read (httpx#1450);
- connect failures are retried once for any method: nothing was sent. GETs are also
  retried once on 502/503/504, a read timeout or a dropped connection, and after a 429
  whose Retry-After fits the deadline. POSTs are never retried once they may have been
  sent: a second ``create_redemption`` must come from the caller with the same reference;
- one ``httpx.Client`` per process, no cookie persistence (a shared client would send
  recipient A's upstream cookies on recipient B's request, httpx#1359), no redirects,
  no proxy settings from the environment.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import random
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NoReturn

import httpx

from redeem.gifq import models
from redeem.gifq.breaker import OPEN, CircuitBreaker, CircuitOpen
from redeem.gifq.budget import Budget, make_budget
from redeem.gifq.cache import CachedPayout, carries_secrets, make_cache
from redeem.gifq.errors import (
    ContractError,
    GifqTimeout,
    GifqUnavailable,
    PayoutNotFound,
    RateLimited,
    error_for,
    retry_after,
)
from redeem.gifq.transport import CALL_DEADLINE, DeadlineTransport, NullCookieJar

log = logging.getLogger(__name__)

PAYOUT_PATH = "/api/payouts/{token}"
SEND_CODE_PATH = "/api/payouts/{token}/verification"
CONFIRM_CODE_PATH = "/api/payouts/{token}/verification/confirm"
REDEMPTIONS_PATH = "/api/payouts/{token}/redemptions"

USER_AGENT = "gifq-redeem/0.1"
# A 429 shorter than this is waited out for a GET; longer ones become a "busy" page.
MAX_RETRY_AFTER_WAIT = 1.0
# Error bodies are only read for their "code": anything bigger is not worth holding.
ERROR_BODY_CAP = 64 * 1024
PING_DEADLINE = 3.0

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

Observer = Callable[[str, int | str, float], None]


# --- settings ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Settings:
    base_url: str | None
    connect_timeout: float = 2.0
    read_timeout: float = 5.0
    write_timeout: float = 5.0
    pool_timeout: float = 1.0
    deadline: float = 8.0
    max_body: int = 1_000_000
    max_connections: int = 20
    transport: httpx.BaseTransport | None = None

    @classmethod
    def from_config(cls, config: Any) -> Settings:
        base = config.get("GIFQ_API_BASE") or None
        if base is not None:
            url = httpx.URL(base)
            if url.scheme not in ("http", "https") or not url.host:
                raise ValueError("GIFQ_API_BASE must be an http(s) URL")
            base = str(base).rstrip("/")
        return cls(
            base_url=base,
            connect_timeout=float(config.get("GIFQ_CONNECT_TIMEOUT", 2.0)),
            read_timeout=float(config.get("GIFQ_READ_TIMEOUT", 5.0)),
            write_timeout=float(config.get("GIFQ_WRITE_TIMEOUT", 5.0)),
            pool_timeout=float(config.get("GIFQ_POOL_TIMEOUT", 1.0)),
            deadline=float(config.get("GIFQ_DEADLINE", 8.0)),
            # A 5,000-brand campaign's payout is about 3 MB of JSON: 8 MB leaves room to grow.
            max_body=int(config.get("GIFQ_MAX_BODY", 8_000_000)),
            max_connections=int(config.get("GIFQ_MAX_CONNECTIONS", 20)),
            transport=config.get("GIFQ_TRANSPORT"),
        )


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    headers: httpx.Headers
    body: bytes


# --- the client ----------------------------------------------------------------------------


class GifqClient:
    def __init__(self, app: Any = None) -> None:
        # Metrics hang off this: each is called (endpoint, status or "error"/"timeout", seconds)
        # after every HTTP attempt. Kept outside init_app so they survive reconfiguration.
        self.observers: list[Observer] = []
        self._lock = threading.Lock()
        self._http: httpx.Client | None = None
        self._http_pid: int | None = None
        self._configure({})
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Any) -> None:
        self._configure(app.config)
        app.extensions["gifq"] = self

    def _configure(self, config: Any) -> None:
        self.settings = Settings.from_config(config)
        secret = config.get("SECRET_KEY") or os.urandom(32)
        secret = secret.encode() if isinstance(secret, str) else secret
        # A key of its own, so these HMACs can never be mistaken for session signatures.
        self._mac_key = hmac.new(secret, b"redeem.gifq.token-mac", hashlib.sha256).digest()
        self.breaker = CircuitBreaker(
            int(config.get("GIFQ_BREAKER_THRESHOLD", 5)),
            float(config.get("GIFQ_BREAKER_COOLDOWN", 10.0)),
        )
        self.budget: Budget = make_budget(
            int(config.get("GIFQ_BUDGET_PER_SECOND", 9)), config.get("REDIS_URL") or None
        )
        self.cache = make_cache(
            float(config.get("GIFQ_PAYOUT_CACHE_SECONDS", 1.0)),
            int(config.get("GIFQ_PAYOUT_CACHE_SIZE", 1024)),
            config.get("REDIS_URL") or None,
            lambda body: models.parse_payout(models.parse_json(body)),
        )
        self.close()

    def close(self) -> None:
        with self._lock:
            http, self._http = self._http, None
            mine = self._http_pid == os.getpid()
        # A client inherited across fork is dropped, never closed: its sockets (and TLS
        # sessions) still belong to the parent.
        if http is not None and mine:
            http.close()

    # --- the endpoints -----------------------------------------------------------------

    def get_payout(
        self, token: str, *, verification_token: str | None = None, max_age: float | None = None
    ) -> models.Payout:
        """``max_age``: how old a cached answer this caller accepts (default: the cache's TTL)."""
        token_mac = self._token_mac(token)
        key = (token_mac, self.mac(verification_token) if verification_token else "")
        cached, fresh = self.cache.lookup(key, max_age)
        if cached is not None and fresh:
            log.debug("gifq get_payout cached token=%s", token_mac[:12])
            return cached.payout
        # One call per payout and process at a time: the threads that missed together wait
        # for its answer instead of each spending a slot of GIFQ's budget (cache.py).
        with self.cache.flight(key, self.settings.deadline):
            cached, fresh = self.cache.lookup(key, max_age)
            if cached is not None and fresh:
                return cached.payout
            return self._fetch_payout(token, token_mac, key, verification_token, cached)

    def _fetch_payout(
        self,
        token: str,
        token_mac: str,
        key: tuple[str, str],
        verification_token: str | None,
        cached: CachedPayout | None,
    ) -> models.Payout:
        headers = {}
        if verification_token:
            headers["X-Verification-Token"] = verification_token
        if cached is not None and cached.etag:
            headers["If-None-Match"] = cached.etag
        generation = self.cache.generation(token_mac)
        answer = self._call(
            "get_payout", "GET", PAYOUT_PATH.format(token=token), token_mac, headers=headers
        )
        if answer.status == 304 and cached is not None and cached.etag:
            etag = answer.headers.get("etag") or cached.etag
            self.cache.store(key, etag, cached.payout, secret=cached.secret, generation=generation)
            return cached.payout
        if answer.status != 200:
            self._fail("get_payout", answer)
        payout = models.parse_payout(self._json(answer))
        if payout.token != token:
            raise ContractError("GIFQ answered for another payout")
        secret = carries_secrets(payout)
        if secret and not verification_token:
            # Fail closed: details must only ever come back to a verified request.
            raise ContractError("card details without verification")
        etag = answer.headers.get("etag")
        self.cache.store(key, etag, payout, secret=secret, generation=generation, body=answer.body)
        return payout

    def send_code(self, token: str) -> models.CodeSent:
        answer = self._post("send_code", SEND_CODE_PATH, token, {})
        if answer.status not in (200, 201, 202):
            self._fail("send_code", answer)
        return models.parse_code_sent(self._json(answer))

    def confirm_code(self, token: str, *, code: str) -> models.VerificationGrant:
        answer = self._post("confirm_code", CONFIRM_CODE_PATH, token, {"code": code})
        if answer.status not in (200, 201):
            self._fail("confirm_code", answer)
        return models.parse_grant(self._json(answer))

    def create_redemption(
        self,
        token: str,
        *,
        verification_token: str,
        product_id: str,
        face_value: Decimal,
        reference: str,
    ) -> models.Redemption:
        if not reference:
            raise ValueError("a redemption needs its idempotency reference")
        payload = {
            "product_id": product_id,
            "face_value": _json_number(face_value),
            "reference": reference,
        }
        answer = self._post(
            "create_redemption",
            REDEMPTIONS_PATH,
            token,
            payload,
            headers={"X-Verification-Token": verification_token},
        )
        if answer.status not in (200, 201, 202):
            self._fail("create_redemption", answer)
        body = self._json(answer)
        # The contract says "202 with the new redemption"; accept it bare or wrapped.
        if isinstance(body, dict) and "id" not in body and isinstance(body.get("redemption"), dict):
            body = body["redemption"]
        return models.parse_redemption(body)

    def ping(self) -> bool:
        """Whether GIFQ answers HTTP at all, for /readyz. Never touches the breaker."""
        if self.settings.base_url is None:
            return False
        deadline = time.monotonic() + min(self.settings.deadline, PING_DEADLINE)
        try:
            self.budget.acquire(max(0.0, deadline - time.monotonic()))
        except RateLimited:
            # Saturated with real calls: their outcome (the breaker) is the better signal.
            return self.breaker.state != OPEN
        started = time.monotonic()
        try:
            answer = self._attempt("GET", "/", {}, None, deadline, read_body=False)
        except (httpx.HTTPError, GifqTimeout):
            self._observe("ping", "error", started, "-", 1)
            return False
        self._observe("ping", answer.status, started, "-", 1)
        return True

    # --- plumbing ------------------------------------------------------------------------

    def mac(self, value: str) -> str:
        """HMAC-SHA256 of a secret (token, verification token) for keys and logs."""
        return hmac.new(self._mac_key, value.encode(), hashlib.sha256).hexdigest()

    def _token_mac(self, token: str) -> str:
        # Anything that is not a token is not a payout; it must never reach a URL path.
        if not isinstance(token, str) or not models.is_token(token):
            raise PayoutNotFound()
        return self.mac(token)

    def _post(
        self,
        endpoint: str,
        path: str,
        token: str,
        payload: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> _Answer:
        token_mac = self._token_mac(token)
        try:
            return self._call(
                endpoint,
                "POST",
                path.format(token=token),
                token_mac,
                headers=headers or {},
                payload=payload,
            )
        finally:
            # Whatever happened, the payout may have changed: the next read goes to GIFQ.
            self.cache.invalidate(token_mac)

    def _client(self) -> httpx.Client:
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

    def _call(
        self,
        endpoint: str,
        method: str,
        path: str,
        token_mac: str,
        *,
        headers: dict[str, str],
        payload: dict[str, Any] | None = None,
    ) -> _Answer:
        deadline = time.monotonic() + self.settings.deadline
        headers = {**headers, "X-Request-Id": _request_id()}
        try:
            with self.breaker.guard() as ticket:
                try:
                    answer = self._attempts(
                        endpoint, method, path, token_mac, headers, payload, deadline
                    )
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
            self._observe(endpoint, "circuit_open", time.monotonic(), token_mac, 0)
            raise

    def _attempts(
        self,
        endpoint: str,
        method: str,
        path: str,
        token_mac: str,
        headers: dict[str, str],
        payload: dict[str, Any] | None,
        deadline: float,
    ) -> _Answer:
        safe = method == "GET"
        attempt = 0
        while True:
            attempt += 1
            may_retry = attempt == 1
            started = time.monotonic()
            try:
                self.budget.acquire(max(0.0, deadline - started))
            except RateLimited:
                self._observe(endpoint, "throttled", started, token_mac, attempt)
                raise
            started = time.monotonic()
            try:
                answer = self._attempt(method, path, headers, payload, deadline)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                self._observe(endpoint, _failure_label(exc), started, token_mac, attempt)
                if may_retry and _left(deadline) > 0:
                    continue  # nothing was sent, so this is safe for any method
                raise _unavailable(deadline, exc) from exc
            except (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError) as exc:
                self._observe(endpoint, _failure_label(exc), started, token_mac, attempt)
                if safe and may_retry and _backoff(deadline):
                    continue
                raise _unavailable(deadline, exc) from exc
            except httpx.TransportError as exc:
                # Write and pool timeouts, a broken pipe mid-request: outcome unknown for a POST.
                self._observe(endpoint, _failure_label(exc), started, token_mac, attempt)
                raise _unavailable(deadline, exc) from exc
            except GifqTimeout:
                self._observe(endpoint, "timeout", started, token_mac, attempt)
                raise
            except ContractError:
                self._observe(endpoint, "error", started, token_mac, attempt)
                raise
            self._observe(endpoint, answer.status, started, token_mac, attempt)
            if safe and may_retry:
                if answer.status in (502, 503, 504) and _backoff(deadline):
                    continue
                if answer.status == 429:
                    wait = retry_after(answer.headers.get("retry-after"))
                    if wait <= MAX_RETRY_AFTER_WAIT and wait < _left(deadline):
                        time.sleep(wait)
                        continue
            return answer

    def _attempt(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        payload: dict[str, Any] | None,
        deadline: float,
        *,
        read_body: bool = True,
    ) -> _Answer:
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
        http = self._client()
        request = http.build_request(method, path, headers=headers, json=payload, timeout=timeout)
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
        return _Answer(status, response.headers, body)

    def _observe(
        self, endpoint: str, status: int | str, started: float, token_mac: str, attempt: int
    ) -> None:
        seconds = time.monotonic() - started
        log.debug(
            "gifq %s status=%s seconds=%.3f token=%s attempt=%d",
            endpoint,
            status,
            seconds,
            token_mac[:12],
            attempt,
        )
        for observer in self.observers:
            try:
                observer(endpoint, status, seconds)
            except Exception:
                # A broken metrics hook must not turn a good answer into an error page.
                log.exception("GIFQ observer failed")

    def _fail(self, endpoint: str, answer: _Answer) -> NoReturn:
        raise error_for(endpoint, answer.status, answer.body, answer.headers.get("retry-after"))

    def _json(self, answer: _Answer) -> Any:
        media_type = answer.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise ContractError(f"GIFQ answered {media_type or 'no content type'}, not JSON")
        return models.parse_json(answer.body)


# --- helpers -------------------------------------------------------------------------------


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


def _json_number(value: Decimal) -> int | float:
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise ValueError("face_value must be a positive Decimal")
    if value == value.to_integral_value():
        return int(value)
    # Money has a few decimal places; a float's shortest repr reproduces them exactly in JSON.
    return float(value)


def _request_id() -> str:
    from flask import g, has_app_context

    if has_app_context():
        rid = g.get("request_id")
        if isinstance(rid, str) and _REQUEST_ID.fullmatch(rid):
            return rid
    return uuid.uuid4().hex
