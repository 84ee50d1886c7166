"""The recipient's journey in WebKit (Safari's engine), through the same steps as Chromium's."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.fake import FakeGifq
from tests.support.journey import (
    a_failed_brand_returns_to_the_brands_and_another_works,
    a_fresh_code_shows_the_same_card_again,
    card_values,
    choose_brand,
    every_field_of,
    full_journey,
    issued_details,
    open_new_payout,
    search_to,
    verify,
)
from tests.support.view import SeleniumView

pytestmark = pytest.mark.webkit


@pytest.mark.parametrize("slug", ["gatehouse-games", "prepaid-plus", "serial-travel", "omni-store"])
def test_a_recipient_gets_every_field_their_brand_issues(
    wk: SeleniumView, fake: FakeGifq, live_app, slug: str
) -> None:
    issued = every_field_of(wk, fake, live_app.url, slug)
    if "link" in issued:
        anchor = f'a[href="{issued["link"]}"]'
        assert wk.evaluate(f"document.querySelector('{anchor}').target") == "_blank"
        assert wk.evaluate(f"document.querySelector('{anchor}').rel") == "noopener noreferrer"


def test_a_failed_brand_returns_to_the_brands_and_another_one_works(
    wk: SeleniumView, fake: FakeGifq, live_app
) -> None:
    a_failed_brand_returns_to_the_brands_and_another_works(wk, fake, live_app.url)


def test_a_completed_link_says_so_and_shows_the_card_again_after_a_fresh_code(
    wk: SeleniumView, fake: FakeGifq, live_app
) -> None:
    a_fresh_code_shows_the_same_card_again(wk, fake, live_app.url)


def test_back_after_leaving_the_card_brings_a_fresh_page_not_the_cached_one(
    wk: SeleniumView, fake: FakeGifq, live_app
) -> None:
    token = open_new_payout(wk, fake, live_app.url)
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
    token = open_new_payout(wk, fake, live_app.url)
    verify(wk, fake, token)
    search_to(wk, "slow")
    choose_brand(wk, "slow-cinema")
    wk.expect_heading("Your gift card", timeout=30)
    assert wk.count("button[data-copy]") == 0  # no script ran: they stay hidden
    assert card_values(wk) == issued_details(fake, token)
