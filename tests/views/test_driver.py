"""The journey driver walks the same steps, and sees the same pages, over both transports."""

from __future__ import annotations

import re
from typing import Any

from tests.support.driver import Browser, Journey, JourneyError
from tests.support.fake import FakeGifq


def steps(browser: Browser) -> list[tuple[str, str, int]]:
    """What was asked and answered, tokens and flow ids blanked: (method, path, status)."""
    return [
        (answer.method, re.sub(r"^/([rf])/[^/]+", r"/\1/…", answer.path), answer.status)
        for answer in browser.history
        if not answer.path.endswith("/status")  # how often it polls depends on timing
    ]


def test_the_driver_walks_the_same_journey_over_flask_and_over_http(
    app: Any, live_app: Any, fake: FakeGifq
) -> None:
    walked = {}
    for name, browser in (("flask", Browser.flask(app)), ("http", Browser.http(live_app.url))):
        journey = Journey(browser, fake.create_payout()[0], code_of=fake.code_for)
        card = journey.redeem("northwind-books")
        assert card.status == 200 and card.path == f"{journey.flow}/card"
        assert 'id="value-code"' in card.text
        assert {"landing", "code", "brands", "brand", "confirm", "card"} <= set(journey.urls)
        walked[name] = [s for s in steps(browser) if not s[1].endswith("/processing")]
    assert walked["flask"] == walked["http"]
    assert [method for method, _, _ in walked["flask"]].count("POST") == 3


def test_a_step_that_goes_somewhere_a_recipient_should_not_says_so(
    app: Any, fake: FakeGifq
) -> None:
    journey = Journey(Browser.flask(app), fake.create_payout()[0], code_of=fake.code_for)
    journey.ask_for_code()
    right = journey.latest_code()
    wrong = "000000" if right != "000000" else "111111"
    try:
        journey.enter_code(wrong)
    except JourneyError as error:
        assert "answered 400, not 303" in str(error)
    else:
        raise AssertionError("a wrong code went through as if it were right")
    assert journey.enter_code(wrong, status=400).status == 400
    assert journey.enter_code().path == f"{journey.flow}/brands"
