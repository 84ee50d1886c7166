"""Rate limits: every endpoint's limits in one table, and who each limit counts.

A limit counts the client IP (after ProxyFix), the payout (by its token's keyed hash) or the
flow (by its root id, which survives the id rotation at verification). Each app gets its own
limiter (redeem/extensions.py) and this table is applied to its views once they exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, g, request
from flask_limiter import Limiter


def client_ip() -> str:
    # request.remote_addr is already the client's address once ProxyFix has trusted exactly
    # PROXY_HOPS proxies; a spoofed X-Forwarded-For beyond that count is ignored.
    return request.remote_addr or "unknown"


def payout_key() -> str:
    return "payout:" + getattr(g, "token_key", "none")


def flow_key() -> str:
    return "flow:" + getattr(g, "flow_root", "none")


# endpoint → its limits, outermost first (as decorators would read).
LIMITS: dict[str, tuple[tuple[str, Callable[[], str]], ...]] = {
    "redeem.landing": (("60 per minute", client_ip),),
    "redeem.start": (("20 per hour", client_ip), ("6 per hour", payout_key)),
    "redeem.check_code": (("30 per 10 minutes", client_ip), ("25 per hour", payout_key)),
    "redeem.resend": (("10 per hour", client_ip), ("6 per hour", payout_key)),
    "redeem.redeem": (("10 per minute", flow_key),),
}


def apply_limits(app: Flask, limiter: Limiter) -> None:
    for endpoint, limits in LIMITS.items():
        view: Any = app.view_functions[endpoint]
        for rule, key in reversed(limits):
            view = limiter.limit(rule, key_func=key)(view)
        app.view_functions[endpoint] = view
