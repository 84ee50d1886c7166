"""A recipient's journey through the real forms, with httpx: no browser, no shortcuts.

The benchmark uses it to reach the pages it loads (a verified brands page, a card) and to
run bursts of whole journeys; the accessibility, weight and HTML tests use it to reach
each page state before a browser opens it. Every step is what a browser would send: a GET,
then a POST of the page's own form with its hidden CSRF field, following the 303.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
POLL_RE = re.compile(r'data-poll="([^"]+)" data-poll-seconds="([0-9.]+)"')
# What a same-origin form post from a current browser carries (redeem/security/origin.py).
FORM_HEADERS = {"Sec-Fetch-Site": "same-origin"}


class JourneyError(AssertionError):
    """A step answered something a recipient should never see."""


@dataclass
class Journey:
    """One recipient's walk; ``urls`` names each page state reached, for later visits."""

    http: httpx.Client
    token: str
    lang: str | None = None
    urls: dict[str, str] = field(default_factory=dict)
    pages: list[httpx.Response] = field(default_factory=list)

    # --- steps ----------------------------------------------------------------------------

    def open(self) -> httpx.Response:
        url = f"/r/{self.token}" + (f"?lang={self.lang}" if self.lang else "")
        return self._page("landing", self._get(url))

    def ask_for_code(self) -> httpx.Response:
        landing = self.pages[-1] if self.pages else self.open()
        form = {"csrf": _csrf(landing), "lang": self.lang or "", "embed": "0"}
        return self._page("code", self._post(f"/r/{self.token}", form))

    def enter_code(self, code: str, *, expect_ok: bool = True) -> httpx.Response:
        page = self.pages[-1]
        action = str(page.url.path)
        answer = self._post(action, {"csrf": _csrf(page), "code": code}, ok=expect_ok)
        return self._page("brands" if expect_ok else "wrong_code", answer)

    def choose(self, slug: str) -> httpx.Response:
        brands = self.urls["brands"].split("?")[0]
        self._page("brand", self._get(f"{brands}/{slug}"))
        confirm = self._page("confirm", self._get(f"{brands}/{slug}/confirm"))
        return self._page(
            "processing", self._post(f"{brands}/{slug}/confirm", {"csrf": _csrf(confirm)})
        )

    def wait_for_card(
        self, timeout: float = 20.0, sleep: Callable[[float], None] = time.sleep
    ) -> httpx.Response:
        """Wait on the processing page the way its script does: ask /status every
        `data-poll-seconds`, then reload once it says ready (and land on the card)."""
        deadline = time.monotonic() + timeout
        page = self.pages[-1]
        while "/card" not in str(page.url):
            if time.monotonic() > deadline:
                raise JourneyError(f"no card after {timeout} s: still at {page.url}")
            poll = POLL_RE.search(page.text)
            if poll is None:
                raise JourneyError(f"{page.url} is neither the processing page nor the card")
            sleep(float(poll.group(2)))
            if self.http.get(poll.group(1)).json().get("ready"):
                page = self._get(self.urls["processing"])
        return self._page("card", page)

    def verify(self, code_of: Callable[[str], str]) -> httpx.Response:
        """Landing → ask for a code → enter it; ``code_of(token)`` reads the emailed code."""
        self.open()
        self.ask_for_code()
        return self.enter_code(code_of(self.token))

    def redeem(self, code_of: Callable[[str], str], slug: str) -> httpx.Response:
        self.verify(code_of)
        self.choose(slug)
        return self.wait_for_card()

    # --- plumbing -------------------------------------------------------------------------

    def _get(self, url: str) -> httpx.Response:
        return _checked(self.http.get(self._lang(url), follow_redirects=True))

    def _post(self, url: str, form: dict[str, str], *, ok: bool = True) -> httpx.Response:
        answer = self.http.post(url, data=form, headers=FORM_HEADERS, follow_redirects=True)
        return _checked(answer) if ok else answer

    def _lang(self, url: str) -> str:
        if not self.lang or "lang=" in url:
            return url
        return url + ("&" if "?" in url else "?") + f"lang={self.lang}"

    def _page(self, name: str, response: httpx.Response) -> httpx.Response:
        self.pages.append(response)
        path = response.url.path
        self.urls[_state_of(path, name)] = path
        return response


def _state_of(path: str, fallback: str) -> str:
    # Where a redirect really landed wins over what the step hoped for.
    for suffix, state in (
        ("/code", "code"),
        ("/brands", "brands"),
        ("/processing", "processing"),
        ("/card", "card"),
    ):
        if path.endswith(suffix):
            return state if fallback != "wrong_code" else fallback
    return fallback


def _csrf(page: httpx.Response) -> str:
    found = CSRF_RE.search(page.text)
    if found is None:
        raise JourneyError(f"no form on {page.url} ({page.status_code})")
    return found.group(1)


def _checked(response: httpx.Response) -> httpx.Response:
    if response.status_code != 200:
        raise JourneyError(
            f"{response.request.method} {response.url.path} answered {response.status_code}"
        )
    return response
