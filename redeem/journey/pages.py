"""One table decides which page each payout state and each outcome renders.

Views look things up here instead of growing `if status == ...` ladders, so what a recipient
sees for an expired link or an unreachable GIFQ is decided in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from redeem.gifq import errors
from redeem.gifq.models import PayoutStatus


@dataclass(frozen=True)
class Page:
    template: str
    status: int
    step: str  # the name used in metrics, postMessage step events and tests


LANDING = Page("landing.html", 200, "landing")

# What GET /r/<token> renders for each payout status.
BY_STATUS: dict[PayoutStatus, Page] = {
    PayoutStatus.PENDING: LANDING,
    PayoutStatus.PROCESSING: LANDING,
    PayoutStatus.COMPLETED: LANDING,
    PayoutStatus.EXPIRED: Page("errors/expired.html", 410, "expired"),
    PayoutStatus.CANCELLED: Page("errors/cancelled.html", 410, "cancelled"),
}

NOT_FOUND = Page("errors/not-found.html", 404, "not_found")
FLOW_EXPIRED = Page("errors/flow-expired.html", 400, "flow_expired")
# A flow named without its browser's binding, or a cookie-less card past its window.
FRESH_CODE = Page("errors/fresh-code.html", 403, "fresh_code")
FORBIDDEN = Page("errors/forbidden.html", 403, "forbidden")
TOO_LARGE = Page("errors/too-large.html", 413, "too_large")
RATE_LIMITED = Page("errors/rate-limited.html", 429, "rate_limited")
SERVER_ERROR = Page("errors/server-error.html", 500, "server_error")
STORE_UNAVAILABLE = Page("errors/server-error.html", 503, "store_unavailable")

# What each GIFQ outcome renders when a view lets it through. Most specific class first.
BY_ERROR: tuple[tuple[type[errors.GifqError], Page], ...] = (
    (errors.PayoutNotFound, NOT_FOUND),
    (errors.PayoutGone, Page("errors/gone.html", 410, "gone")),
    (errors.VerificationLocked, Page("errors/locked.html", 423, "locked")),
    (errors.RateLimited, RATE_LIMITED),
    (errors.GifqTimeout, Page("errors/unavailable.html", 504, "timeout")),
    (errors.GifqUnavailable, Page("errors/unavailable.html", 503, "unavailable")),
    (errors.ContractError, Page("errors/unavailable.html", 502, "contract")),
    (errors.GifqError, Page("errors/unavailable.html", 502, "gifq_error")),
)


def page_for_error(exc: errors.GifqError) -> Page:
    return next(page for kind, page in BY_ERROR if isinstance(exc, kind))
