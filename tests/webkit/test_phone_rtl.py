"""Every page state in English and Arabic at a phone's 375 px, in WebKit: a screenshot of each
(test-artifacts/webkit/), and no horizontal scrolling, measured as the Chromium sweep does
(tests/a11y/sweep.py: the document's scrollWidth minus its clientWidth)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.a11y.states import LANGS, STATE_NAMES, build_states
from tests.support.fake import FakeGifq
from tests.support.processes import ROOT
from tests.support.view import SeleniumView

pytestmark = pytest.mark.webkit

ARTIFACTS = ROOT / "test-artifacts" / "webkit"
PHONE = (375, 812)


class _Navigation:
    value = None  # WebDriver never sees the HTTP response; only the page is checked here


class _Field:
    def __init__(self, view: SeleniumView, selector: str) -> None:
        self.view, self.selector = view, selector

    def fill(self, value: str) -> None:
        self.view.fill_css(self.selector, value)

    def press(self, key: str) -> None:
        assert key == "Enter"
        value = self.view.evaluate(f"document.querySelector('{self.selector}').value")
        self.view.fill_css(self.selector, value, enter=True)


class StatePage:
    """The few Playwright Page calls the shared state list (tests/a11y/states.py) makes,
    carried out by a SeleniumView: the same states, reached the same way, in WebKit."""

    def __init__(self, view: SeleniumView, base_url: str) -> None:
        self.view, self.base_url = view, base_url

    def goto(self, url: str) -> None:
        self.view.open(url if "://" in url else self.base_url + url)

    def locator(self, selector: str) -> _Field:
        return _Field(self.view, selector)

    def route(self, url: str, handler: Any) -> None:
        """Chromium answers the processing page's own refreshes with 204 so that it stays put
        while checked; WebDriver cannot intercept requests, so here its pending timers (the
        status polling) are cleared and its meta refresh is removed, to the same effect."""
        self.view.evaluate(
            "(() => { for (let id = setTimeout(() => {}); id > 0; id--) clearTimeout(id);"
            " document.querySelectorAll('meta[http-equiv=refresh]').forEach(m => m.remove());"
            " return true; })()"
        )

    @contextmanager
    def expect_navigation(self) -> Iterator[_Navigation]:
        self.view.evaluate("(window.__before = true)")
        yield _Navigation()
        deadline = time.monotonic() + 15
        while self.view.evaluate("window.__before === true || document.readyState !== 'complete'"):
            assert time.monotonic() < deadline, "the form never answered"
            time.sleep(0.1)


def overflow(view: SeleniumView) -> int:
    return int(
        view.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


@pytest.fixture(scope="module")
def states(fake: FakeGifq, live_app: Any) -> list[Any]:
    found = build_states(fake, live_app.url)
    assert tuple(s.name for s in found) == STATE_NAMES
    return found


@pytest.mark.timeout(300)  # nineteen states, each shot a window's height at a time
@pytest.mark.parametrize("lang", LANGS)
def test_every_page_state_fits_a_375_px_phone_without_sideways_scrolling(
    wk: SeleniumView, live_app: Any, states: list[Any], lang: str
) -> None:
    wk.open(f"{live_app.url}/?lang={lang}")
    wk.viewport(*PHONE)
    page = StatePage(wk, live_app.url)
    wide: dict[str, int] = {}
    shots: list[Path] = []
    for state in states:
        state.open(page, lang)
        assert wk.evaluate("document.documentElement.lang") == lang, state.name
        expected_dir = "rtl" if lang == "ar" else "ltr"
        assert wk.evaluate("document.documentElement.dir || 'ltr'") == expected_dir, state.name
        assert wk.evaluate("innerWidth") == PHONE[0]
        shots.append(wk.screenshot(ARTIFACTS / f"{lang}-375-{state.name}.png"))
        if (extra := overflow(wk)) > 0:
            wide[state.name] = extra
    assert wide == {}, f"wider than {PHONE[0]} px in {lang} (px too wide): {wide}"
    assert all(shot.stat().st_size > 1000 for shot in shots)
