"""Splitting a 60 EUR payout in Chromium, with and without JavaScript: a denomination card,
then a ranged card, both on the cards page with exactly what the fake issued, zero left, and
a double submit at each confirm that still makes exactly two redemptions."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.fake import FakeGifq
from tests.support.journey import open_new_payout, search_to, verify

pytestmark = pytest.mark.e2e


@pytest.fixture(params=[True, False], ids=["with-js", "without-js"])
def view(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=request.param)
    yield context.new_page()
    context.close()


def h1(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("heading", level=1)


def confirm_twice(page: Page) -> None:
    """Submit the confirm form twice: once as a request whose answer never arrived (the same
    fields, the same browser), then by the button, as a double click or a retry would."""
    form = page.locator("form:has(button:text('Confirm and get my card'))")
    action = form.get_attribute("action")
    assert action
    fields = {
        el.get_attribute("name"): el.get_attribute("value")
        for el in form.locator("input[type=hidden]").all()
    }
    lost = page.request.post(page.url.split("/f/")[0] + action, form=fields, max_redirects=0)
    assert lost.status == 303
    page.get_by_role("button", name="Confirm and get my card").click()
    expect(h1(page)).to_have_text("Your gift card", timeout=20_000)


def issued(fake: FakeGifq, token: str) -> list[dict]:
    # No waiting out the resend cooldown: the browser's code was confirmed, which ends it.
    grant = fake.verify(token)
    return [r for r in fake.payout(token, grant)["redemptions"] if r["status"] == "completed"]


def test_a_60_eur_payout_splits_into_a_denomination_card_and_a_ranged_card(
    view: Page, fake: FakeGifq, live_app
) -> None:
    token = open_new_payout(view, fake, live_app.url, amount=60, currency="EUR", campaign="branded")
    verify(view, fake, token)
    expect(view.locator("main")).to_contain_text("€60.00")

    # A brand with denominations offers the ones that fit 60 as radio buttons; 100 is not one.
    search_to(view, "harbour")
    view.locator('a[href$="/brands/harbour-market"]').first.click()
    expect(h1(view)).to_have_text("Harbour Market")
    radios = view.get_by_role("radio")
    expect(radios).to_have_count(3)
    assert [
        view.locator(f'label[for="{r.get_attribute("id")}"]').inner_text() for r in radios.all()
    ] == [
        "€10.00",
        "€25.00",
        "€50.00",
    ]
    view.get_by_role("radio", name="€25.00").check()
    view.get_by_role("button", name="Choose Harbour Market").click()
    expect(view.locator("main")).to_contain_text("Harbour Market gift card worth €25.00")
    expect(view.locator("main")).to_contain_text("€35.00 will stay on your balance")
    confirm_twice(view)
    expect(view.locator("main")).to_contain_text("You have €35.00 left to spend.")

    # The next split: the brands page shows what is left; a ranged brand is prefilled with
    # the largest amount allowed, the smaller of its maximum (40) and the balance (35).
    view.get_by_role("link", name="Choose another brand").click()
    expect(view.locator("main")).to_contain_text("€35.00")
    search_to(view, "canal")
    view.locator('a[href$="/brands/canal-coffee"]').first.click()
    field = view.get_by_label("Amount")
    expect(field).to_have_value("35.00")
    expect(view.locator("#amount-hint")).to_have_text("From €5.00 to €35.00.")
    view.get_by_role("button", name="Choose Canal Coffee").click()
    expect(view.locator("main")).to_contain_text("Canal Coffee gift card worth €35.00")
    confirm_twice(view)
    expect(view.locator("main")).to_contain_text("You have used your whole gift.")
    expect(view.get_by_role("link", name="Choose another brand")).to_have_count(0)

    # Every card from this payout, newest first, each with exactly what the fake issued.
    view.get_by_role("link", name="See all 2 cards from this gift").click()
    expect(h1(view)).to_have_text("Your gift cards")
    cards = issued(fake, token)
    assert [(r["brand_slug"], Decimal(str(r["face_value"]))) for r in cards] == [
        ("harbour-market", Decimal(25)),
        ("canal-coffee", Decimal(35)),
    ]
    items = view.locator(".card-list__item")
    expect(items).to_have_count(2)
    for item, card in zip(items.all(), reversed(cards), strict=True):
        shown = {
            el.get_attribute("id").removeprefix(f"value-{card['id']}-"): el.inner_text().strip()
            for el in item.locator(f"[id^='value-{card['id']}-']").all()
        }
        assert shown == {k: v for k, v in card["details"].items() if v}
    expect(items.nth(0)).to_contain_text("Canal Coffee gift card worth €35.00")
    expect(items.nth(1)).to_contain_text("Harbour Market gift card worth €25.00")

    # GIFQ's own records: two redemptions, two charges, nothing left.
    record = fake.payouts_for(token)
    assert len(record["redemptions"]) == 2
    assert [m["kind"] for m in record["balance_movements"]] == ["charge", "charge"]
    assert (record["status"], Decimal(str(record["balance"]))) == ("completed", Decimal(0))
