"""What each journey endpoint needs before its step runs, declared once on the route.

    @bp.get("/f/<flow_id>/brands")
    @needs(VERIFIED, NO_REDEMPTION, CAMPAIGN)
    def brands(): ...

``needs`` checks them in the order of ``ORDER`` below, then runs the view, then saves the
flow once if the request changed it. Rate limits (redeem/web/limits.py) run before all of it.
A flow id the store does not know is a 410 before any of this (request_context.load).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask import abort, make_response, redirect, request, url_for
from werkzeug.wrappers import Response

from redeem.extensions import flows, gifq
from redeem.flow_store.record import Flow
from redeem.journey.pages import FRESH_CODE
from redeem.journey.rules import Next, is_verified
from redeem.journey.steps import read_payout
from redeem.security import binding
from redeem.security.csrf import check_flow_token, check_start_token
from redeem.security.origin import is_same_origin_post
from redeem.web.layout import render_page
from redeem.web.request_context import add_payout, current, passed_checks

P = ParamSpec("P")
R = TypeVar("R")


class Need(enum.Enum):
    BOUND = "the browser that holds the flow's cookie, or (cookie-less) the card's short window"
    VERIFIED = "the code was checked, within GIFQ's verification time (else: the code page)"
    FORM = "a POST from our own page with the CSRF token of its flow or link (else: 403/400)"
    UNVERIFIED = "the code is still to be checked (else: the brands page)"
    NO_REDEMPTION = "no redemption under way in this flow (else: the processing page)"
    CURRENT_CHOICE = "a confirm form of the choice now open, not an earlier one (else: the cards)"
    BALANCE_LEFT = "something left to spend (else: the cards page, where the journey ends)"
    CAMPAIGN = "the campaign's branding is known (else: read GIFQ's payout once)"


BOUND, VERIFIED, FORM, UNVERIFIED, NO_REDEMPTION, CURRENT_CHOICE, BALANCE_LEFT, CAMPAIGN = Need
ORDER = (BOUND, VERIFIED, FORM, UNVERIFIED, NO_REDEMPTION, CURRENT_CHOICE, BALANCE_LEFT, CAMPAIGN)
# Pages that show card details: without a binding cookie, only within the card's short window.
CARD_PAGES = frozenset({"redeem.card", "redeem.cards", "redeem.till", "redeem.saved_card"})


def go(step: Next | str, **values: Any) -> Response:
    """Redirect to a page of this flow (303: a POST's answer is always a GET)."""
    flow = current().flow
    assert flow is not None
    return redirect(url_for(f"redeem.{step}", flow_id=flow.id, **values), code=303)


def needs(*wanted: Need) -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    def decorate(view: Callable[P, R]) -> Callable[P, R | Response]:
        @functools.wraps(view)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R | Response:
            # Every flow page needs its browser (issue 12, item 1): declared here, once.
            bound = {BOUND} if current().flow is not None else set()
            for need in ORDER:
                if need in {*wanted, *bound} and (refused := _check(need)) is not None:
                    save_flow()
                    return refused
            answer = view(*args, **kwargs)
            save_flow()
            return answer

        return checked

    return decorate


def the_flow() -> Flow:
    """The request's flow, on a flow page (a flow id the store does not know is a 410)."""
    flow = current().flow
    assert flow is not None, "a flow page without its flow"
    return flow


def take_notice() -> str | None:
    """The flow's one-time message: shown on this page, then gone."""
    flow = the_flow()
    notice, flow.notice = flow.notice, None
    return notice


def single(name: str) -> str | None:
    """A form field given exactly once; repeated parameters are refused, not guessed at."""
    values = request.form.getlist(name)
    if len(values) > 1:
        abort(400)
    return values[0] if values else None


def save_flow() -> None:
    """Write the request's flow once, if anything in it changed (a new id included)."""
    ctx = current()
    flow = ctx.flow
    if flow is None or ctx.flow_as_loaded is None:
        return
    if flow.to_json() != ctx.flow_as_loaded:
        flows.save(flow, replaces=ctx.flow_id_asked)  # after verification: a new id


def _check(need: Need) -> Response | None:
    ctx = current()
    flow = ctx.flow
    if need is FORM:
        if not is_same_origin_post():
            abort(403)
        given = single("csrf")
        ok = (
            check_flow_token(flow, given)
            if flow is not None
            else bool(ctx.token_key) and check_start_token(ctx.token_key or "", given)
        )
        if not ok:
            abort(400)
        passed_checks()
        return None
    assert flow is not None, f"{need.name} is a need of flow pages only"
    if need is BOUND:
        why = binding.refusal(flow, request, card=request.endpoint in CARD_PAGES)
        if why is None:
            return None
        html, status = render_page(FRESH_CODE, reason=why)
        return make_response(html, status)
    if need is VERIFIED and not is_verified(flow):
        flow.verified, flow.notice = False, "verify_again"
        return go(Next.CODE)
    if need is UNVERIFIED and flow.verified:
        return go(Next.BRANDS)
    if need is NO_REDEMPTION and flow.current is not None:
        return go(Next.PROCESSING)  # a double click lands on the same redemption
    if need is CURRENT_CHOICE and single("attempt") not in (None, str(flow.attempt)):
        # A confirm page whose choice was already confirmed (back button, a late second
        # click): it issued its card under its own reference; this one issues nothing.
        flow.notice = "already_confirmed"
        return go(Next.CARDS)
    if need is BALANCE_LEFT and flow.balance <= 0:
        return go(Next.CARDS)
    if need is CAMPAIGN and ctx.campaign is None:
        add_payout(read_payout(gifq, flow, landing_copy=True))
    return None
