"""Everything around the happy path, in Chromium: revisits, failures, expiry, codes, refreshes."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.fake import FakeGifq
from tests.support.journey import (
    a_failed_brand_returns_to_the_brands_and_another_works,
    a_fresh_code_shows_the_same_card_again,
    ask_for_code,
    card_values,
    choose_brand,
    enter_code,
    full_journey,
    search_to,
    verify,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def no_js(browser: Browser) -> Iterator[Page]:
    """A page with JavaScript off: forms, meta refresh and server-rendered state only."""
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def h1(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("heading", level=1)


def at_the_code_page(page: Page, fake: FakeGifq, live_app) -> str:  # type: ignore[no-untyped-def]
    """A fresh payout, its code asked for; returns the code that was emailed."""
    token, _ = fake.create_payout()
    page.goto(f"{live_app.url}/r/{token}")
    ask_for_code(page)
    return fake.latest_code(fake.email_of(token))


def completed_redemptions(fake: FakeGifq, token: str) -> list[dict]:
    return [r for r in fake.payouts_for(token)["redemptions"] if r["status"] != "failed"]


def test_a_completed_link_says_so_and_shows_the_card_again_after_a_fresh_code(
    page: Page, fake: FakeGifq, live_app
) -> None:
    a_fresh_code_shows_the_same_card_again(page, fake, live_app.url)


def test_a_failed_brand_returns_to_the_brands_with_the_balance_intact(
    page: Page, fake: FakeGifq, live_app
) -> None:
    a_failed_brand_returns_to_the_brands_and_another_works(page, fake, live_app.url)


def cancel(fake: FakeGifq, token: str) -> None:
    assert fake.merchant("POST", f"/api/payouts/{token}/cancel").status_code == 200


def expire(fake: FakeGifq, token: str) -> None:
    fake.advance(2 * 24 * 3600)


@pytest.mark.parametrize(
    ("end", "heading"),
    [(cancel, "This gift is no longer available"), (expire, "This link has expired")],
)
def test_dead_links_get_a_branded_410_with_the_support_contact(
    page: Page, fake: FakeGifq, live_app, end, heading: str
) -> None:
    token, _ = fake.create_payout(campaign="branded", expires_in_days=1)
    end(fake, token)
    response = page.goto(f"{live_app.url}/r/{token}")
    assert response is not None and response.status == 410
    expect(h1(page)).to_have_text(heading)
    expect(page.locator("a[href='mailto:help@acme.example']")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Acme Rewards")
    expect(page.get_by_role("button")).to_have_count(0)


@pytest.mark.parametrize("token", ["A" * 43, "not-a-token", "A" * 44])
def test_unknown_and_malformed_tokens_get_the_same_404_page(
    page: Page, live_app, token: str
) -> None:
    response = page.goto(f"{live_app.url}/r/{token}")
    assert response is not None and response.status == 404
    expect(h1(page)).to_have_text("This link doesn't work")


def test_a_wrong_code_says_how_many_tries_are_left_then_the_right_one_works(
    page: Page, fake: FakeGifq, live_app
) -> None:
    right = at_the_code_page(page, fake, live_app)
    enter_code(page, "000000" if right != "000000" else "111111")
    expect(page.locator("#code-error")).to_contain_text("You have 4 tries left")
    expect(page.locator(".error-summary")).to_be_focused()
    enter_code(page, right)
    expect(h1(page)).to_have_text("Choose your gift card")


def test_forgiving_input_accepts_spaces_hyphens_and_arabic_indic_digits(
    page: Page, fake: FakeGifq, live_app
) -> None:
    code = at_the_code_page(page, fake, live_app)
    arabic = "".join(chr(0x0660 + int(d)) for d in code)
    enter_code(page, f" {arabic[:3]}-{arabic[3:]} ")
    expect(h1(page)).to_have_text("Choose your gift card")


def test_a_code_expired_by_the_clock_asks_for_a_new_one(
    no_js: Page, fake: FakeGifq, live_app
) -> None:
    # Only GIFQ's clock moves here; our script would still count down its own 30 s cooldown.
    page = no_js
    token, _ = fake.create_payout()
    page.goto(f"{live_app.url}/r/{token}")
    ask_for_code(page)
    old = fake.latest_code(fake.email_of(token))
    fake.advance(11 * 60)
    enter_code(page, old)
    expect(page.locator("#code-error")).to_contain_text("expired")
    page.get_by_role("button", name="Send a new code").click()
    enter_code(page, fake.latest_code(fake.email_of(token)))
    expect(h1(page)).to_have_text("Choose your gift card")


def test_the_resend_button_waits_for_the_cooldown_and_the_server_says_how_long(
    page: Page, fake: FakeGifq, live_app
) -> None:
    token, _ = fake.create_payout()
    page.goto(f"{live_app.url}/r/{token}")
    ask_for_code(page)
    resend = page.get_by_role("button", name="Send a new code")
    expect(resend).to_be_disabled()
    expect(page.locator("#resend-wait")).to_contain_text(re.compile(r"in \d+ seconds"))


def test_without_javascript_the_server_shows_the_cooldown_and_gifq_enforces_it(
    no_js: Page, fake: FakeGifq, live_app
) -> None:
    page = no_js
    token, _ = fake.create_payout()
    email = fake.email_of(token)
    page.goto(f"{live_app.url}/r/{token}")
    ask_for_code(page)
    expect(page.locator("#resend-wait")).to_contain_text(re.compile(r"in \d+ seconds"))
    sent = len(fake.outbox(email))
    page.get_by_role("button", name="Send a new code").click()
    expect(page.get_by_role("status").first).to_contain_text("We sent a code a moment ago")
    assert len(fake.outbox(email)) == sent  # too early: nothing was sent
    fake.advance(31)
    page.get_by_role("button", name="Send a new code").click()
    expect(page.get_by_label("6-digit code")).to_be_visible()
    assert len(fake.outbox(email)) == sent + 1
    enter_code(page, fake.latest_code(email))
    expect(h1(page)).to_have_text("Choose your gift card")


def test_twenty_wrong_codes_lock_the_payout(no_js: Page, fake: FakeGifq, live_app) -> None:
    # Without JavaScript the resend button is never held back by our own countdown.
    page = no_js
    token, _ = fake.create_payout()
    email = fake.email_of(token)
    page.goto(f"{live_app.url}/r/{token}")
    ask_for_code(page)
    for round_no in range(4):
        right = fake.latest_code(email)
        wrong = "000000" if right != "000000" else "111111"
        for _ in range(5):
            enter_code(page, wrong)
        if round_no < 3:
            fake.advance(31)
            page.get_by_role("button", name="Send a new code").click()
    # The twentieth wrong code locks the payout at once; even the right code can't open it now.
    expect(h1(page)).to_have_text("This link is locked")
    assert page.evaluate("() => document.title").startswith("This link is locked")
    assert fake.send_code(token).status_code == 423


def test_a_double_click_on_redeem_makes_one_redemption(
    no_js: Page, fake: FakeGifq, live_app
) -> None:
    # Without JavaScript nothing disables the button, so both clicks reach the server.
    page = no_js
    token, _ = fake.create_payout()
    page.goto(f"{live_app.url}/r/{token}")
    verify(page, fake, token)
    search_to(page, "northwind")
    page.locator('a[href$="/brands/northwind-books"]').first.click()
    page.locator('form[action$="/brands/northwind-books/confirm"] button[type=submit]').click()
    page.get_by_role("button", name="Confirm and get my card").dblclick()
    page.wait_for_load_state()
    for _ in range(30):
        if h1(page).inner_text() == "Your gift card":
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(h1(page)).to_have_text("Your gift card")
    assert len(fake.payouts_for(token)["redemptions"]) == 1


def test_refreshing_the_processing_page_never_redeems_twice(
    page: Page, fake: FakeGifq, live_app
) -> None:
    token, _ = fake.create_payout()
    page.goto(f"{live_app.url}/r/{token}")
    verify(page, fake, token)
    search_to(page, "slow")
    choose_brand(page, "slow-cinema")
    expect(h1(page)).to_have_text("Getting your gift card ready")
    page.reload()
    page.reload()
    expect(h1(page)).to_have_text("Your gift card", timeout=20_000)
    assert len(fake.payouts_for(token)["redemptions"]) == 1


def test_the_whole_journey_works_without_javascript(no_js: Page, fake: FakeGifq, live_app) -> None:
    page = no_js
    token, _ = fake.create_payout()
    page.goto(f"{live_app.url}/r/{token}")
    verify(page, fake, token)
    page.select_option("#category", "entertainment")
    page.get_by_role("button", name="Show brands").click()
    choose_brand(page, "slow-cinema")
    # The processing page refreshes itself with <meta http-equiv=refresh>.
    expect(h1(page)).to_have_text("Your gift card", timeout=30_000)
    assert card_values(page)


def test_the_whole_journey_works_with_every_cookie_refused(
    browser: Browser, fake: FakeGifq, live_app
) -> None:
    context = browser.new_context()
    offered: list[str] = []

    def without_cookies(route):  # type: ignore[no-untyped-def]
        headers = {k: v for k, v in route.request.headers.items() if k.lower() != "cookie"}
        response = route.fetch(headers=headers, max_redirects=0)
        offered.extend(v for k, v in response.headers.items() if k.lower() == "set-cookie")
        kept = {k: v for k, v in response.headers.items() if k.lower() != "set-cookie"}
        route.fulfill(response=response, headers=kept)

    context.route("**/*", without_cookies)
    page = context.new_page()
    token, _ = fake.create_payout()
    page.goto(f"{live_app.url}/r/{token}")
    assert full_journey(page, fake, token, "northwind-books")
    # The app offered its optional binding cookie (redeem/security/binding.py) and never got
    # it back: every request passed through the filter above without a Cookie header.
    # (Playwright's route.fetch files a Set-Cookie in the context's jar on its own, so the
    # jar is no witness here; the filter is.)
    assert offered and all(c.startswith("__Host-redeem-") for c in offered)
    # A request still in the filter (the favicon) must not fail once the context is gone.
    context.unroute_all(behavior="ignoreErrors")
    context.close()


def test_back_after_leaving_the_card_does_not_show_the_codes_from_cache(
    page: Page, fake: FakeGifq, live_app
) -> None:
    token, _ = fake.create_payout()
    page.goto(f"{live_app.url}/r/{token}")
    values = full_journey(page, fake, token, "northwind-books")
    card_url = page.url
    page.goto(f"{live_app.url}/")
    page.go_back()
    page.wait_for_load_state()
    # Either a fresh request (no-store) or a reload from the pageshow handler: never the old DOM.
    assert page.url == card_url
    navigation = page.evaluate("() => performance.getEntriesByType('navigation')[0].type")
    assert navigation in ("reload", "back_forward")
    assert page.evaluate("() => performance.getEntriesByType('navigation')[0].transferSize") > 0
    assert card_values(page) == values
