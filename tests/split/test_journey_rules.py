"""The split's journey rules on parsed payouts: brands on offer, cards newest first, where a
fresh code leads."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from redeem.gifq.parsing import parse_payout
from redeem.split.journey import after_verification, cards, offered

TOKEN = "A" * 43


def product(pid: str, currency: str = "EUR", **kw: Any) -> dict[str, Any]:
    base = {
        "id": pid,
        "country": "DE",
        "currency": currency,
        "min_face_value": None,
        "max_face_value": None,
        "denominations": None,
    }
    return {**base, **kw}


def entry(slug: str, *products: dict[str, Any]) -> dict[str, Any]:
    brand = {
        "slug": slug,
        "name": slug.title(),
        "logo_url": None,
        "categories": [],
        "description": "",
        "terms": "",
        "instructions": "",
    }
    return {"brand": brand, "products": list(products)}


def redemption(rid: str, status: str, completed_at: str | None, value: int = 10) -> dict[str, Any]:
    details = {
        "code": f"C-{rid}",
        "pin": None,
        "link": None,
        "link_challenge_code": None,
        "serial": None,
        "security_code": None,
    }
    return {
        "id": rid,
        "status": status,
        "brand_slug": "b",
        "product_id": "p_1",
        "face_value": value,
        "currency": "EUR",
        "reference": rid,
        "created_at": "2026-12-01T10:00:00Z",
        "completed_at": completed_at,
        "expires_at": "2027-12-01" if completed_at else None,
        "failure_message": None,
        "details": details if status == "completed" else None,
    }


def payout(balance: int, catalog: list[dict[str, Any]], redemptions: list[dict[str, Any]]) -> Any:
    raw = {
        "token": TOKEN,
        "status": "pending",
        "amount": 60,
        "currency": "EUR",
        "balance": balance,
        "recipient": {"name": "Sam", "email_hint": "s***@example.com", "locale": None},
        "expires_at": "2027-01-01T00:00:00Z",
        "verification": {"verified": True, "code_sent_at": None, "resend_available_at": None},
        "campaign": {"id": "c", "sender_name": "Acme", "headline": "", "body": "", "branding": {}},
        "catalog": catalog,
        "redemptions": redemptions,
    }
    return parse_payout(json.loads(json.dumps(raw)))


def test_brands_that_cannot_take_the_balance_are_offered_with_the_product_that_says_why():
    shown = offered(
        payout(
            35,
            [
                entry("ranged", product("p_r", min_face_value=5, max_face_value=40)),
                entry("gallery", product("p_g", denominations=[75, 150])),
                entry(
                    "two",
                    product("p_big", denominations=[50]),
                    product("p_small", denominations=[10, 25]),
                ),
                entry("dollars", product("p_usd", "USD", min_face_value=5, max_face_value=500)),
            ],
            [],
        )
    )
    assert [(b.slug, p.id) for b, p in shown] == [
        ("ranged", "p_r"),
        ("gallery", "p_g"),
        ("two", "p_small"),
    ]


def test_cards_are_the_completed_redemptions_newest_first():
    found = cards(
        payout(
            0,
            [],
            [
                redemption("rd_old", "completed", "2026-12-01T10:00:01Z"),
                redemption("rd_failed", "failed", None),
                redemption("rd_new", "completed", "2026-12-01T10:05:00Z"),
            ],
        )
    )
    assert [r.id for r in found] == ["rd_new", "rd_old"]
    assert found[0].face_value == Decimal(10)


def test_a_fresh_code_leads_to_the_card_in_flight_then_the_cards_then_the_brands():
    assert (
        after_verification(payout(50, [], [redemption("rd_1", "processing", None)])) == "processing"
    )
    assert (
        after_verification(
            payout(35, [], [redemption("rd_1", "completed", "2026-12-01T10:00:01Z")])
        )
        == "cards"
    )
    done = redemption("rd_1", "completed", "2026-12-01T10:00:01Z", value=60)
    assert after_verification(payout(0, [], [done])) == "card"  # one card took it all
    two = [
        redemption("rd_1", "completed", "2026-12-01T10:00:01Z", 25),
        redemption("rd_2", "completed", "2026-12-01T10:01:01Z", 35),
    ]
    assert after_verification(payout(0, [], two)) == "cards"
    assert after_verification(payout(60, [], [redemption("rd_1", "failed", None)])) == "brands"
    assert after_verification(payout(60, [], [])) == "brands"
