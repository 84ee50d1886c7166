"""Every response carries the same security headers, error pages and static files included,
asserted as whole strings (GOV.UK Notify's habit): a policy that loosens by one word fails."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest

from tests.security.conftest import SMALL, recipient
from tests.support.driver import FORM_HEADERS
from tests.support.fake import FakeGifq

ROOT = Path(__file__).resolve().parents[2]
NONCE_RE = re.compile(r"script-src 'nonce-([A-Za-z0-9_-]{22})' ")
BRANDED_FRAMERS = "http://localhost:8766"  # the fake's seed: the "branded" campaign's embed origin
PERMISSIONS = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), clipboard-write=(self)"
)
NAMES = (
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Robots-Tag",
    "Permissions-Policy",
    "Cross-Origin-Opener-Policy",
    "Cache-Control",
    "X-Frame-Options",
)
HSTS = "max-age=63072000; includeSubDomains"


def nonce_of(response: Any) -> str:
    match = NONCE_RE.search(response.headers.get("Content-Security-Policy", ""))
    assert match, response.headers.get("Content-Security-Policy")
    return match.group(1)


def page_headers(
    response: Any, fake: FakeGifq, *, framers: str = "'none'", https: bool = False
) -> dict:
    nonce = nonce_of(response)
    expected = {
        "Content-Security-Policy": (
            "default-src 'none'; "
            f"script-src 'nonce-{nonce}' 'strict-dynamic'; "
            f"style-src 'self' 'nonce-{nonce}'; "
            f"img-src 'self' {fake.base_url}; "
            "connect-src 'self'; "
            "font-src 'self'; "
            "base-uri 'none'; "
            "object-src 'none'; "
            "form-action 'self'; "
            f"frame-ancestors {framers}"
        ),
        "Strict-Transport-Security": HSTS if https else None,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Robots-Tag": "noindex, nofollow",
        "Permissions-Policy": PERMISSIONS,
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cache-Control": "no-store",
        # Where a campaign may frame the page, frame-ancestors rules and XFO would only block it.
        "X-Frame-Options": "DENY" if framers == "'none'" else None,
    }
    return expected


def actual(response: Any) -> dict:
    return {name: response.headers.get(name) for name in NAMES}


def assert_page_headers(response: Any, fake: FakeGifq, **kw: Any) -> None:
    assert actual(response) == page_headers(response, fake, **kw)
    scripts = re.findall(r"<script\b([^>]*)>", response.get_data(as_text=True))
    for attrs in scripts:
        if 'type="application/json"' in attrs:
            continue  # a data block: never executed, so CSP does not apply to it
        assert f'nonce="{nonce_of(response)}"' in attrs, attrs


# --- normal pages ------------------------------------------------------------------------


def test_every_journey_page_carries_the_exact_headers_with_the_campaigns_framers(quiet, fake):
    token, _ = fake.create_payout(amount=SMALL, campaign="branded")
    visit = recipient(quiet.test_client(), fake, token)
    visit.redeem("northwind-books")
    # landing, code, brands, brand, confirm, processing (if GIFQ was slower than us), card
    pages = [a for a in visit.browser.history if a.method == "GET" and a.mimetype == "text/html"]
    seen = [a for a in pages if a.status != 303]
    assert [a.path.rsplit("/", 1)[1] for a in seen][-1] == "card"
    assert len(seen) >= 6
    for response in seen:
        assert response.status == 200
        assert_page_headers(response.raw, fake, framers=BRANDED_FRAMERS)


def test_a_campaign_without_embed_origins_refuses_every_frame(quiet, fake):
    token, _ = fake.create_payout(amount=SMALL, campaign="plain")
    response = recipient(quiet.test_client(), fake, token).open()
    assert_page_headers(response.raw, fake, framers="'none'")


def test_redirects_carry_the_headers_too(quiet, fake):
    token, _ = fake.create_payout(amount=SMALL)
    visit = recipient(quiet.test_client(), fake, token)
    visit.ask_for_code()
    response = visit.sent
    assert response is not None and response.status == 303
    assert actual(response) == page_headers(response, fake, framers=BRANDED_FRAMERS)


def test_the_nonce_differs_on_every_response(quiet, fake):
    token, _ = fake.create_payout(amount=SMALL)
    client = quiet.test_client()
    nonces = {nonce_of(client.get(f"/r/{token}")) for _ in range(5)}
    assert len(nonces) == 5


# --- error pages ---------------------------------------------------------------------------

UNKNOWN_FLOW = "/f/" + "A" * 32 + "/code"


def _bad_token(app, fake, client):
    return client.get("/r/not-a-token")


def _flow_gone(app, fake, client):
    return client.get(UNKNOWN_FLOW)


def _bad_csrf(app, fake, client):
    token, _ = fake.create_payout(amount=SMALL)
    return client.post(f"/r/{token}", data={"csrf": "1.forged"}, headers=FORM_HEADERS)


def _forged_cross_site(app, fake, client):
    token, _ = fake.create_payout(amount=SMALL)
    return client.post(f"/r/{token}", data={"csrf": "x"}, headers={"Sec-Fetch-Site": "cross-site"})


def _too_large(app, fake, client):
    token, _ = fake.create_payout(amount=SMALL)
    return client.post(f"/r/{token}", data={"csrf": "x" * 100_000}, headers=FORM_HEADERS)


def _method_not_allowed(app, fake, client):
    return client.delete("/r/" + "A" * 43)


def _missing_static(app, fake, client):
    return client.get("/static/nope.css?v=123")


def _gifq_fault(mode: str, **kw: Any):
    def run(app, fake, client):
        token, _ = fake.create_payout(amount=SMALL)
        fake.fault(mode, path_prefix=f"/api/payouts/{token}", count=2, **kw)
        return client.get(f"/r/{token}")

    return run


ERRORS = {
    "404 for a malformed token": (_bad_token, 404),
    "410 for an unknown flow": (_flow_gone, 410),
    "400 for a forged csrf token": (_bad_csrf, 400),
    "403 for a cross-site post": (_forged_cross_site, 403),
    "413 for an oversized body": (_too_large, 413),
    "405 for a method the route lacks": (_method_not_allowed, 405),
    "404 for a missing static file": (_missing_static, 404),
    "503 when gifq answers 5xx": (_gifq_fault("error", status=500), 503),
    "502 when gifq answers malformed json": (_gifq_fault("malformed"), 502),
    "503 when gifq resets the connection": (_gifq_fault("reset"), 503),
    "504 when gifq hangs past the deadline": (_gifq_fault("hang", seconds=3), 504),
    "429 when gifq is busy for long": (_gifq_fault("rate_limit", seconds=120), 429),
}


@pytest.mark.parametrize("case", ERRORS, ids=list(ERRORS))
def test_error_pages_carry_the_exact_headers(own_app, fake, case):
    make, status = ERRORS[case]
    app = own_app(RATELIMIT_ENABLED=False, GIFQ_DEADLINE=1.0)
    response = make(app, fake, app.test_client())
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert_page_headers(response, fake)


def test_a_server_error_page_carries_the_exact_headers(own_app, fake):
    app = own_app(RATELIMIT_ENABLED=False)

    def boom():  # stands for any bug in a view
        raise RuntimeError("a bug")

    app.add_url_rule("/boom", view_func=boom)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "a bug" not in response.get_data(as_text=True)
    assert_page_headers(response, fake)


def test_the_rate_limit_page_carries_the_exact_headers(limited, fake):
    token, _ = fake.create_payout(amount=SMALL, campaign="plain")
    client = limited.test_client()
    for _ in range(60):
        assert client.get(f"/r/{token}").status_code == 200
    response = client.get(f"/r/{token}")
    assert response.status_code == 429
    assert_page_headers(response, fake)


# --- https --------------------------------------------------------------------------------


def test_hsts_is_sent_only_over_https(quiet, fake):
    token, _ = fake.create_payout(amount=SMALL, campaign="plain")
    client = quiet.test_client()
    assert client.get(f"/r/{token}").headers.get("Strict-Transport-Security") is None
    response = client.get(f"/r/{token}", base_url="https://redeem.example")
    assert_page_headers(response, fake, https=True)
    error = client.get("/r/nope", base_url="https://redeem.example")
    assert error.headers["Strict-Transport-Security"] == HSTS


def test_hsts_follows_x_forwarded_proto_only_from_a_trusted_proxy(own_app, fake):
    token, _ = fake.create_payout(amount=SMALL, campaign="plain")
    behind_proxy = own_app(RATELIMIT_ENABLED=False, PROXY_HOPS=1).test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    assert (
        behind_proxy.get(f"/r/{token}", headers=forwarded).headers["Strict-Transport-Security"]
        == HSTS
    )
    direct = own_app(RATELIMIT_ENABLED=False, PROXY_HOPS=0).test_client()
    assert (
        direct.get(f"/r/{token}", headers=forwarded).headers.get("Strict-Transport-Security")
        is None
    )


# --- static files -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["app.css", "app.js"])
def test_static_files_are_fingerprinted_by_content_and_cached_for_a_year(quiet, fake, name):
    token, _ = fake.create_payout(amount=SMALL)
    page = quiet.test_client().get(f"/r/{token}").get_data(as_text=True)
    digest = hashlib.sha256((ROOT / "static" / name).read_bytes()).hexdigest()[:12]
    url = f"/static/{name}?v={digest}"
    assert f'"{url}"' in page
    response = quiet.test_client().get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
