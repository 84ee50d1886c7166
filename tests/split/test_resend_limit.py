"""GIFQ's hourly send cap is its own fact, apart from the 30 s cooldown."""

from __future__ import annotations

import json

from redeem.gifq.errors import ResendCooldown, ResendLimit, error_for


def test_the_hourly_cap_is_a_resend_limit_and_the_cooldown_is_not():
    limit = error_for(
        "send_code", 429, json.dumps({"code": "verification_send_limit"}).encode(), "900"
    )
    cooldown = error_for(
        "send_code", 429, json.dumps({"code": "verification_cooldown"}).encode(), "12"
    )
    assert isinstance(limit, ResendLimit) and limit.retry_after == 900
    assert isinstance(cooldown, ResendCooldown) and not isinstance(cooldown, ResendLimit)
