"""The JSON shapes the fake answers with. Money leaves as numbers, times as ISO strings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from redeem.fake_gifq.brands import Brand, Product
from redeem.fake_gifq.clock import iso, iso_date
from redeem.fake_gifq.money import render as amount
from redeem.fake_gifq.payouts import is_locked, next_send_at, status
from redeem.fake_gifq.store import (
    Campaign,
    Email,
    Payout,
    PayoutOrder,
    Redemption,
    Store,
)


def absolute(url: str | None, base_url: str) -> str | None:
    # Seeded logos are stored as paths so they follow whatever port the fake was given.
    if url is not None and url.startswith("/"):
        return base_url + url
    return url


def branding(campaign: Campaign, base_url: str) -> dict[str, Any]:
    data = dict(campaign.branding)
    data["logo_url"] = absolute(data.get("logo_url"), base_url)
    data["embed_origins"] = list(data.get("embed_origins") or [])
    return data


def brand(b: Brand, base_url: str) -> dict[str, Any]:
    return {
        "slug": b.slug,
        "name": b.name,
        "logo_url": f"{base_url}/assets/logos/{b.slug}.png",
        "categories": list(b.categories),
        "description": b.description,
        "terms": b.terms,
        "instructions": b.instructions,
    }


def product(p: Product) -> dict[str, Any]:
    low, high = p.bounds
    return {
        "id": p.id,
        "country": p.country,
        "currency": p.currency,
        "min_face_value": amount(low),
        "max_face_value": amount(high),
        "denominations": None if p.denominations is None else [amount(d) for d in p.denominations],
    }


def catalog_entry(b: Brand, base_url: str, currency: str | None = None) -> dict[str, Any]:
    products = [p for p in b.products if currency is None or p.currency == currency]
    return {"brand": brand(b, base_url), "products": [product(p) for p in products]}


def redemption(r: Redemption, *, with_details: bool | None) -> dict[str, Any]:
    """``with_details=None`` leaves the key out (no verification); True shows the card."""
    data: dict[str, Any] = {
        "id": r.id,
        "status": r.status,
        "brand_slug": r.brand_slug,
        "product_id": r.product_id,
        "face_value": amount(r.face_value),
        "currency": r.currency,
        "reference": r.reference,
        "created_at": iso(r.created_at),
        "completed_at": iso(r.completed_at),
        "expires_at": iso_date(r.expires_at),
        "failure_message": r.failure_message,
    }
    if with_details:
        data["details"] = dict(r.details) if r.details else None
    return data


def email_hint(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def payout(
    store: Store, p: Payout, *, verified: bool, base_url: str, now: datetime
) -> dict[str, Any]:
    campaign = store.campaigns[p.campaign_id]
    v = p.verification
    sent_at = v.sends[-1] if v.sends else None
    # Brands follow the campaign, products the payout's currency: a EUR gift never lists USD
    # cards. Brands without a product in that currency are left out.
    brands = sorted(
        (store.brands[s] for s in campaign.brand_slugs),
        key=lambda b: b.name.casefold(),
    )
    catalog = [
        catalog_entry(b, base_url, p.currency)
        for b in brands
        if any(prod.currency == p.currency for prod in b.products)
    ]
    return {
        "token": p.token,
        "status": status(p, now),
        "amount": amount(p.amount),
        "currency": p.currency,
        "balance": amount(p.balance),
        "recipient": {"name": p.name, "email_hint": email_hint(p.email), "locale": p.locale},
        "expires_at": iso(p.expires_at),
        "verification": {
            "verified": verified,
            "code_sent_at": iso(sent_at),
            "resend_available_at": iso(next_send_at(p, now), round_up=True) if sent_at else None,
        },
        "campaign": {
            "id": campaign.id,
            "sender_name": campaign.sender_name,
            # Raw templates on purpose: the frontend fills {{amount}} with locale-aware money.
            "headline": campaign.headline,
            "body": campaign.body,
            "branding": branding(campaign, base_url),
        },
        "catalog": catalog,
        "redemptions": [redemption(r, with_details=verified) for r in p.redemptions],
    }


def merchant_payout(store: Store, p: Payout, now: datetime) -> dict[str, Any]:
    campaign = store.campaigns[p.campaign_id]
    return {
        "token": p.token,
        "redeem_url": store.redeem_url(campaign, p.token),
        "payout_order_id": p.order_id,
        "campaign_id": p.campaign_id,
        "status": status(p, now),
        "amount": amount(p.amount),
        "currency": p.currency,
        "balance": amount(p.balance),
        "recipient": {"name": p.name, "email": p.email, "locale": p.locale},
        "created_at": iso(p.created_at),
        "expires_at": iso(p.expires_at),
        "cancelled_at": iso(p.cancelled_at),
        "verification": {
            "locked": is_locked(p),
            "wrong_attempts": p.verification.total_wrong,
            "codes_sent": len(p.verification.sends),
        },
        # Merchants see what was chosen, never the card itself.
        "redemptions": [redemption(r, with_details=None) for r in p.redemptions],
        "balance_movements": [
            {
                "kind": m.kind,
                "amount": amount(m.amount),
                "redemption_id": m.redemption_id,
                "at": iso(m.at),
            }
            for m in p.movements
        ],
    }


def campaign(store: Store, c: Campaign, base_url: str) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "status": c.status,
        "sender_name": c.sender_name,
        "description": c.description,
        "headline": c.headline,
        "body": c.body,
        "email_subject": c.email_subject,
        "email_body": c.email_body,
        "redeem_url": c.redeem_url or f"{store.redeem_base}/r/{{token}}",
        "branding": branding(c, base_url),
        "brand_slugs": list(c.brand_slugs),
        "created_at": iso(c.created_at),
    }


def order(o: PayoutOrder) -> dict[str, Any]:
    return {
        "id": o.id,
        "campaign_id": o.campaign_id,
        "status": "dispatched",
        "wallet_currency": o.wallet_currency,
        "total_charged": amount(o.total_charged),
        "recipients_count": len(o.tokens),
        "expires_in_days": o.expires_in_days,
        "callback_url": o.callback_url,
        "created_at": iso(o.created_at),
    }


def email(e: Email) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": e.id,
        "to": e.to,
        "subject": e.subject,
        "kind": e.kind,
        "text": e.text,
        "sent_at": iso(e.sent_at),
        "payout_token": e.payout_token,
    }
    if e.redeem_url is not None:
        data["redeem_url"] = e.redeem_url
    if e.code is not None:
        data["code"] = e.code
    return data
