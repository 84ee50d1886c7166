"""Issue 12, item 5: campaign data cannot allow framing from a whole public suffix, and plain
http loopback origins only count when GIFQ itself is on loopback (the demo and tests).

The Public Suffix List comes from the `publicsuffixlist` package's bundled copy: no network.
"""

from __future__ import annotations

import pytest

from redeem.branding.embed import frame_ancestors, valid_origin
from redeem.gifq.models import Branding, Campaign


@pytest.mark.parametrize(
    "wildcard",
    [
        "https://*.co.uk",  # ICANN section, two labels
        "https://*.github.io",  # private section: every GitHub Pages site
        "https://*.blogspot.com",
        "https://*.herokuapp.com",
        "https://*.com.au",
        "https://*.pages.dev",
        "https://*.s3.amazonaws.com",
        "https://*.CO.UK",
    ],
)
def test_a_wildcard_over_a_public_suffix_is_refused(wildcard):
    assert valid_origin(wildcard) is None
    assert frame_ancestors((wildcard,), ()) == ()


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://*.acme.co.uk", "https://*.acme.co.uk"),
        ("https://*.acme.github.io", "https://*.acme.github.io"),
        ("https://*.shop.example", "https://*.shop.example"),
        ("https://acme.co.uk", "https://acme.co.uk"),
    ],
)
def test_a_wildcard_under_a_registrable_domain_is_kept(given, kept):
    assert valid_origin(given) == kept


@pytest.mark.parametrize(
    "origin", ["http://localhost:8002", "http://127.0.0.1:9000", "http://[::1]:9000"]
)
def test_http_loopback_origins_are_dropped_when_gifq_is_not_on_loopback(origin):
    assert valid_origin(origin, gifq_base="https://api.gifq.example") is None
    assert frame_ancestors((origin,), (), gifq_base="https://api.gifq.example") == ()


@pytest.mark.parametrize(
    "origin", ["http://localhost:8002", "http://127.0.0.1:9000", "http://[::1]:9000"]
)
def test_http_loopback_origins_are_kept_when_gifq_is_on_loopback(origin):
    assert valid_origin(origin, gifq_base="http://127.0.0.1:8001") == origin


def test_https_loopback_origins_are_kept_either_way():
    assert valid_origin("https://localhost:8443", gifq_base="https://api.gifq.example")


def test_a_campaign_served_by_a_remote_gifq_cannot_be_framed_by_plain_http_loopback(
    app, monkeypatch
):
    """The whole path: campaign data → the request context → the CSP header of a response."""
    import dataclasses

    from flask import Response

    from redeem.gifq.parsing import parse_payout
    from redeem.web.request_context import add_payout
    from tests.support.gifq_mock import payout_json

    monkeypatch.setitem(app.config, "GIFQ_API_BASE", "https://api.gifq.example")
    campaign = _campaign_with(
        ("http://localhost:8002", "https://*.github.io", "https://shop.acme.example")
    )
    payout = dataclasses.replace(parse_payout(payout_json()), campaign=campaign)
    with app.test_request_context("/"):
        assert add_payout(payout).frame_ancestors == ("https://shop.acme.example",)
        csp = app.process_response(Response("x")).headers["Content-Security-Policy"]
    assert csp.endswith("frame-ancestors https://shop.acme.example")


def _campaign_with(origins: tuple[str, ...]) -> Campaign:
    return Campaign(
        id="c-1",
        sender_name="Acme",
        headline="A gift",
        body="",
        branding=Branding(embed_origins=origins),
    )
