"""Who may frame a campaign's pages: strict origins only, from the campaign and EMBED_ORIGINS."""

from __future__ import annotations

import logging

import pytest

from redeem.branding.embed import MAX_ORIGINS, frame_ancestors, valid_origin


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://acme.example", "https://acme.example"),
        ("https://Shop.Acme.Example:8443", "https://shop.acme.example:8443"),
        ("https://*.acme.example", "https://*.acme.example"),
        ("http://localhost:8002", "http://localhost:8002"),
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
        ("http://[::1]:9000", "http://[::1]:9000"),
        ("https://xn--exmple-cua.com", "https://xn--exmple-cua.com"),
    ],
)
def test_a_strict_origin_is_kept_in_canonical_form(given, kept):
    # Plain-http loopback origins count only beside a GIFQ on loopback (test_embed_suffixes.py).
    assert valid_origin(given, gifq_base="http://127.0.0.1:8001") == kept


@pytest.mark.parametrize(
    "given",
    [
        "*",
        "https:",
        "http:",
        "data:",
        "'self'",
        "'none'",
        "https://*",
        "https://*.com",
        "https://a.*.example",
        "https://acme.example; script-src *",
        "https://acme.example script-src",
        "https://acme.example,https://evil.example",
        "https://acme.example/",
        "https://acme.example/path",
        "https://acme.example?x=1",
        "https://user@acme.example",
        "https://exämple.com",
        "http://acme.example",
        "http://localhost.evil.example",
        "ftp://acme.example",
        "javascript:alert(1)",
        "https://acme.example:0",
        "https://acme.example:99999",
        "https://-acme.example",
        "https://acme.example\u202e",
        "https://acme.example\r\nX-Frame-Options: ALLOW",
        "https://" + "a" * 300 + ".example",
        "",
    ],
)
def test_anything_else_is_refused(given):
    assert valid_origin(given) is None


def test_the_global_list_and_the_campaigns_list_are_merged_without_repeats():
    assert frame_ancestors(
        ("https://shop.acme.example", "https://ops.gifq.example"), ("https://ops.gifq.example",)
    ) == ("https://ops.gifq.example", "https://shop.acme.example")


def test_a_refused_origin_is_dropped_and_logged_without_its_whole_value(caplog):
    hostile = "https://acme.example; script-src * " + "x" * 5000
    with caplog.at_level(logging.WARNING, logger="redeem.branding.embed"):
        kept = frame_ancestors((hostile, "https://acme.example"), ())
    assert kept == ("https://acme.example",)
    [record] = caplog.records
    assert len(record.origin) <= 100  # type: ignore[attr-defined]
    assert "x" * 200 not in record.getMessage()


def test_a_campaign_cannot_grow_the_header_without_bound(caplog):
    many = tuple(f"https://shop{i}.acme.example" for i in range(500))
    with caplog.at_level(logging.WARNING, logger="redeem.branding.embed"):
        kept = frame_ancestors(many, ())
    assert len(kept) == MAX_ORIGINS
    assert any("beyond" in r.getMessage() for r in caplog.records)
