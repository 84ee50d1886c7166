"""Pages wear the campaign's branding (error pages too) and only its owners may frame them."""

from __future__ import annotations

import re
from typing import Any

import pytest

from redeem.extensions import state_of
from tests.support.branding import campaign_changed
from tests.support.fake import FakeGifq

ACME_ORIGIN = "http://localhost:8766"  # the seed's embed origin for the branded campaign


def style_block(html: str) -> str:
    found = re.findall(r"<style nonce=\"[^\"]+\">(.*?)</style>", html, re.S)
    assert len(found) == 1, found
    return str(found[0])


def ancestors(response: Any) -> str:
    csp = response.headers["Content-Security-Policy"]
    return str(re.search(r"frame-ancestors ([^;]+)", csp).group(1))  # type: ignore[union-attr]


def assert_branded(response: Any) -> None:
    html = response.text
    assert "--brand-primary:#0B5FFF" in style_block(html)
    assert ancestors(response) == ACME_ORIGIN
    assert "X-Frame-Options" not in response.headers


def assert_unbranded_and_unframeable(response: Any) -> None:
    assert "--brand-primary:#1F4FD1" in style_block(response.text)
    assert ancestors(response) == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_branded_landing_page_wears_the_campaigns_colours_font_logo_and_name(
    pages: Any, fake: FakeGifq
) -> None:
    token, _ = fake.create_payout(campaign="branded")
    doc = pages.get(f"/r/{token}").doc
    css = style_block(pages.last.text)
    assert "--brand-primary:#0B5FFF;--brand-on-primary:#FFFFFF" in css
    assert "--brand-bg:#FFFFFF;--brand-text:#111111" in css
    assert "--brand-font:Inter," in css
    logo = doc.find("img", **{"class": "masthead__logo"})
    assert logo is not None and logo.attrs["alt"] == "Acme Rewards"
    assert logo.attrs["src"] == f"{fake.base_url}/assets/logos/acme-rewards.png"
    assert_branded(pages.last)


def test_a_plain_campaign_keeps_the_default_look_and_refuses_framing(
    pages: Any, fake: FakeGifq
) -> None:
    token, _ = fake.create_payout(campaign="plain")
    pages.get(f"/r/{token}")
    assert_unbranded_and_unframeable(pages.last)


def test_an_unknown_link_refuses_every_frame(pages: Any) -> None:
    pages.get("/r/" + "A" * 43, status=404)
    assert_unbranded_and_unframeable(pages.last)


def test_a_cancelled_link_shows_the_campaigns_branding_and_support_address(
    pages: Any, fake: FakeGifq
) -> None:
    doc = pages.get(f"/r/{fake.demo_token('cancelled')}", status=410).doc
    assert_branded(pages.last)
    mail = doc.find("a", href="mailto:help@acme.example")
    assert mail is not None and mail.text() == "help@acme.example"


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        ({"mode": "error", "status": 503}, 503),
        ({"mode": "error", "status": 423}, 423),
        ({"mode": "rate_limit"}, 429),
    ],
    ids=["unavailable", "locked", "rate-limited"],
)
def test_an_error_after_the_link_was_seen_still_wears_its_campaigns_branding(
    app: Any, pages: Any, fake: FakeGifq, fault: dict[str, Any], status: int
) -> None:
    gifq = state_of(app).gifq
    token, _ = fake.create_payout(campaign="branded")
    pages.get(f"/r/{token}")
    mode = fault.pop("mode")
    gifq.cache.clear()  # the client serves a payout read within the last second from memory
    fake.fault(mode, path_prefix=f"/api/payouts/{token}", count=10, **fault)  # retries too
    try:
        pages.get(f"/r/{token}", status=status)
    finally:
        fake.clear_faults()
    assert_branded(pages.last)
    assert gifq.breaker.state == "closed"  # other tests share this app: it must still call GIFQ


def test_a_flow_that_is_gone_still_wears_its_campaigns_branding(
    pages: Any, journey: Any, fake: FakeGifq
) -> None:
    recipient = journey(fake.create_payout(campaign="branded")[0])
    code_url = recipient.ask_for_code().path
    recipient.enter_code()  # verified: the old flow id is retired
    pages.get(code_url, status=410)
    assert_branded(pages.last)


def test_a_forged_cross_site_post_is_refused_on_a_branded_page(pages: Any, fake: FakeGifq) -> None:
    token, _ = fake.create_payout(campaign="branded")
    csrf = pages.get(f"/r/{token}").csrf()
    pages.post(f"/r/{token}", {"csrf": csrf}, status=403, headers={"Sec-Fetch-Site": "cross-site"})
    assert_branded(pages.last)
    assert [m for m in fake.outbox(fake.email_of(token)) if m["kind"] == "verification_code"] == []


def test_a_framed_page_is_compact_and_offers_the_same_step_in_a_new_tab(
    pages: Any, fake: FakeGifq
) -> None:
    token, _ = fake.create_payout(campaign="branded")
    doc = pages.get(f"/r/{token}?embed=1&lang=de", headers={"Sec-Fetch-Dest": "iframe"}).doc
    assert doc.find("header") is None
    body = doc.find("body")
    assert body is not None and body.attrs["class"] == "is-embedded"
    link = doc.find("a", target="_blank", rel="noopener")
    assert link is not None and link.attrs["href"] == f"/r/{token}?lang=de"


def test_a_flow_begun_in_a_frame_shows_the_full_layout_when_opened_in_a_new_tab(
    pages: Any, fake: FakeGifq
) -> None:
    token, _ = fake.create_payout(campaign="branded")
    csrf = pages.get(f"/r/{token}", headers={"Sec-Fetch-Dest": "iframe"}).csrf()
    code_url = pages.post(f"/r/{token}", {"csrf": csrf, "embed": "1"}).location
    framed = pages.get(code_url, headers={"Sec-Fetch-Dest": "iframe"}).doc
    assert framed.find("header") is None
    top = pages.get(code_url, headers={"Sec-Fetch-Dest": "document"}).doc
    assert top.find("header") is not None
    old_browser = pages.get(code_url).doc  # no fetch metadata: the flow remembers it began framed
    assert old_browser.find("header") is None


HOSTILE = {
    "sender_name": '<script>alert("sender")</script>\u202eevil',
    "headline": '<img src=x onerror=alert("headline")> {{7*7}} {{recipient_name}}',
    "body": "</p><script>alert('body')</script>" + "x" * 6000,
    "branding": {
        "primary_color": "#fff;}body{display:none}",
        "accent_color": "url(https://evil.example/a)",
        "background_color": "expression(alert(1))",
        "text_color": "#000000\\;}",
        "font_family": "x;}*{background:url(https://evil.example/f)}",
        "support_email": 'help@acme.example?body=<script>alert("mail")</script>',
        "logo_url": "javascript:alert('logo')",
        "embed_origins": ["https://acme.example; script-src *", "*", "https://ok.example"],
    },
}


def test_hostile_branding_is_inert_and_the_page_still_renders(pages: Any, fake: FakeGifq) -> None:
    token, _ = fake.create_payout(campaign="branded", name="<b>Eve</b>")
    with campaign_changed(fake, "branded", **{**HOSTILE, "body": HOSTILE["body"][:4900]}):
        doc = pages.get(f"/r/{token}").doc
    html = pages.last.text
    css = style_block(html)
    assert "--brand-primary:#1F4FD1" in css and "evil" not in css
    assert css.count("{") == css.count("}") == 1  # one rule, nothing closed early
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>Eve" not in html
    h1 = doc.find("h1")
    assert (
        h1 is not None and h1.text() == '<img src=x onerror=alert("headline")> {{7*7}} <b>Eve</b>'
    )
    assert "\u202e" not in html
    assert doc.find("img", **{"class": "masthead__logo"}) is None
    assert "mailto:" not in html and "evil.example" not in html
    assert ancestors(pages.last) == "https://ok.example"
    assert len(doc.find("p", **{"class": "lead"}).text()) <= 600  # type: ignore[union-attr]
