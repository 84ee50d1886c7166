"""Every page the app renders, and its HTTP status, in one table.

Views and error handlers look pages up here instead of building them or growing
`if status == ...` ladders, so what a recipient sees for an expired link or an unreachable
GIFQ, and with which status, is decided in exactly one place.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from redeem.gifq import errors
from redeem.gifq.models import PayoutStatus


@dataclass(frozen=True)
class Page:
    template: str
    status: int
    step: str  # the name used in metrics, postMessage step events and tests
    notice: str | None = None  # a variant of the template, named (e.g. a chosen gift's landing)


# --- the journey ------------------------------------------------------------------------------
HOME = Page("home.html", 200, "home")
LANDING = Page("landing.html", 200, "landing")
LANDING_CHOSEN = Page("landing.html", 200, "landing", notice="already_chosen")
CODE = Page("code.html", 200, "code")
CODE_REFUSED = Page("code.html", 400, "code")  # the form back with a field error
BRANDS = Page("brands.html", 200, "brands")
BRAND = Page("brand.html", 200, "brand")
BRAND_REFUSED = Page("brand.html", 400, "brand")  # an amount that does not fit, said beside it
CONFIRM = Page("confirm.html", 200, "confirm")
PROCESSING = Page("processing.html", 200, "processing")
CARD = Page("card.html", 200, "card")
CARDS = Page("cards.html", 200, "cards")
TILL = Page("till.html", 200, "till")  # the card at a shop's till: brand, barcode, code, PIN

# --- outcomes ---------------------------------------------------------------------------------
EXPIRED = Page("errors/expired.html", 410, "expired")
CANCELLED = Page("errors/cancelled.html", 410, "cancelled")
NOT_FOUND = Page("errors/not-found.html", 404, "not_found")
METHOD_NOT_ALLOWED = Page("errors/not-found.html", 405, "not_found")
FLOW_EXPIRED = Page("errors/flow-expired.html", 400, "flow_expired")  # a form that no longer fits
FLOW_GONE = Page("errors/flow-expired.html", 410, "flow_expired")  # a flow id we do not know
FRESH_CODE = Page("errors/fresh-code.html", 403, "fresh_code")  # not this flow's browser
FORBIDDEN = Page("errors/forbidden.html", 403, "forbidden")
TOO_LARGE = Page("errors/too-large.html", 413, "too_large")
RATE_LIMITED = Page("errors/rate-limited.html", 429, "rate_limited")
SERVER_ERROR = Page("errors/server-error.html", 500, "server_error")
STORE_UNAVAILABLE = Page("errors/server-error.html", 503, "store_unavailable")
GONE = Page("errors/gone.html", 410, "gone")
LOCKED = Page("errors/locked.html", 423, "locked")
TIMEOUT = Page("errors/unavailable.html", 504, "timeout")
UNAVAILABLE = Page("errors/unavailable.html", 503, "unavailable")
CONTRACT = Page("errors/unavailable.html", 502, "contract")
GIFQ_ERROR = Page("errors/unavailable.html", 502, "gifq_error")

# What GET /r/<token> renders for each payout status.
BY_STATUS: dict[PayoutStatus, Page] = {
    PayoutStatus.PENDING: LANDING,
    PayoutStatus.PROCESSING: LANDING,
    PayoutStatus.COMPLETED: LANDING_CHOSEN,
    PayoutStatus.EXPIRED: EXPIRED,
    PayoutStatus.CANCELLED: CANCELLED,
}

# What each GIFQ outcome renders when a view lets it through. Most specific class first.
BY_ERROR: tuple[tuple[type[errors.GifqError], Page], ...] = (
    (errors.PayoutNotFound, NOT_FOUND),
    (errors.PayoutGone, GONE),
    (errors.VerificationLocked, LOCKED),
    (errors.RateLimited, RATE_LIMITED),
    (errors.GifqTimeout, TIMEOUT),
    (errors.GifqUnavailable, UNAVAILABLE),
    (errors.ContractError, CONTRACT),
    (errors.GifqError, GIFQ_ERROR),
)

# What an HTTP error (ours or werkzeug's) renders.
BY_HTTP_STATUS: dict[int, Page] = {
    400: FLOW_EXPIRED,
    403: FORBIDDEN,
    404: NOT_FOUND,
    405: METHOD_NOT_ALLOWED,
    410: FLOW_GONE,
    413: TOO_LARGE,
    429: RATE_LIMITED,
    500: SERVER_ERROR,
}


def is_landing(page: Page) -> bool:
    """The payout may still be started from its link (the recipient may ask for a code)."""
    return page.step == LANDING.step


def page_for_error(exc: errors.GifqError) -> Page:
    return next(page for kind, page in BY_ERROR if isinstance(exc, kind))


def page_for_http_status(code: int) -> Page:
    # Any other status werkzeug may raise (401, 408, 415, 501, ...) keeps its own code on the
    # plain "something went wrong" page: an honest status beats a made-up one.
    return BY_HTTP_STATUS.get(code) or dataclasses.replace(SERVER_ERROR, status=code)
