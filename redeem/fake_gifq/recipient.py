"""The public, token-addressed surface the redeem page talks to (CONTRACT §2)."""

from __future__ import annotations

import re

from flask import Blueprint, Response, request

from redeem.fake_gifq import payouts, render
from redeem.fake_gifq.clock import iso
from redeem.fake_gifq.errors import ApiError
from redeem.fake_gifq.http_io import base_url, read_json, respond, respond_cacheable
from redeem.fake_gifq.state import payout_under_lock

recipient = Blueprint("recipient", __name__)

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")


def _token(token: str) -> str:
    """Anything that is not 43 URL-safe characters is not a token: same answer as unknown."""
    if not TOKEN_RE.fullmatch(token):
        raise payouts.not_found()
    return token


def _verification_header() -> str | None:
    return request.headers.get("X-Verification-Token")


@recipient.get("/api/payouts/<token>")
def show(token: str) -> Response:
    with payout_under_lock(_token(token)) as (store, payout, now):
        verified = payouts.is_verified(payout, _verification_header(), now)
        data = render.payout(store, payout, verified=verified, base_url=base_url(), now=now)
    return respond_cacheable(data)


@recipient.post("/api/payouts/<token>/verification")
def send_code(token: str) -> Response:
    with payout_under_lock(_token(token)) as (store, payout, now):
        sent_at, resend_at = payouts.send_code(store, payout, now)
    return respond(
        {"code_sent_at": iso(sent_at), "resend_available_at": iso(resend_at, round_up=True)},
        202,
    )


@recipient.post("/api/payouts/<token>/verification/confirm")
def confirm_code(token: str) -> Response:
    body = read_json()
    with payout_under_lock(_token(token)) as (_, payout, now):
        grant, expires_at = payouts.confirm_code(payout, body, now)
    return respond({"verification_token": grant, "expires_at": iso(expires_at)})


@recipient.post("/api/payouts/<token>/redemptions")
def create_redemption(token: str) -> Response:
    with payout_under_lock(_token(token)) as (store, payout, now):
        if not payouts.is_verified(payout, _verification_header(), now):
            raise ApiError(
                401,
                "verification_required",
                "Confirm the emailed code first, then send X-Verification-Token.",
            )
        redemption, replayed = payouts.redeem(store, payout, payouts.parse_redeem(read_json()), now)
        data = render.redemption(redemption, with_details=True)
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return respond(data, 202, headers)
