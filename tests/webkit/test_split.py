"""Splitting a 60 EUR payout in WebKit, through the same steps as Chromium's
(tests/e2e/test_split.py): a denomination card, then a ranged card, then the cards page with
exactly what the fake issued."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support.fake import FakeGifq
from tests.support.journey import open_new_payout, search_to, verify
from tests.support.view import SeleniumView

pytestmark = pytest.mark.webkit

LABELLED = (
    "[...document.querySelectorAll('input')].filter(i => i.labels && i.labels.length)"
    ".map(i => [i.type, i.id, i.labels[0].textContent.trim(), i.value])"
)


def fields(wk: SeleniumView) -> list[list[str]]:
    """[type, id, label, value] of every labelled input on the page."""
    return list(wk.evaluate(LABELLED))


def confirm(wk: SeleniumView) -> None:
    wk.click("button", "Confirm and get my card")
    wk.expect_heading("Your gift card", timeout=20)


def test_a_60_eur_payout_splits_into_a_denomination_card_and_a_ranged_card(
    wk: SeleniumView, fake: FakeGifq, live_app
) -> None:
    token = open_new_payout(wk, fake, live_app.url, amount=60, currency="EUR", campaign="branded")
    verify(wk, fake, token)
    wk.expect_heading("Choose your gift card")
    assert "€60.00" in wk.text("main")

    # The denominations that fit 60, as radio buttons; the recipient picks 25.
    search_to(wk, "harbour")
    wk.click_css('a[href$="/brands/harbour-market"]')
    wk.expect_heading("Harbour Market")
    radios = [f for f in fields(wk) if f[0] == "radio"]
    assert [f[2] for f in radios] == ["€10.00", "€25.00", "€50.00"]
    wk.click_css(f'label[for="{radios[1][1]}"]')
    assert wk.evaluate(f"document.getElementById('{radios[1][1]}').checked") is True
    wk.click("button", "Choose Harbour Market")
    wk.expect_text("main", "Harbour Market gift card worth €25.00")
    wk.expect_text("main", "€35.00 will stay on your balance")
    confirm(wk)
    wk.expect_text("main", "You have €35.00 left to spend.")

    # The next split: a ranged brand, prefilled with the most that fits (35 of its 40).
    wk.click("link", "Choose another brand")
    wk.expect_heading("Choose your gift card")
    assert "€35.00" in wk.text("main")
    search_to(wk, "canal")
    wk.click_css('a[href$="/brands/canal-coffee"]')
    wk.expect_heading("Canal Coffee")
    assert [f[3] for f in fields(wk) if f[2] == "Amount"] == ["35.00"]
    wk.click("button", "Choose Canal Coffee")
    wk.expect_text("main", "Canal Coffee gift card worth €35.00")
    confirm(wk)
    wk.expect_text("main", "You have used your whole gift.")
    assert "Choose another brand" not in wk.text("main")

    # Every card from this payout, each with exactly what the fake issued.
    wk.click("link", "See all 2 cards from this gift")
    wk.expect_heading("Your gift cards")
    grant = fake.verify(token)
    cards = [r for r in fake.payout(token, grant)["redemptions"] if r["status"] == "completed"]
    assert [(r["brand_slug"], Decimal(str(r["face_value"]))) for r in cards] == [
        ("harbour-market", Decimal(25)),
        ("canal-coffee", Decimal(35)),
    ]
    for card in cards:
        prefix = f"value-{card['id']}-"
        shown = {k.removeprefix(prefix): v for k, v in wk.texts_by_id(f"[id^='{prefix}']").items()}
        assert shown == {k: v for k, v in card["details"].items() if v}
    record = fake.payouts_for(token)
    assert (record["status"], Decimal(str(record["balance"]))) == ("completed", Decimal(0))
