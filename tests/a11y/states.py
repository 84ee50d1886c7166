"""Every page state a recipient can see, reached for real, ready to open in a browser.

The flows behind them are walked once per test session through the real forms, over HTTP
(tests/support/driver.py); each state is then opened in Chromium with `?lang=xx`, so one flow
serves every language. States that only exist as the answer to a POST (a wrong code, a
locked link) are submitted from the browser. States that need GIFQ to misbehave set a
fault on the fake for that one payout just before they open, so nothing else notices.

The accessibility sweep, the page-weight test and the HTML validation all use this list:
a new page state added here is checked by all three.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from playwright.sync_api import Page, Response

from tests.support.driver import Browser, Journey
from tests.support.fake import FakeGifq

LANGS = ("en", "ar")
STATE_NAMES = (
    "landing", "landing_plain", "code", "wrong_code", "brands", "brands_search", "brands_5000",
    "brand", "confirm", "processing", "card", "card_long_brand", "card_barcode", "till",
    "not_found", "unavailable", "expired", "cancelled", "flow_expired", "locked", "rate_limited",
    "brand_denominations", "brand_none_fits", "amount_error", "card_with_money_left", "cards",
)  # fmt: skip
# A recipient name with no break opportunity, and the seed's longest brand name.
LONG_NAME = "Maximiliana-Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft"
LONG_BRAND = "the-extraordinarily-long-named-emporium-of-curiosities"


@dataclass(frozen=True)
class State:
    name: str
    status: int
    open: Callable[[Page, str], Response | None]  # (page, lang) → the document's response


def _with_lang(url: str, lang: str) -> str:
    return url + ("&" if "?" in url else "?") + f"lang={lang}"


def _goto(url: str) -> Callable[[Page, str], Response | None]:
    return lambda page, lang: page.goto(_with_lang(url, lang))


def _submit_code(url: str, code: str, before: Callable[[], Any] | None = None):  # type: ignore[no-untyped-def]
    def open_(page: Page, lang: str) -> Response | None:
        page.goto(_with_lang(url, lang))
        if before is not None:
            before()
        page.locator("#code").fill(code)
        with page.expect_navigation() as answer:
            page.locator("#code").press("Enter")
        return answer.value

    return open_


def build_states(fake: FakeGifq, app_url: str) -> list[State]:
    """Walk the flows once; return the states in the order a sweep should open them."""
    browser = Browser.http(httpx.Client(base_url=app_url, timeout=20.0))

    def journey(token: str) -> Journey:
        return Journey(browser, token, code_of=fake.code_for)

    landing, _ = fake.create_payout(amount=50, currency="EUR", campaign="branded", name=LONG_NAME)
    plain, _ = fake.create_payout(amount=25, currency="USD", campaign="plain", name=None)

    asking = journey(fake.create_payout(campaign="branded")[0])
    asking.open()
    asking.ask_for_code()
    real_code = asking.latest_code()
    wrong = "123456" if real_code != "123456" else "654321"

    choosing = journey(fake.create_payout(campaign="branded")[0])
    choosing.verify()
    brands = choosing.urls["brands"]

    scale = journey(fake.scale_campaign(brands=5000)["token"])
    scale.verify()

    card = journey(fake.create_payout(campaign="branded")[0])
    card.redeem("omni-store")  # every card field, with a long link
    long_card = journey(fake.create_payout(campaign="branded")[0])
    long_card.redeem(LONG_BRAND)
    # The largest barcode (PDF417) with a code and a PIN: the card page and its till page.
    barcode_card = journey(fake.create_payout(campaign="branded")[0])
    barcode_card.redeem("parcel-point")

    # Splitting 60 EUR: a 25 card (35 left), then a 35 card: the card page with money left,
    # then every card on the cards page.
    left = journey(fake.create_payout(amount=60, campaign="branded")[0])
    left.verify()
    left.choose("harbour-market", amount="25.00")
    left.wait_for_card()
    split_card = left.urls["card"]
    splitting = journey(fake.create_payout(amount=60, campaign="branded")[0])
    splitting.verify()
    splitting.choose("harbour-market", amount="25.00")
    splitting.wait_for_card()
    splitting.choose("canal-coffee", amount="35.00")
    splitting.wait_for_card()
    all_cards = splitting.flow + "/cards"

    def processing(page: Page, lang: str) -> Response | None:
        # slow-cinema stays "processing" for about 4 s. The page's polling is blocked by the
        # sweep, and its meta refresh (after 2 s) answered 204 here, which a browser answers
        # by staying put: the page stays as rendered however long a busy machine checks it.
        slow = journey(fake.create_payout(campaign="branded")[0])
        slow.verify()
        slow.choose("slow-cinema")
        url = _with_lang(slow.urls["processing"], lang)
        answer = page.goto(url)
        page.route(f"**{url}", lambda route: route.fulfill(status=204))
        return answer

    locking = journey(fake.create_payout(campaign="branded")[0])
    locking.open()
    locking.ask_for_code()

    def lock() -> None:
        fake.fault(
            "error", path_prefix=f"/api/payouts/{locking.token}/verification/confirm", status=423
        )

    def faulted(mode: str, **kw: Any) -> Callable[[Page, str], Response | None]:
        # A fresh payout each time: a cached payout could be served without asking GIFQ.
        def open_(page: Page, lang: str) -> Response | None:
            token, _ = fake.create_payout(campaign="branded")
            fake.fault(mode, path_prefix=f"/api/payouts/{token}", count=2, **kw)
            return page.goto(_with_lang(f"/r/{token}", lang))

        return open_

    unknown_token = secrets.token_urlsafe(32)  # the right shape, known to nobody
    return [
        State("landing", 200, _goto(f"/r/{landing}")),
        State("landing_plain", 200, _goto(f"/r/{plain}")),
        State("code", 200, _goto(asking.urls["code"])),
        State("wrong_code", 400, _submit_code(asking.urls["code"], wrong)),
        State("brands", 200, _goto(brands)),
        State("brands_search", 200, _goto(f"{brands}?q=Extraordinarily")),
        State("brands_5000", 200, _goto(scale.urls["brands"])),
        State("brand", 200, _goto(f"{brands}/{LONG_BRAND}")),
        State("confirm", 200, _goto(f"{brands}/{LONG_BRAND}/confirm?amount=50")),
        State("processing", 200, processing),
        State("card", 200, _goto(card.urls["card"])),
        State("card_long_brand", 200, _goto(long_card.urls["card"])),
        State("card_barcode", 200, _goto(barcode_card.urls["card"])),
        State("till", 200, _goto(barcode_card.urls["card"] + "/till")),
        State("not_found", 404, _goto(f"/r/{unknown_token}")),
        State("unavailable", 503, faulted("error", status=503)),
        State("expired", 410, _goto(f"/r/{fake.demo_token('expired')}")),
        State("cancelled", 410, _goto(f"/r/{fake.demo_token('cancelled')}")),
        State("flow_expired", 410, _goto(f"/f/{secrets.token_urlsafe(24)}/code")),
        State("locked", 423, _submit_code(locking.urls["code"], wrong, before=lock)),
        State("rate_limited", 429, faulted("rate_limit", seconds=120)),
        State("brand_denominations", 200, _goto(f"{brands}/harbour-market")),
        State("brand_none_fits", 200, _goto(f"{brands}/grand-gallery")),
        State("amount_error", 400, _goto(f"{brands}/{LONG_BRAND}/confirm?amount=12%2C50%2C0")),
        State("card_with_money_left", 200, _goto(split_card)),
        State("cards", 200, _goto(all_cards)),
    ]
