"""The recipient's journey: landing → code → brands → brand → confirm → processing → card.

GET never changes anything (mail scanners open every link first). Each step moves forward by
a POST that carries the flow id and a flow-bound CSRF token, then redirects to the next GET
page, so a refresh never repeats an action. The token appears only in the emailed link; every
later URL names the flow instead.
"""

from __future__ import annotations

import math
import time
from decimal import Decimal
from typing import Any

from flask import abort, g, make_response, redirect, request, url_for
from flask_babel import get_locale
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from redeem.branding.embed import framed as _framed
from redeem.extensions import campaigns, flows, gifq
from redeem.flow_store.store import Flow
from redeem.gifq import errors
from redeem.gifq.models import Brand, Payout, Product, Redemption, RedemptionStatus, is_token
from redeem.i18n.locale import normalise
from redeem.journey import pages as states
from redeem.journey.catalog import CatalogIndex
from redeem.ops.metrics import record_step
from redeem.security import binding
from redeem.security.csrf import check_flow_token, check_start_token
from redeem.security.keyed_hashes import keyed, token_key
from redeem.security.origin import is_same_origin_post
from redeem.split import journey as split
from redeem.split.form import AmountForm
from redeem.split.rules import choice_for
from redeem.web.blueprint import bp
from redeem.web.forms import CodeForm
from redeem.web.layout import render_page
from redeem.web.request_context import use_campaign, use_payout

BRANDS_PER_PAGE = 24
POLL_SECONDS = 1
START_PAYOUT_MAX_AGE = 60.0


# --- loading what a request names ---------------------------------------------------------


@bp.url_value_preprocessor
def _load(endpoint: str | None, values: dict[str, Any] | None) -> None:
    values = values or {}
    if "token" in values:
        if not is_token(values["token"]):
            abort(404)  # wrong shape: not a token, and GIFQ is never asked
        g.token_key = token_key(values["token"])
    if "flow_id" in values:
        g.flow_id_asked = values.pop("flow_id")  # lets an expired flow's page keep its branding
        flow = flows.get(g.flow_id_asked)
        if flow is None:
            abort(410)
        g.flow, g.token_key, g.flow_root = flow, flow.token_key, flow.root_id
        g.embedded = _framed(flow.embedded)
        chosen = normalise(request.args.get("lang"))
        if chosen and chosen != flow.locale:
            flow.locale = chosen
            flows.save(flow)
        campaign = campaigns.campaign(flow.campaign_id)
        if campaign is not None:
            use_campaign(campaign)
        # The pages that show card details: without a cookie, only in the card's short window.
        _check_binding(flow, card=endpoint in ("redeem.card", "redeem.cards"))


def _check_binding(flow: Flow, *, card: bool) -> None:
    """The flow's browser, or (without cookies) the card's short window: else a new code."""
    before = flow.binding, flow.card_until
    why = binding.refusal(flow, request, card=card)
    if (flow.binding, flow.card_until) != before:
        flows.save(flow)
    if why is not None:
        html, status = render_page(states.FRESH_CODE, reason=why)
        abort(make_response(html, status))


def _check_post(flow: Flow | None = None) -> None:
    if not is_same_origin_post():
        abort(403)
    if flow is not None and not check_flow_token(flow, _single("csrf")):
        abort(400)
    if flow is not None:
        g.passed_checks = True  # per-payout and per-flow limits count it (security/limits.py)


def _single(name: str) -> str | None:
    """A form field given exactly once; repeated parameters are refused, not guessed at."""
    values = request.form.getlist(name)
    if len(values) > 1:
        abort(400)
    return values[0] if values else None


def _flow() -> Flow:
    flow: Flow = g.flow
    return flow


def _campaign_or_fetch(flow: Flow) -> None:
    """Put the campaign's branding in place, fetching the payout if this process forgot it."""
    if getattr(g, "campaign", None) is None:
        _snapshot(flow, gifq.get_payout(flow.token, verification_token=_vtoken(flow)))


def _vtoken(flow: Flow) -> str | None:
    return flow.verification_token if flow.verified else None


def _snapshot(flow: Flow, payout: Payout) -> None:
    use_payout(payout)
    flow.amount, flow.currency, flow.balance = (
        str(payout.amount),
        payout.currency,
        str(payout.balance),
    )
    flow.recipient_name, flow.email_hint = payout.recipient.name, payout.recipient.email_hint
    flow.expires_at = payout.expires_at.isoformat() if payout.expires_at else None
    if payout.recipient.locale and not flow.locale:
        g.recipient_locale = payout.recipient.locale


def _go(endpoint: str, flow: Flow, **values: Any) -> Response:
    return redirect(url_for(endpoint, flow_id=flow.id, **values), code=303)


# --- landing ------------------------------------------------------------------------------


@bp.get("/r/<token>")
def landing(token: str) -> Response | tuple[str, int]:
    payout = gifq.get_payout(token)
    use_payout(payout)
    page = states.BY_STATUS[payout.status]
    if page is states.LANDING:
        record_step("link_opened")
    return render_page(page, payout=payout, embedded=_framed())


@bp.post("/r/<token>")
def start(token: str) -> Response | tuple[str, int]:
    _check_post()
    if not check_start_token(g.token_key, _single("csrf")):
        abort(400)
    g.passed_checks = True  # per-payout and per-flow limits count it (security/limits.py)
    # The landing page fetched this payout seconds ago; GIFQ checks its state again when it
    # sends the code, so one GIFQ call fewer per journey is safe (bench/README.md).
    payout = gifq.get_payout(token, max_age=START_PAYOUT_MAX_AGE)
    use_payout(payout)
    if states.BY_STATUS[payout.status] is not states.LANDING:
        return render_page(states.BY_STATUS[payout.status], payout=payout)
    flow = flows.create(
        token=token,
        token_key=g.token_key,
        campaign_id=payout.campaign.id,
        # The recipient's choice, else the sender's for them: later steps no longer see the payout.
        locale=normalise(_single("lang")) or normalise(payout.recipient.locale),
        embedded=_single("embed") == "1" or _framed(),
    )
    cookie = binding.offer(flow)
    _snapshot(flow, payout)
    _send_code(flow)
    response = _go("redeem.code", flow)
    binding.set_cookie(response, flow, cookie, framed=_framed())
    return response


def _send_code(flow: Flow) -> None:
    try:
        sent = gifq.send_code(flow.token)
    except errors.ResendCooldown as exc:
        # Too soon after the last send: the code already on its way still works. (Any other
        # 429, ours or GIFQ's, means nothing was sent: it shows the "please wait" page.) Past
        # the hourly cap the newest code may be used up already: the page says so.
        flow.resend_at = max(flow.resend_at, time.time() + exc.retry_after)
        flow.notice = "resend_limit" if isinstance(exc, errors.ResendLimit) else "resend_wait"
    else:
        # GIFQ's clock may differ from ours: keep only the length of the cooldown it gave.
        cooldown = (sent.resend_available_at - sent.code_sent_at).total_seconds()
        flow.resend_at = time.time() + max(0.0, cooldown)
        flow.notice = "code_sent"
        record_step("code_sent")
    flows.save(flow)


# --- the one-time code --------------------------------------------------------------------


@bp.get("/f/<flow_id>/code")
def code() -> Response | tuple[str, int]:
    flow = _flow()
    if flow.verified:
        return _go("redeem.brands", flow)
    _campaign_or_fetch(flow)
    notice, flow.notice = flow.notice, None
    flows.save(flow)
    return render_page(
        states.Page("code.html", 200, "code"), flow=flow, form=CodeForm(), notice=notice
    )


@bp.post("/f/<flow_id>/code")
def check_code() -> Response | tuple[str, int]:
    flow = _flow()
    _check_post(flow)
    if flow.verified:
        return _go("redeem.brands", flow)
    _single("code")
    _campaign_or_fetch(flow)
    form = CodeForm(request.form)
    if not form.validate():
        return render_page(states.Page("code.html", 400, "code"), flow=flow, form=form)
    assert form.code.data is not None  # validate() passed: six digits
    try:
        grant = gifq.confirm_code(flow.token, code=form.code.data)
    except errors.CodeInvalid as exc:
        # After validate() wtforms' `errors` is a list; its stubs only promise a Sequence.
        form.code.errors.append(form.wrong_code_message(exc.attempts_left))  # type: ignore[attr-defined]
        return render_page(states.Page("code.html", 400, "code"), flow=flow, form=form)
    except errors.CodeExpired:
        form.code.errors.append(form.expired_message())  # type: ignore[attr-defined]
        return render_page(states.Page("code.html", 400, "code"), flow=flow, form=form)
    flow.verified = True
    flow.verification_token = grant.verification_token
    flow.verification_expires_at = grant.expires_at.timestamp()
    flows.rotate(flow)
    record_step("code_verified")
    return _after_verification(flow)


def _after_verification(flow: Flow) -> Response:
    payout = gifq.get_payout(flow.token, verification_token=flow.verification_token)
    _snapshot(flow, payout)
    in_flight = payout.in_flight()
    if in_flight is not None:
        flow.redemption_id, flow.redemption_brand = in_flight.id, in_flight.brand_slug
    flows.save(flow)
    return _go(f"redeem.{split.after_verification(payout)}", flow)


@bp.post("/f/<flow_id>/resend")
def resend() -> Response:
    flow = _flow()
    _check_post(flow)
    if not flow.verified:
        # GIFQ's cooldown is the authority (our clock may differ): always ask, and show its answer.
        _send_code(flow)
    return _go("redeem.code", flow)


# --- choosing a brand ---------------------------------------------------------------------


def _verified_flow() -> Flow:
    flow = _flow()
    if not flow.verified or flow.verification_expires_at < time.time():
        flow.verified = False
        flow.notice = "verify_again"
        flows.save(flow)
        abort(_go("redeem.code", flow))
    return flow


def _catalog(flow: Flow) -> CatalogIndex:
    index = campaigns.catalog(flow.campaign_id, flow.currency, Decimal(flow.balance))
    if index is None:
        payout = gifq.get_payout(flow.token, verification_token=flow.verification_token)
        _snapshot(flow, payout)
        flows.save(flow)
        campaigns.remember_payout(payout)
        index = campaigns.catalog(flow.campaign_id, flow.currency, Decimal(flow.balance))
    assert index is not None
    return index


@bp.get("/f/<flow_id>/brands")
def brands() -> Response | tuple[str, int]:
    flow = _verified_flow()
    if flow.redemption_id:
        return _go("redeem.processing", flow)
    if Decimal(flow.balance) <= 0:
        return _go("redeem.cards", flow)  # the journey ends at zero
    _campaign_or_fetch(flow)
    index = _catalog(flow)
    query = (request.args.get("q") or "")[:100]
    category = (request.args.get("category") or "")[:50]
    country = (request.args.get("country") or "")[:2]
    found = index.search(query, category, country)
    pages = max(1, math.ceil(len(found) / BRANDS_PER_PAGE))
    try:
        page_no = min(max(1, int(request.args.get("page", "1"))), pages)
    except ValueError:
        page_no = 1
    shown = found[(page_no - 1) * BRANDS_PER_PAGE : page_no * BRANDS_PER_PAGE]
    notice, flow.notice = flow.notice, None
    if notice:
        flows.save(flow)
    return render_page(
        states.Page("brands.html", 200, "brands"),
        flow=flow,
        index=index,
        shown=shown,
        total=len(found),
        page_no=page_no,
        pages=pages,
        query=query,
        category=category,
        country=country,
        notice=notice,
        balance=Decimal(flow.balance),
        choice_for=lambda product: choice_for(product, Decimal(flow.balance)),
    )


def _brand_or_404(flow: Flow, slug: str) -> tuple[Brand, Product]:
    entry = _catalog(flow).by_slug.get(slug[:100])
    if entry is None:
        abort(404)
    return entry


def _amount_form(flow: Flow, product: Product, formdata: Any = None) -> AmountForm:
    return AmountForm(
        formdata,
        choice=choice_for(product, Decimal(flow.balance)),
        currency=flow.currency,
        locale=str(get_locale()),
    )


def _with_default_amount(flow: Flow, product: Product, data: Any) -> Any:
    """The form as sent, or, without an amount, the one the brand page offers first (the
    largest allowed): what a link or form from before amounts were chosen meant."""
    if "amount" in data:
        return data
    return MultiDict({**data.to_dict(), "amount": _amount_form(flow, product).amount.data or ""})


def _brand_page(
    flow: Flow, chosen: Brand, product: Product, form: AmountForm, status: int
) -> tuple[str, int]:
    return render_page(
        states.Page("brand.html", status, "brand"),
        flow=flow,
        brand=chosen,
        product=product,
        form=form,
        balance=Decimal(flow.balance),
    )


@bp.get("/f/<flow_id>/brands/<slug>")
def brand(slug: str) -> Response | tuple[str, int]:
    flow = _verified_flow()
    if flow.redemption_id:
        return _go("redeem.processing", flow)
    _campaign_or_fetch(flow)
    chosen, product = _brand_or_404(flow, slug)
    form = _amount_form(flow, product)
    if request.args.get("amount"):  # back from the confirm page: the amount chosen there
        form.amount.data = request.args["amount"][:32]
    return _brand_page(flow, chosen, product, form, 200)


@bp.get("/f/<flow_id>/brands/<slug>/confirm")
def confirm(slug: str) -> Response | tuple[str, int]:
    """The amount chosen on the brand's page comes here by GET: nothing changes until the POST."""
    flow = _verified_flow()
    if flow.redemption_id:
        return _go("redeem.processing", flow)
    _campaign_or_fetch(flow)
    chosen, product = _brand_or_404(flow, slug)
    form = _amount_form(flow, product, _with_default_amount(flow, product, request.args))
    if form.choice.kind == "none":
        return _go("redeem.brand", flow, slug=chosen.slug)  # its page says why nothing fits
    if not form.validate():
        return _brand_page(flow, chosen, product, form, 400)
    assert form.value is not None
    return render_page(
        states.Page("confirm.html", 200, "confirm"),
        flow=flow,
        brand=chosen,
        product=product,
        value=form.value,
        kept=Decimal(flow.balance) - form.value,
        amount_field=form.shown(form.value),
    )


@bp.post("/f/<flow_id>/brands/<slug>/confirm")
def redeem(slug: str) -> Response | tuple[str, int]:
    flow = _verified_flow()
    _check_post(flow)
    if flow.redemption_id:
        return _go("redeem.processing", flow)  # a double click lands on the same redemption
    attempt = _single("attempt")
    if attempt is not None and attempt != str(flow.attempt):
        # A confirm page whose choice was already confirmed (back button, a late second
        # click): it issued its card under its own reference; this one issues nothing.
        flow.notice = "already_confirmed"
        flows.save(flow)
        return _go("redeem.cards", flow)
    chosen, product = _brand_or_404(flow, slug)
    _single("amount")
    form = _amount_form(flow, product, _with_default_amount(flow, product, request.form))
    if not form.validate():
        return _brand_page(flow, chosen, product, form, 400)  # the balance moved meanwhile
    assert form.value is not None
    # One reference per split: the attempt moves on once this redemption has finished.
    reference = keyed("reference", f"{flow.root_id}:{flow.attempt}")[:40]
    request_body = {
        "product_id": product.id,
        "face_value": str(form.value),
        "reference": reference,
        "brand": chosen.slug,
    }
    try:
        made = gifq.create_redemption(
            flow.token,
            verification_token=flow.verification_token or "",
            product_id=product.id,
            face_value=form.value,
            reference=reference,
        )
    except errors.GifqUnavailable:
        # The POST may or may not have reached GIFQ: remember it, and let the processing page
        # find out (re-reading first, then repeating the same reference) before anything else.
        flow.redemption_unknown = request_body
        flow.redemption_brand = chosen.slug
        flows.save(flow)
        return _go("redeem.processing", flow)
    flow.redemption_id, flow.redemption_brand = made.id, chosen.slug
    flows.save(flow)
    record_step("brand_chosen")
    return _go("redeem.processing", flow)


# --- waiting, then the card ---------------------------------------------------------------


def _resolve_unknown(flow: Flow) -> None:
    """Repeat the POST whose answer never came, with the same reference: GIFQ answers with the
    redemption it already made, or makes it now; it can never charge twice. (Matching the
    payout's redemptions by product would pick an earlier split's card at the same brand.)"""
    body = flow.redemption_unknown
    assert body is not None
    try:
        match = gifq.create_redemption(
            flow.token,
            verification_token=flow.verification_token or "",
            product_id=body["product_id"],
            face_value=Decimal(body["face_value"]),
            reference=body["reference"],
        )
    except (errors.Unprocessable, errors.PayoutGone):
        # It never landed and cannot now (the balance or the payout changed): nothing was
        # charged, so the next split starts afresh instead of waiting on this one forever.
        flow.redemption_unknown, flow.attempt, flow.notice = None, flow.attempt + 1, "failed"
        flows.save(flow)
        return
    flow.redemption_id, flow.redemption_unknown = match.id, None
    flows.save(flow)
    record_step("brand_chosen")


@bp.get("/f/<flow_id>/processing")
def processing() -> Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    flow = _verified_flow()
    if flow.redemption_unknown:
        _resolve_unknown(flow)
    if not flow.redemption_id:
        return _go("redeem.card" if flow.card_id else "redeem.brands", flow)
    try:
        payout = gifq.get_payout(flow.token, verification_token=flow.verification_token)
    except errors.RateLimited as exc:
        # GIFQ asks us to slow down: keep waiting on this page, just less often.
        return _processing_page(flow, None, max(POLL_SECONDS, math.ceil(exc.retry_after)))
    if payout.redemption(flow.redemption_id) is None:
        # A copy read before our redemption (cached by another process, up to a second
        # old): GIFQ itself must have it.
        payout = gifq.get_payout(flow.token, verification_token=flow.verification_token,
                                 refresh=True)  # fmt: skip
    _snapshot(flow, payout)
    found = payout.redemption(flow.redemption_id)
    if found is None:
        raise errors.ContractError("the redemption we made is missing from the payout")
    if found.status is RedemptionStatus.COMPLETED:
        _issued(flow, found)
        flows.save(flow)
        return _go("redeem.card", flow)
    if found.status is RedemptionStatus.FAILED:
        flow.redemption_id, flow.attempt, flow.notice = None, flow.attempt + 1, "failed"
        flows.save(flow)
        return _go("redeem.brands", flow)
    flows.save(flow)
    entry = next((e for e in payout.catalog if e.brand.slug == flow.redemption_brand), None)
    return _processing_page(flow, entry.brand if entry else None, POLL_SECONDS)


def _issued(flow: Flow, card: Redemption) -> None:
    """A card is done: show it, give the next split a new reference, and let a stale confirm
    page (back button, late second click) issue nothing."""
    flow.card_id, flow.redemption_id, flow.attempt = card.id, None, flow.attempt + 1


def _processing_page(
    flow: Flow, brand: Brand | None, poll_seconds: int
) -> tuple[str, int, dict[str, str]]:
    html, status = render_page(
        states.Page("processing.html", 200, "processing"),
        flow=flow,
        brand=brand,
        poll_seconds=poll_seconds,
    )
    return html, status, {"Retry-After": str(poll_seconds)}


@bp.get("/f/<flow_id>/status")
def status() -> tuple[dict[str, bool], int, dict[str, str]]:
    """What the processing page's script polls: where to go next, if anywhere."""
    flow = _verified_flow()
    try:
        payout = gifq.get_payout(flow.token, verification_token=flow.verification_token)
    except errors.RateLimited as exc:
        return {"ready": False}, 200, {"Retry-After": str(math.ceil(exc.retry_after))}
    found = payout.redemption(flow.redemption_id) if flow.redemption_id else None
    ready = found is None or found.status is not RedemptionStatus.PROCESSING
    return {"ready": ready}, 200, {"Retry-After": str(POLL_SECONDS)}


@bp.get("/f/<flow_id>/card")
def card() -> Response | tuple[str, int]:
    flow = _verified_flow()
    payout = gifq.get_payout(flow.token, verification_token=flow.verification_token)
    _snapshot(flow, payout)
    if flow.redemption_id:
        found = payout.redemption(flow.redemption_id)
        if found is None or found.status is not RedemptionStatus.COMPLETED:
            flows.save(flow)
            return _go("redeem.processing", flow)
        _issued(flow, found)
    flows.save(flow)
    shown = (payout.redemption(flow.card_id) if flow.card_id else None) or payout.latest_completed()
    if shown is None or shown.status is not RedemptionStatus.COMPLETED or shown.details is None:
        return _go("redeem.brands", flow)
    entry = next((e for e in payout.catalog if e.brand.slug == shown.brand_slug), None)
    record_step("card_shown")
    return render_page(
        states.Page("card.html", 200, "card"),
        flow=flow,
        redemption=shown,
        brand=entry.brand if entry else None,
        fields=shown.details.present(),
        redeemed=shown.brand_slug,
        balance=payout.balance,
        cards_count=len(split.cards(payout)),
    )


@bp.get("/f/<flow_id>/cards")
def cards() -> Response | tuple[str, int]:
    """Every card issued from this payout, newest first, with what is left to spend."""
    flow = _verified_flow()
    payout = gifq.get_payout(flow.token, verification_token=flow.verification_token)
    _snapshot(flow, payout)
    notice, flow.notice = flow.notice, None
    flows.save(flow)
    issued = split.cards(payout)
    if not issued:
        return _go("redeem.brands", flow)
    names = {e.brand.slug: e.brand for e in payout.catalog}
    return render_page(
        states.Page("cards.html", 200, "cards"),
        flow=flow,
        cards=[(r, names.get(r.brand_slug)) for r in issued],
        balance=payout.balance,
        notice=notice,
    )
