"""One pass over every page state, in each language, collecting what three suites check.

Opening ~20 states × 2 languages in Chromium is the expensive part, so it happens once per
test session (memoised here, whichever suite asks first), and each load is used for:

- axe-core at 1280 px and at 320 px wide (one load; the viewport is resized in place, which
  re-runs layout and media queries exactly as a rotated phone or a resized window would);
- reflow at 320 px and at 640 px: 640 CSS px is what a 1280 px window shows at 200% zoom
  (browser zoom shrinks the CSS viewport by the zoom factor and doubles device pixels; the
  context runs at deviceScaleFactor 2, so both halves of that are emulated);
- page weight: the browser cache is off (CDP `Network.setCacheDisabled`), so every load is a
  first view, and CDP's `encodedDataLength` gives the bytes on the wire per request;
- the document's HTML as the server sent it, for the Nu HTML checker.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import axe_playwright_python
import pytest
from playwright.sync_api import Browser, Page

from tests.a11y.states import LANGS, STATE_NAMES, State, build_states
from tests.support.fake import FakeGifq

AXE_JS = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
DESKTOP, NARROW, ZOOM_200 = 1280, 320, 640
HEIGHT = 800


@dataclass
class Request:
    url: str
    kind: str  # CDP resource type: Document, Stylesheet, Script, Font, Image, Fetch, ...
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    transferred: int = 0  # bytes on the wire, headers included
    finished: bool = False


@dataclass
class Visit:
    state: str
    lang: str
    status: int
    expected_status: int
    html: str
    axe: dict[int, list[dict[str, Any]]]  # width → violations
    overflow: dict[int, int]  # width → scrollWidth - clientWidth (0 = no horizontal scroll)
    requests: list[Request]
    scripts: list[dict[str, Any]]
    images: list[dict[str, Any]]


def run_axe(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS)  # evaluated, not a <script> tag: works under our strict CSP
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                      resultTypes: ['violations']})
             .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + n.failureSummary)})))""",
        AXE_TAGS,
    )
    return list(result)


def horizontal_overflow(page: Page) -> int:
    return int(
        page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    )


class _Network:
    """Every request of the current page, with its transfer size, from the DevTools protocol."""

    def __init__(self, page: Page) -> None:
        self.requests: dict[str, Request] = {}
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.responseReceived", self._received)
        self.cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, event: dict[str, Any]) -> None:
        url = event["request"]["url"]
        if url.startswith("data:"):
            return
        self.requests[event["requestId"]] = Request(url, event.get("type", "Other"))

    def _received(self, event: dict[str, Any]) -> None:
        found = self.requests.get(event["requestId"])
        if found is not None:
            found.status = event["response"]["status"]
            found.headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
            found.kind = event.get("type", found.kind)

    def _finished(self, event: dict[str, Any]) -> None:
        found = self.requests.get(event["requestId"])
        if found is not None:
            found.transferred = int(event["encodedDataLength"])
            found.finished = True

    def take(self) -> list[Request]:
        taken, self.requests = list(self.requests.values()), {}
        return taken


def _visit(page: Page, network: _Network, state: State, lang: str) -> Visit:
    page.set_viewport_size({"width": DESKTOP, "height": HEIGHT})
    network.take()
    response = state.open(page, lang)
    assert response is not None, state.name
    page.wait_for_load_state("load")
    html = response.text()
    axe = {DESKTOP: run_axe(page)}
    overflow = {}
    page.set_viewport_size({"width": ZOOM_200, "height": HEIGHT // 2})
    overflow[ZOOM_200] = horizontal_overflow(page)
    page.set_viewport_size({"width": NARROW, "height": HEIGHT})
    overflow[NARROW] = horizontal_overflow(page)
    axe[NARROW] = run_axe(page)
    scripts = page.evaluate(
        """() => [...document.scripts].map(s => ({src: s.src, type: s.type, defer: s.defer,
             async: s.async, inHead: !!s.closest('head')}))"""
    )
    images = page.evaluate(
        """() => [...document.images].map(i => ({src: i.src, width: i.getAttribute('width'),
             height: i.getAttribute('height'), loading: i.getAttribute('loading'),
             masthead: !!i.closest('.masthead')}))"""
    )
    return Visit(
        state=state.name,
        lang=lang,
        status=response.status,
        expected_status=state.status,
        html=html,
        axe=axe,
        overflow=overflow,
        requests=network.take(),
        scripts=scripts,
        images=images,
    )


@dataclass
class Sweep:
    app_url: str
    asset_origins: tuple[str, ...]
    states: list[str]
    visits: dict[tuple[str, str], Visit]

    def visit(self, state: str, lang: str) -> Visit:
        return self.visits[(state, lang)]


@functools.cache
def _sweep(browser: Browser, fake: FakeGifq, app_url: str) -> Sweep:
    states = build_states(fake, app_url)
    assert tuple(s.name for s in states) == STATE_NAMES
    visits: dict[tuple[str, str], Visit] = {}
    for lang in LANGS:
        context = browser.new_context(
            base_url=app_url,
            viewport={"width": DESKTOP, "height": HEIGHT},
            device_scale_factor=2,
        )
        # The processing page would leave by itself once the card is ready: keep it in place.
        context.route("**/f/*/status", lambda route: route.abort())
        try:
            page = context.new_page()
            network = _Network(page)
            for state in states:
                visits[(state.name, lang)] = _visit(page, network, state, lang)
        finally:
            context.close()
    origin = urlsplit(fake.base_url)
    return Sweep(
        app_url=app_url,
        asset_origins=(f"{origin.scheme}://{origin.netloc}",),
        states=[s.name for s in states],
        visits=visits,
    )


def sweep(browser: Browser, fake: FakeGifq, app_url: str) -> Sweep:
    return _sweep(browser, fake, app_url)


# --- the fixtures of the three suites (their conftest.py files import these) ----------------


@pytest.fixture(scope="session")
def swept(browser: Browser, fake: FakeGifq, live_app: Any) -> Sweep:
    return sweep(browser, fake, live_app.url)


@pytest.fixture(
    params=[(state, lang) for lang in LANGS for state in STATE_NAMES],
    ids=lambda param: f"{param[0]}-{param[1]}",
)
def state_visit(request: pytest.FixtureRequest, swept: Sweep) -> Visit:
    """Each page state in each language, as the sweep saw it."""
    state, lang = request.param
    return swept.visit(state, lang)
