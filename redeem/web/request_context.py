"""One typed, frozen context per request: what the URL names and how the page should look.

Built in one place, ``load`` (the blueprint's URL value preprocessor, before any limit or
view runs), from the request alone: the payout's token key, the flow, the language asked
for, whether the page is framed, and the campaign this app remembers for the flow. When a
step reads GIFQ's payout, ``add_payout`` makes the next context from it; error pages call
``for_error_page`` to wear the campaign last seen for this link or flow. Nothing else
writes it, and ``render_page``, the locale selector, the security headers and the limit
keys only read it (``current()``).

Because the language is chosen from this context and recomputed whenever it changes, the
page's language does not depend on the order in which things ran.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, g, request
from flask_babel import refresh
from werkzeug.exceptions import HTTPException

from redeem.branding.campaign_text import clean_campaign
from redeem.branding.embed import frame_ancestors, framed
from redeem.branding.theme import DEFAULT_THEME, Theme, build_theme
from redeem.extensions import campaigns, flows
from redeem.flow_store.record import Flow
from redeem.gifq.models import Campaign, Payout, is_token
from redeem.i18n.locale import from_accept_language, normalise
from redeem.security.keyed_hashes import token_key

_KEY = "redeem_request_context"


@dataclass(frozen=True, slots=True)
class RequestContext:
    token_key: str | None = None  # the payout this request is about, by its keyed hash
    flow_id_asked: str | None = None  # the flow id in the URL, known or not
    flow: Flow | None = None  # the flow record (the steps change it; saved once, after)
    flow_as_loaded: str | None = None  # its JSON as read, to save it only when it changed
    payout: Payout | None = None  # GIFQ's payout, once a step read it
    campaign: Campaign | None = None  # cleaned campaign text, safe for templates
    theme: Theme = DEFAULT_THEME
    frame_ancestors: tuple[str, ...] = ()
    embedded: bool = False
    # Locale inputs, in the order the selector weighs them (redeem/i18n/locale.py).
    asked_locale: str | None = None  # `lang` in the URL or form
    recipient_locale: str | None = None  # the payout's recipient.locale
    campaign_locale: str | None = None  # the campaign's default_locale
    checks_passed: bool = False  # a POST passed the origin and CSRF checks (rate limits count it)

    @property
    def flow_root(self) -> str | None:
        return self.flow.root_id if self.flow else None


def current() -> RequestContext:
    """This request's context; a bare one for requests no journey route loaded (404s, ops)."""
    ctx = g.get(_KEY)
    if ctx is None:
        ctx = _bare()
        setattr(g, _KEY, ctx)
    assert isinstance(ctx, RequestContext)
    return ctx


def in_verified_flow() -> bool:
    """Whether this request belongs to a verified flow (the GIFQ budget's reserved lane)."""
    flow = current().flow
    return flow is not None and flow.verified


def select_locale() -> str:
    """flask-babel's locale selector: the order is redeem/i18n/locale.py's."""
    ctx = current()
    flow = ctx.flow
    return (
        ctx.asked_locale
        or (flow.locale if flow is not None and flow.locale else None)
        or normalise(ctx.recipient_locale)
        or from_accept_language()
        or normalise(ctx.campaign_locale)
        or "en"
    )


def load(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """The blueprint's URL value preprocessor: what the URL names, before anything runs."""
    values = values or {}
    ctx = _bare()
    if "token" in values:
        if not is_token(values["token"]):
            abort(404)  # wrong shape: not a token, and GIFQ is never asked
        ctx = dataclasses.replace(ctx, token_key=token_key(values["token"]))
    if "flow_id" in values:
        asked = values.pop("flow_id")
        # Stored before the lookup, so an expired flow's page can still wear its branding.
        ctx = dataclasses.replace(ctx, flow_id_asked=asked)
        setattr(g, _KEY, ctx)
        flow = flows.get(asked)
        if flow is None:
            abort(410)
        ctx = _with_flow(ctx, flow)
    setattr(g, _KEY, ctx)


def add_payout(payout: Payout) -> RequestContext:
    """A step read GIFQ's payout: the page wears its campaign and speaks its recipient's
    language (unless one was chosen)."""
    campaigns.remember_payout(payout)
    ctx = _dressed(current(), payout.campaign)
    return _replace(ctx, payout=payout, recipient_locale=payout.recipient.locale)


def passed_checks() -> RequestContext:
    """The FORM need's checks passed: per-payout and per-flow limits count this request."""
    return _replace(current(), checks_passed=True)


def for_error_page() -> RequestContext:
    """Error pages wear the campaign this link or flow last showed, when this app saw it."""
    ctx = current()
    if ctx.campaign is not None:
        return ctx
    flow = ctx.flow
    campaign = campaigns.campaign(flow.campaign_id) if flow else None
    if campaign is None:
        campaign = campaigns.last_seen(token_key=ctx.token_key, flow_id=ctx.flow_id_asked)
    return _replace(_dressed(ctx, campaign)) if campaign is not None else ctx


def _bare() -> RequestContext:
    return RequestContext(embedded=framed(), asked_locale=normalise(_asked_lang()))


def _with_flow(ctx: RequestContext, flow: Flow) -> RequestContext:
    loaded = flow.to_json()
    chosen = normalise(request.args.get("lang"))
    if chosen and chosen != flow.locale:
        flow.locale = chosen  # the recipient's choice on a page sticks for the whole journey
    ctx = dataclasses.replace(
        ctx,
        token_key=flow.token_key,
        flow=flow,
        flow_as_loaded=loaded,
        embedded=framed(flow.embedded),
    )
    campaign = campaigns.campaign(flow.campaign_id)
    return _dressed(ctx, campaign) if campaign is not None else ctx


def _dressed(ctx: RequestContext, campaign: Campaign) -> RequestContext:
    """The campaign's branding, and which of its owners' pages may frame this one."""
    config = current_app.config
    flow_id = ctx.flow.id if ctx.flow else None
    campaigns.seen_with(campaign, token_key=ctx.token_key, flow_id=flow_id)
    cleaned = clean_campaign(campaign)
    return dataclasses.replace(
        ctx,
        campaign=cleaned,
        theme=build_theme(cleaned.branding, tuple(config.get("ASSET_ORIGINS", ()))),
        frame_ancestors=frame_ancestors(
            cleaned.branding.embed_origins,
            tuple(config.get("EMBED_ORIGINS", ())),
            gifq_base=config.get("GIFQ_API_BASE"),
        ),
        campaign_locale=cleaned.branding.default_locale,
    )


def _replace(ctx: RequestContext, **changes: Any) -> RequestContext:
    new = dataclasses.replace(ctx, **changes)
    setattr(g, _KEY, new)
    refresh()  # flask-babel caches the locale per request: choose again from the new inputs
    return new


def _asked_lang() -> str | None:
    try:
        return request.values.get("lang")
    except HTTPException:
        # The body itself was refused (413, malformed form): its error page still renders,
        # in the language the URL asks for.
        return request.args.get("lang")
