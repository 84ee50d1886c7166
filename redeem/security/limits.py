"""Who a limit counts: the client IP (after ProxyFix), or the payout's keyed hash, or the flow."""

from __future__ import annotations

from flask import g, request


def client_ip() -> str:
    # request.remote_addr is already the client's address once ProxyFix has trusted exactly
    # PROXY_HOPS proxies; a spoofed X-Forwarded-For beyond that count is ignored.
    return request.remote_addr or "unknown"


def payout_key() -> str:
    return "payout:" + getattr(g, "token_key", "none")


def flow_key() -> str:
    return "flow:" + getattr(g, "flow_root", "none")
