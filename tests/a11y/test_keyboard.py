"""A recipient who uses only a keyboard: Tab, Shift+Tab, Enter and Space, nothing else.

No clicks and no `fill`: the only typing is the emailed code, with keyboard.type, into a
field reached by Tab. Every element Tab lands on must show a visible focus ring.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.driver import Browser, Journey
from tests.support.fake import FakeGifq

pytestmark = pytest.mark.e2e

MAX_TABS = 80
CARD_CODE = re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$")  # the fake's code format

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  return {tag: e.tagName, id: e.id, cls: e.className, href: e.getAttribute('href') || '',
          text: (e.innerText || e.value || '').trim().slice(0, 60),
          outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),
          focusVisible: e.matches(':focus-visible')};
}"""


def focused(page: Page) -> dict[str, Any] | None:
    result: dict[str, Any] | None = page.evaluate(FOCUSED)
    return result


def assert_focus_visible(page: Page) -> dict[str, Any]:
    now = focused(page)
    assert now is not None, "focus fell back to the page"
    assert now["focusVisible"], now
    assert now["outlineStyle"] != "none" and now["outlineWidth"] >= 2, (
        f"no visible focus ring: {now}"
    )
    return now


def tab_to(page: Page, selector: str, key: str = "Tab") -> dict[str, Any]:
    """Press Tab (or Shift+Tab) until `selector` has focus, checking every stop on the way."""
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        now = assert_focus_visible(page)
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return now
    raise AssertionError(f"{selector} never got focus after {MAX_TABS} presses of {key}")


def test_a_keyboard_user_gets_from_the_link_to_the_card(
    page: Page, fake: FakeGifq, live_app
) -> None:
    token, _ = fake.create_payout(amount=50, currency="EUR", campaign="branded")
    page.goto(f"{live_app.url}/r/{token}")

    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Enter your code")

    tab_to(page, "#code")
    page.keyboard.type(fake.code_for(token))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Choose your gift card")

    tab_to(page, 'a[href$="/brands/northwind-books"]')
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Northwind Books")

    tab_to(page, 'form[action$="/brands/northwind-books/confirm"] button[type=submit]')
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Confirm your choice")

    # Past the button to "choose a different brand", then back: Shift+Tab works too.
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Tab")
    assert "/brands" in assert_focus_visible(page)["href"]
    page.keyboard.press("Shift+Tab")
    assert assert_focus_visible(page)["tag"] == "BUTTON"
    page.keyboard.press("Space")

    expect(page.locator("h1")).to_have_text("Your gift card", timeout=20_000)
    expect(page.locator("#value-code")).to_have_text(CARD_CODE)
    # Every stop on the card page, all the way round to the address bar, shows its focus.
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        now = focused(page)
        if now is None:
            break
        assert_focus_visible(page)
        seen.append(now["text"])
    assert "Copy Code" in " | ".join(seen).replace("\n", " ")


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_main_content(
    page: Page, fake: FakeGifq, live_app
) -> None:
    token, _ = fake.create_payout(campaign="branded")
    page.goto(f"{live_app.url}/r/{token}")
    page.keyboard.press("Tab")
    skip = assert_focus_visible(page)
    assert skip["cls"] == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 0, "the skip link is off screen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab goes into the content, past the masthead.
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main')")


def test_focus_moves_to_the_error_summary_when_the_code_comes_back_wrong(
    page: Page, fake: FakeGifq, live_app
) -> None:
    token, _ = fake.create_payout(campaign="branded")
    with httpx.Client(base_url=live_app.url) as http:
        journey = Journey(Browser.http(http), token)
        journey.ask_for_code()
    page.goto(live_app.url + journey.urls["code"])
    tab_to(page, "#code")
    page.keyboard.type("12345")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Enter your code")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("6 digits")
    # The summary's link leads to the field with the problem.
    tab_to(page, '.error-summary a[href="#code"]')
    page.keyboard.press("Enter")
    expect(page.locator("#code")).to_be_focused()
    expect(page.locator("#code")).to_have_attribute("aria-invalid", "true")


def test_reduced_motion_stops_the_spinner(page: Page, fake: FakeGifq, live_app) -> None:
    token, _ = fake.create_payout(campaign="branded")
    with httpx.Client(base_url=live_app.url, timeout=20) as http:
        journey = Journey(Browser.http(http), token, code_of=fake.code_for)
        journey.verify()
        journey.choose("slow-cinema")  # stays processing for about 4 s
    page.route("**/f/*/status", lambda route: route.abort())  # keep the page in place
    page.goto(live_app.url + journey.urls["processing"])
    spinner = page.locator(".spinner")
    animation = "e => getComputedStyle(e).animationName"

    page.emulate_media(reduced_motion="no-preference")
    assert spinner.evaluate(animation) == "spin"
    assert spinner.evaluate("e => e.getAnimations().length") == 1

    page.emulate_media(reduced_motion="reduce")
    assert spinner.evaluate(animation) == "none"
    # The running animation is cancelled on the next style update, not synchronously.
    page.wait_for_function("() => document.querySelector('.spinner').getAnimations().length === 0")
