"""The recipient's journey in Chromium against the real app and the real fake GIFQ server."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.fake import FIELD_SETS, FakeGifq
from tests.support.journey import every_field_of, full_journey, verify

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("slug", FIELD_SETS)
def test_a_recipient_gets_every_field_their_brand_issues(
    page: Page, fake: FakeGifq, live_app, slug: str
) -> None:
    issued = every_field_of(page, fake, live_app.url, slug)
    link = issued.get("link")
    if link:
        anchor = page.locator(f'a[href="{link}"]')
        expect(anchor).to_have_attribute("target", "_blank")
        expect(anchor).to_have_attribute("rel", "noopener noreferrer")


def test_each_copy_button_copies_its_exact_value(page: Page, fake: FakeGifq, live_app) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_app.url)
    token, _ = fake.create_payout(amount=50, currency="EUR")
    page.goto(f"{live_app.url}/r/{token}")
    shown = full_journey(page, fake, token, "omni-store")
    assert set(shown) == FIELD_SETS["omni-store"]
    for name, value in shown.items():
        button = page.locator(f'button[data-copy="value-{name}"]')
        button.click()
        expect(button).to_contain_text("Copied")
        assert page.evaluate("() => navigator.clipboard.readText()") == value


def test_with_javascript_the_brand_list_filters_as_you_type(
    page: Page, fake: FakeGifq, live_app
) -> None:
    token, _ = fake.create_payout()
    page.goto(f"{live_app.url}/r/{token}")
    verify(page, fake, token)
    before = page.url
    page.locator("#q").press_sequentially("north")  # no Enter, no submit
    expect(page.locator(".brand-tile__name")).to_have_text(["Northwind Books"])
    expect(page.locator(".results-count")).to_have_text("1 brand")
    assert "q=north" in page.url and page.url.split("?")[0] == before.split("?")[0]
    page.select_option("#category", "entertainment")
    expect(page.locator(".results-count")).to_have_text("0 brands")


def test_the_card_prints_without_page_chrome(page: Page, fake: FakeGifq, live_app) -> None:
    token, _ = fake.create_payout()
    page.goto(f"{live_app.url}/r/{token}")
    full_journey(page, fake, token, "prepaid-plus")
    page.emulate_media(media="print")
    expect(page.locator(".card-fields")).to_be_visible()
    for chrome in (".masthead", ".footer", "button[data-copy]", "button[data-print]"):
        expect(page.locator(chrome).first).to_be_hidden()
