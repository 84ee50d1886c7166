"""A recipient's steps in a real browser, named as they read: open → ask for code → enter it →
choose brand → confirm → see the card.

One driver for every browser: each step takes a `View` (tests/support/view.py), or a
Playwright Page or FrameLocator, which it wraps. Chromium tests pass their Playwright page;
WebKit tests pass a `SeleniumView`, inside the merchant's iframe when embedded."""

from __future__ import annotations

import re
from typing import Any

from tests.support.fake import FakeGifq
from tests.support.view import View, as_view

# Button and heading names in English; tests in other languages pass their own.
EN = {
    "email_code": re.compile(r"Email me a code"),
    "code_label": "6-digit code",
    "continue": "Continue",
    "confirm": "Confirm and get my card",
    "card_heading": "Your gift card",
}


def ask_for_code(view: Any, words: dict[str, Any] = EN) -> None:
    v = as_view(view)
    v.click("button", words["email_code"])
    v.expect_visible(words["code_label"])


def enter_code(view: Any, code: str, words: dict[str, Any] = EN) -> None:
    v = as_view(view)
    v.fill(words["code_label"], code)
    v.click("button", words["continue"])


def verify(view: Any, fake: FakeGifq, token: str, words: dict[str, Any] = EN) -> None:
    ask_for_code(view, words)
    enter_code(view, fake.latest_code(fake.email_of(token)), words)


def choose_brand(view: Any, slug: str, words: dict[str, Any] = EN) -> None:
    """Open the brand by its link (the slug is in the URL), take the amount it offers first
    (the largest that fits), then go on to the confirmation."""
    v = as_view(view)
    v.click_css(f'a[href$="/brands/{slug}"]')
    v.click_css(f'form[action$="/brands/{slug}/confirm"] button[type=submit]')
    v.click("button", words["confirm"])


def search_to(view: Any, name: str) -> None:
    """Narrow the brand list to one name (works with and without JavaScript)."""
    as_view(view).fill_css("#q", name, enter=True)


def card_values(view: Any) -> dict[str, str]:
    """The card's fields as shown: {field name: exact value}."""
    shown = as_view(view).texts_by_id("[id^=value-]")
    return {key.removeprefix("value-"): value for key, value in shown.items()}


def full_journey(
    view: Any, fake: FakeGifq, token: str, slug: str, words: dict[str, Any] = EN
) -> dict[str, str]:
    v: View = as_view(view)
    verify(v, fake, token, words)
    search_to(v, slug.split("-")[0])
    choose_brand(v, slug, words)
    v.expect_heading(words["card_heading"], timeout=20)
    return card_values(v)
