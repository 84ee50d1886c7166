"""Rate limits: every endpoint's limits in one table, and who each limit counts.

A limit counts the client IP (after ProxyFix), the payout (by its token's keyed hash) or the
flow (by its root id, which survives the id rotation at verification). Each app gets its own
limiter (redeem/extensions.py) and this table is applied to its views once they exist.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, request
from flask_limiter import Limiter

DEFAULT_IPV6_PREFIX = 64


def client_ip() -> str:
    """The address a per-IP limit counts: an IPv4 address whole, an IPv6 address's network.

    request.remote_addr is already the client's address once ProxyFix has trusted exactly
    PROXY_HOPS proxies; a spoofed X-Forwarded-For beyond that count is ignored. One IPv6
    subscriber usually holds a whole /64 (often a /56 or /48), so counting full IPv6
    addresses would give one attacker 2^64 fresh buckets (issue 12, item 2).
    """
    prefix = int(current_app.config.get("RATELIMIT_IPV6_PREFIX", DEFAULT_IPV6_PREFIX))
    return limit_address(request.remote_addr or "unknown", prefix)


@functools.lru_cache(maxsize=4096)
def limit_address(addr: str, ipv6_prefix: int = DEFAULT_IPV6_PREFIX) -> str:
    try:
        ip = ipaddress.ip_address(addr.split("%", 1)[0])  # a zone id names no other host
    except ValueError:
        return addr
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, ipv6_prefix), strict=False))
    return str(ip)


def payout_key() -> str:
    return "payout:" + getattr(g, "token_key", "none")


def flow_key() -> str:
    return "flow:" + getattr(g, "flow_root", "none")


def passed_checks() -> bool:
    """Did this request pass the origin and CSRF checks (redeem/security/origin.py)?"""
    return bool(g.get("passed_checks", False))


# What a limit counts (issue 12, item 4). A per-payout or per-flow limit that counted every
# request would let anyone who knows the link (or just its shape) spend the recipient's own
# allowance with cross-site or token-less POSTs; so those count only requests that passed the
# origin and CSRF checks, and per-IP limits (which count every request) catch the rest.
EVERY = "every request"
PASSED = "requests that passed the checks"
REFUSED = "requests the checks refused"

Rule = tuple[str, Callable[[], str], str]

# endpoint → its limits, outermost first (as decorators would read).
LIMITS: dict[str, tuple[Rule, ...]] = {
    "redeem.landing": (("60 per minute", client_ip, EVERY),),
    "redeem.start": (("20 per hour", client_ip, EVERY), ("6 per hour", payout_key, PASSED)),
    "redeem.check_code": (
        ("30 per 10 minutes", client_ip, EVERY),
        ("25 per hour", payout_key, PASSED),
    ),
    "redeem.resend": (("10 per hour", client_ip, EVERY), ("6 per hour", payout_key, PASSED)),
    "redeem.redeem": (("30 per hour", client_ip, REFUSED), ("10 per minute", flow_key, PASSED)),
    # The processing page's script polls once a second: a minute of that per flow, no more.
    "redeem.status": (("60 per minute", flow_key, EVERY),),
}

_DEDUCT: dict[str, Callable[[Any], bool] | None] = {
    EVERY: None,
    PASSED: lambda response: passed_checks(),
    REFUSED: lambda response: not passed_checks(),
}


def apply_limits(app: Flask, limiter: Limiter) -> None:
    for endpoint, limits in LIMITS.items():
        view: Any = app.view_functions[endpoint]
        for rule, key, counts in reversed(limits):
            # deduct_when: the limit is checked before the view runs, and counted after it,
            # once we know whether the request passed the checks.
            view = limiter.limit(rule, key_func=key, deduct_when=_DEDUCT[counts])(view)
        app.view_functions[endpoint] = view
