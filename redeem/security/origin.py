"""Refuse cross-site POSTs by what the browser says about where a request came from.

Fetch Metadata first (every current browser sends Sec-Fetch-Site); Origin as the fallback.
A POST from inside the owner's iframe is still same-origin: the form lives on our origin.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request

ALLOWED_SITES = frozenset({"same-origin", "none"})


def is_same_origin_post() -> bool:
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ALLOWED_SITES
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        # No fetch metadata and no Origin: an old client or a tool. The flow-bound CSRF token
        # still has to match, so this is safe to let through.
        return origin is None
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" == request.host_url.rstrip("/")
