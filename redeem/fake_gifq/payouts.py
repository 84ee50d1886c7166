"""The recipient's side of a payout: its status, the one-time code, redemptions.

Callers hold ``store.lock``; every function here is a check-then-act that must not
interleave with another request for the same payout.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from redeem.fake_gifq.brands import FULFILMENT_SECONDS, card_details
from redeem.fake_gifq.clock import iso, seconds_until
from redeem.fake_gifq.errors import ApiError, invalid, malformed
from redeem.fake_gifq.money import parse_money
from redeem.fake_gifq.store import Movement, Payout, Redemption, Store

CODE_LIFETIME = timedelta(minutes=10)
TOKEN_LIFETIME = timedelta(minutes=30)
RESEND_COOLDOWN = timedelta(seconds=30)
SEND_WINDOW = timedelta(hours=1)
SENDS_PER_WINDOW = 5
WRONG_PER_CODE = 5
WRONG_PER_PAYOUT = 20
CARD_VALIDITY = timedelta(days=365)

FAILURE_MESSAGE = (
    "The brand could not issue this card right now. "
    "The amount is back on your balance: please choose another brand."
)


def not_found() -> ApiError:
    return ApiError(404, "payout_not_found", "No payout has this token.")


def locked() -> ApiError:
    return ApiError(
        423,
        "verification_locked",
        "Too many wrong codes. Ask the sender to reissue this gift.",
    )


# --- status ------------------------------------------------------------------------------


def settle(store: Store, payout: Payout, now: datetime) -> None:
    """Finish every redemption whose fulfilment time has passed on the movable clock.

    Fulfilment is evaluated lazily on read instead of by a background thread, so moving the
    clock finishes it too and nothing runs while nobody is looking.
    """
    for redemption in payout.redemptions:
        if redemption.status == "processing" and now >= redemption.due_at:
            brand = store.brands[redemption.brand_slug]
            if brand.fulfilment == "fail":
                redemption.status = "failed"
                redemption.failure_message = FAILURE_MESSAGE
                payout.balance += redemption.face_value
                payout.movements.append(
                    Movement("refund", redemption.face_value, redemption.id, redemption.due_at)
                )
            else:
                redemption.status = "completed"
                redemption.completed_at = redemption.due_at
                redemption.expires_at = (redemption.due_at + CARD_VALIDITY).date()
                redemption.details = card_details(brand)


def status(payout: Payout, now: datetime) -> str:
    if payout.cancelled_at is not None:
        return "cancelled"
    if any(r.status == "processing" for r in payout.redemptions):
        return "processing"
    if payout.balance == 0 and any(r.status == "completed" for r in payout.redemptions):
        return "completed"
    if now >= payout.expires_at:
        return "expired"
    return "pending"


def is_verified(payout: Payout, token: str | None, now: datetime) -> bool:
    if not token:
        return False
    for known, expires_at in payout.verification.tokens.items():
        if hmac.compare_digest(known, token) and now < expires_at:
            return True
    return False


def is_locked(payout: Payout) -> bool:
    return payout.verification.total_wrong >= WRONG_PER_PAYOUT


# --- one-time code -----------------------------------------------------------------------


def next_send_at(payout: Payout, now: datetime) -> datetime | None:
    v = payout.verification
    sends = [t for t in v.sends if now - t < SEND_WINDOW]
    if not sends:
        return None
    # The 30 s cooldown stops whoever holds only the link from flooding the inbox. Once the
    # last code has been confirmed it has done its job: the recipient coming back for the
    # next split gets a fresh code at once instead of "use the code in that email", a code
    # already used. The hourly cap still holds.
    confirmed = v.confirmed_at is not None and v.confirmed_at >= sends[-1]
    at = sends[-1] if confirmed else sends[-1] + RESEND_COOLDOWN
    if len(sends) >= SENDS_PER_WINDOW:
        at = max(at, sends[0] + SEND_WINDOW)
    return at


def send_code(store: Store, payout: Payout, now: datetime) -> tuple[datetime, datetime]:
    """Email a new code (replacing any old one); return (sent_at, resend_available_at)."""
    if is_locked(payout):
        raise locked()
    available_at = next_send_at(payout, now)
    if available_at is not None and now < available_at:
        recent = [t for t in payout.verification.sends if now - t < SEND_WINDOW]
        code = (
            "verification_send_limit"
            if len(recent) >= SENDS_PER_WINDOW
            else "verification_cooldown"
        )
        raise ApiError(
            429,
            code,
            "A code was sent a moment ago. Wait before asking for another.",
            headers={"Retry-After": str(seconds_until(available_at, now))},
            resend_available_at=iso(available_at, round_up=True),
        )
    v = payout.verification
    v.sends = [t for t in v.sends if now - t < SEND_WINDOW] + [now]
    v.code = f"{secrets.randbelow(10**6):06d}"
    v.code_sent_at = now
    v.code_wrong = 0
    store.send_email(
        payout.email,
        "Your verification code",
        "verification_code",
        f"Your code is {v.code}. It expires in 10 minutes. "
        "If you did not ask for it, you can ignore this email.",
        code=v.code,
        payout_token=payout.token,
    )
    resend_at = next_send_at(payout, now)
    assert resend_at is not None
    return now, resend_at


def _code_expired(message: str) -> ApiError:
    return ApiError(422, "code_expired", message)


def confirm_code(payout: Payout, body: Any, now: datetime) -> tuple[str, datetime]:
    """Check a code; on success return a verification token and its expiry."""
    code = body.get("code") if isinstance(body, dict) else None
    if not isinstance(code, str) or len(code) != 6 or not code.isascii() or not code.isdigit():
        raise invalid("code must be the 6 digits from the email", field="code")
    if is_locked(payout):
        raise locked()
    v = payout.verification
    if v.code is None or v.code_sent_at is None:
        raise _code_expired("There is no live code for this payout. Ask for a new one.")
    if now >= v.code_sent_at + CODE_LIFETIME:
        v.code = None
        raise _code_expired("This code has expired. Ask for a new one.")
    if not hmac.compare_digest(code, v.code):
        v.code_wrong += 1
        v.total_wrong += 1
        if is_locked(payout):
            v.code = None
            v.tokens.clear()
            raise locked()
        left = min(WRONG_PER_CODE - v.code_wrong, WRONG_PER_PAYOUT - v.total_wrong)
        if v.code_wrong >= WRONG_PER_CODE:
            v.code = None
        raise ApiError(422, "code_invalid", "That code is not right.", attempts_left=left)
    v.code = None  # single use
    v.confirmed_at = now
    v.tokens = {t: exp for t, exp in v.tokens.items() if exp > now}
    token = secrets.token_urlsafe(32)
    v.tokens[token] = now + TOKEN_LIFETIME
    return token, v.tokens[token]


# --- redemptions -------------------------------------------------------------------------


@dataclass
class RedeemRequest:
    product_id: str
    face_value: Decimal
    reference: str


def parse_redeem(body: Any) -> RedeemRequest:
    if not isinstance(body, dict):
        raise malformed("the body must be a JSON object")
    reference = body.get("reference")
    if not isinstance(reference, str) or not 1 <= len(reference) <= 128:
        raise invalid("reference must be a string of 1 to 128 characters", field="reference")
    product_id = body.get("product_id")
    if not isinstance(product_id, str) or not product_id:
        raise invalid("product_id is required", field="product_id")
    return RedeemRequest(product_id, parse_money(body.get("face_value"), "face_value"), reference)


def redeem(
    store: Store, payout: Payout, request: RedeemRequest, now: datetime
) -> tuple[Redemption, bool]:
    """Create a redemption, or return the one already made with this reference.

    Returns (redemption, replayed). A replay wins over every other check: the client is
    asking "what happened to my request?", and the answer must not change because the
    first attempt used up the balance. Different parameters under a known reference also
    get the original back (the reference is the identity, as with GIFQ's orders).
    """
    for existing in payout.redemptions:
        if existing.reference == request.reference:
            return existing, True

    current = status(payout, now)
    if payout.cancelled_at is not None:
        reason = "cancelled"
    elif current == "completed":
        reason = "completed"
    elif now >= payout.expires_at:
        reason = "expired"
    else:
        reason = None
    if reason is not None:
        raise ApiError(
            422,
            "payout_not_redeemable",
            f"This payout is {reason} and cannot be redeemed.",
            payout_status=reason,
        )
    product = store.products.get(request.product_id)
    campaign = store.campaigns[payout.campaign_id]
    if (
        product is None
        or product.brand_slug not in campaign.brand_slugs
        or product.currency != payout.currency
    ):
        raise ApiError(
            422, "product_not_eligible", "This product is not available for this payout."
        )
    if request.face_value > payout.balance:
        raise ApiError(
            422,
            "insufficient_balance",
            "The face value is more than the payout's remaining balance.",
        )
    if not product.accepts(request.face_value, payout.currency):
        raise ApiError(422, "product_not_eligible", "This product does not accept that face value.")
    brand = store.brands[product.brand_slug]
    redemption = Redemption(
        id=f"rd_{secrets.token_hex(8)}",
        reference=request.reference,
        brand_slug=brand.slug,
        product_id=product.id,
        face_value=request.face_value,
        currency=payout.currency,
        status="processing",
        created_at=now,
        due_at=now + timedelta(seconds=FULFILMENT_SECONDS[brand.fulfilment]),
    )
    payout.balance -= request.face_value
    payout.redemptions.append(redemption)
    payout.movements.append(Movement("charge", request.face_value, redemption.id, now))
    return redemption, False
