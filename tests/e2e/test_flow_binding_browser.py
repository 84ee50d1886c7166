"""Issue 12, item 1 in a real browser: a verified flow's pages, opened in another browser
profile (another cookie jar), ask for a new code; the recipient's own browser keeps working.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page, expect

from tests.support.fake import FakeGifq
from tests.support.journey import full_journey


def test_a_card_url_opened_in_another_browser_asks_for_a_new_code(
    page: Page, browser: Browser, fake: FakeGifq, live_app: Any
) -> None:
    token, _ = fake.create_payout()
    page.goto(f"{live_app.url}/r/{token}")
    shown = full_journey(page, fake, token, "northwind-books")
    assert shown
    card_url = page.url
    assert "/f/" in card_url and card_url.endswith("/card")
    assert [c["name"][:14] for c in page.context.cookies()] == ["__Host-redeem-"]

    stranger = browser.new_context()
    try:
        other = stranger.new_page()
        answer = other.goto(card_url)
        assert answer is not None and answer.status == 403
        expect(other.get_by_role("heading", level=1)).to_have_text("Ask for a new code")
        assert not any(v in other.content() for v in shown.values())
        brands = other.goto(card_url.removesuffix("/card") + "/brands")
        assert brands is not None and brands.status == 403
    finally:
        stranger.close()

    again = page.goto(card_url)
    assert again is not None and again.status == 200
