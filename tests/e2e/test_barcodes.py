"""Barcodes at the till, in Chromium against the app under gunicorn and the fake: every
format the fake issues scans (zxing-cpp reading screenshots) to exactly the value GIFQ
issued, from the real card page and the till page, at 320 px and desktop width and in the
print layout; the saved card and the reminder download without JavaScript and hold what
they should."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from icalendar import Calendar
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.support.barcodes import decoded
from tests.support.branding import campaign_changed
from tests.support.fake import BARCODE_BRANDS, TILL_NUMBER_BRAND, FakeGifq
from tests.support.host_page import HostPage, serve_host_page
from tests.support.journey import full_journey

pytestmark = pytest.mark.e2e

# 320 CSS px at 2 device pixels (the narrowest phone in use, iPhone SE 1st generation) and a
# desktop window at 1.
SIZES = {
    "320px": {"viewport": {"width": 320, "height": 640}, "device_scale_factor": 2},
    "desktop": {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1},
}


def issued(fake: FakeGifq, token: str) -> dict[str, Any]:
    """The card as GIFQ issued it, read after a fresh code, as a recipient coming back would."""
    fake.advance(31)  # past the resend cooldown of the browser's own send
    grant = fake.verify(token)
    done = [r for r in fake.payout(token, grant)["redemptions"] if r["status"] == "completed"]
    return dict(done[-1])


# The cookies of the browser that walked the journeys: each flow is bound to its browser
# (redeem/security/binding.py), so the other windows below are that same browser's.
COOKIES: list[Any] = []


@pytest.fixture(scope="module")
def cards(browser: Browser, fake: FakeGifq, live_app) -> dict[str, tuple[str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    """One card per barcode brand, issued through the real pages: slug → (card URL, card)."""
    made = {}
    context = browser.new_context()
    try:
        for slug in BARCODE_BRANDS:
            page = context.new_page()
            token, _ = fake.create_payout(amount=50, currency="EUR", campaign="branded")
            page.goto(f"{live_app.url}/r/{token}")
            full_journey(page, fake, token, slug)
            made[slug] = (page.url, issued(fake, token))
            page.close()
        COOKIES[:] = context.cookies()
    finally:
        context.close()
    return made


def same_browser(browser: Browser, **options: Any) -> BrowserContext:
    context = browser.new_context(**options)
    context.add_cookies(COOKIES)
    return context


@pytest.fixture
def sized(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = same_browser(browser, **SIZES[request.param])
    try:
        yield context.new_page()
    finally:
        context.close()


def assert_scans(page: Page, fmt: str, value: str) -> None:
    figure = page.locator(".barcode")
    expect(figure).to_be_visible()
    box = figure.bounding_box()
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert decoded(figure.screenshot(animations="disabled")) == [(fmt, value)]


@pytest.mark.parametrize("media", ["screen", "print"])
@pytest.mark.parametrize("sized", list(SIZES), indirect=True)
def test_every_format_scans_from_the_card_page(sized: Page, cards, media: str) -> None:
    sized.emulate_media(media=media)
    for slug, fmt in BARCODE_BRANDS.items():
        url, card = cards[slug]
        sized.goto(url)
        assert_scans(sized, fmt, card["details"]["barcode"]["value"])


@pytest.mark.parametrize("sized", list(SIZES), indirect=True)
def test_every_format_scans_from_the_till_page(sized: Page, cards) -> None:
    for slug, fmt in BARCODE_BRANDS.items():
        url, card = cards[slug]
        sized.goto(url)
        sized.get_by_role("link", name="Show at the till").click()
        expect(sized).to_have_url(re.compile(r"/card/till\?"))
        assert_scans(sized, fmt, card["details"]["barcode"]["value"])
        # The code stays in view beneath the barcode, as large as the screen allows.
        code = sized.locator("#value-code")
        expect(code).to_have_text(card["details"]["code"])
        assert (
            code.bounding_box()["y"] + code.bounding_box()["height"]
            <= sized.viewport_size["height"]
        )


def test_the_till_number_scans_while_the_printed_code_is_shown(browser: Browser, cards) -> None:
    url, card = cards[TILL_NUMBER_BRAND]
    context = same_browser(browser)
    try:
        page = context.new_page()
        page.goto(url + "/till")
        scanned = decoded(page.locator(".barcode").screenshot())
        assert scanned == [("code128", card["details"]["barcode"]["value"])]
        assert scanned[0][1] != card["details"]["code"]
        expect(page.locator("#value-code")).to_have_text(card["details"]["code"])
    finally:
        context.close()


def test_without_javascript_the_saved_card_downloads_and_opens_offline(
    browser: Browser, cards, tmp_path
) -> None:
    url, card = cards["parcel-point"]
    context = same_browser(browser, java_script_enabled=False, accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(url)
        with page.expect_download() as download:
            page.get_by_role("link", name="Save this card").click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
    finally:
        context.close()
    assert saved.name == "parcel-point-50-eur.html"

    offline = browser.new_context(viewport={"width": 320, "height": 800}, device_scale_factor=2)
    tried: list[str] = []

    def only_the_file(route):  # type: ignore[no-untyped-def]
        tried.append(route.request.url)
        route.continue_() if route.request.url == saved.as_uri() else route.abort()

    offline.route("**/*", only_the_file)
    try:
        page = offline.new_page()
        page.goto(saved.as_uri())
        for name in ("code", "pin"):
            expect(page.locator(f"#value-{name}")).to_have_text(card["details"][name])
        expect(page.locator("#expires")).to_be_visible()
        assert decoded(page.locator(".barcode").screenshot()) == [
            ("pdf417", card["details"]["barcode"]["value"])
        ]
        page.emulate_media(media="print")
        assert decoded(page.locator(".barcode").screenshot()) == [
            ("pdf417", card["details"]["barcode"]["value"])
        ]
        assert tried == [saved.as_uri()]  # nothing but the file itself
    finally:
        offline.close()


def test_without_javascript_the_reminder_downloads_with_its_alarm_and_no_secret(
    browser: Browser, cards, tmp_path
) -> None:
    url, card = cards["aurora-cinemas"]
    context = same_browser(browser, java_script_enabled=False, accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(url + "?lang=de")
        with page.expect_download() as download:
            page.get_by_role("link", name="Vor dem Ablauf erinnern").click()
        path = tmp_path / "reminder.ics"
        download.value.save_as(path)
    finally:
        context.close()
    ics = path.read_bytes()
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    assert event.decoded("DTSTART").isoformat() == card["expires_at"]
    assert "Aurora Cinemas" in event["SUMMARY"] and "Geschenkkarte" in event["SUMMARY"]
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("TRIGGER").days == -7
    text = ics.decode().replace("\r\n ", "")
    details = card["details"]
    for secret in (details["code"], details["pin"], details["barcode"]["value"], url):
        assert secret not in text


@pytest.fixture(scope="module")
def host() -> Iterator[HostPage]:
    with serve_host_page() as page:
        yield page


@pytest.mark.parametrize("cookies", ["partitioned", "refused"])
def test_inside_a_cross_site_frame_the_till_page_and_both_files_work(
    browser: Browser, no_cookies_context: BrowserContext, fake: FakeGifq, live_app, host: HostPage,
    tmp_path, cookies: str,
) -> None:  # fmt: skip
    # Chromium blocks third-party cookies: the flow's binding cookie is a partitioned one
    # (CHIPS), which a download made with <a download> would not carry (so the links are
    # plain links: the frame navigates, and the attachment becomes a download). With every
    # cookie refused there is no binding at all, and the card's window applies.
    context = (
        browser.new_context(accept_downloads=True)
        if cookies == "partitioned"
        else no_cookies_context
    )
    page = context.new_page()
    token, _ = fake.create_payout(amount=50, currency="EUR", campaign="branded")
    with campaign_changed(fake, "branded", branding={"embed_origins": [host.origin]}):
        page.goto(host.embedding(f"{live_app.url}/r/{token}"))
        frame = page.frame_locator("#frame")
        shown = full_journey(frame, fake, token, "kite-coffee")
        frame.get_by_role("link", name="Show at the till").click()
        expect(frame.locator("#value-code")).to_have_text(shown["code"])
        # The parent sizes the frame to the page: a barcode sized from the viewport would grow
        # with each resize (to 928 px here, past the window); it keeps a fixed cap instead.
        page.wait_for_timeout(1000)
        box = frame.locator(".barcode").bounding_box()
        assert box is not None and box["height"] <= 400, box
        # Kite Coffee's barcode holds the printed code.
        assert decoded(frame.locator(".barcode").screenshot()) == [("qr", shown["code"])]
        frame.get_by_role("link", name="Back to your card").click()
        for name in ("Save this card", "Remind me before it expires"):
            with page.expect_download() as download:
                frame.get_by_role("link", name=name).click()
            saved = tmp_path / download.value.suggested_filename
            download.value.save_as(saved)
            assert saved.stat().st_size > 0
    card = issued(fake, token)
    html = next(tmp_path.glob("*.html")).read_text(encoding="utf-8")
    assert card["details"]["code"] in html and 'data-format="qr"' in html
    if cookies == "partitioned":
        assert all(c.get("partitionKey") for c in context.cookies())
        context.close()
    else:
        assert context.cookies() == []  # nothing was kept, so nothing can have been needed
