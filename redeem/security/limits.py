"""Rate limits: the client's address, and applying a table of limits to an app's views.

Each app gets its own limiter (redeem/extensions.py); the journey's table of limits is
redeem/web/limits.py, applied once the views exist.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
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


# endpoint → its limits as (rule, key function, deduct_when), outermost first, as decorators
# would read. deduct_when (None: always) decides after the view whether the request counts.
Rule = tuple[str, Callable[[], str], Callable[[Any], bool] | None]
LimitTable = dict[str, tuple[Rule, ...]]


def apply_limits(app: Flask, limiter: Limiter, table: LimitTable) -> None:
    for endpoint, limits in table.items():
        view: Any = app.view_functions[endpoint]
        for rule, key, counts in reversed(limits):
            # deduct_when: the limit is checked before the view runs, and counted after it,
            # once we know whether the request passed the checks.
            view = limiter.limit(rule, key_func=key, deduct_when=counts)(view)
        app.view_functions[endpoint] = view
