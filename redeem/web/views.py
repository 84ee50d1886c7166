"""The recipient's journey over HTTP: landing → code → brands → brand → confirm → processing → card.

GET never changes anything at GIFQ (mail scanners open every link first). Each step moves
forward by a POST that carries the flow id and a flow-bound CSRF token, then redirects to the
next GET page, so a refresh never repeats an action. The token appears only in the emailed
link; every later URL names the flow instead.

A view parses the request, runs one step (redeem/journey/steps.py) and renders a page from
the table (redeem/journey/pages.py) or redirects. What it needs first is declared with
``@needs`` (redeem/web/preconditions.py), its rate limits in redeem/web/limits.py.
"""

from __future__ import annotations

import functools
import math

from flask import abort, redirect, request, url_for
from werkzeug.wrappers import Response

from redeem.cards.barcode import draw
from redeem.extensions import campaigns, flows, gifq
from redeem.gifq import errors
from redeem.gifq.models import Brand, Product
from redeem.i18n.locale import normalise
from redeem.journey import pages, steps
from redeem.journey.catalog import search_page
from redeem.journey.rules import Next, refresh
from redeem.ops.metrics import record_step
from redeem.security import binding
from redeem.security.keyed_hashes import keyed
from redeem.split.journey import cards
from redeem.split.rules import choice_for
from redeem.web.blueprint import bp
from redeem.web.cards import card_links
from redeem.web.forms import CodeForm, amount_form
from redeem.web.layout import render_page
from redeem.web.preconditions import (
    BALANCE_LEFT,
    CAMPAIGN,
    CURRENT_CHOICE,
    FORM,
    NO_REDEMPTION,
    UNVERIFIED,
    VERIFIED,
    go,
    needs,
    single,
    take_notice,
    the_flow,
)
from redeem.web.request_context import add_payout

POLL_SECONDS = 1
START_PAYOUT_MAX_AGE = 60.0

Page = Response | tuple[str, int]


# --- landing ------------------------------------------------------------------------------


@bp.get("/r/<token>")
def landing(token: str) -> Page:
    payout = add_payout(gifq.get_payout(token)).payout
    assert payout is not None
    page = pages.BY_STATUS[payout.status]
    if pages.is_landing(page):
        record_step("link_opened")
    return render_page(page, payout=payout)


@bp.post("/r/<token>")
@needs(FORM)
def start(token: str) -> Page:
    # The landing page fetched this payout seconds ago; GIFQ checks its state again when it
    # sends the code, so one GIFQ call fewer per journey is safe (bench/README.md).
    payout = gifq.get_payout(token, max_age=START_PAYOUT_MAX_AGE)
    ctx = add_payout(payout)
    if not pages.is_landing(page := pages.BY_STATUS[payout.status]):
        return render_page(page, payout=payout)
    flow = flows.new(
        token=token,
        token_key=ctx.token_key or "",
        campaign_id=payout.campaign.id,
        # The recipient's choice, else the sender's for them: later steps no longer see the payout.
        locale=normalise(single("lang")) or normalise(payout.recipient.locale),
        embedded=single("embed") == "1" or ctx.embedded,
    )
    refresh(flow, payout)
    cookie = binding.offer(flow)  # the flow will belong to this browser (issue 12, item 1)
    steps.send_code(gifq, flow)
    flows.save(flow)
    response = redirect(url_for("redeem.code", flow_id=flow.id), code=303)
    binding.set_cookie(response, flow, cookie, framed=ctx.embedded)
    return response


# --- the one-time code --------------------------------------------------------------------


@bp.get("/f/<flow_id>/code")
@needs(UNVERIFIED, CAMPAIGN)
def code() -> Page:
    return render_page(pages.CODE, form=CodeForm(), notice=take_notice())


@bp.post("/f/<flow_id>/code")
@needs(FORM, UNVERIFIED, CAMPAIGN)
def check_code() -> Page:
    single("code")
    form = CodeForm(request.form)
    if not form.validate():
        return render_page(pages.CODE_REFUSED, form=form)
    assert form.code.data is not None  # validate() passed: six digits
    try:
        step, payout = steps.verify(gifq, the_flow(), form.code.data)
    except errors.CodeInvalid as exc:
        return _code_refused(form, form.wrong_code_message(exc.attempts_left))
    except errors.CodeExpired:
        return _code_refused(form, form.expired_message())
    add_payout(payout)  # the new flow id wears the campaign here too, even on error pages
    return go(step)


def _code_refused(form: CodeForm, message: str) -> Page:
    # An upstream "wrong code" is a field error, not an error page. After validate()
    # wtforms' `errors` is a list; its stubs only promise a Sequence.
    form.code.errors.append(message)  # type: ignore[attr-defined]
    return render_page(pages.CODE_REFUSED, form=form)


@bp.post("/f/<flow_id>/resend")
@needs(FORM)
def resend() -> Page:
    if not the_flow().verified:
        # GIFQ's cooldown is the authority (our clock may differ): always ask, and show its answer.
        steps.send_code(gifq, the_flow())
    return go(Next.CODE)


# --- choosing a brand ---------------------------------------------------------------------


@bp.get("/f/<flow_id>/brands")
@needs(VERIFIED, NO_REDEMPTION, BALANCE_LEFT, CAMPAIGN)
def brands() -> Page:
    index = steps.catalog(gifq, campaigns, flow := the_flow())
    found = search_page(index, request.args)
    choices = functools.partial(choice_for, balance=flow.balance)
    return render_page(
        pages.BRANDS, index=index, notice=take_notice(), choice_for=choices, **vars(found)
    )


@bp.get("/f/<flow_id>/brands/<slug>")
@needs(VERIFIED, NO_REDEMPTION, CAMPAIGN)
def brand(slug: str) -> Page:
    chosen, product = _chosen(slug)
    form = amount_form(the_flow(), product)
    if request.args.get("amount"):  # back from the confirm page: the amount chosen there
        form.amount.data = request.args["amount"][:32]
    return render_page(pages.BRAND, brand=chosen, product=product, form=form)


@bp.get("/f/<flow_id>/brands/<slug>/confirm")
@needs(VERIFIED, NO_REDEMPTION, CAMPAIGN)
def confirm(slug: str) -> Page:
    """The amount chosen on the brand's page comes here by GET: nothing changes until the POST."""
    chosen, product = _chosen(slug)
    form = amount_form(flow := the_flow(), product, request.args)
    if form.choice.kind == "none":
        return go(Next.BRAND, slug=chosen.slug)  # its page says why nothing fits
    if not form.validate():
        return render_page(pages.BRAND_REFUSED, brand=chosen, product=product, form=form)
    assert form.value is not None
    kept, shown = flow.balance - form.value, form.shown(form.value)
    return render_page(
        pages.CONFIRM,
        brand=chosen,
        product=product,
        value=form.value,
        kept=kept,
        amount_field=shown,
    )


@bp.post("/f/<flow_id>/brands/<slug>/confirm")
@needs(VERIFIED, FORM, NO_REDEMPTION, CURRENT_CHOICE)
def redeem(slug: str) -> Page:
    flow = the_flow()
    chosen, product = _chosen(slug)
    single("amount")
    form = amount_form(flow, product, request.form)
    if not form.validate():  # the balance moved meanwhile
        return render_page(pages.BRAND_REFUSED, brand=chosen, product=product, form=form)
    assert form.value is not None
    # One reference per split: the attempt moves on once a redemption has settled.
    reference = keyed("reference", f"{flow.root_id}:{flow.attempt}")[:40]
    steps.redeem(gifq, flow, (chosen, product, form.value), reference)
    return go(Next.PROCESSING)


def _chosen(slug: str) -> tuple[Brand, Product]:
    entry = steps.catalog(gifq, campaigns, the_flow()).by_slug.get(slug[:100])
    if entry is None:
        abort(404)
    return entry


# --- waiting, then the card ---------------------------------------------------------------


@bp.get("/f/<flow_id>/processing")
@needs(VERIFIED)
def processing() -> Page | tuple[str, int, dict[str, str]]:
    waiting = steps.wait_for_card(gifq, campaigns, the_flow())
    if waiting.payout is not None:
        add_payout(waiting.payout)
    if waiting.next is not Next.PROCESSING:
        return go(waiting.next)
    poll = max(POLL_SECONDS, math.ceil(waiting.slow_down or 0))
    html, status = render_page(pages.PROCESSING, brand=waiting.brand, poll_seconds=poll)
    return html, status, {"Retry-After": str(poll)}


@bp.get("/f/<flow_id>/status")
@needs(VERIFIED)
def status() -> tuple[dict[str, bool], int, dict[str, str]]:
    """What the processing page's script polls: where to go next, if anywhere."""
    try:
        ready = steps.is_card_ready(gifq, the_flow())
    except errors.RateLimited as exc:
        return {"ready": False}, 200, {"Retry-After": str(math.ceil(exc.retry_after))}
    return {"ready": ready}, 200, {"Retry-After": str(POLL_SECONDS)}


@bp.get("/f/<flow_id>/card")
@needs(VERIFIED)
def card() -> Page:
    shown = steps.show_card(gifq, the_flow())
    add_payout(shown.payout)
    if shown.redemption is None or shown.redemption.details is None:
        return go(shown.next)
    drawing = draw(shown.redemption.details.barcode)
    return render_page(
        pages.CARD,
        redemption=shown.redemption,
        brand=shown.brand,
        fields=shown.redemption.details.present(),
        redeemed=shown.redemption.brand_slug,
        cards_count=len(cards(shown.payout)),
        drawing=drawing,
        **card_links(shown.redemption, drawing=drawing),
    )


@bp.get("/f/<flow_id>/cards", endpoint="cards")
@needs(VERIFIED)
def cards_page() -> Page:
    """Every card issued from this payout, newest first, with what is left to spend."""
    issued = steps.list_cards(gifq, the_flow())
    add_payout(issued.payout)
    if not issued.cards:
        return go(Next.BRANDS)
    links = {
        r.id: card_links(r, drawing=draw(r.details.barcode)) for r, _ in issued.cards if r.details
    }
    return render_page(pages.CARDS, cards=issued.cards, notice=take_notice(), links=links)
