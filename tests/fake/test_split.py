"""Splitting a payout across brands; a successful check ends the resend cooldown (CONTRACT §2)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tests.support.fake import FakeGifq


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _products(payout: dict, slug: str) -> list[dict]:
    return next(e["products"] for e in payout["catalog"] if e["brand"]["slug"] == slug)


def test_the_split_payout_is_60_eur_and_no_single_denomination_matches_it(fake: FakeGifq):
    payout = fake.payout(fake.demo_token("split"))

    assert (payout["amount"], payout["balance"], payout["currency"]) == (60, 60, "EUR")
    denominations = [
        d for e in payout["catalog"] for p in e["products"] for d in (p["denominations"] or [])
    ]
    assert denominations and 60 not in denominations
    assert _products(payout, "harbour-market")[0]["denominations"] == [10, 25, 50, 100]
    canal = _products(payout, "canal-coffee")[0]
    assert (canal["min_face_value"], canal["max_face_value"], canal["denominations"]) == (
        5,
        40,
        None,
    )
    assert {p["currency"] for e in payout["catalog"] for p in e["products"]} == {"EUR"}
    # One brand whose every value is above 60: the frontend must say so, not hide it.
    assert min(_products(payout, "grand-gallery")[0]["denominations"]) > 60


def test_a_denomination_then_a_ranged_card_split_60_and_complete_at_zero(fake: FakeGifq):
    token = fake.demo_token("split")
    grant = fake.verify(token)

    first = fake.redeem(token, grant, "p_harbour-market-de-eur", 25).json()
    fake.advance(1)
    assert fake.wait_for_redemption(token, grant, first["id"])["status"] == "completed"
    middle = fake.payout(token, grant)
    assert (middle["status"], middle["balance"]) == ("pending", 35)

    second = fake.redeem(token, grant, "p_canal-coffee-nl-eur", 35).json()
    fake.advance(1)
    assert fake.wait_for_redemption(token, grant, second["id"])["status"] == "completed"
    done = fake.payout(token, grant)
    assert (done["status"], done["balance"]) == ("completed", 0)
    assert [r["face_value"] for r in done["redemptions"]] == [25, 35]
    assert all(r["details"]["code"] for r in done["redemptions"])
    charges = fake.payouts_for(token)["balance_movements"]
    assert [(m["kind"], Decimal(str(m["amount"]))) for m in charges] == [
        ("charge", Decimal(25)),
        ("charge", Decimal(35)),
    ]


def test_a_value_that_is_not_a_denomination_or_above_the_range_is_refused(fake: FakeGifq):
    token = fake.demo_token("split")
    grant = fake.verify(token)

    for product, value in (("p_harbour-market-de-eur", 30), ("p_canal-coffee-nl-eur", 45)):
        refused = fake.redeem(token, grant, product, value)
        assert refused.status_code == 422
        assert refused.json()["code"] == "product_not_eligible"
    assert fake.payout(token, grant)["balance"] == 60


def test_the_started_split_has_one_card_and_35_left(fake: FakeGifq):
    token = fake.demo_token("split-started")
    grant = fake.verify(token)

    payout = fake.payout(token, grant)
    assert (payout["status"], payout["balance"]) == ("pending", 35)
    [card] = payout["redemptions"]
    assert (card["brand_slug"], card["face_value"], card["status"]) == (
        "harbour-market",
        25,
        "completed",
    )
    assert card["details"]["code"] and card["details"]["pin"]


def test_a_successful_check_ends_the_resend_cooldown(fake: FakeGifq):
    token = fake.demo_token("split")
    fake.verify(token)  # sends a code and confirms it at once

    again = fake.send_code(token)

    assert again.status_code == 202, again.text
    body = again.json()
    # The new send starts a fresh 30 s cooldown for the new code.
    assert 30 <= (_ts(body["resend_available_at"]) - _ts(body["code_sent_at"])).seconds <= 31
    assert fake.send_code(token).json()["code"] == "verification_cooldown"


def test_after_a_successful_check_the_payout_says_a_code_may_be_sent_now(fake: FakeGifq):
    token = fake.demo_token("split")
    fake.verify(token)

    verification = fake.payout(token)["verification"]
    # "Not before" times round up to the whole second: at most one second, not thirty.
    wait = _ts(verification["resend_available_at"]) - _ts(verification["code_sent_at"])
    assert wait.total_seconds() <= 1


def test_a_wrong_code_does_not_end_the_cooldown(fake: FakeGifq):
    token = fake.demo_token("split")
    fake.send_code(token)
    code = fake.latest_code("sam@example.com")
    assert fake.confirm(token, f"{(int(code) + 1) % 1_000_000:06d}").status_code == 422

    assert fake.send_code(token).json()["code"] == "verification_cooldown"


def test_the_hourly_send_cap_holds_even_when_every_code_is_used(fake: FakeGifq):
    token = fake.demo_token("split")
    for _ in range(5):
        fake.verify(token)

    refused = fake.send_code(token)

    assert refused.status_code == 429
    assert refused.json()["code"] == "verification_send_limit"
    assert int(refused.headers["Retry-After"]) > 30
