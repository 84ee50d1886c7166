"""The sandbox wallet top-up that keeps long test sessions funded."""

from __future__ import annotations

from decimal import Decimal

from tests.support.fake import FakeGifq


def test_a_top_up_adds_to_every_wallet(fake: FakeGifq) -> None:
    before = fake.balances()
    fake.top_up(1000)
    after = fake.balances()
    assert {c: after[c] - before[c] for c in before} == dict.fromkeys(before, Decimal(1000))


def test_a_top_up_needs_a_known_currency_and_a_positive_amount(fake: FakeGifq) -> None:
    for body in (
        {"currency": "JPY", "amount": 5},
        {"currency": "EUR", "amount": -5},
        {"currency": "EUR"},
    ):
        assert fake.client.post("/sandbox/wallet", json=body).status_code == 400
