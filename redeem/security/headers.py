"""The headers every response carries, error pages included.

The CSP nonce is made per response on first use (csp_nonce), so templates can mark the
one script and the campaign's style block, and error pages rendered before any hook ran
get one too. frame-ancestors comes from the campaign the
page belongs to (the app says which, through ``frame_ancestors``); a page with no known
campaign refuses every frame.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import Flask, Response, current_app, g, request

# Every powerful feature off; clipboard-write stays for the card's copy buttons. No FLoC-era
# "interest-cohort": Chrome reports it as an unrecognised feature on every page.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), clipboard-write=(self)"
)
STATIC_MAX_AGE = 365 * 24 * 3600


def csp(nonce: str, frame_ancestors: tuple[str, ...], img_origins: tuple[str, ...]) -> str:
    ancestors = " ".join(frame_ancestors) if frame_ancestors else "'none'"
    images = " ".join(("'self'", *img_origins))
    return (
        "default-src 'none'; "
        f"script-src 'nonce-{nonce}' 'strict-dynamic'; "
        f"style-src 'self' 'nonce-{nonce}'; "
        f"img-src {images}; "
        "connect-src 'self'; "
        "font-src 'self'; "
        "base-uri 'none'; "
        "object-src 'none'; "
        "form-action 'self'; "
        f"frame-ancestors {ancestors}"
    )


def csp_nonce() -> str:
    """This response's nonce, made on first use (error pages can render before any hook runs)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    nonce: str = g.csp_nonce
    return nonce


def _add_headers(response: Response, ancestors: tuple[str, ...]) -> Response:
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Robots-Tag"] = "noindex, nofollow"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.is_secure:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    # Only a real file may be cached for a year: a 404 for a mistyped asset URL is an error
    # page like any other (no-store, CSP), or the mistake would stick in caches for a year.
    if request.endpoint == "static" and response.status_code in (200, 304):
        headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}, immutable"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        return response
    headers["Cache-Control"] = "no-store"
    nonce = csp_nonce()
    headers["Content-Security-Policy"] = csp(
        nonce, ancestors, tuple(current_app.config.get("ASSET_ORIGINS", ()))
    )
    if not ancestors:
        headers["X-Frame-Options"] = "DENY"
    return response


def register_security_headers(
    app: Flask, *, frame_ancestors: Callable[[], tuple[str, ...]] = tuple
) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    def add_headers(response: Response) -> Response:
        static = request.endpoint == "static" and response.status_code in (200, 304)
        return _add_headers(response, () if static else frame_ancestors())

    app.after_request(add_headers)
