"""What can go wrong talking to GIFQ, as facts the views can branch on."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any


class GifqError(Exception):
    """Base of every GIFQ outcome that is not a success."""

    kind = "gifq_error"


class PayoutNotFound(GifqError):
    kind = "not_found"


class PayoutGone(GifqError):
    """GIFQ refused an action because the payout is expired, cancelled or completed (422)."""

    kind = "gone"


class VerificationRequired(GifqError):
    """The verification token is missing, expired or refused (401)."""

    kind = "verification_required"


class CodeInvalid(GifqError):
    kind = "code_invalid"

    def __init__(self, attempts_left: int | None) -> None:
        super().__init__(f"wrong code, {attempts_left} attempts left")
        self.attempts_left = attempts_left


class CodeExpired(GifqError):
    """The code is older than 10 minutes, was used, or was killed by 5 wrong tries."""

    kind = "code_expired"


class VerificationLocked(GifqError):
    kind = "locked"


class Unprocessable(GifqError):
    """422 for anything else: an ineligible product, a face value over the balance."""

    kind = "unprocessable"

    def __init__(self, code: str | None, message: str = "") -> None:
        super().__init__(message or code or "unprocessable")
        self.code = code


class RateLimited(GifqError):
    kind = "rate_limited"

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited, retry after {retry_after:.0f}s")
        self.retry_after = retry_after


class ResendCooldown(RateLimited):
    """GIFQ refused to send another code this soon: the last one is still on its way.

    Not the same as being throttled: after a throttled send no code was sent at all.
    """


class ResendLimit(ResendCooldown):
    """GIFQ's hourly cap on sends: unlike the 30 s cooldown, the newest code may be used up."""


class GifqUnavailable(GifqError):
    """GIFQ answered 5xx, could not be reached, or the breaker is open."""

    kind = "unavailable"


class GifqTimeout(GifqUnavailable):
    """No complete answer within the total deadline."""

    kind = "timeout"


class ContractError(GifqError):
    """GIFQ answered something the contract does not allow: fail closed, show nothing."""

    kind = "contract"


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
