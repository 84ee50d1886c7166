"""Copy buttons in WebKit: the exact value lands on the clipboard, or the page says to copy it
by hand, with the value selected. The clipboard is read from the X server (xclip), so the test
sees what a paste would paste, not what the page believes it wrote."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable

import pytest

from tests.support.fake import FIELD_SETS, FakeGifq
from tests.support.journey import full_journey
from tests.support.processes import missing_tool
from tests.support.view import SeleniumView

pytestmark = pytest.mark.webkit


@pytest.fixture
def clipboard(display: str) -> Callable[[], str]:
    binary = shutil.which("xclip")
    if binary is None:
        missing_tool("xclip is not installed (scripts/test.sh installs it)")

    def read() -> str:
        done = subprocess.run(
            [binary, "-o", "-selection", "clipboard"],
            env={**os.environ, "DISPLAY": display},
            capture_output=True,
            text=True,
            timeout=10,
        )
        return done.stdout

    return read


def at_the_card(wk: SeleniumView, fake: FakeGifq, live_app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    token, _ = fake.create_payout(amount=50, currency="EUR")
    wk.open(f"{live_app.url}/r/{token}")
    shown = full_journey(wk, fake, token, "omni-store")
    assert set(shown) == FIELD_SETS["omni-store"]
    return shown


def copies_each_value(
    wk: SeleniumView, shown: dict[str, str], clipboard: Callable[[], str]
) -> None:
    for name, value in shown.items():
        button = f'button[data-copy="value-{name}"]'
        wk.click_css(button)
        said = wk.evaluate(
            f"new Promise(done => {{ const started = Date.now(); const look = () => {{"
            f" const b = document.querySelector('{button}').textContent;"
            f" const n = document.getElementById('note-value-{name}').textContent;"
            f" if (b.includes('Copied') || n || Date.now() - started > 5000) done([b, n]);"
            f" else setTimeout(look, 20); }}; look(); }})"
        )
        assert "Copied" in said[0] and said[1] == "", (name, said)
        assert clipboard() == value, name


def test_each_copy_button_puts_its_exact_value_on_the_clipboard(
    wk: SeleniumView, fake: FakeGifq, live_app, clipboard: Callable[[], str]
) -> None:
    shown = at_the_card(wk, fake, live_app)
    assert wk.evaluate("typeof navigator.clipboard.writeText") == "function"
    copies_each_value(wk, shown, clipboard)


def test_without_the_async_clipboard_the_copy_still_lands(
    open_webkit: Callable[..., SeleniumView], fake: FakeGifq, live_app, clipboard: Callable[[], str]
) -> None:
    # Older Safari, and WebKit on a page that is not a secure context, have no
    # navigator.clipboard: the page falls back to execCommand("copy") inside the click.
    wk = open_webkit(features=("-AsyncClipboardAPI",))
    shown = at_the_card(wk, fake, live_app)
    assert wk.evaluate("typeof navigator.clipboard") == "undefined"
    copies_each_value(wk, shown, clipboard)


def test_where_the_clipboard_is_refused_the_page_says_to_copy_by_hand(
    wk: SeleniumView, fake: FakeGifq, live_app, clipboard: Callable[[], str]
) -> None:
    shown = at_the_card(wk, fake, live_app)
    # An in-app browser that refuses both ways of writing to the clipboard, as some do.
    wk.evaluate(
        "(navigator.clipboard.writeText = () => Promise.reject(new DOMException('no', "
        "'NotAllowedError')), document.execCommand = () => false, true)"
    )
    before = clipboard()
    wk.click_css('button[data-copy="value-pin"]')
    wk.expect_text("#note-value-pin", "Select the text and copy it yourself.")
    assert wk.evaluate("window.getSelection().toString()") == shown["pin"]
    assert "Copied" not in wk.text('button[data-copy="value-pin"]')
    assert wk.evaluate("document.getElementById('note-value-pin').getAttribute('role')") == "status"
    assert clipboard() == before


def test_in_the_merchants_cross_site_frame_the_copy_lands_too(
    wk: SeleniumView, fake: FakeGifq, live_app, host, clipboard: Callable[[], str]
) -> None:
    from tests.support.branding import campaign_changed

    with campaign_changed(fake, "branded", branding={"embed_origins": [host.origin]}):
        token, _ = fake.create_payout(amount=50, currency="EUR", campaign="branded")
        wk.open(host.embedding(f"{live_app.url}/r/{token}"))
        frame = wk.in_frame("#frame")
        shown = full_journey(frame, fake, token, "omni-store")
        copies_each_value(frame, shown, clipboard)
