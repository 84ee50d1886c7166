"""What a journey step may do to a page, whatever drives the browser.

    view = as_view(page)                     # a Playwright Page or FrameLocator (Chromium)
    view = SeleniumView(driver)              # WebKit through WebKitWebDriver
    view = SeleniumView(driver, frame="#frame")  # the same, inside an iframe of the page
    view.click("button", "Continue"); view.fill("6-digit code", "123456")
    view.expect_heading("Your gift card", timeout=20)

Names given as a string match the way Playwright's do (a case-insensitive substring of the
accessible name); a compiled pattern is searched. Only visible elements count. Every read and
every click waits until it can happen, or fails after `timeout` seconds with what it saw.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

Name = str | re.Pattern[str]
T = TypeVar("T")


class View(Protocol):
    """The page-level steps of a recipient, in any browser."""

    @property
    def url(self) -> str: ...

    def open(self, url: str) -> None: ...

    def click(self, role: str, name: Name) -> None:
        """Click the visible element with this role ("button" or "link") and name."""

    def click_css(self, selector: str) -> None:
        """Click the first visible element matching a CSS selector."""

    def fill(self, label: Name, value: str) -> None:
        """Type into the field with this label, replacing what was there."""

    def fill_css(self, selector: str, value: str, *, enter: bool = False) -> None: ...

    def text(self, selector: str) -> str:
        """The rendered text of the first element matching a CSS selector."""

    def texts_by_id(self, selector: str) -> dict[str, str]:
        """{id: rendered text} of every element matching a CSS selector."""

    def count(self, selector: str) -> int: ...

    def expect_heading(self, text: str, timeout: float = 10) -> None:
        """The page's h1 reads exactly `text` (whitespace normalised) within `timeout`."""

    def expect_text(self, selector: str, contains: str, timeout: float = 10) -> None: ...

    def expect_visible(self, label: Name, timeout: float = 10) -> None:
        """A visible field with this label."""

    def evaluate(self, expression: str) -> Any:
        """A JavaScript expression's value in the page (a returned promise is awaited)."""

    def screenshot(self, path: Path) -> Path: ...

    def viewport(self, width: int, height: int) -> None: ...


def as_view(view: Any) -> View:
    """Journey steps take whatever the test has: a View, or a Playwright Page/FrameLocator."""
    if isinstance(view, (PlaywrightView, SeleniumView)):
        return view
    return PlaywrightView(view)


def _normalise(text: str) -> str:
    return " ".join(text.split())


class PlaywrightView:
    """Playwright's own locators and web-first assertions, so Chromium keeps its auto-waiting."""

    def __init__(self, view: Any) -> None:
        from playwright.sync_api import Page

        self.view = view  # a Page, or a FrameLocator inside one
        self.page: Any = view if isinstance(view, Page) else view.owner.page

    @property
    def url(self) -> str:
        return str(self.page.url)

    def open(self, url: str) -> None:
        self.page.goto(url)

    def click(self, role: str, name: Name) -> None:
        self.view.get_by_role(role, name=name).click()

    def click_css(self, selector: str) -> None:
        self.view.locator(selector).first.click()

    def fill(self, label: Name, value: str) -> None:
        self.view.get_by_label(label).fill(value)

    def fill_css(self, selector: str, value: str, *, enter: bool = False) -> None:
        box = self.view.locator(selector)
        box.fill(value)
        if enter:
            box.press("Enter")

    def text(self, selector: str) -> str:
        return str(self.view.locator(selector).first.inner_text())

    def texts_by_id(self, selector: str) -> dict[str, str]:
        return {
            item.get_attribute("id"): item.inner_text().strip()
            for item in self.view.locator(selector).all()
        }

    def count(self, selector: str) -> int:
        return int(self.view.locator(selector).count())

    def expect_heading(self, text: str, timeout: float = 10) -> None:
        from playwright.sync_api import expect

        heading = self.view.get_by_role("heading", level=1)
        expect(heading).to_have_text(text, timeout=timeout * 1000)

    def expect_text(self, selector: str, contains: str, timeout: float = 10) -> None:
        from playwright.sync_api import expect

        expect(self.view.locator(selector).first).to_contain_text(contains, timeout=timeout * 1000)

    def expect_visible(self, label: Name, timeout: float = 10) -> None:
        from playwright.sync_api import expect

        expect(self.view.get_by_label(label)).to_be_visible(timeout=timeout * 1000)

    def evaluate(self, expression: str) -> Any:
        if self.view is self.page:
            return self.page.evaluate(f"async () => ({expression})")
        return self.view.locator(":root").evaluate(f"async () => ({expression})")

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def viewport(self, width: int, height: int) -> None:
        self.page.set_viewport_size({"width": width, "height": height})


# Finds visible elements by role and accessible name, or fields by label, the way a screen
# reader names them: aria-labelledby, aria-label, <label for>, a wrapping <label>, then text.
_FIND_JS = """
const [kind, what, source, flags, selector] = arguments;
const visible = el => el.getClientRects().length > 0 &&
  getComputedStyle(el).visibility !== "hidden" && !el.closest("[hidden]");
const squash = s => (s || "").replace(/\\s+/g, " ").trim();
const nameOf = el => {
  const by = el.getAttribute("aria-labelledby");
  if (by) return squash(by.split(/\\s+/).map(id => {
    const n = document.getElementById(id); return n ? n.textContent : ""; }).join(" "));
  if (el.getAttribute("aria-label")) return squash(el.getAttribute("aria-label"));
  if (el.labels && el.labels.length) {
    return squash([...el.labels].map(l => l.textContent).join(" "));
  }
  if (el.tagName === "INPUT") return squash(el.value);
  return squash(el.textContent);
};
const matches = name => source === null ? true :
  (flags === null ? name.toLowerCase().includes(source.toLowerCase())
                  : new RegExp(source, flags).test(name));
const ROLES = {
  button: 'button, input[type=submit], input[type=button], [role=button]',
  link: 'a[href], [role=link]',
  heading: 'h1, h2, h3, h4, h5, h6, [role=heading]',
  field: 'input:not([type=hidden]):not([type=submit]), select, textarea',
};
const css = kind === "css" ? selector : ROLES[what];
return [...document.querySelectorAll(css)].filter(el => visible(el) && matches(nameOf(el)));
"""


class Timeout(AssertionError):
    pass


class SeleniumView:
    """A WebDriver session (WebKitGTK here), optionally inside an iframe of the top page.

    Selenium does not wait by itself: every step polls until it can act, which also carries
    it over the moment a click's navigation replaces the document."""

    POLL = 0.1

    def __init__(self, driver: Any, frame: str | None = None) -> None:
        self.driver = driver
        self.frame = frame

    def in_frame(self, selector: str) -> SeleniumView:
        return SeleniumView(self.driver, frame=selector)

    # --- plumbing ---------------------------------------------------------------------------
    def _enter(self) -> None:
        from selenium.webdriver.common.by import By

        self.driver.switch_to.default_content()
        if self.frame is not None:
            self.driver.switch_to.frame(self.driver.find_element(By.CSS_SELECTOR, self.frame))

    def _until(self, attempt: Callable[[], T | None], timeout: float, what: str) -> T:
        from selenium.common.exceptions import WebDriverException

        deadline = time.monotonic() + timeout
        last: object = None
        while True:
            try:
                self._enter()
                result = attempt()
                if result is not None and result is not False:
                    return result
            except WebDriverException as error:  # stale, detached, mid-navigation
                last = error
            if time.monotonic() > deadline:
                raise Timeout(f"{what} (after {timeout} s; last error: {last})")
            time.sleep(self.POLL)

    def _find(self, kind: str, what: str, name: Name | None = None) -> list[Any]:
        if name is None:
            source, flags = None, None
        elif isinstance(name, re.Pattern):
            source, flags = name.pattern, "i" if name.flags & re.IGNORECASE else ""
        else:
            source, flags = name, None
        found = self.driver.execute_script(
            _FIND_JS, kind, what, source, flags, what if kind == "css" else None
        )
        return list(found or [])

    def _first(self, kind: str, what: str, name: Name | None = None) -> Any:
        found = self._find(kind, what, name)
        return found[0] if found else None

    # --- the protocol ---------------------------------------------------------------------
    @property
    def url(self) -> str:
        self._enter()
        if self.frame is None:
            return str(self.driver.current_url)
        return str(self.driver.execute_script("return location.href"))

    def open(self, url: str) -> None:
        self.driver.switch_to.default_content()
        self.driver.get(url)

    def _click(self, find: Callable[[], Any], what: str) -> None:
        def attempt() -> bool:
            element = find()
            if element is None:
                return False
            if self.frame is not None:
                self._scroll_frame_to(element)
                element = find()
                if element is None:
                    return False
            element.click()
            return True

        self._until(attempt, 10, f"nothing to click: {what}")

    def _scroll_frame_to(self, element: Any) -> None:
        """WebKitWebDriver scrolls an element into view within its own frame only, and a
        cross-origin frame cannot scroll the page around it: an element in the frame but below
        the top page's fold would be clicked off screen, and the click silently lost. So the
        top page is scrolled to put the element in the middle of the window first."""
        middle = self.driver.execute_script(
            "const r = arguments[0].getBoundingClientRect(); return r.top + r.height / 2", element
        )
        self.driver.switch_to.default_content()
        self.driver.execute_script(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
            " window.scrollBy(0, r.top + arguments[1] - innerHeight / 2)",
            self.frame,
            middle,
        )
        self._enter()

    def click(self, role: str, name: Name) -> None:
        self._click(lambda: self._first("role", role, name), f"{role} {name!r}")

    def click_css(self, selector: str) -> None:
        self._click(lambda: self._first("css", selector), selector)

    def _type(self, element: Any, value: str, enter: bool) -> None:
        from selenium.webdriver.common.keys import Keys

        element.clear()
        if not enter:
            element.send_keys(value)
            return
        # Enter submits the form. Wait for the page that answers, as Playwright does: a next
        # step whose target is on both pages could otherwise act on the old one and be
        # overtaken by the navigation.
        self.driver.execute_script("window.__replaced = false")
        element.send_keys(value + Keys.ENTER)
        self._until(
            lambda: self.driver.execute_script(
                "return window.__replaced === undefined && document.readyState === 'complete'"
            ),
            15,
            "Enter did not bring a new page",
        )

    def fill(self, label: Name, value: str) -> None:
        element = self._until(
            lambda: self._first("role", "field", label), 10, f"no field labelled {label!r}"
        )
        self._type(element, value, enter=False)

    def fill_css(self, selector: str, value: str, *, enter: bool = False) -> None:
        element = self._until(lambda: self._first("css", selector), 10, f"no field {selector}")
        self._type(element, value, enter=enter)

    def text(self, selector: str) -> str:
        element = self._until(lambda: self._first("css", selector), 10, f"nothing at {selector}")
        return str(element.text)

    def texts_by_id(self, selector: str) -> dict[str, str]:
        self._enter()
        return {
            element.get_attribute("id"): element.text.strip()
            for element in self._find("css", selector)
        }

    def count(self, selector: str) -> int:
        self._enter()
        return len(self._find("css", selector))

    def expect_heading(self, text: str, timeout: float = 10) -> None:
        seen: list[str] = []

        def attempt() -> bool:
            h1 = self._first("css", "h1")
            seen[:] = [_normalise(h1.text)] if h1 is not None else []
            return seen == [_normalise(text)]

        try:
            self._until(attempt, timeout, "")
        except Timeout:
            raise Timeout(f"h1 is {seen!r}, not {text!r}") from None

    def expect_text(self, selector: str, contains: str, timeout: float = 10) -> None:
        seen: list[str] = []

        def attempt() -> bool:
            element = self._first("css", selector)
            seen[:] = [element.text] if element is not None else []
            return bool(seen) and contains in seen[0]

        try:
            self._until(attempt, timeout, "")
        except Timeout:
            raise Timeout(f"{selector} reads {seen!r}, not containing {contains!r}") from None

    def expect_visible(self, label: Name, timeout: float = 10) -> None:
        self._until(
            lambda: self._first("role", "field", label), timeout, f"no field labelled {label!r}"
        )

    def evaluate(self, expression: str) -> Any:
        self._enter()
        return self.driver.execute_script(f"return (async () => ({expression}))();")

    def screenshot(self, path: Path) -> Path:
        """The whole document (WebKit's WebDriver shoots the document, not the window), once
        the images in view have loaded."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.switch_to.default_content()
        _whole_page(self.driver, path)
        return path

    def viewport(self, width: int, height: int) -> None:
        """WebKitGTK's MiniBrowser window will not shrink below its toolbar (about 450 px), so
        a narrower viewport is a popup window of exactly that size, opened on the same URL
        (a GET), which the session then drives; the wider window it replaces is closed."""
        self.driver.switch_to.default_content()
        self.driver.set_window_size(max(width, 500), height)
        if self.driver.execute_script("return innerWidth") == width:
            return
        before = set(self.driver.window_handles)
        old = self.driver.current_window_handle
        self.driver.execute_script(
            f"window.open(location.href, '_blank', 'popup,noopener,width={width},height={height}')"
        )
        popup = self._until_new_window(before)
        self.driver.switch_to.window(old)
        self.driver.close()
        self.driver.switch_to.window(popup)
        inner = self.driver.execute_script("return innerWidth")
        assert inner == width, f"the popup is {inner} px wide, not {width}"

    def _until_new_window(self, before: set[str]) -> str:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            new = set(self.driver.window_handles) - before
            if new:
                return new.pop()
            time.sleep(self.POLL)
        raise Timeout("the popup window never opened")


def _whole_page(driver: Any, path: Path) -> None:
    """WebKit's screenshot is the size of the whole document but only what is in view is
    painted (the rest is black): scroll a window's height at a time and keep each painted band."""
    from io import BytesIO

    from PIL import Image

    view_height, doc_height, start = driver.execute_script(
        "return [innerHeight, document.documentElement.scrollHeight, scrollY]"
    )
    whole: Any = None
    top = 0
    try:
        while True:
            driver.execute_script("window.scrollTo(0, arguments[0])", top)
            at = int(driver.execute_script("return scrollY"))
            _settled(driver)
            shot = Image.open(BytesIO(driver.get_screenshot_as_png()))
            if whole is None:
                whole = Image.new("RGB", shot.size)
            if shot.height < doc_height:  # only the window was shot: place it where it was
                whole = whole.resize((shot.width, max(doc_height, shot.height)))
                whole.paste(shot, (0, at))
            else:
                band = shot.crop((0, at, shot.width, min(at + view_height, shot.height)))
                whole.paste(band, (0, at))
            if at + view_height >= doc_height or at < top:
                break
            top = at + view_height
    finally:
        driver.execute_script("window.scrollTo(0, arguments[0])", start)
    whole.save(path)


def _settled(driver: Any) -> None:
    """Two animation frames after a scroll (so it is painted), and the images now in view
    loaded (lazy ones start only when they come near)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        ready = driver.execute_script(
            "return (async () => { await new Promise(r => requestAnimationFrame(() =>"
            " requestAnimationFrame(r)));"
            " return [...document.images].filter(i => { const b = i.getBoundingClientRect();"
            " return b.bottom > 0 && b.top < innerHeight; }).every(i => i.complete); })();"
        )
        if ready:
            return
        time.sleep(0.1)
