"""The journey in Arabic and Japanese in Chromium, right to left where it should be, and the
language switcher keeping the recipient on their step, with no cookies and no script."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.i18n.conftest import ROOT, TRANSLATIONS, read_catalog
from tests.support.fake import FakeGifq
from tests.support.journey import card_values, enter_code, search_to

pytestmark = pytest.mark.e2e
ARTIFACTS = ROOT / "test-artifacts" / "i18n"
PHONE = {"width": 390, "height": 844}


def words(locale: str) -> dict[str, Any]:
    """The journey helpers' button and heading names, read from the language's catalog."""
    catalog = read_catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)

    def say(msgid: str) -> str:
        return str(catalog.get(msgid).string)

    return {
        "email_code": re.compile(re.escape(say("Email me a code"))),
        "code_label": say("6-digit code"),
        "continue": say("Continue"),
        "confirm": say("Confirm and get my card"),
        "card_heading": say("Your gift card"),
        "choose_heading": say("Choose your gift card"),
        "code_heading": say("Enter your code"),
    }


def shot(page: Page, locale: str, step: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{locale}-{step}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def journey_in(
    page: Page, fake: FakeGifq, live_app: Any, locale: str, *, via: str
) -> dict[str, str]:
    """Open → ask for a code → enter it → find and choose a brand → confirm → the card,
    screenshotting each step; the language comes from the sender (`via="payout"`) or the link."""
    said = words(locale)
    token, _ = fake.create_payout(
        amount=50, currency="EUR", locale=locale if via == "payout" else None
    )
    page.set_viewport_size(PHONE)
    page.goto(f"{live_app.url}/r/{token}" + (f"?lang={locale}" if via == "link" else ""))
    expect(page.locator("html")).to_have_attribute("lang", locale.replace("_", "-"))
    shot(page, locale, "1-landing")
    page.get_by_role("button", name=said["email_code"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(said["code_heading"])
    shot(page, locale, "2-code")
    enter_code(page, fake.latest_code(fake.email_of(token)), said)
    expect(page.get_by_role("heading", level=1)).to_have_text(said["choose_heading"])
    shot(page, locale, "3-brands")
    search_to(page, "omni")
    page.locator('a[href$="/brands/omni-store"]').first.click()
    shot(page, locale, "4-brand")
    page.locator('form[action$="/brands/omni-store/confirm"] button[type=submit]').click()
    shot(page, locale, "5-confirm")
    page.get_by_role("button", name=said["confirm"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(said["card_heading"], timeout=20_000)
    shot(page, locale, "6-card")
    return card_values(page)


def test_the_whole_journey_reads_right_to_left_in_arabic(
    page: Page, fake: FakeGifq, live_app
) -> None:
    values = journey_in(page, fake, live_app, "ar", via="payout")
    assert set(values) == {"code", "pin", "serial", "security_code", "link"}
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.locator("html").get_attribute("dir") == "rtl"
    for name in values:
        value = page.locator(f"#value-{name}")
        assert value.evaluate("el => el.tagName") == "BDI"
        assert value.get_attribute("dir") == "ltr"
        assert value.evaluate("el => getComputedStyle(el).unicodeBidi") == "isolate"
        assert value.evaluate("el => getComputedStyle(el).direction") == "ltr"
    # The layout mirrors: a label's text starts at the right edge of its box.
    left_gap, right_gap = page.locator(".card-field dt").first.evaluate(
        """el => { const r = document.createRange(); r.selectNodeContents(el);
                   const t = r.getBoundingClientRect(), b = el.getBoundingClientRect();
                   return [t.left - b.left, b.right - t.right]; }"""
    )
    assert right_gap < 1 < left_gap
    assert sorted(p.name for p in ARTIFACTS.glob("ar-*.png")) == [
        "ar-1-landing.png",
        "ar-2-code.png",
        "ar-3-brands.png",
        "ar-4-brand.png",
        "ar-5-confirm.png",
        "ar-6-card.png",
    ]


def test_the_back_arrow_points_the_way_back_in_arabic(page: Page, fake: FakeGifq, live_app) -> None:
    token, _ = fake.create_payout(locale="ar")
    page.goto(f"{live_app.url}/r/{token}")
    page.get_by_role("button", name=words("ar")["email_code"]).click()
    enter_code(page, fake.latest_code(fake.email_of(token)), words("ar"))
    page.locator('a[href$="/brands/northwind-books"]').first.click()
    arrow = page.evaluate(
        "getComputedStyle(document.querySelector('.back-link'), '::before').transform"
    )
    assert arrow.startswith("matrix(-1")  # mirrored: in Arabic "back" points right


def test_the_whole_journey_works_in_japanese(page: Page, fake: FakeGifq, live_app) -> None:
    values = journey_in(page, fake, live_app, "ja", via="link")
    assert set(values) == {"code", "pin", "serial", "security_code", "link"}
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
    assert "円" not in page.locator(".lead").inner_text()  # euros stay euros
    assert "€50.00" in page.locator(".lead").inner_text()


# --- the language switcher ----------------------------------------------------------------


def switch_to(page: Page, name: str) -> None:
    page.locator("nav.languages").get_by_role("link", name=name, exact=True).click()


def test_switching_language_on_the_code_page_stays_on_the_code_page(
    page: Page, fake: FakeGifq, live_app
) -> None:
    token, _ = fake.create_payout()
    page.goto(f"{live_app.url}/r/{token}")
    page.get_by_role("button", name="Email me a code").click()
    code_url = page.url
    switch_to(page, "日本語")
    assert page.url.split("?")[0] == code_url.split("?")[0]
    expect(page.get_by_role("heading", level=1)).to_have_text(words("ja")["code_heading"])
    # …and the choice holds for the steps after it.
    enter_code(page, fake.latest_code(fake.email_of(token)), words("ja"))
    expect(page.get_by_role("heading", level=1)).to_have_text(words("ja")["choose_heading"])


def test_switching_language_on_the_brands_page_keeps_the_search(
    page: Page, fake: FakeGifq, live_app
) -> None:
    token, _ = fake.create_payout()
    page.goto(f"{live_app.url}/r/{token}")
    page.get_by_role("button", name="Email me a code").click()
    enter_code(page, fake.latest_code(fake.email_of(token)), words("en"))
    search_to(page, "north")
    expect(page.locator(".brand-tile")).to_have_count(1)
    switch_to(page, "Deutsch")
    expect(page.get_by_role("heading", level=1)).to_have_text(words("de")["choose_heading"])
    assert "/brands" in page.url and "q=north" in page.url
    expect(page.locator(".brand-tile")).to_have_count(1)
    expect(page.locator("#q")).to_have_value("north")


def test_the_switcher_works_without_cookies_or_javascript(
    browser: Browser, fake: FakeGifq, live_app
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        token, _ = fake.create_payout()
        page.goto(f"{live_app.url}/r/{token}")
        switch_to(page, "Français")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Vous avez reçu un cadeau, Alice\u202f!"
        )
        page.get_by_role("button", name=words("fr")["email_code"]).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(words("fr")["code_heading"])
        switch_to(page, "العربية")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.get_by_role("heading", level=1)).to_have_text(words("ar")["code_heading"])
        assert "/code" in page.url
        # No cookie carries the language; the one cookie is the flow's optional binding
        # (redeem/security/binding.py), set by the code step.
        assert [
            c["name"] for c in context.cookies() if not c["name"].startswith("__Host-redeem-")
        ] == []
    finally:
        context.close()
