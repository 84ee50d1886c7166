"""Error pages: honest status codes, the campaign's branding when known, every security header."""

from __future__ import annotations

import logging
import math

from flask import Flask, g
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from redeem.flow import states
from redeem.gifq import errors
from redeem.journey.render import render_page
from redeem.ops.metrics import record_failure

log = logging.getLogger(__name__)

BY_HTTP_STATUS = {
    400: states.FLOW_EXPIRED,
    403: states.FORBIDDEN,
    404: states.NOT_FOUND,
    405: states.NOT_FOUND,
    410: states.FLOW_EXPIRED,
    413: states.TOO_LARGE,
    429: states.RATE_LIMITED,
}


def _gifq_error(exc: errors.GifqError):  # type: ignore[no-untyped-def]
    page = states.page_for_error(exc)
    record_failure(page.step)
    log.warning("gifq outcome shown as an error page", extra={"kind": exc.kind, "page": page.step})
    retry = math.ceil(exc.retry_after) if isinstance(exc, errors.RateLimited) else None
    html, status = render_page(page, retry_after=retry)
    headers = {"Retry-After": str(retry)} if retry else {}
    return html, status, headers


def _http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
    if exc.response is not None and exc.code is None:
        return exc.response
    if exc.response is not None and 300 <= exc.response.status_code < 400:
        return exc.response
    page = BY_HTTP_STATUS.get(exc.code or 500, states.SERVER_ERROR)
    retry = None
    if isinstance(exc, RateLimitExceeded):
        retry = _limiter_retry_after()
    record_failure(page.step)
    html, _ = render_page(page, retry_after=retry)
    headers = {"Retry-After": str(retry)} if retry else {}
    return html, exc.code or 500, headers


def _limiter_retry_after() -> int:
    import time

    from redeem.extensions import limiter

    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))


def _unexpected(exc: Exception):  # type: ignore[no-untyped-def]
    log.exception("unexpected error", extra={"step": getattr(g, "step", None)})
    record_failure("server_error")
    html, status = render_page(states.SERVER_ERROR)
    return html, status


def register(app: Flask) -> None:
    app.register_error_handler(errors.GifqError, _gifq_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
