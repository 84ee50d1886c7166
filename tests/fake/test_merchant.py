"""The merchant surface: campaigns, payout orders, payouts, balances (CONTRACT §3)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support.fake import FakeGifq

MERCHANT_CALLS = [
    ("GET", "/api/campaigns"),
    ("GET", "/api/campaigns/{plain}"),
    ("PATCH", "/api/campaigns/{plain}"),
    ("GET", "/api/campaigns/{plain}/catalog"),
    ("POST", "/api/payout-orders"),
    ("GET", "/api/payout-orders"),
    ("GET", "/api/payouts"),
    ("GET", "/api/balances"),
]


@pytest.mark.parametrize(("method", "path"), MERCHANT_CALLS)
@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_every_merchant_call_needs_the_api_token(fake: FakeGifq, method, path, token):
    headers = {"X-Api-Token": token} if token else {}
    url = path.format(plain=fake.campaign_id("plain"))

    response = fake.recipient(method, url, headers=headers, json={})

    assert response.status_code == 401
    assert response.json() == {
        "message": "Missing or invalid X-Api-Token.", "status": "error", "code": "unauthorized"
    }  # fmt: skip


def test_the_seed_has_four_campaigns_in_each_state_but_archived(fake: FakeGifq):
    campaigns = fake.merchant("GET", "/api/campaigns").json()

    assert {c["name"]: c["status"] for c in campaigns} == {
        "Plain thank-you (no branding)": "active",
        "Acme Rewards: customer thanks": "active",
        "Spring promo (paused)": "paused",
        "Autumn promo (draft)": "draft",
    }


def test_a_campaign_can_be_read_by_id_and_unknown_ids_are_404(fake: FakeGifq):
    campaign = fake.merchant("GET", f"/api/campaigns/{fake.campaign_id('branded')}").json()
    assert campaign["sender_name"] == "Acme Rewards"
    assert campaign["redeem_url"] == "http://127.0.0.1:8000/r/{token}"

    missing = fake.merchant("GET", "/api/campaigns/nope")
    assert missing.status_code == 404
    assert missing.json()["code"] == "campaign_not_found"


def test_patch_changes_text_and_a_partial_branding_and_nothing_else(fake: FakeGifq):
    response = fake.set_campaign(
        "branded",
        headline="Hello {{recipient_name}}",
        branding={"primary_color": "#123456"},
        embed_origins=["https://new.example"],
    )

    assert response.status_code == 200
    branding = response.json()["branding"]
    assert branding["primary_color"] == "#123456"
    assert branding["accent_color"] == "#FFB000"
    assert branding["embed_origins"] == ["https://new.example"]
    payout = fake.payout(fake.demo_token("pending"))
    assert payout["campaign"]["headline"] == "Hello {{recipient_name}}"
    assert payout["campaign"]["body"] == "Claim your {{amount}} gift card below."


def test_patch_stores_hostile_branding_as_given_for_the_frontend_to_reject(fake: FakeGifq):
    hostile = {"primary_color": "red;}</style><script>", "logo_url": "javascript:alert(1)"}
    fake.set_campaign("branded", branding=hostile)

    branding = fake.payout(fake.demo_token("pending"))["campaign"]["branding"]
    assert branding["primary_color"] == hostile["primary_color"]
    assert branding["logo_url"] == hostile["logo_url"]


@pytest.mark.parametrize(
    "body",
    [
        {"headline": 5},
        {"nonsense": "x"},
        {"branding": {"colour": "#fff"}},
        {"branding": "red"},
        {"embed_origins": "https://a.example"},
        {"redeem_url": "ftp://x/{token}"},
        {"status": "deleted"},
    ],
)
def test_patch_rejects_invalid_fields_and_changes_nothing(fake: FakeGifq, body):
    before = fake.merchant("GET", f"/api/campaigns/{fake.campaign_id('branded')}").json()
    response = fake.set_campaign("branded", **body)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    after = fake.merchant("GET", f"/api/campaigns/{fake.campaign_id('branded')}").json()
    assert after == before


@pytest.mark.parametrize(
    ("campaign", "path"),
    [
        ("draft", ["active", "paused", "active", "paused", "archived"]),
        ("draft", ["archived"]),
        ("branded", ["paused", "archived"]),
    ],
)
def test_legal_campaign_transitions_are_accepted(fake: FakeGifq, campaign, path):
    for status in path:
        response = fake.set_campaign(campaign, status=status)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status


@pytest.mark.parametrize(
    ("campaign", "status"),
    [("draft", "paused"), ("branded", "draft"), ("branded", "archived"), ("paused", "draft")],
)
def test_illegal_campaign_transitions_are_422(fake: FakeGifq, campaign, status):
    response = fake.set_campaign(campaign, status=status)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_transition"


def test_an_archived_campaign_is_read_only(fake: FakeGifq):
    fake.set_campaign("draft", status="archived")

    response = fake.set_campaign("draft", name="New name")

    assert response.status_code == 422
    assert response.json()["code"] == "campaign_archived"


def test_activation_needs_an_email_subject_and_body(fake: FakeGifq):
    response = fake.set_campaign("draft", status="active", email_subject=" ")

    assert response.status_code == 422
    assert response.json()["code"] == "campaign_incomplete"


def test_a_campaign_redeem_url_template_builds_the_emailed_links(fake: FakeGifq):
    fake.set_campaign("plain", redeem_url="https://rewards.example/r/{token}")

    token, url = fake.create_payout(campaign="plain", email="tpl@example.com")

    assert url == f"https://rewards.example/r/{token}"
    assert fake.outbox("tpl@example.com")[0]["redeem_url"] == url


def test_the_campaign_catalog_is_paginated_with_all_currencies(fake: FakeGifq):
    path = f"/api/campaigns/{fake.campaign_id('plain')}/catalog"
    first = fake.merchant("GET", path, params={"limit": 20})

    assert first.status_code == 200
    total = int(first.headers["total-count"])
    assert total >= 40
    assert first.headers["total-pages"] == str(-(-total // 20))
    products = [p for entry in first.json() for p in entry["products"]]
    assert {p["currency"] for p in products} >= {"EUR", "USD", "GBP"}


def test_a_payout_order_creates_payouts_at_once_and_emails_each_recipient(fake: FakeGifq):
    response = fake.order(
        "branded",
        "EUR",
        [
            {"email": "one@example.com", "name": "One", "amount": 20, "currency": "EUR"},
            {"email": "two@example.com", "amount": 12.5, "currency": "EUR", "locale": "de"},
        ],
        expires_in_days=7,
    )

    assert response.status_code == 202
    order = response.json()
    assert order["recipients_count"] == 2 and order["total_charged"] == 32.5
    items = fake.merchant("GET", "/api/payouts", params={"payout_order_id": order["id"]}).json()
    assert sorted(i["recipient"]["email"] for i in items) == ["one@example.com", "two@example.com"]
    for item in items:
        mail = fake.outbox(item["recipient"]["email"])[0]
        assert mail["kind"] == "redeem_link"
        assert mail["redeem_url"] == item["redeem_url"]
        assert item["redeem_url"] in mail["text"]
    two = next(i for i in items if i["recipient"]["email"] == "two@example.com")
    assert fake.payout(two["token"])["recipient"] == {
        "name": None, "email_hint": "t***@example.com", "locale": "de"
    }  # fmt: skip
    assert fake.balances()["EUR"] == Decimal("4967.5")


def test_the_redeem_email_fills_the_campaign_templates(fake: FakeGifq):
    fake.create_payout(amount=50, currency="GBP", email="fill@example.com", name="Fay")

    mail = fake.outbox("fill@example.com")[0]
    assert mail["subject"] == "Your reward is here, Fay"
    assert mail["text"].startswith("Hi Fay, you have 50.00 GBP waiting.")


def test_a_short_wallet_is_422_and_creates_nothing(fake: FakeGifq):
    orders_before = fake.merchant("GET", "/api/payout-orders").headers["total-count"]
    recipients = [
        {"email": f"p{n}@example.com", "amount": 900, "currency": "USD"} for n in range(6)
    ]
    response = fake.order("plain", "USD", recipients)

    assert response.status_code == 422
    assert response.json()["code"] == "insufficient_funds"
    assert fake.balances()["USD"] == 5000
    assert fake.merchant("GET", "/api/payout-orders").headers["total-count"] == orders_before
    assert fake.outbox("p0@example.com") == []


def test_a_cross_currency_order_is_charged_at_the_sandbox_rate_plus_fee(fake: FakeGifq):
    response = fake.order(
        "plain", "EUR", [{"email": "fx@example.com", "amount": 110, "currency": "USD"}]
    )

    assert response.json()["total_charged"] == 101
    assert fake.balances()["EUR"] == 4899


@pytest.mark.parametrize(("campaign", "status"), [("paused", "paused"), ("draft", "draft")])
def test_only_an_active_campaign_dispatches(fake: FakeGifq, campaign, status):
    response = fake.order(
        campaign, "EUR", [{"email": "x@example.com", "amount": 5, "currency": "EUR"}]
    )

    assert response.status_code == 422
    assert response.json()["code"] == "campaign_not_active"
    assert response.json()["campaign_status"] == status


@pytest.mark.parametrize(
    "change",
    [
        {"recipients": []},
        {"recipients": [{"email": "nope", "amount": 5, "currency": "EUR"}]},
        {"recipients": [{"email": "a@example.com", "amount": 0, "currency": "EUR"}]},
        {"recipients": [{"email": "a@example.com", "amount": 5, "currency": "JPY"}]},
        {"expires_in_days": 0},
        {"wallet_currency": "XXX"},
        {"campaign_id": "nope"},
        {"callback_url": "http://insecure.example/hook"},
    ],
)
def test_an_invalid_payout_order_is_422(fake: FakeGifq, change):
    body = {
        "campaign_id": fake.campaign_id("plain"),
        "wallet_currency": "EUR",
        "expires_in_days": 30,
        "recipients": [{"email": "a@example.com", "amount": 5, "currency": "EUR"}],
        **change,
    }
    response = fake.merchant("POST", "/api/payout-orders", json=body)

    assert response.status_code == 422
    assert response.json()["status"] == "error"


def test_payout_orders_are_listed_newest_first(fake: FakeGifq):
    fake.create_payout(email="newest@example.com")

    orders = fake.merchant("GET", "/api/payout-orders").json()

    assert orders[0]["recipients_count"] == 1
    assert orders[0]["created_at"] >= orders[-1]["created_at"]


def test_payouts_are_listed_with_token_url_status_and_filters(fake: FakeGifq):
    everything = fake.merchant("GET", "/api/payouts", params={"limit": 20}).json()
    assert len(everything) == len(fake.demo()["payouts"])
    assert {"token", "redeem_url", "status", "redemptions", "balance_movements"} <= set(
        everything[0]
    )
    expired = fake.merchant("GET", "/api/payouts", params={"status": "expired"}).json()
    assert [p["token"] for p in expired] == [fake.demo_token("expired")]
    by_email = fake.merchant("GET", "/api/payouts", params={"email": "BOB@example.com"}).json()
    assert [p["token"] for p in by_email] == [fake.demo_token("pending-plain")]


def test_a_merchant_can_cancel_a_pending_payout(fake: FakeGifq):
    token, _ = fake.create_payout()

    response = fake.merchant("POST", f"/api/payouts/{token}/cancel")

    assert response.status_code == 200
    assert fake.payout(token)["status"] == "cancelled"
    completed = fake.merchant("POST", f"/api/payouts/{fake.demo_token('completed')}/cancel")
    assert completed.status_code == 422


def test_balances_start_at_five_thousand_per_currency(fake: FakeGifq):
    response = fake.merchant("GET", "/api/balances")

    assert response.json() == [
        {"currency": "EUR", "amount": 5000},
        {"currency": "USD", "amount": 5000},
        {"currency": "GBP", "amount": 5000},
    ]
