"""Binding a flow to the browser that verified it (issue 12, item 1).

After the code step every page is a GET under `/f/<flow_id>/…`, so the URL alone (history
on a shared device, history sync, a screen share, an extension that re-fetches visited
URLs) used to be enough to choose a brand and read the card. Now:

- The step that creates a flow also sets a `__Host-` cookie holding a random value; the flow
  keeps only its keyed hash. Each flow has a cookie of its own (named by a keyed hash of its
  root id), so two links open in one browser never unbind each other. Inside a frame the
  cookie is `SameSite=None; Partitioned` (CHIPS), at the top level `SameSite=Lax`.
- The first request that brings the cookie back binds the flow: from then on a request
  naming the flow without that cookie gets the "ask for a new code" page (403), never a
  step, never the card, never a redemption.
- A browser that keeps no cookie (a cross-site iframe with third-party cookies blocked,
  every cookie refused) never binds its flow, and keeps working as before, except the card:
  it is shown on the request that first shows it and for ``CARD_WINDOW`` seconds after;
  later views ask for a new code. That residual risk is stated in docs/security.md.

The cookie is an extra binding where the browser allows one, never a requirement.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any, Protocol

from flask import Request, current_app
from werkzeug.wrappers import Response

COOKIE_PREFIX = "__Host-redeem-"
CARD_WINDOW = 5 * 60  # seconds a cookie-less flow's card stays viewable after it is shown
COOKIE_MAX_AGE = 60 * 60  # as long as a flow can live (FLOW_MAX_AGE_SECONDS)

BOUND = "bound"  # the cookie came back once: it is required from now on
UNBOUND = "unbound"  # the browser never brought the cookie back: cookie-less mode


class Bindable(Protocol):
    root_id: str  # survives the id rotation at verification
    binding: str | None  # "<state>:<keyed hash of the cookie value>"
    card_until: float  # cookie-less mode: the card's window, once the card was shown


def _digest(purpose: str, value: str) -> str:
    secret = current_app.config["SECRET_KEY"]
    key = secret.encode() if isinstance(secret, str) else bytes(secret)
    return hmac.new(key, f"flow-binding:{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def cookie_name(flow: Bindable) -> str:
    return COOKIE_PREFIX + _digest("name", flow.root_id)[:16]


def offer(flow: Bindable) -> str:
    """A fresh cookie value for a new flow; the flow keeps its hash, still unbound."""
    value = secrets.token_urlsafe(32)
    flow.binding = f"{UNBOUND}:{_digest('value', value)}"
    return value


def set_cookie(response: Response, flow: Bindable, value: str, *, framed: bool) -> None:
    response.set_cookie(
        cookie_name(flow),
        value,
        max_age=int(current_app.config.get("FLOW_MAX_AGE_SECONDS", COOKIE_MAX_AGE)),
        path="/",
        secure=True,
        httponly=True,
        # In a cross-site frame only SameSite=None is ever sent back, and Partitioned keeps it
        # to this embedding site (CHIPS); at the top level, Lax is enough for our own links.
        samesite="None" if framed else "Lax",
        partitioned=framed,
    )


def presented(flow: Bindable, request: Request) -> bool:
    """Does this request carry the flow's cookie?"""
    if not flow.binding:
        return False
    value = request.cookies.get(cookie_name(flow))
    if not value:
        return False
    return hmac.compare_digest(flow.binding.split(":", 1)[1], _digest("value", value))


def refusal(flow: Bindable, request: Request, *, card: bool, now: float | None = None) -> Any:
    """None when this request may use the flow; else why not ("browser" or "window").

    May change the flow (binds it on the cookie's first return, opens the card's window):
    the caller saves it.
    """
    if not flow.binding:
        return None  # a flow from before binding existed: nothing to hold it to
    state, digest = flow.binding.split(":", 1)
    if presented(flow, request):
        if state != BOUND:
            flow.binding = f"{BOUND}:{digest}"
        return None
    if state == BOUND:
        return "browser"
    if not card:
        return None
    now = time.time() if now is None else now
    if not flow.card_until:
        flow.card_until = now + CARD_WINDOW
        return None
    return None if now < flow.card_until else "window"
