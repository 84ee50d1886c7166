"""Sandbox-only controls (CONTRACT §4) and the generated logo assets.

Nothing here is rate limited or touched by faults: tests must always be able to steer.
"""

from __future__ import annotations

import re
import secrets
import uuid
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, abort, request

from redeem.fake_gifq import money, render
from redeem.fake_gifq.brands import scale_brands
from redeem.fake_gifq.clock import iso
from redeem.fake_gifq.errors import malformed
from redeem.fake_gifq.http_io import read_json, respond
from redeem.fake_gifq.logos import logo_png
from redeem.fake_gifq.seed import seed_store
from redeem.fake_gifq.state import fake_state
from redeem.fake_gifq.store import Campaign, RecipientSpec

sandbox = Blueprint("sandbox", __name__, url_prefix="/sandbox")
assets = Blueprint("assets", __name__, url_prefix="/assets")

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,80}")
MAX_SCALE_BRANDS = 20_000


@sandbox.get("/health")
def health() -> Response:
    return respond({"status": "ok"})


@sandbox.get("/outbox")
def outbox() -> Response:
    store = fake_state().store
    to = request.args.get("to")
    with store.lock:
        emails = [e for e in reversed(store.outbox) if to is None or e.to.lower() == to.lower()]
        return respond([render.email(e) for e in emails])


@sandbox.get("/faults")
def list_faults() -> Response:
    return respond([f.public() for f in fake_state().faults.active()])


@sandbox.post("/faults")
def add_fault() -> Response:
    fault = fake_state().faults.add(read_json())
    return respond(fault.public(), 201)


@sandbox.delete("/faults")
def clear_faults() -> Response:
    fake_state().faults.clear()
    return Response(status=204)


@sandbox.post("/wallet")
def top_up() -> Response:
    """Add funds to the merchant wallet, so long test sessions never run dry mid-suite."""
    body = read_json()
    currency, amount = body.get("currency"), body.get("amount")
    if currency not in money.CURRENCIES or not isinstance(amount, (int, Decimal)) or amount <= 0:
        raise malformed("give a currency (EUR, USD or GBP) and a positive amount")
    store = fake_state().store
    with store.lock:
        store.balances[currency] += Decimal(amount)
        balance = store.balances[currency]
    return respond({"currency": currency, "amount": money.render(balance)})


@sandbox.get("/clock")
def show_clock() -> Response:
    return respond({"now": iso(fake_state().store.clock.now())})


@sandbox.post("/clock")
def advance_clock() -> Response:
    body = read_json()
    seconds = body.get("advance_seconds") if isinstance(body, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, Decimal)) or seconds < 0:
        raise malformed("advance_seconds must be a number of 0 or more: time only moves forward")
    now = fake_state().store.clock.advance(float(seconds))
    return respond({"now": iso(now)})


@sandbox.post("/reset")
def reset() -> Response:
    state = fake_state()
    state.faults.clear()
    state.limiter.clear()
    state.store.clock.reset()
    seed_store(state.store)
    return respond(_demo())


@sandbox.get("/demo")
def demo() -> Response:
    return respond(_demo())


def _demo() -> dict[str, Any]:
    store = fake_state().store
    with store.lock:
        campaigns = [
            {"key": c.key, "id": c.id, "name": c.name, "status": c.status}
            for c in store.campaigns.values()
        ]
        payouts = []
        for entry in store.demo:
            payout = store.payouts[entry.token]
            campaign = store.campaigns[payout.campaign_id]
            payouts.append(
                {
                    "label": entry.label,
                    "scenario": entry.scenario,
                    "token": entry.token,
                    "redeem_url": store.redeem_url(campaign, entry.token),
                    "amount": money.render(payout.amount),
                    "currency": payout.currency,
                    "email": payout.email,
                    "campaign_id": campaign.id,
                }
            )
    return {"campaigns": campaigns, "payouts": payouts}


@sandbox.post("/scale-campaign")
def scale_campaign() -> Response:
    """An active campaign with thousands of brands and one payout, for catalog load tests."""
    body = read_json()
    if not isinstance(body, dict):
        raise malformed("the body must be a JSON object")
    count = body.get("brands", 5000)
    currency = body.get("currency", "EUR")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_SCALE_BRANDS:
        raise malformed(f"brands must be a whole number from 1 to {MAX_SCALE_BRANDS}")
    if currency not in money.CURRENCIES:
        raise malformed(f"currency must be one of {', '.join(money.CURRENCIES)}")
    amount = money.parse_money(body.get("amount", 50), "amount")
    store = fake_state().store
    prefix = f"s{secrets.token_hex(3)}"
    with store.lock:
        campaign = Campaign(
            id=str(uuid.uuid4()),
            key=f"scale-{prefix}",
            name=f"Scale test ({count} brands)",
            status="active",
            sender_name="Scale Test Sender",
            created_at=store.clock.now(),
        )
        for brand in scale_brands(count, currency, prefix):
            store.add_brand(brand)
            campaign.brand_slugs.append(brand.slug)
        store.campaigns[campaign.id] = campaign
        # Sandbox money: the scale payout is funded outside the merchant's wallet.
        store.balances[currency] += amount
        order = store.dispatch(
            campaign,
            wallet_currency=currency,
            recipients=[RecipientSpec("scale@example.com", amount, currency, "Scale Tester")],
            expires_in_days=30,
        )
        token = order.tokens[0]
        return respond(
            {
                "campaign_id": campaign.id,
                "token": token,
                "redeem_url": store.redeem_url(campaign, token),
            },
            201,
        )


@assets.get("/logos/<slug>.png")
def logo(slug: str) -> Response:
    if not SLUG_RE.fullmatch(slug) or not fake_state().store.has_logo(slug):
        abort(404)
    response = Response(logo_png(slug), mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
