"""Error pages: honest status codes, the campaign's branding when known, every security header."""

from __future__ import annotations

import logging
import math

from flask import Flask, request
from flask_limiter.errors import RateLimitExceeded
from redis.exceptions import RedisError
from werkzeug.exceptions import HTTPException
from werkzeug.sansio.response import Response

from redeem.gifq import errors
from redeem.journey import pages
from redeem.journey.rules import Next
from redeem.ops.metrics import record_failure
from redeem.web.layout import render_page
from redeem.web.preconditions import go, save_flow
from redeem.web.request_context import current, for_error_page

log = logging.getLogger(__name__)


def _wear_campaign() -> None:
    """Error pages wear the campaign's branding (and may be framed by its owners) when known."""
    for_error_page()


def _gifq_error(exc: errors.GifqError) -> Response | tuple[str, int, dict[str, str]]:
    flow = current().flow
    if isinstance(exc, errors.VerificationRequired) and flow is not None:
        # GIFQ no longer accepts our verification (it lasts 30 minutes): ask for a fresh code
        # instead of showing an error; the flow, and any card already chosen, stay.
        flow.verified, flow.verification_token, flow.notice = False, None, "verify_again"
        save_flow()
        return go(Next.CODE)
    _wear_campaign()
    page = pages.page_for_error(exc)
    record_failure(page.step)
    log.warning("gifq outcome shown as an error page", extra={"kind": exc.kind, "page": page.step})
    retry = math.ceil(exc.retry_after) if isinstance(exc, errors.RateLimited) else None
    html, status = render_page(page, retry_after=retry)
    headers = {"Retry-After": str(retry)} if retry else {}
    return html, status, headers


def _http_error(exc: HTTPException) -> Response | tuple[str, int, dict[str, str]]:
    if exc.response is not None and exc.code is None:
        return exc.response
    if exc.response is not None and 300 <= exc.response.status_code < 400:
        return exc.response
    page = pages.page_for_http_status(exc.code or 500)
    _wear_campaign()
    retry = None
    if isinstance(exc, RateLimitExceeded):
        retry = _limiter_retry_after()
    record_failure(page.step)
    html, status = render_page(page, retry_after=retry)
    headers = {"Retry-After": str(retry)} if retry else {}
    return html, status, headers


def _limiter_retry_after() -> int:
    import time

    from redeem.extensions import limiter

    hit = limiter.current_limit
    if hit is None:
        return 60
    # The storage rounds the window's end up to a whole second; never promise more than one window.
    return max(1, min(hit.limit.get_expiry(), math.ceil(hit.reset_at - time.time())))


def _unexpected(exc: Exception) -> tuple[str, int]:
    log.exception("unexpected error", extra={"step": request.endpoint})
    record_failure("server_error")
    _wear_campaign()
    html, status = render_page(pages.SERVER_ERROR)
    return html, status


def _store_down(exc: RedisError) -> tuple[str, int, dict[str, str]]:
    # Flows and limits live in Redis: without it we cannot tell who may try a code, so we fail
    # closed with an honest "try again" page rather than run unlimited.
    log.error("redis unavailable", extra={"error": type(exc).__name__})
    record_failure("store_unavailable")
    _wear_campaign()
    html, _ = render_page(pages.STORE_UNAVAILABLE)
    return html, 503, {"Retry-After": "30"}


def register(app: Flask) -> None:
    app.register_error_handler(RedisError, _store_down)
    app.register_error_handler(errors.GifqError, _gifq_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
