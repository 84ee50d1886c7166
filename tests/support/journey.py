"""A recipient's steps in a real browser, named as they read: open → ask for code → enter it →
choose brand → confirm → see the card.

One driver for every browser: each step takes a `View` (tests/support/view.py), or a
Playwright Page or FrameLocator, which it wraps. Chromium tests pass their Playwright page;
WebKit tests pass a `SeleniumView`, inside the merchant's iframe when embedded."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.support.fake import FIELD_SETS, FakeGifq
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


def open_new_payout(
    view: Any,
    fake: FakeGifq,
    app_url: str,
    *,
    framed_by: Callable[[str], str] | None = None,
    **payout: Any,
) -> str:
    """A fresh payout from the fake, its link opened (inside ``framed_by``'s host page when
    given: it takes the link and returns the page that frames it); returns its token."""
    token, _ = fake.create_payout(**payout)
    link = f"{app_url}/r/{token}"
    as_view(view).open(framed_by(link) if framed_by else link)
    return token


def issued_details(fake: FakeGifq, token: str) -> dict[str, str]:
    """What the fake actually issued, read the way a recipient would: after a fresh code."""
    fake.advance(31)  # past the resend cooldown the browser's send started
    grant = fake.verify(token)
    done = [r for r in fake.payout(token, grant)["redemptions"] if r["status"] == "completed"]
    return {k: v for k, v in done[-1]["details"].items() if v}


# --- whole scenarios, the same in every browser ---------------------------------------------


def every_field_of(view: Any, fake: FakeGifq, app_url: str, slug: str) -> dict[str, str]:
    """The whole journey for one brand: the card shows exactly what the fake issued, and that
    is every field the brand issues. Returns the issued fields."""
    token = open_new_payout(view, fake, app_url, amount=50, currency="EUR")
    shown = full_journey(view, fake, token, slug)
    issued = issued_details(fake, token)
    assert set(issued) == FIELD_SETS[slug]
    assert shown == issued
    return issued


def a_fresh_code_shows_the_same_card_again(view: Any, fake: FakeGifq, app_url: str) -> None:
    """A used link says so; a fresh code shows the card it issued, and nothing is issued twice."""
    v = as_view(view)
    token = open_new_payout(v, fake, app_url)
    first = full_journey(v, fake, token, "prepaid-plus")
    fake.advance(31)  # past the resend cooldown

    v.open(f"{app_url}/r/{token}")
    v.expect_text("main", "You have already chosen your gift card")
    v.click("button", "Email me a code to see my card")
    v.expect_visible(EN["code_label"])
    enter_code(v, fake.latest_code(fake.email_of(token)))
    v.expect_heading(EN["card_heading"])
    assert card_values(v) == first
    done = [r for r in fake.payouts_for(token)["redemptions"] if r["status"] != "failed"]
    assert len(done) == 1


def a_failed_brand_returns_to_the_brands_and_another_works(
    view: Any, fake: FakeGifq, app_url: str
) -> None:
    """A brand that fails to issue leads back to the brands, the balance intact; the next
    brand issues the card, and GIFQ holds one failed and one completed redemption."""
    v = as_view(view)
    token = open_new_payout(v, fake, app_url, amount=50, currency="EUR")
    verify(v, fake, token)
    search_to(v, "failing")
    choose_brand(v, "failing-florist")
    v.expect_text("[role=alert]", "could not be issued", timeout=15)
    v.expect_heading("Choose your gift card")
    v.expect_text("main", "€50.00")

    search_to(v, "northwind")
    choose_brand(v, "northwind-books")
    v.expect_heading(EN["card_heading"], timeout=15)
    assert set(card_values(v)) == FIELD_SETS["northwind-books"]
    statuses = sorted(r["status"] for r in fake.payouts_for(token)["redemptions"])
    assert statuses == ["completed", "failed"]


def journey_in_frame(
    view: Any, frame: Any, fake: FakeGifq, app_url: str, framed_by: Callable[[str], str]
) -> tuple[str, dict[str, str]]:
    """The whole journey inside a merchant's page (``framed_by``), driven through ``frame``
    (the iframe seen from ``view``); returns the token and the card's fields as shown."""
    payout = {"amount": 50, "currency": "EUR", "campaign": "branded"}
    token = open_new_payout(view, fake, app_url, framed_by=framed_by, **payout)
    return token, full_journey(frame, fake, token, "omni-store")
