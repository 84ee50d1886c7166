"""The journey inside a merchant's iframe on another site, in Chromium.

The merchant page is http://localhost:P1 (tests/support/host_page.py); the app is
http://127.0.0.1:P2. Chromium blocks third-party cookies by default, so the default context
is already the "cookies blocked" case; a second profile refuses every cookie outright.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.branding import campaign_changed
from tests.support.driver import Browser
from tests.support.fake import FakeGifq
from tests.support.host_page import HostPage, serve_host_page
from tests.support.journey import full_journey, issued_details, journey_in_frame

pytestmark = pytest.mark.e2e

EVENT_KEYS = {"type", "height", "name", "brand", "kind"}


@pytest.fixture(scope="module")
def host() -> Iterator[HostPage]:
    with serve_host_page() as page:
        yield page


@pytest.fixture
def embeddable(fake: FakeGifq, host: HostPage) -> Iterator[None]:
    """The branded campaign lets the merchant page frame it, for this test only."""
    with campaign_changed(fake, "branded", branding={"embed_origins": [host.origin]}):
        yield


def refuses_cookies(page: Page) -> bool:
    """Cookies are refused, even first-party (navigator.cookieEnabled still says true)."""
    return page.evaluate("document.cookie = 'probe=1; path=/'; document.cookie") == ""


def test_the_whole_journey_works_in_a_cross_site_frame_with_third_party_cookies_blocked(
    page: Page, fake: FakeGifq, live_app: Any, host: HostPage, embeddable: None
) -> None:
    token, shown = journey_in_frame(
        page, page.frame_locator("#frame"), fake, live_app.url, host.embedding
    )
    assert shown == issued_details(fake, token)
    # With third-party cookies blocked, the only cookie kept is the flow's partitioned
    # binding cookie (CHIPS, redeem/security/binding.py); nothing else can have been needed.
    cookies = page.context.cookies()
    assert [c["name"][:14] for c in cookies] in ([], ["__Host-redeem-"]), cookies
    for cookie in cookies:
        assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "None"
        assert cookie.get("partitionKey", "present") is not None


def test_the_whole_journey_works_in_a_cross_site_frame_with_every_cookie_refused(
    no_cookies_context: BrowserContext,
    fake: FakeGifq,
    live_app: Any,
    host: HostPage,
    embeddable: None,
) -> None:
    page = no_cookies_context.new_page()
    page.goto(host.embedding("about:blank"))
    assert refuses_cookies(page)
    token, shown = journey_in_frame(
        page, page.frame_locator("#frame"), fake, live_app.url, host.embedding
    )
    assert shown == issued_details(fake, token)


def test_the_whole_journey_works_top_level_with_every_cookie_refused(
    no_cookies_context: BrowserContext, fake: FakeGifq, live_app: Any
) -> None:
    page = no_cookies_context.new_page()
    token, _ = fake.create_payout(amount=50, currency="EUR", campaign="branded")
    page.goto(f"{live_app.url}/r/{token}")
    assert refuses_cookies(page)
    shown = full_journey(page, fake, token, "prepaid-plus")
    assert shown == issued_details(fake, token)


def test_a_host_page_whose_origin_is_not_allowed_gets_no_rendered_frame(
    page: Page, fake: FakeGifq, live_app: Any, host: HostPage
) -> None:
    token, _ = fake.create_payout(campaign="branded")  # its campaign allows another origin only
    with page.expect_console_message(lambda m: "frame-ancestors" in m.text) as refusal:
        page.goto(host.embedding(f"{live_app.url}/r/{token}"))
    assert "blocked" in refusal.value.text
    frame = page.frame_locator("#frame")
    expect(frame.locator("main#main")).to_have_count(0)
    assert page.evaluate("window.events") == []


def test_the_parent_hears_each_step_from_the_apps_origin_and_never_a_secret(
    page: Page, fake: FakeGifq, live_app: Any, host: HostPage, embeddable: None
) -> None:
    frame_urls: list[str] = []
    page.on("framenavigated", lambda f: f.parent_frame is not None and frame_urls.append(f.url))
    token, shown = journey_in_frame(
        page, page.frame_locator("#frame"), fake, live_app.url, host.embedding
    )
    page.wait_for_function("window.events.some(e => e.data.type === 'gifq-redeem:redeemed')")
    events = page.evaluate("window.events")

    assert {e["origin"] for e in events} == {live_app.url}
    assert all(e["fromFrame"] for e in events)
    types = [e["data"]["type"] for e in events]
    assert {
        "gifq-redeem:ready",
        "gifq-redeem:resize",
        "gifq-redeem:step",
        "gifq-redeem:redeemed",
    } <= set(types)
    steps = [e["data"]["name"] for e in events if e["data"]["type"] == "gifq-redeem:step"]
    assert {"landing", "code", "brands", "brand", "confirm", "card"} <= set(steps)
    heights = [e["data"]["height"] for e in events if e["data"]["type"] == "gifq-redeem:resize"]
    assert heights and all(isinstance(h, int) and h > 0 for h in heights)
    assert [e["data"] for e in events if e["data"]["type"] == "gifq-redeem:redeemed"] == [
        {"type": "gifq-redeem:redeemed", "brand": "omni-store"}
    ]
    assert all(set(e["data"]) <= EVENT_KEYS for e in events)

    flow_ids = {m[1] for url in frame_urls if (m := re.search(r"/f/([^/?]+)/", url))}
    code = fake.latest_code(fake.email_of(token))
    secrets = {token, code, *flow_ids, *shown.values()}
    assert len(flow_ids) >= 2 and shown  # really looked for: both flow ids and every card field
    wire = json.dumps(events)
    assert not [s for s in secrets if s in wire]


def test_a_forged_cross_site_post_is_refused(
    page: Page, fake: FakeGifq, live_app: Any, host: HostPage
) -> None:
    token, _ = fake.create_payout(campaign="branded")
    csrf = Browser.http(live_app.url).get(f"/r/{token}").csrf()
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.goto(host.forging(f"{live_app.url}/r/{token}", {"csrf": csrf, "embed": "0"}))
    assert answer.value.status == 403
    assert [m for m in fake.outbox(fake.email_of(token)) if m["kind"] == "verification_code"] == []
