"""The card page with both wallet buttons, in Chromium against the fake: axe finds nothing in
English and Arabic at desktop and phone width, nothing scrolls sideways, the first view stays
within the page-weight budget, and the buttons keep the wallets' black whatever the campaign."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser as Chromium

from tests.a11y.states import State, _goto
from tests.a11y.sweep import (
    DESKTOP,
    HEIGHT,
    NARROW,
    ZOOM_200,
    Sweep,
    Visit,
    _Network,
    _visit,
)
from tests.perf.test_page_weight import BUDGET, COUNTED, first_view
from tests.support.driver import Browser, Journey
from tests.support.fake import FakeGifq
from tests.support.processes import AppProcess, start_app
from tests.support.wallet_pki import WalletPki

pytestmark = pytest.mark.e2e
Visits = dict[str, tuple[Visit, list[list[str]]]]


@pytest.fixture(scope="module")
def wallet_live_app(fake: FakeGifq, pki: WalletPki) -> Iterator[AppProcess]:
    process = start_app(
        fake.base_url, RATELIMIT_ENABLED="false", **pki.apple_env(), **pki.google_env()
    )
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def visits(browser: Chromium, fake: FakeGifq, wallet_live_app: AppProcess) -> Visits:
    walker = Browser.http(httpx.Client(base_url=wallet_live_app.url, timeout=20.0))
    journey = Journey(walker, fake.create_payout(campaign="branded")[0], code_of=fake.code_for)
    journey.redeem("parcel-point")
    state = State("card_with_wallets", 200, _goto(journey.urls["card"]))
    found = {}
    for lang in ("en", "ar"):
        context = browser.new_context(
            base_url=wallet_live_app.url,
            viewport={"width": DESKTOP, "height": HEIGHT},
            device_scale_factor=2,
        )
        try:
            page = context.new_page()
            visit = _visit(page, _Network(page), state, lang)
            buttons = page.locator(".wallet-button")
            assert buttons.count() == 2
            colours = [
                buttons.nth(i).evaluate(
                    "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]"
                )
                for i in range(2)
            ]
            found[lang] = (visit, colours)
        finally:
            context.close()
    return found


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_card_page_with_wallet_buttons_passes_axe(visits: Visits, lang: str) -> None:
    visit, _ = visits[lang]
    assert visit.status == 200
    assert 'class="wallet-button"' in visit.html
    assert visit.axe == {DESKTOP: [], NARROW: []}
    assert visit.overflow == {ZOOM_200: 0, NARROW: 0}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_card_page_with_wallet_buttons_stays_in_budget(visits: Visits, lang: str) -> None:
    visit, _ = visits[lang]
    counted = {r.url: r.transferred for r in first_view(visit) if r.kind in COUNTED}
    print(f"card page with wallet buttons [{lang}]: {sum(counted.values())} bytes")
    assert 0 < sum(counted.values()) <= BUDGET, counted


def test_the_buttons_keep_the_wallets_black_and_white(visits: Visits) -> None:
    _, colours = visits["en"]
    assert colours == [["rgb(0, 0, 0)", "rgb(255, 255, 255)"]] * 2


def test_without_credentials_no_page_state_mentions_a_wallet(swept: Sweep) -> None:
    """Every page state of the sweep (tests/a11y), in both its languages, from the suite's
    app, which has no wallet settings."""
    assert len(swept.visits) >= 40
    for (state, lang), visit in swept.visits.items():
        assert "wallet" not in visit.html.lower(), f"{state} [{lang}]"
        assert "pay.google.com" not in visit.html, f"{state} [{lang}]"
