"""The recipient's journey in WebKit (Safari's engine), through the same steps as Chromium's."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.fake import FIELD_SETS, FakeGifq
from tests.support.journey import (
    card_values,
    choose_brand,
    enter_code,
    full_journey,
    search_to,
    verify,
)
from tests.support.view import SeleniumView

pytestmark = pytest.mark.webkit


def issued_details(fake: FakeGifq, token: str) -> dict[str, str]:
    """What the fake actually issued, read the way a recipient would: after a fresh code."""
    fake.advance(31)  # past the resend cooldown the browser's send started
    grant = fake.verify(token)
    done = [r for r in fake.payout(token, grant)["redemptions"] if r["status"] == "completed"]
    return {k: v for k, v in done[-1]["details"].items() if v}


@pytest.mark.parametrize("slug", ["gatehouse-games", "prepaid-plus", "serial-travel", "omni-store"])
def test_a_recipient_gets_every_field_their_brand_issues(
    wk: SeleniumView, fake: FakeGifq, live_app, slug: str
) -> None:
    token, _ = fake.create_payout(amount=50, currency="EUR")
    wk.open(f"{live_app.url}/r/{token}")
    shown = full_journey(wk, fake, token, slug)
    issued = issued_details(fake, token)
    assert set(issued) == FIELD_SETS[slug]
    assert shown == issued
    if "link" in issued:
        anchor = f'a[href="{issued["link"]}"]'
        assert wk.evaluate(f"document.querySelector('{anchor}').target") == "_blank"
        assert wk.evaluate(f"document.querySelector('{anchor}').rel") == "noopener noreferrer"


def test_a_failed_brand_returns_to_the_brands_and_another_one_works(
    wk: SeleniumView, fake: FakeGifq, live_app
) -> None:
    token, _ = fake.create_payout(amount=50, currency="EUR")
    wk.open(f"{live_app.url}/r/{token}")
    verify(wk, fake, token)
    search_to(wk, "failing")
    choose_brand(wk, "failing-florist")
    wk.expect_text("[role=alert]", "could not be issued", timeout=15)
    wk.expect_heading("Choose your gift card")
    assert "€50.00" in wk.text("main")

    search_to(wk, "northwind")
    choose_brand(wk, "northwind-books")
    wk.expect_heading("Your gift card", timeout=15)
    assert set(card_values(wk)) == FIELD_SETS["northwind-books"]
    statuses = sorted(r["status"] for r in fake.payouts_for(token)["redemptions"])
    assert statuses == ["completed", "failed"]


def test_a_completed_link_says_so_and_shows_the_card_again_after_a_fresh_code(
    wk: SeleniumView, fake: FakeGifq, live_app
) -> None:
    token, _ = fake.create_payout()
    wk.open(f"{live_app.url}/r/{token}")
    first = full_journey(wk, fake, token, "prepaid-plus")
    fake.advance(31)  # past the resend cooldown

    wk.open(f"{live_app.url}/r/{token}")
    wk.expect_text("main", "You have already chosen your gift card")
    wk.click("button", "Email me a code to see my card")
    wk.expect_visible("6-digit code")
    enter_code(wk, fake.latest_code(fake.email_of(token)))
    wk.expect_heading("Your gift card")
    assert card_values(wk) == first
    done = [r for r in fake.payouts_for(token)["redemptions"] if r["status"] != "failed"]
    assert len(done) == 1


def test_back_after_leaving_the_card_brings_a_fresh_page_not_the_cached_one(
    wk: SeleniumView, fake: FakeGifq, live_app
) -> None:
    token, _ = fake.create_payout()
    wk.open(f"{live_app.url}/r/{token}")
    values = full_journey(wk, fake, token, "northwind-books")
    card_url = wk.url
    wk.evaluate("(window.oldDocument = true)")  # survives only if Back restores this document
    wk.open(f"{live_app.url}/")
    wk.driver.back()
    wk.expect_heading("Your gift card")
    assert wk.url == card_url
    # WebKit keeps even no-store pages in its back/forward cache: the pageshow handler reloads.
    wk.expect_text("main", values["code"])
    assert wk.evaluate("window.oldDocument === undefined")
    assert card_values(wk) == values


def test_the_whole_journey_works_without_javascript(
    open_webkit: Callable[..., SeleniumView], fake: FakeGifq, live_app
) -> None:
    # Plain form posts and the processing page's <meta http-equiv=refresh>, in WebKit.
    wk = open_webkit(javascript=False)
    token, _ = fake.create_payout()
    wk.open(f"{live_app.url}/r/{token}")
    verify(wk, fake, token)
    search_to(wk, "slow")
    choose_brand(wk, "slow-cinema")
    wk.expect_heading("Your gift card", timeout=30)
    assert wk.count("button[data-copy]") == 0  # no script ran: they stay hidden
    assert card_values(wk) == issued_details(fake, token)
