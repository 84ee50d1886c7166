"""Rate limits: the client's address, and applying a table of limits to an app's views.

Each app gets its own limiter (redeem/extensions.py); the journey's table of limits is
redeem/web/limits.py, applied once the views exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, request
from flask_limiter import Limiter


def client_ip() -> str:
    # request.remote_addr is already the client's address once ProxyFix has trusted exactly
    # PROXY_HOPS proxies; a spoofed X-Forwarded-For beyond that count is ignored.
    return request.remote_addr or "unknown"


# endpoint → its limits as (rule, key function), outermost first, as decorators would read.
LimitTable = dict[str, tuple[tuple[str, Callable[[], str]], ...]]


def apply_limits(app: Flask, limiter: Limiter, table: LimitTable) -> None:
    for endpoint, limits in table.items():
        view: Any = app.view_functions[endpoint]
        for rule, key in reversed(limits):
            view = limiter.limit(rule, key_func=key)(view)
        app.view_functions[endpoint] = view
