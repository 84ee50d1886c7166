"""POST /api/payouts/{token}/redemptions and fulfilment (CONTRACT §2)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from redeem.gifq.parsing import parse_payout
from tests.support.fake import FIELD_SETS, FakeGifq


@pytest.fixture
def verified(fake: FakeGifq) -> tuple[str, str]:
    token, _ = fake.create_payout(amount=50, currency="EUR", email="red@example.com")
    return token, fake.verify(token)


def test_redeeming_without_verification_is_401_verification_required(fake: FakeGifq):
    token = fake.demo_token("pending")
    product = fake.product_id(token, "northwind-books")

    for grant in (None, "not-a-grant"):
        response = fake.redeem(token, grant, product, 50)
        assert response.status_code == 401
        assert response.json()["code"] == "verification_required"


def test_a_redemption_is_accepted_as_processing_and_the_payout_follows(fake, verified):
    token, grant = verified
    response = fake.redeem(token, grant, fake.product_id(token, "northwind-books"), 50)

    assert response.status_code == 202
    redemption = response.json()
    assert redemption["status"] == "processing"
    assert redemption["id"].startswith("rd_")
    assert redemption["face_value"] == 50 and redemption["currency"] == "EUR"
    assert redemption["details"] is None
    payout = fake.payout(token, grant)
    assert payout["status"] == "processing"
    assert payout["balance"] == 0


@pytest.mark.parametrize(("slug", "fields"), FIELD_SETS.items())
@pytest.mark.parametrize("currency", ["EUR", "USD", "GBP"])
def test_each_fixed_brand_completes_with_its_field_set(fake: FakeGifq, slug, fields, currency):
    token, _ = fake.create_payout(currency=currency, email="fields@example.com")
    grant = fake.verify(token)
    created = fake.redeem(token, grant, fake.product_id(token, slug), 50).json()
    fake.advance(1)

    done = fake.wait_for_redemption(token, grant, created["id"])

    assert done["status"] == "completed"
    assert {k for k, v in done["details"].items() if v} == fields
    assert done["completed_at"] and len(done["expires_at"]) == 10  # a date, not a time
    if done["details"]["link"]:
        assert done["details"]["link"].startswith("https://cards.example/redeem/")
    payout = fake.payout(token, grant)
    assert payout["status"] == "completed"
    assert parse_payout(payout).latest_completed().details.present()


def test_fulfilment_finishes_on_its_own_within_about_a_second(fake, verified):
    token, grant = verified
    created = fake.redeem(token, grant, fake.product_id(token, "linkly"), 50).json()

    # An upper bound on wall time is the point here: brands complete after ~0.5 s.
    assert fake.wait_for_redemption(token, grant, created["id"], timeout=3)["status"] == "completed"


def test_the_failing_brand_fails_and_returns_the_value_to_the_balance(fake, verified):
    token, grant = verified
    created = fake.redeem(token, grant, fake.product_id(token, "failing-florist"), 50).json()
    fake.advance(1)

    failed = fake.wait_for_redemption(token, grant, created["id"])

    assert failed["status"] == "failed"
    assert failed["failure_message"]
    assert failed["details"] is None
    payout = fake.payout(token, grant)
    assert payout["status"] == "pending"
    assert payout["balance"] == 50
    movements = fake.payouts_for(token)["balance_movements"]
    assert [(m["kind"], m["amount"]) for m in movements] == [("charge", 50), ("refund", 50)]

    again = fake.redeem(token, grant, fake.product_id(token, "northwind-books"), 50)
    assert again.status_code == 202


def test_the_slow_brand_stays_processing_for_about_four_seconds(fake, verified):
    token, grant = verified
    created = fake.redeem(token, grant, fake.product_id(token, "slow-cinema"), 50).json()

    fake.advance(3)
    assert fake.payout(token, grant)["status"] == "processing"
    fake.advance(1.5)
    assert fake.payout(token, grant)["redemptions"][0]["status"] == "completed"
    assert created["id"] == fake.payout(token, grant)["redemptions"][0]["id"]


def test_a_partial_redemption_leaves_the_payout_pending_with_the_rest(fake: FakeGifq):
    token, _ = fake.create_payout(amount=80, email="partial@example.com")
    grant = fake.verify(token)
    created = fake.redeem(token, grant, fake.product_id(token, "northwind-books"), 30).json()
    fake.advance(1)
    fake.wait_for_redemption(token, grant, created["id"])

    payout = fake.payout(token, grant)
    assert payout["status"] == "pending"
    assert payout["balance"] == 50


def test_the_same_reference_returns_the_same_redemption_and_charges_once(fake, verified):
    token, grant = verified
    product = fake.product_id(token, "northwind-books")
    first = fake.redeem(token, grant, product, 50, reference="ref-1")
    second = fake.redeem(token, grant, product, 50, reference="ref-1")

    assert first.status_code == second.status_code == 202
    assert second.json()["id"] == first.json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    merchant = fake.payouts_for(token)
    assert len(merchant["redemptions"]) == 1
    assert [m["kind"] for m in merchant["balance_movements"]] == ["charge"]


def test_the_same_reference_with_other_parameters_returns_the_original(fake, verified):
    token, grant = verified
    first = fake.redeem(token, grant, fake.product_id(token, "northwind-books"), 50, "ref-2")
    other = fake.redeem(token, grant, fake.product_id(token, "linkly"), 20, "ref-2")

    assert other.status_code == 202
    assert other.json()["id"] == first.json()["id"]
    assert other.json()["brand_slug"] == "northwind-books"
    assert other.json()["face_value"] == 50


def test_a_replay_after_completion_still_returns_the_redemption(fake, verified):
    token, grant = verified
    first = fake.redeem(token, grant, fake.product_id(token, "northwind-books"), 50, "ref-3")
    fake.advance(1)
    fake.wait_for_redemption(token, grant, first.json()["id"])

    replay = fake.redeem(token, grant, fake.product_id(token, "northwind-books"), 50, "ref-3")

    assert replay.status_code == 202
    assert replay.json()["status"] == "completed"
    assert replay.json()["details"]["code"]


def test_twenty_concurrent_redemptions_with_one_reference_make_one_charge(fake, verified):
    token, grant = verified
    product = fake.product_id(token, "northwind-books")

    with ThreadPoolExecutor(20) as pool:
        answers = list(
            pool.map(lambda _: fake.redeem(token, grant, product, 50, "same"), range(20))
        )

    assert {a.status_code for a in answers} == {202}
    assert len({a.json()["id"] for a in answers}) == 1
    merchant = fake.payouts_for(token)
    assert len(merchant["redemptions"]) == 1
    assert len(merchant["balance_movements"]) == 1
    assert merchant["balance"] == 0


def test_twenty_concurrent_redemptions_with_new_references_never_overspend(fake, verified):
    token, grant = verified
    product = fake.product_id(token, "northwind-books")

    with ThreadPoolExecutor(20) as pool:
        answers = list(
            pool.map(lambda n: fake.redeem(token, grant, product, 10, f"r{n}"), range(20))
        )

    assert sorted(a.status_code for a in answers) == [202] * 5 + [422] * 15
    assert fake.payouts_for(token)["balance"] == 0


@pytest.mark.parametrize(
    ("slug", "face_value", "code"),
    [
        ("northwind-books", 60, "insufficient_balance"),
        ("prepaid-plus", 30, "product_not_eligible"),  # not one of its denominations
        ("serial-travel", 10, "product_not_eligible"),  # under its minimum
    ],
)
def test_an_ineligible_choice_is_422_with_a_distinct_code(fake, verified, slug, face_value, code):
    token, grant = verified
    response = fake.redeem(token, grant, fake.product_id(token, slug), face_value)

    assert response.status_code == 422
    assert response.json()["code"] == code
    assert fake.payouts_for(token)["redemptions"] == []


@pytest.mark.parametrize(
    "product_id",
    ["p_nope", "p_northwind-books-us-usd", "p_desert-dunes-air-ae-usd"],
)
def test_a_product_outside_the_payout_is_product_not_eligible(fake, verified, product_id):
    token, grant = verified
    response = fake.redeem(token, grant, product_id, 50)

    assert response.status_code == 422
    assert response.json()["code"] == "product_not_eligible"


@pytest.mark.parametrize("scenario", ["expired", "cancelled", "completed"])
def test_a_payout_that_is_done_cannot_be_redeemed(fake: FakeGifq, scenario):
    token = fake.demo_token(scenario)
    grant = fake.verify(token)
    response = fake.redeem(token, grant, "p_northwind-books-de-eur", 10)

    assert response.status_code == 422
    assert response.json()["code"] == "payout_not_redeemable"
    assert response.json()["payout_status"] == scenario


def test_a_payout_from_a_paused_campaign_still_redeems(fake: FakeGifq):
    token = fake.demo_token("paused-campaign")
    grant = fake.verify(token)

    response = fake.redeem(token, grant, fake.product_id(token, "northwind-books"), 40)

    assert response.status_code == 202


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"product_id": "p_linkly-de-eur", "face_value": 50}, 422),
        ({"product_id": "p_linkly-de-eur", "face_value": "50", "reference": "a"}, 422),
        ({"product_id": "p_linkly-de-eur", "face_value": 10.001, "reference": "a"}, 422),
        ({"product_id": "p_linkly-de-eur", "face_value": -5, "reference": "a"}, 422),
        ({"face_value": 50, "reference": "a"}, 422),
        ([], 400),
    ],
)
def test_a_malformed_redemption_request_is_rejected(fake, verified, body, status):
    token, grant = verified
    response = fake.recipient(
        "POST",
        f"/api/payouts/{token}/redemptions",
        json=body,
        headers={"X-Verification-Token": grant},
    )

    assert response.status_code == status
    assert response.json()["status"] == "error"


def test_a_body_that_is_not_json_is_400(fake, verified):
    token, grant = verified
    response = fake.recipient(
        "POST",
        f"/api/payouts/{token}/redemptions",
        content=b"{nope",
        headers={"X-Verification-Token": grant, "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
