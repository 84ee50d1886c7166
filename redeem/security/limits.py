"""Who a limit counts: the client IP (after ProxyFix), or the payout's keyed hash, or the flow."""

from __future__ import annotations

import functools
import ipaddress

from flask import current_app, g, request

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
