"""GET /api/payouts/{token}: the payout as the recipient sees it (CONTRACT §2)."""

from __future__ import annotations

import pytest

from redeem.gifq.parsing import parse_payout
from tests.support.fake import FIXED_BRANDS, FakeGifq


def test_a_seeded_payout_has_the_contract_shape_and_parses_in_the_frontend(fake: FakeGifq):
    body = fake.payout(fake.demo_token("pending"))

    assert set(body) == {
        "token", "status", "amount", "currency", "balance", "recipient", "expires_at",
        "verification", "campaign", "catalog", "redemptions",
    }  # fmt: skip
    assert body["status"] == "pending"
    assert body["amount"] == 50 and isinstance(body["amount"], int)
    assert body["recipient"] == {"name": "Alice", "email_hint": "a***@example.com", "locale": None}
    assert body["verification"] == {
        "verified": False, "code_sent_at": None, "resend_available_at": None
    }  # fmt: skip
    assert body["expires_at"].endswith("Z")
    payout = parse_payout(body)
    assert {brand.slug for brand, _ in payout.eligible_catalog()} >= set(FIXED_BRANDS)


def test_the_campaign_text_comes_as_raw_templates_for_the_frontend_to_fill(fake: FakeGifq):
    campaign = fake.payout(fake.demo_token("pending"))["campaign"]

    assert campaign["headline"] == "You've received a gift, {{recipient_name}}!"
    assert campaign["body"] == "Claim your {{amount}} gift card below."


def test_the_branded_campaign_carries_every_branding_field(fake: FakeGifq):
    branding = fake.payout(fake.demo_token("pending"))["campaign"]["branding"]

    assert branding["logo_url"] == f"{fake.base_url}/assets/logos/acme-rewards.png"
    assert branding["primary_color"] == "#0B5FFF"
    assert branding["font_family"] == "Inter"
    assert branding["support_email"] == "help@acme.example"
    assert branding["default_locale"] == "en"
    assert branding["embed_origins"] == ["http://localhost:8766", "https://host.example"]


def test_the_plain_campaign_has_no_custom_branding(fake: FakeGifq):
    branding = fake.payout(fake.demo_token("pending-plain"))["campaign"]["branding"]

    assert branding["embed_origins"] == []
    assert {v for k, v in branding.items() if k != "embed_origins"} == {None}


@pytest.mark.parametrize("currency", ["EUR", "USD", "GBP"])
def test_the_catalog_lists_only_products_in_the_payouts_currency(fake: FakeGifq, currency):
    token, _ = fake.create_payout(currency=currency, campaign="plain")
    catalog = fake.payout(token)["catalog"]

    assert catalog
    assert {p["currency"] for e in catalog for p in e["products"]} == {currency}
    slugs = {e["brand"]["slug"] for e in catalog}
    assert slugs >= set(FIXED_BRANDS)
    eligible = {b.slug for b, _ in parse_payout(fake.payout(token)).eligible_catalog()}
    assert eligible >= set(FIXED_BRANDS)


def test_catalog_brands_carry_logo_urls_that_serve_pngs(fake: FakeGifq):
    entry = fake.payout(fake.demo_token("pending"))["catalog"][0]
    logo = fake.client.get(entry["brand"]["logo_url"])

    assert logo.status_code == 200
    assert logo.headers["content-type"] == "image/png"
    assert logo.content.startswith(b"\x89PNG")


def test_the_recipient_locale_from_the_payout_order_is_shown(fake: FakeGifq):
    assert fake.payout(fake.demo_token("pending-de"))["recipient"]["locale"] == "de"
    token, _ = fake.create_payout(locale="fr", email="zoe@example.org", name="Zoé")
    recipient = fake.payout(token)["recipient"]
    assert recipient == {"name": "Zoé", "email_hint": "z***@example.org", "locale": "fr"}


def test_a_non_integer_amount_is_a_json_number_with_its_decimals(fake: FakeGifq):
    body = fake.payout(fake.demo_token("pending-de"))
    assert body["amount"] == 75.5

    token, _ = fake.create_payout(amount="12.34")
    assert fake.payout(token)["balance"] == 12.34


@pytest.mark.parametrize(
    "token",
    ["A" * 43, "A" * 42, "A" * 44, "not a token", "A" * 42 + "!"],
)
def test_an_unknown_or_malformed_token_is_payout_not_found(fake: FakeGifq, token):
    response = fake.recipient("GET", f"/api/payouts/{token}")

    assert response.status_code == 404
    assert response.json() == {
        "message": "No payout has this token.", "status": "error", "code": "payout_not_found"
    }  # fmt: skip


def test_tokens_are_43_url_safe_characters(fake: FakeGifq):
    for payout in fake.demo()["payouts"]:
        token = payout["token"]
        assert len(token) == 43
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        assert payout["redeem_url"] == f"http://127.0.0.1:8000/r/{token}"


def test_the_payout_answers_with_an_etag_and_304_when_it_has_not_changed(fake: FakeGifq):
    path = f"/api/payouts/{fake.demo_token('pending')}"
    first = fake.recipient("GET", path)
    etag = first.headers["ETag"]

    again = fake.recipient("GET", path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    assert again.content == b""

    other = fake.recipient("GET", path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_the_etag_changes_when_the_payout_changes(fake: FakeGifq):
    token = fake.demo_token("pending")
    path = f"/api/payouts/{token}"
    etag = fake.recipient("GET", path).headers["ETag"]

    fake.send_code(token)

    changed = fake.recipient("GET", path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_expired_and_cancelled_payouts_still_answer_200_with_branding(fake: FakeGifq):
    expired = fake.payout(fake.demo_token("expired"))
    cancelled = fake.payout(fake.demo_token("cancelled"))

    assert expired["status"] == "expired"
    assert cancelled["status"] == "cancelled"
    assert cancelled["campaign"]["branding"]["support_email"] == "help@acme.example"


def test_a_payout_expires_when_the_clock_passes_its_expiry(fake: FakeGifq):
    token, _ = fake.create_payout(expires_in_days=1)
    assert fake.payout(token)["status"] == "pending"

    fake.advance(24 * 3600 + 1)

    assert fake.payout(token)["status"] == "expired"


def test_the_completed_demo_payout_shows_details_only_when_verified(fake: FakeGifq):
    token = fake.demo_token("completed")
    anonymous = fake.payout(token)
    assert anonymous["status"] == "completed"
    assert anonymous["balance"] == 0
    assert "details" not in anonymous["redemptions"][0]

    grant = fake.verify(token)
    verified = fake.payout(token, grant)
    assert verified["verification"]["verified"] is True
    details = verified["redemptions"][0]["details"]
    assert details["code"] and details["pin"] is None
    assert parse_payout(verified).latest_completed() is not None


def test_a_wrong_verification_token_shows_no_details(fake: FakeGifq):
    token = fake.demo_token("completed")
    body = fake.payout(token, "x" * 43)

    assert body["verification"]["verified"] is False
    assert "details" not in body["redemptions"][0]
