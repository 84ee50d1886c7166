"""The merchant surface tests and the demo use (CONTRACT §3). Every call needs X-Api-Token."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, request

from redeem.fake_gifq import money, payouts, render
from redeem.fake_gifq.errors import ApiError, invalid, malformed
from redeem.fake_gifq.http_io import base_url, read_json, respond, respond_page
from redeem.fake_gifq.state import fake_state, payout_under_lock
from redeem.fake_gifq.store import (
    BRANDING_FIELDS,
    Campaign,
    InsufficientFunds,
    Payout,
    RecipientSpec,
)

merchant = Blueprint("merchant", __name__, url_prefix="/api")

TRANSITIONS = {
    "draft": {"active", "archived"},
    "active": {"paused"},
    "paused": {"active", "archived"},
    "archived": set(),
}
TEXT_FIELDS = ("name", "sender_name", "headline", "body", "email_subject", "email_body")
NULLABLE_TEXT_FIELDS = ("description", "redeem_url")
MAX_TEXT = 5000
MAX_RECIPIENTS = 1000


@merchant.before_request
def require_api_token() -> None:
    given = request.headers.get("X-Api-Token", "")
    if not hmac.compare_digest(given.encode(), fake_state().api_token.encode()):
        raise ApiError(401, "unauthorized", "Missing or invalid X-Api-Token.")


# --- campaigns ---------------------------------------------------------------------------


def _campaign(campaign_id: str) -> Campaign:
    campaign = fake_state().store.campaigns.get(campaign_id)
    if campaign is None:
        raise ApiError(404, "campaign_not_found", "No campaign has this id.")
    return campaign


@merchant.get("/campaigns")
def list_campaigns() -> Response:
    store = fake_state().store
    with store.lock:
        campaigns = list(store.campaigns.values())
        return respond_page(campaigns, lambda c: render.campaign(store, c, base_url()))


@merchant.get("/campaigns/<campaign_id>")
def show_campaign(campaign_id: str) -> Response:
    store = fake_state().store
    with store.lock:
        return respond(render.campaign(store, _campaign(campaign_id), base_url()))


@merchant.get("/campaigns/<campaign_id>/catalog")
def campaign_catalog(campaign_id: str) -> Response:
    store = fake_state().store
    with store.lock:
        campaign = _campaign(campaign_id)
        brands = sorted(
            (store.brands[s] for s in campaign.brand_slugs), key=lambda b: b.name.casefold()
        )
        return respond_page(brands, lambda b: render.catalog_entry(b, base_url()))


@merchant.patch("/campaigns/<campaign_id>")
def update_campaign(campaign_id: str) -> Response:
    body = read_json()
    if not isinstance(body, dict):
        raise malformed("the body must be a JSON object")
    store = fake_state().store
    with store.lock:
        campaign = _campaign(campaign_id)
        if campaign.status == "archived":
            raise ApiError(422, "campaign_archived", "An archived campaign is read-only.")
        changes = _validated_changes(body)
        if "status" in changes:
            _check_transition(campaign, changes, changes["status"])
        # Validate everything first so a rejected PATCH changes nothing.
        for key, value in changes.items():
            if key == "branding":
                campaign.branding.update(value)
            else:
                setattr(campaign, key, value)
        return respond(render.campaign(store, campaign, base_url()))


def _text(value: Any, field: str, *, nullable: bool) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise invalid(f"{field} must be a string of at most {MAX_TEXT} characters", field=field)
    return value


def _validated_changes(body: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    allowed = {*TEXT_FIELDS, *NULLABLE_TEXT_FIELDS, "branding", "embed_origins", "status"}
    for key, value in body.items():
        if key not in allowed:
            raise invalid(f"unknown field {key}", field=key)
        if key in TEXT_FIELDS:
            changes[key] = _text(value, key, nullable=False)
        elif key in NULLABLE_TEXT_FIELDS:
            changes[key] = _text(value, key, nullable=True)
        elif key == "status":
            if value not in TRANSITIONS:
                raise invalid(f"status must be one of {', '.join(TRANSITIONS)}", field="status")
            changes["status"] = value
    url = changes.get("redeem_url")
    if url is not None and (not url.startswith(("https://", "http://")) or "{token}" not in url):
        raise invalid("redeem_url must be an http(s) URL containing {token}", field="redeem_url")
    branding = body.get("branding", {})
    if not isinstance(branding, dict):
        raise invalid("branding must be an object", field="branding")
    if "embed_origins" in body:  # accepted at the top level too (CONTRACT §3)
        branding = {**branding, "embed_origins": body["embed_origins"]}
    if branding:
        changes["branding"] = _validated_branding(branding)
    return changes


def _validated_branding(branding: dict[str, Any]) -> dict[str, Any]:
    # Values are stored as given, hostile ones included: the frontend treats campaign
    # branding as untrusted input and its tests need the fake to serve such values.
    out: dict[str, Any] = {}
    for key, value in branding.items():
        if key == "embed_origins":
            if value is None:
                value = []
            if not isinstance(value, list) or not all(isinstance(o, str) for o in value):
                raise invalid("embed_origins must be a list of strings", field=key)
        elif key not in BRANDING_FIELDS:
            raise invalid(f"unknown branding field {key}", field=key)
        elif value is not None and (not isinstance(value, str) or len(value) > MAX_TEXT):
            raise invalid(f"branding.{key} must be a string or null", field=key)
        out[key] = value
    return out


def _check_transition(campaign: Campaign, changes: dict[str, Any], target: str) -> None:
    if target == campaign.status:
        return
    if target not in TRANSITIONS[campaign.status]:
        raise ApiError(
            422,
            "invalid_transition",
            f"A campaign that is {campaign.status} cannot become {target}.",
        )
    if target == "active":
        subject = changes.get("email_subject", campaign.email_subject)
        body = changes.get("email_body", campaign.email_body)
        if not campaign.brand_slugs or not subject.strip() or not body.strip():
            raise ApiError(
                422,
                "campaign_incomplete",
                "Activation needs at least one brand, an email subject and an email body.",
            )


# --- payout orders -----------------------------------------------------------------------


def _recipient(raw: Any, n: int) -> RecipientSpec:
    where = f"recipients[{n}]"
    if not isinstance(raw, dict):
        raise invalid(f"{where} must be an object", field=where)
    email = raw.get("email")
    if not isinstance(email, str) or email.count("@") != 1 or len(email) > 254:
        raise invalid(f"{where}.email must be an email address", field=f"{where}.email")
    currency = raw.get("currency")
    if currency not in money.CURRENCIES:
        raise invalid(f"{where}.currency must be one of EUR, USD, GBP", field=f"{where}.currency")
    name = raw.get("name")
    if name is not None and (not isinstance(name, str) or len(name) > 200):
        raise invalid(f"{where}.name must be a string", field=f"{where}.name")
    locale = raw.get("locale")
    if locale is not None and (not isinstance(locale, str) or not 2 <= len(locale) <= 16):
        raise invalid(f"{where}.locale must be a language tag", field=f"{where}.locale")
    return RecipientSpec(
        email=email,
        amount=money.parse_money(raw.get("amount"), f"{where}.amount"),
        currency=currency,
        name=name,
        locale=locale,
    )


@merchant.post("/payout-orders")
def create_payout_order() -> Response:
    body = read_json()
    if not isinstance(body, dict):
        raise malformed("the body must be a JSON object")
    recipients = body.get("recipients")
    if not isinstance(recipients, list) or not 1 <= len(recipients) <= MAX_RECIPIENTS:
        raise invalid(f"recipients must list 1 to {MAX_RECIPIENTS} people", field="recipients")
    specs = [_recipient(r, n) for n, r in enumerate(recipients)]
    days = body.get("expires_in_days")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
        raise invalid(
            "expires_in_days must be a whole number from 1 to 3650", field="expires_in_days"
        )
    callback = body.get("callback_url")
    if callback is not None and (
        not isinstance(callback, str) or not callback.startswith("https://")
    ):
        raise invalid("callback_url must be an https URL", field="callback_url")
    wallet = body.get("wallet_currency")
    if wallet not in money.CURRENCIES:
        raise invalid("wallet_currency must be one of EUR, USD, GBP", field="wallet_currency")
    store = fake_state().store
    with store.lock:
        campaign = store.campaigns.get(str(body.get("campaign_id")))
        if campaign is None:
            raise ApiError(422, "campaign_not_found", "No campaign has this campaign_id.")
        if campaign.status != "active":
            raise ApiError(
                422,
                "campaign_not_active",
                f"The campaign is {campaign.status}: only an active campaign can dispatch.",
                campaign_status=campaign.status,
            )
        try:
            order = store.dispatch(
                campaign,
                wallet_currency=wallet,
                recipients=specs,
                expires_in_days=days,
                callback_url=callback,
            )
        except InsufficientFunds as short:
            raise ApiError(
                422,
                "insufficient_funds",
                f"The {wallet} balance is too low for this order. Nothing was created.",
                required=money.render(short.needed),
                available=money.render(short.available),
            ) from None
        return respond(render.order(order), 202)


@merchant.get("/payout-orders")
def list_payout_orders() -> Response:
    store = fake_state().store
    with store.lock:
        return respond_page(list(reversed(store.orders)), render.order)


# --- payouts and balances ----------------------------------------------------------------


@merchant.get("/payouts")
def list_payouts() -> Response:
    store = fake_state().store
    filters: dict[str, Callable[[Payout, str], bool]] = {
        "payout_order_id": lambda p, v: p.order_id == v,
        "token": lambda p, v: p.token == v,
        "email": lambda p, v: p.email.lower() == v.lower(),
        "campaign_id": lambda p, v: p.campaign_id == v,
    }
    with store.lock:
        now = store.clock.now()
        chosen = []
        for payout in reversed(store.payouts.values()):
            payouts.settle(store, payout, now)
            if all(
                test(payout, request.args[k]) for k, test in filters.items() if k in request.args
            ):
                chosen.append(payout)
        wanted_status = request.args.get("status")
        if wanted_status:
            chosen = [p for p in chosen if payouts.status(p, now) == wanted_status]
        return respond_page(chosen, lambda p: render.merchant_payout(store, p, now))


@merchant.post("/payouts/<token>/cancel")
def cancel_payout(token: str) -> Response:
    with payout_under_lock(token) as (store, payout, now):
        if payouts.status(payout, now) in ("processing", "completed"):
            raise ApiError(422, "payout_not_cancellable", "This payout is already being used.")
        payout.cancelled_at = payout.cancelled_at or now
        return respond(render.merchant_payout(store, payout, now))


@merchant.post("/payouts/<token>/reissue")
def reissue_payout(token: str) -> Response:
    """Lift a verification lock: wrong-code counters and codes start again."""
    with payout_under_lock(token) as (store, payout, now):
        payout.verification = type(payout.verification)()
        return respond(render.merchant_payout(store, payout, now))


@merchant.get("/balances")
def balances() -> Response:
    store = fake_state().store
    with store.lock:
        return respond(
            [{"currency": c, "amount": money.render(a)} for c, a in store.balances.items()]
        )
