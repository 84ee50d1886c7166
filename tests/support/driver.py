"""One recipient's journey through the real forms, over the Flask test client or over HTTP.

Every layer that walks the journey without a real browser uses this (views, security, i18n,
branding, integration, the state set-up of the accessibility and weight tests) and so does
bench/. It knows pages, forms and URLs only, never the app's internals, so it keeps working
whatever the app's modules are called:

    browser = Browser.flask(app.test_client(), check=True)   # or Browser.http(app_url)
    journey = Journey(browser, token, code_of=fake.code_for)
    journey.open()                  # GET /r/<token>                      → the landing page
    journey.ask_for_code()          # POST its form, follow the 303      → the code page
    journey.enter_code()            # the code just emailed (or any)     → the brands page
    journey.choose("northwind-books")  # brand page, confirm page, POST → processing
    journey.wait_for_card()         # poll /status like the page's script → the card

`journey.verify()` is the first three steps and `journey.redeem(slug)` all five. Each step
asserts that it went where a recipient would go; pass `status=` for the steps that should
not (a wrong code answers 400). Every answer is an `Answer`, whichever the transport:
status, headers, text, the parsed page (`.doc`), its CSRF token (`.csrf()`).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

import httpx

from tests.support.page import Node, check_invariants, parse

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
HIDDEN_RE = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
POLL_RE = re.compile(r'data-poll="([^"]+)" data-poll-seconds="([0-9.]+)"')
# What a same-origin form post from a current browser carries (see docs/security.md).
FORM_HEADERS = {"Sec-Fetch-Site": "same-origin"}
# Each step's page, known by the end of its path (where a redirect really landed wins).
STATES = (("/code", "code"), ("/brands", "brands"), ("/processing", "processing"),
          ("/card", "card"))  # fmt: skip


class JourneyError(AssertionError):
    """A step answered something a recipient should never see."""


AMOUNT_INPUT_RE = re.compile(r'<input\b[^>]*\bname="amount"[^>]*>')


def amount_of(html: str) -> str:
    """What the brand page's amount form would send: the amount box, or the checked radio."""
    for tag in AMOUNT_INPUT_RE.findall(html):
        if 'type="radio"' in tag and " checked" not in tag:
            continue
        value = re.search(r'\bvalue="([^"]*)"', tag)
        return value.group(1) if value else ""
    raise JourneyError("the brand page offers no amount to choose")


def csrf_of(html: str) -> str:
    """The form's CSRF token: the one place the tests read it from a page."""
    found = CSRF_RE.search(html)
    if found is None:
        raise JourneyError("no csrf field on the page")
    return found.group(1)


def path_of(location: str) -> str:
    """A Location header (absolute or not) as a path with its query."""
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Answer:
    """One response, the same whichever transport carried it."""

    method: str
    url: str  # as requested: path and query
    status: int
    headers: Any  # case-insensitive: werkzeug's Headers or httpx.Headers
    text: str
    elapsed: float  # seconds
    raw: Any = field(repr=False)  # the transport's own response object

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def location(self) -> str:
        return path_of(self.headers.get("Location", ""))

    @property
    def mimetype(self) -> str:
        return str(self.headers.get("Content-Type", "")).split(";")[0].strip()

    @cached_property
    def doc(self) -> Node:
        return parse(self.text)

    def csrf(self) -> str:
        return csrf_of(self.text)

    def hidden_fields(self) -> dict[str, str]:
        return dict(HIDDEN_RE.findall(self.text))

    def json(self) -> Any:
        return json.loads(self.text)


class Transport(Protocol):
    def __call__(
        self, method: str, url: str, *, form: Mapping[str, Any] | None, headers: Mapping[str, str]
    ) -> Answer: ...


class FlaskTransport:
    """The app in this process, through a Flask test client (cookies kept, as a browser)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __call__(
        self, method: str, url: str, *, form: Mapping[str, Any] | None, headers: Mapping[str, str]
    ) -> Answer:
        started = time.perf_counter()
        response = self.client.open(url, method=method, data=form, headers=dict(headers))
        elapsed = time.perf_counter() - started
        # A download (a .pkpass, a saved card) is bytes: read it as a browser shows it, lossy.
        text = response.get_data().decode("utf-8", errors="replace")
        return Answer(method, url, response.status_code, response.headers, text, elapsed, response)


class HttpTransport:
    """A running app over real HTTP, through an httpx client (redirects never followed)."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def __call__(
        self, method: str, url: str, *, form: Mapping[str, Any] | None, headers: Mapping[str, str]
    ) -> Answer:
        response = self.http.request(
            method, url, data=form, headers=dict(headers), follow_redirects=False
        )
        elapsed = response.elapsed.total_seconds()
        return Answer(method, url, response.status_code, response.headers, response.text,
                      elapsed, response)  # fmt: skip


class Browser:
    """A browser without JavaScript on one transport: its default headers on every request,
    a form post's Sec-Fetch-Site, and (``check=True``) every HTML page's invariants checked."""

    def __init__(
        self, transport: Transport, *, headers: Mapping[str, str] | None = None, check: bool = False
    ) -> None:
        self.transport = transport
        self.headers = dict(headers or {})
        self.check = check
        self.history: list[Answer] = []

    @classmethod
    def flask(cls, client: Any, **kw: Any) -> Browser:
        """Over a Flask test client (or an app: a new test client with its own cookie jar)."""
        if hasattr(client, "test_client"):
            client = client.test_client()
        return cls(FlaskTransport(client), **kw)

    @classmethod
    def http(cls, base: str | httpx.Client, **kw: Any) -> Browser:
        """Over HTTP to a running app: a base URL, or an httpx client with its base URL."""
        http = base if isinstance(base, httpx.Client) else httpx.Client(base_url=base, timeout=30)
        return cls(HttpTransport(http), **kw)

    @property
    def last(self) -> Answer:
        if not self.history:
            raise JourneyError("nothing was requested yet")
        return self.history[-1]

    def request(
        self,
        method: str,
        url: str,
        form: Mapping[str, Any] | None = None,
        *,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        sent = {**self.headers, **(FORM_HEADERS if method == "POST" else {}), **(headers or {})}
        answer = self.transport(method, url, form=form, headers=sent)
        self.history.append(answer)
        if status is not None and answer.status != status:
            raise JourneyError(
                f"{method} {url} answered {answer.status}, not {status}:\n{answer.text[:2000]}"
            )
        redirect = 300 <= answer.status < 400  # werkzeug's "You should be redirected" body
        if self.check and answer.mimetype == "text/html" and answer.text and not redirect:
            check_invariants(answer.doc, answer.headers.get("Content-Security-Policy"))
        return answer

    def get(self, url: str, *, status: int | None = 200, **kw: Any) -> Answer:
        """GET, asserting the status (``status=None``: any)."""
        return self.request("GET", url, status=status, **kw)

    def post(
        self, url: str, form: Mapping[str, Any], *, status: int | None = 303, **kw: Any
    ) -> Answer:
        """POST a form as the page's own form would, asserting the status (303 by default)."""
        return self.request("POST", url, form, status=status, **kw)

    def follow(self, answer: Answer, *, status: int | None = 200, **kw: Any) -> Answer:
        """GET each Location until a page that is not a redirect."""
        while 300 <= answer.status < 400:
            answer = self.get(answer.location, status=None, **kw)
        if status is not None and answer.status != status:
            raise JourneyError(f"{answer.url} answered {answer.status}, not {status}")
        return answer


@dataclass
class Journey:
    """One recipient's walk. ``flow`` is the flow's base path ("/f/<id>"), ``urls`` the path
    of each page state reached (landing, code, brands, brand, confirm, processing, card)."""

    browser: Browser
    token: str
    code_of: Callable[[str], str] | None = None  # token → the newest emailed code
    lang: str | None = None  # added to every GET, as the language links do
    flow: str = ""
    urls: dict[str, str] = field(default_factory=dict)
    sent: Answer | None = None  # the last form this journey posted

    # --- steps ----------------------------------------------------------------------------

    def open(self, query: str = "", *, status: int | None = 200, **kw: Any) -> Answer:
        """The landing page (``query`` as "?lang=fr" goes on the link)."""
        return self._page("landing", self.get(f"/r/{self.token}{query}", status=status, **kw))

    def ask_for_code(self, *, status: int | None = 303, **kw: Any) -> Answer:
        """Press "Email me a code" on the landing page (opened first if it is not the last
        page); on a 303 the flow starts and the code page is returned, else the answer."""
        landing = self.browser.history[-1] if self._at("landing") else self.open(**kw)
        form = landing.hidden_fields()
        answer = self._post(f"/r/{self.token}", form, status, **kw)
        if answer.status != 303:
            return answer
        self.flow = answer.location.removesuffix("/code")
        return self._page("code", self.browser.follow(answer, **kw))

    def enter_code(self, code: str | None = None, *, status: int | None = 303, **kw: Any) -> Answer:
        """Enter a code (by default the one just emailed) on the code page; a right one
        moves the flow to its verified id and returns the brands page, else the answer."""
        if code is None:
            code = self.latest_code()
        page = self.browser.last if self._at("code") else self.get(f"{self.flow}/code", **kw)
        form = {"csrf": page.csrf(), "code": code}
        answer = self._post(f"{self.flow}/code", form, status, **kw)
        if answer.status != 303:
            return answer
        self.flow = answer.location.split("?")[0].rsplit("/", 1)[0]
        return self._page("brands", self.browser.follow(answer, **kw))

    def verify(self, **kw: Any) -> Answer:
        """Landing → ask for a code → enter it; returns the brands page."""
        self.open(**kw)
        self.ask_for_code(**kw)
        return self.enter_code(**kw)

    def choose(
        self, slug: str, *, amount: str | None = None, status: int | None = 303, **kw: Any
    ) -> Answer:
        """Open the brand, then its confirmation with ``amount`` (as typed; by default what the
        brand page offers first), and confirm; returns the page that follows (processing, or
        the card at once) on a 303, else the answer."""
        self._page("brand", self.get(f"{self.flow}/brands/{slug}", **kw))
        return self.confirm(slug, amount=amount, status=status, **kw)

    def confirm(
        self,
        slug: str,
        *,
        amount: str | None = None,
        status: int | None = 303,
        follow: bool = True,
        **kw: Any,
    ) -> Answer:
        """The confirmation page of a brand, and its button (``follow=False``: the answer to
        the button, without opening the processing page, which would cache the payout)."""
        if amount is None:
            brand = self.browser.last
            if not brand.path.endswith(f"/brands/{slug}"):
                brand = self._page("brand", self.get(f"{self.flow}/brands/{slug}", **kw))
            amount = amount_of(brand.text)
        url = f"{self.flow}/brands/{slug}/confirm"
        page = self._page("confirm", self.get(f"{url}?{urlencode({'amount': amount})}", **kw))
        answer = self._post(url, page.hidden_fields(), status, **kw)
        if answer.status != 303 or not follow:
            return answer
        return self._page("processing", self.browser.follow(answer, **kw))

    def wait_for_card(
        self, timeout: float = 20.0, sleep: Callable[[float], None] = time.sleep, **kw: Any
    ) -> Answer:
        """Wait on the processing page the way its script does: ask /status every
        `data-poll-seconds`, then reload once it says ready (and land on the card)."""
        deadline = time.monotonic() + timeout
        page = self.browser.last
        if page.status != 200 or not page.path.endswith(("/processing", "/card")):
            page = self.browser.follow(self.get(f"{self.flow}/processing", status=None, **kw))
        while not page.path.endswith("/card"):
            if time.monotonic() > deadline:
                raise JourneyError(f"no card after {timeout} s: still at {page.url}")
            poll = POLL_RE.search(page.text)
            if poll is None:
                raise JourneyError(f"{page.url} is neither the processing page nor the card")
            sleep(float(poll.group(2)))
            if self.browser.get(poll.group(1), **kw).json().get("ready"):
                page = self.browser.follow(self.get(f"{self.flow}/processing", status=None, **kw))
        return self._page("card", page)

    def redeem(self, slug: str, **kw: Any) -> Answer:
        """The whole journey to the card of ``slug``."""
        self.verify(**kw)
        self.choose(slug, **kw)
        return self.wait_for_card(**kw)

    # --- plumbing -------------------------------------------------------------------------

    @property
    def last(self) -> Answer:
        return self.browser.last

    def latest_code(self) -> str:
        if self.code_of is None:
            raise JourneyError("this journey was given no code_of to read emailed codes with")
        return self.code_of(self.token)

    def get(self, url: str, *, status: int | None = 200, **kw: Any) -> Answer:
        return self.browser.get(self._lang(url), status=status, **kw)

    def post(self, url: str, form: Mapping[str, Any], **kw: Any) -> Answer:
        return self.browser.post(url, form, **kw)

    def _post(self, url: str, form: Mapping[str, Any], status: int | None, **kw: Any) -> Answer:
        self.sent = self.browser.post(url, form, status=status, **kw)
        return self.sent

    def _at(self, state: str) -> bool:
        """Is the last answer this state's page, with its form (a 400 with errors counts)?"""
        if not self.browser.history:
            return False
        last = self.browser.last
        return self.urls.get(state) == last.path and CSRF_RE.search(last.text) is not None

    def _lang(self, url: str) -> str:
        if not self.lang or "lang=" in url:
            return url
        return url + ("&" if "?" in url else "?") + f"lang={self.lang}"

    def _page(self, name: str, answer: Answer) -> Answer:
        path = answer.path
        state = next((s for suffix, s in STATES if path.endswith(suffix)), name)
        self.urls[state] = path
        return answer
