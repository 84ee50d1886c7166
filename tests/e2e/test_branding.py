"""A campaign's look in Chromium: colours applied, bad contrast corrected, hostile values inert."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from redeem.branding.theme import contrast
from tests.support.branding import campaign_changed
from tests.support.fake import FakeGifq
from tests.support.journey import ask_for_code

pytestmark = pytest.mark.e2e

STYLE = """(selector) => {
  const s = getComputedStyle(document.querySelector(selector));
  return {color: s.color, background: s.backgroundColor, font: s.fontFamily, display: s.display};
}"""


def hex_of(rgb: str) -> str:
    r, g, b = (int(x) for x in re.findall(r"\d+", rgb)[:3])
    return f"#{r:02X}{g:02X}{b:02X}"


def computed(page: Page, selector: str) -> dict[str, str]:
    found: dict[str, str] = page.evaluate(STYLE, selector)
    return found


def test_the_campaigns_colours_and_font_show_up_in_computed_styles(
    page: Page, fake: FakeGifq, live_app: Any
) -> None:
    token, _ = fake.create_payout(campaign="branded")
    page.goto(f"{live_app.url}/r/{token}")
    body, button = computed(page, "body"), computed(page, ".button")
    assert (hex_of(body["background"]), hex_of(body["color"])) == ("#FFFFFF", "#111111")
    assert (hex_of(button["background"]), hex_of(button["color"])) == ("#0B5FFF", "#FFFFFF")
    assert body["font"].startswith("Inter,")
    expect(page.locator("img.masthead__logo")).to_have_attribute("alt", "Acme Rewards")


def test_a_low_contrast_campaign_is_corrected_to_readable_colours(
    page: Page, fake: FakeGifq, live_app: Any
) -> None:
    token, _ = fake.create_payout(campaign="branded")
    pale = {"background_color": "#FFFFFF", "text_color": "#DDDDDD", "primary_color": "#FFF200"}
    with campaign_changed(fake, "branded", branding={**pale, "accent_color": "#FAFAFA"}):
        page.goto(f"{live_app.url}/r/{token}")
    body, button = computed(page, "body"), computed(page, ".button")
    background = hex_of(body["background"])
    assert background == "#FFFFFF"
    assert contrast(hex_of(body["color"]), background) >= 4.5
    assert contrast(hex_of(button["color"]), hex_of(button["background"])) >= 4.5
    assert contrast(hex_of(button["background"]), background) >= 3
    for selector in (".summary dt", ".footer", "h1", ".lead"):
        assert contrast(hex_of(computed(page, selector)["color"]), background) >= 4.5, selector


IMG_SVG = '<img src=x onerror=alert("headline")><svg onload=alert(1)>'
HOSTILE_TEXT = {
    "sender_name": '<script>alert("sender")</script>\u202eevil\u202c Sender',
    "headline": IMG_SVG + " {{7*7}} {{recipient_name}}",
    "body": "</p><script>alert('body')</script><a href=\"javascript:alert('body')\">x</a> "
    + "y" * 4500,
}
HOSTILE_BRANDING = {
    "primary_color": "#fff;}body{display:none}",
    "accent_color": "url(https://evil.example/a.png)",
    "background_color": "expression(alert(1))",
    "text_color": "#000000;}*{color:transparent}",
    "font_family": "x;}body{display:none}@import url(https://evil.example/f.css);",
    "support_email": "javascript:alert('mail')//@acme.example",
    "logo_url": "javascript:alert('logo')",
    "embed_origins": [
        "https://acme.example; script-src *",
        "*",
        "javascript:alert(1)",
        "https://" + "a" * 5000,
    ],
}


def test_hostile_values_in_every_branding_field_are_inert(
    page: Page, fake: FakeGifq, live_app: Any
) -> None:
    incidents: list[str] = []
    page.on("dialog", lambda d: (incidents.append(f"dialog {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: incidents.append(f"pageerror {e}"))
    page.on("console", lambda m: m.type == "error" and incidents.append(f"console {m.text}"))
    page.on("request", lambda r: "evil.example" in r.url and incidents.append(f"request {r.url}"))
    token, _ = fake.create_payout(campaign="branded", name='<b onmouseover="alert(1)">Eve</b>')
    with campaign_changed(fake, "branded", **HOSTILE_TEXT, branding=HOSTILE_BRANDING):
        answer = page.goto(f"{live_app.url}/r/{token}")
        assert answer is not None and answer.status == 200
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        expect(page.get_by_role("heading", level=1)).to_have_text(
            IMG_SVG + ' {{7*7}} <b onmouseover="alert(1)">Eve</b>'
        )
        assert computed(page, "body")["display"] == "block"
        assert hex_of(computed(page, ".button")["background"]) == "#1F4FD1"
        assert page.locator("script").count() == 2  # our page data and app.js, nothing injected
        assert page.locator("img, svg, a[href^='javascript:'], a[href^='mailto:']").count() == 0
        assert page.evaluate("document.styleSheets.length") == 2
        assert "\u202e" not in page.title()
        ask_for_code(page)  # the next step renders too
    assert incidents == []
