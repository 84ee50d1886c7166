"""The journey inside a merchant's iframe on another site, in WebKit.

The merchant page is http://localhost:P1 (tests/support/host_page.py); the app is
http://127.0.0.1:P2. WebKit refuses cookies in a cross-site frame outright (Safari does, and
MiniBrowser's default policy is the same "no-third-party"), and has no partitioned cookies
to fall back on; a second browser refuses every cookie, even first-party.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.branding import campaign_changed
from tests.support.fake import FakeGifq
from tests.support.host_page import HostPage
from tests.support.journey import full_journey, issued_details, journey_in_frame
from tests.support.view import SeleniumView

pytestmark = pytest.mark.webkit

EVENT_KEYS = {"type", "height", "name", "brand", "kind"}


@pytest.fixture
def embeddable(fake: FakeGifq, host: HostPage) -> Iterator[None]:
    """The branded campaign lets the merchant page frame it, for this test only."""
    with campaign_changed(fake, "branded", branding={"embed_origins": [host.origin]}):
        yield


def refuses_cookies(view: SeleniumView) -> bool:
    return view.evaluate("(document.cookie = 'probe=1; path=/', document.cookie)") == ""


def test_the_whole_journey_works_in_a_cross_site_frame_and_the_parent_hears_each_step(
    wk: SeleniumView, fake: FakeGifq, live_app: Any, host: HostPage, embeddable: None
) -> None:
    token, shown = journey_in_frame(wk, wk.in_frame("#frame"), fake, live_app.url, host.embedding)
    assert shown == issued_details(fake, token)
    frame = wk.in_frame("#frame")
    assert refuses_cookies(frame)  # WebKit kept every cookie out of the cross-site frame
    assert wk.driver.get_cookies() == []

    events = wk.evaluate("window.events")
    assert {e["origin"] for e in events} == {live_app.url}
    assert all(e["fromFrame"] for e in events)
    steps = [e["data"]["name"] for e in events if e["data"]["type"] == "gifq-redeem:step"]
    assert {"landing", "code", "brands", "brand", "confirm", "card"} <= set(steps)
    assert [e["data"] for e in events if e["data"]["type"] == "gifq-redeem:redeemed"] == [
        {"type": "gifq-redeem:redeemed", "brand": "omni-store"}
    ]
    heights = [e["data"]["height"] for e in events if e["data"]["type"] == "gifq-redeem:resize"]
    assert heights and all(isinstance(h, int) and h > 0 for h in heights)
    assert all(set(e["data"]) <= EVENT_KEYS for e in events)
    # The frame grew to its content: the merchant page sized it from the last resize event.
    assert wk.evaluate("document.getElementById('frame').offsetHeight") == heights[-1]

    url = frame.url
    flow = re.search(r"/f/([^/?]+)/", url)
    assert flow is not None
    code = fake.latest_code(fake.email_of(token))
    wire = json.dumps(events)
    assert not [s for s in {token, code, flow[1], *shown.values()} if s in wire]


def test_the_whole_journey_works_in_a_cross_site_frame_with_every_cookie_refused(
    open_webkit: Callable[..., SeleniumView],
    fake: FakeGifq,
    live_app: Any,
    host: HostPage,
    embeddable: None,
) -> None:
    wk = open_webkit(cookies="never")
    wk.open(host.embedding("about:blank"))
    assert refuses_cookies(wk)
    token, shown = journey_in_frame(wk, wk.in_frame("#frame"), fake, live_app.url, host.embedding)
    assert shown == issued_details(fake, token)


def test_the_whole_journey_works_top_level_with_every_cookie_refused(
    open_webkit: Callable[..., SeleniumView], fake: FakeGifq, live_app: Any
) -> None:
    wk = open_webkit(cookies="never")
    token, _ = fake.create_payout(amount=50, currency="EUR", campaign="branded")
    wk.open(f"{live_app.url}/r/{token}")
    assert refuses_cookies(wk)
    shown = full_journey(wk, fake, token, "gatehouse-games")
    assert shown == issued_details(fake, token)


def test_a_host_page_whose_origin_is_not_allowed_gets_no_rendered_frame(
    wk: SeleniumView, fake: FakeGifq, live_app: Any, host: HostPage
) -> None:
    token, _ = fake.create_payout(campaign="branded")  # its campaign allows another origin only
    wk.open(host.embedding(f"{live_app.url}/r/{token}"))
    frame = wk.in_frame("#frame")
    assert frame.count("main#main") == 0
    assert wk.evaluate("window.events") == []
