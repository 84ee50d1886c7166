"""What can go wrong talking to GIFQ, as facts the views can branch on."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any


class GifqError(Exception):
    """Base of every GIFQ outcome that is not a success; ``kind`` names it in logs."""

    kind = "gifq_error"

    def __init_subclass__(cls, kind: str = "", **rest: object) -> None:
        super().__init_subclass__(**rest)
        if kind:
            cls.kind = kind


class PayoutNotFound(GifqError, kind="not_found"):
    """GIFQ does not know the token (404), or it is not a token at all."""


class PayoutGone(GifqError, kind="gone"):
    """GIFQ refused an action because the payout is expired, cancelled or completed (422)."""


class VerificationRequired(GifqError, kind="verification_required"):
    """The verification token is missing, expired or refused (401)."""


class CodeInvalid(GifqError, kind="code_invalid"):
    """A wrong code (422), and how many tries GIFQ says are left, when it says."""

    def __init__(self, attempts_left: int | None) -> None:
        super().__init__(f"wrong code, {attempts_left} attempts left")
        self.attempts_left = attempts_left


class CodeExpired(GifqError, kind="code_expired"):
    """The code is older than 10 minutes, was used, or was killed by 5 wrong tries."""


class VerificationLocked(GifqError, kind="locked"):
    """Too many wrong codes: GIFQ refuses verification for a while (423)."""


class Unprocessable(GifqError, kind="unprocessable"):
    """422 for anything else: an ineligible product, a face value over the balance."""

    def __init__(self, code: str | None, message: str = "") -> None:
        super().__init__(message or code or "unprocessable")
        self.code = code


class RateLimited(GifqError, kind="rate_limited"):
    """Too many requests (429, ours or GIFQ's), and how long to wait."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited, retry after {retry_after:.0f}s")
        self.retry_after = retry_after


class ResendCooldown(RateLimited):
    """GIFQ refused to send another code this soon: the last one is still on its way.

    Not the same as being throttled: after a throttled send no code was sent at all.
    """


class ResendLimit(ResendCooldown):
    """GIFQ's hourly cap on sends: unlike the 30 s cooldown, the newest code may be used up."""


class GifqUnavailable(GifqError, kind="unavailable"):
    """GIFQ answered 5xx, could not be reached, or the breaker is open."""


class GifqTimeout(GifqUnavailable, kind="timeout"):
    """No complete answer within the total deadline."""


class ContractError(GifqError, kind="contract"):
    """GIFQ answered something the contract does not allow: fail closed, show nothing."""


# --- from an HTTP answer to a fact ---------------------------------------------------------
# Kept free of httpx so the policy reads (and tests) without a transport.

DEFAULT_RETRY_AFTER = 5.0
MAX_RETRY_AFTER = 3600.0
GONE_CODES = frozenset(
    {"payout_not_redeemable", "payout_expired", "payout_cancelled", "payout_completed"}
)


def retry_after(value: str | None, *, now: datetime | None = None) -> float:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return DEFAULT_RETRY_AFTER
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return DEFAULT_RETRY_AFTER
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if math.isnan(seconds):
        return DEFAULT_RETRY_AFTER
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


# The send-code endpoint's own 429s (CONTRACT: a code was sent a moment ago).
RESEND_COOLDOWN_CODES = frozenset({"verification_cooldown", "verification_send_limit"})


def error_body(body: bytes) -> dict[str, Any]:
    # Error bodies are advisory: we work from the status when they are missing or odd.
    try:
        value = json.loads(body) if body.strip() else None
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def error_for(endpoint: str, status: int, body: bytes, retry_after_header: str | None) -> GifqError:
    """The fact behind an answer that is not the endpoint's success status."""
    if status >= 500:
        return GifqUnavailable(f"GIFQ answered {status}")
    if status == 404:
        return PayoutNotFound()
    if status == 401:
        return VerificationRequired()
    if status == 423:
        return VerificationLocked()
    if status == 429:
        code = error_body(body).get("code")
        if code == "verification_send_limit":
            return ResendLimit(retry_after(retry_after_header))
        if code in RESEND_COOLDOWN_CODES:
            return ResendCooldown(retry_after(retry_after_header))
        return RateLimited(retry_after(retry_after_header))
    if status != 422:
        return ContractError(f"GIFQ answered {status} to {endpoint}")
    error = error_body(body)
    raw_code, raw_message = error.get("code"), error.get("message")
    code = raw_code if isinstance(raw_code, str) else None
    message = raw_message if isinstance(raw_message, str) else ""
    if code == "code_invalid" or (code is None and endpoint == "confirm_code"):
        left = error.get("attempts_left")
        valid = isinstance(left, int) and not isinstance(left, bool) and left >= 0
        return CodeInvalid(left if valid else None)
    if code == "code_expired":
        return CodeExpired()
    if code in GONE_CODES:
        return PayoutGone()
    return Unprocessable(code, message[:200])
