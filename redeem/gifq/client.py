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

import logging
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NoReturn

import httpx

from redeem.gifq import models
from redeem.gifq.breaker import OPEN, CircuitBreaker
from redeem.gifq.budget import OPEN as OPEN_LANE
from redeem.gifq.budget import Budget, current_lane, make_budget
from redeem.gifq.cache import CachedPayout, Fetched, PayoutCache, carries_secrets
from redeem.gifq.calls import Answer, Call, Calls, Observer
from redeem.gifq.errors import ContractError, GifqTimeout, PayoutNotFound, RateLimited, error_for
from redeem.gifq.misses import TokenMemory
from redeem.gifq.parsing import (
    parse_code_sent,
    parse_grant,
    parse_json,
    parse_payout,
    parse_redemption,
)
from redeem.gifq.settings import Settings, setting
from redeem.gifq.shared_cache import make_cache
from redeem.security.keyed_hashes import KeyedHashes

log = logging.getLogger(__name__)

PAYOUT_PATH = "/api/payouts/{token}"
SEND_CODE_PATH = "/api/payouts/{token}/verification"
CONFIRM_CODE_PATH = "/api/payouts/{token}/verification/confirm"
REDEMPTIONS_PATH = "/api/payouts/{token}/redemptions"

PING_DEADLINE = 3.0
PING = Call("ping", "GET", "/", "-")  # whether GIFQ answers HTTP at all


class GifqClient:
    """One per app (redeem/extensions.py), shared by its threads; built from the app's config."""

    def __init__(
        self,
        settings: Settings,
        *,
        hashes: KeyedHashes,
        breaker: CircuitBreaker,
        budget: Budget,
        cache: PayoutCache,
        misses: TokenMemory | None = None,
    ) -> None:
        self.hashes = hashes
        self.cache = cache
        self.misses = misses or TokenMemory(per_minute=0)
        self.calls = Calls(settings, breaker, budget)

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], *, hashes: KeyedHashes | None = None
    ) -> GifqClient:
        return cls(
            Settings.from_config(config),
            hashes=hashes or KeyedHashes(config.get("SECRET_KEY")),
            breaker=CircuitBreaker(
                int(setting(config, "GIFQ_BREAKER_THRESHOLD")),
                float(setting(config, "GIFQ_BREAKER_COOLDOWN")),
            ),
            budget=make_budget(
                int(setting(config, "GIFQ_BUDGET_PER_SECOND")),
                config.get("REDIS_URL") or None,
                reserved_share=float(setting(config, "GIFQ_BUDGET_RESERVED_SHARE")),
                open_wait=float(setting(config, "GIFQ_BUDGET_OPEN_WAIT")),
            ),
            misses=TokenMemory(
                per_minute=int(setting(config, "GIFQ_UNKNOWN_TOKENS_PER_MINUTE")),
                redis_url=config.get("REDIS_URL") or None,
            ),
            cache=make_cache(
                float(setting(config, "GIFQ_PAYOUT_CACHE_SECONDS")),
                int(setting(config, "GIFQ_PAYOUT_CACHE_SIZE")),
                config.get("REDIS_URL") or None,
                lambda body: parse_payout(parse_json(body)),
            ),
        )

    @property
    def settings(self) -> Settings:
        return self.calls.settings

    @property
    def breaker(self) -> CircuitBreaker:
        return self.calls.breaker

    @property
    def budget(self) -> Budget:
        return self.calls.budget

    @property
    def observers(self) -> list[Observer]:
        return self.calls.observers

    def close(self) -> None:
        self.calls.close()

    def get_payout(
        self,
        token: str,
        *,
        verification_token: str | None = None,
        max_age: float | None = None,
        refresh: bool = False,
    ) -> models.Payout:
        """``max_age``: how old a cached answer this caller accepts (default: the cache's TTL);
        ``refresh``: ask GIFQ (If-None-Match) whatever the cache holds."""
        token_mac = self._token_mac(token)
        key = (token_mac, self.mac(verification_token) if verification_token else "")
        if refresh:
            return self._fetch_payout(token, token_mac, key, verification_token, None)
        cached, fresh = self.cache.lookup(key, max_age)
        if cached is not None and fresh:
            log.debug("gifq get_payout cached token=%s", token_mac[:12])
            return cached.payout
        self._screen_unknown(token_mac, cached is not None)
        # One call per payout and process at a time: the threads that missed together wait
        # for its answer instead of each spending a slot of GIFQ's budget (cache.py). While
        # it revalidates a copy that is only just out of date, the others take that copy
        # rather than wait for GIFQ (a 5,000-brand payout takes ~0.8 s to fetch and parse).
        wait = 0.0 if self.cache.stale_ok(cached) else self.settings.deadline
        with self.cache.flight(key, wait) as mine:
            if not mine and cached is not None and wait == 0.0:
                return cached.payout
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
        answer = self.calls.call(
            Call("get_payout", "GET", PAYOUT_PATH.format(token=token), token_mac, headers)
        )
        if answer.status == 304 and cached is not None and cached.etag:
            etag = answer.headers.get("etag") or cached.etag
            self.cache.store(
                key, Fetched(etag, cached.payout, cached.secret), generation=generation
            )
            return cached.payout
        if answer.status != 200:
            if answer.status == 404:
                self.misses.unknown(token_mac)
            self._fail("get_payout", answer)
        payout = parse_payout(self._json(answer))
        if payout.token != token:
            raise ContractError("GIFQ answered for another payout")
        self.misses.known(token_mac)
        secret = carries_secrets(payout)
        if secret and not verification_token:
            # Fail closed: details must only ever come back to a verified request.
            raise ContractError("card details without verification")
        etag = answer.headers.get("etag")
        self.cache.store(
            key, Fetched(etag, payout, secret), generation=generation, body=answer.body
        )
        return payout

    def _screen_unknown(self, token_mac: str, cached: bool) -> None:
        """Unknown tokens cost GIFQ one call per ten minutes, and landing lookups of tokens
        never confirmed stop for everyone once a minute's unknown answers pass the cap
        (redeem/gifq/misses.py)."""
        if self.misses.is_unknown(token_mac):
            raise PayoutNotFound()
        if current_lane() != OPEN_LANE or cached or self.misses.is_known(token_mac):
            return
        wait = self.misses.seconds_until_lookups()
        if wait > 0:
            raise RateLimited(wait)

    def send_code(self, token: str) -> models.CodeSent:
        answer = self._post("send_code", SEND_CODE_PATH, token, {}, changes_payout=False)
        if answer.status not in (200, 201, 202):
            self._fail("send_code", answer)
        return parse_code_sent(self._json(answer))

    def confirm_code(self, token: str, *, code: str) -> models.VerificationGrant:
        answer = self._post(
            "confirm_code", CONFIRM_CODE_PATH, token, {"code": code}, changes_payout=False
        )
        if answer.status not in (200, 201):
            self._fail("confirm_code", answer)
        return parse_grant(self._json(answer))

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
        return parse_redemption(body)

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
            answer = self.calls.attempt(PING, deadline, read_body=False)
        except (httpx.HTTPError, GifqTimeout):
            self.calls.observe(PING, "error", started, 1)
            return False
        self.calls.observe(PING, answer.status, started, 1)
        return True

    # --- plumbing ------------------------------------------------------------------------

    def mac(self, value: str) -> str:
        """The keyed hash of a secret (a verification token) for cache keys."""
        return self.hashes.keyed("gifq-secret", value)

    def _token_mac(self, token: str) -> str:
        # Anything that is not a token is not a payout; it must never reach a URL path.
        if not isinstance(token, str) or not models.is_token(token):
            raise PayoutNotFound()
        return self.hashes.token_key(token)

    def _post(
        self, endpoint: str, path: str, token: str, payload: dict[str, Any], **kw: Any
    ) -> Answer:
        token_mac = self._token_mac(token)
        headers: dict[str, str] = kw.get("headers") or {}
        try:
            return self.calls.call(
                Call(endpoint, "POST", path.format(token=token), token_mac, headers, payload)
            )
        finally:
            # Whatever happened, the payout may have changed: the next read goes to GIFQ.
            # Sending and checking a code change only its verification times, which no page
            # reads from the payout: the landing's copy stays good for the next steps.
            if kw.get("changes_payout", True):
                self.cache.invalidate(token_mac)

    def _fail(self, endpoint: str, answer: Answer) -> NoReturn:
        raise error_for(endpoint, answer.status, answer.body, answer.headers.get("retry-after"))

    def _json(self, answer: Answer) -> Any:
        media_type = answer.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise ContractError(f"GIFQ answered {media_type or 'no content type'}, not JSON")
        return parse_json(answer.body)


# --- helpers -------------------------------------------------------------------------------


def _json_number(value: Decimal) -> int | float:
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise ValueError("face_value must be a positive Decimal")
    if value == value.to_integral_value():
        return int(value)
    # Money has a few decimal places; a float's shortest repr reproduces them exactly in JSON.
    return float(value)
