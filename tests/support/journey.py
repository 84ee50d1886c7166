"""A recipient's steps in a real browser, named as they read: open → ask for code → enter it →
choose brand → confirm → see the card. Works on a Page or on a FrameLocator (embedded)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.support.fake import FakeGifq

# Button and heading names in English; tests in other languages pass their own.
EN = {
    "email_code": re.compile(r"Email me a code"),
    "code_label": "6-digit code",
    "continue": "Continue",
    "confirm": "Confirm and get my card",
    "card_heading": "Your gift card",
}


def ask_for_code(view: Any, words: dict[str, Any] = EN) -> None:
    view.get_by_role("button", name=words["email_code"]).click()
    expect(view.get_by_label(words["code_label"])).to_be_visible()


def enter_code(view: Any, code: str, words: dict[str, Any] = EN) -> None:
    view.get_by_label(words["code_label"]).fill(code)
    view.get_by_role("button", name=words["continue"]).click()


def verify(view: Any, fake: FakeGifq, token: str, words: dict[str, Any] = EN) -> None:
    ask_for_code(view, words)
    enter_code(view, fake.latest_code(fake.email_of(token)), words)


def choose_brand(view: Any, slug: str, words: dict[str, Any] = EN) -> None:
    """Open the brand by its link (the slug is in the URL), take the amount it offers first
    (the largest that fits), then go on to the confirmation."""
    view.locator(f'a[href$="/brands/{slug}"]').first.click()
    view.locator(f'form[action$="/brands/{slug}/confirm"] button[type=submit]').click()
    view.get_by_role("button", name=words["confirm"]).click()


def search_to(view: Any, name: str) -> None:
    """Narrow the brand list to one name (works with and without JavaScript)."""
    box = view.locator("#q")
    box.fill(name)
    box.press("Enter")


def card_values(view: Any) -> dict[str, str]:
    """The card's fields as shown: {field name: exact value}."""
    values = {}
    for item in view.locator("[id^=value-]").all():
        values[item.get_attribute("id").removeprefix("value-")] = item.inner_text().strip()
    return values


def full_journey(
    view: Any, fake: FakeGifq, token: str, slug: str, words: dict[str, Any] = EN
) -> dict[str, str]:
    verify(view, fake, token, words)
    search_to(view, slug.split("-")[0])
    choose_brand(view, slug, words)
    expect(view.get_by_role("heading", level=1)).to_have_text(words["card_heading"], timeout=20_000)
    return card_values(view)
