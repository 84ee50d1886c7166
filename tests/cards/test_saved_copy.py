"""redeem/cards/saved_copy.py: one HTML file with the whole card, that asks for nothing.

The browser half (open from disk with the network blocked, read every value, scan the
barcode) is test_saved_copy_opens_offline below; the rest reads the file as text."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from redeem.cards.saved_copy import saved_copy
from redeem.gifq.models import (
    Barcode,
    BarcodeFormat,
    Brand,
    CardDetails,
    Redemption,
    RedemptionStatus,
)
from tests.support.barcodes import decoded
from tests.support.page import parse

BRAND = Brand(
    slug="parcel-point",
    name="Parcel Point",
    logo_url="https://assets.example/logos/parcel-point.png",
    categories=("home",),
    description="Parcel Point gift cards.",
    terms="Valid for 12 months from issue. Cannot be exchanged for cash.",
    instructions="Show the barcode at the till in any Parcel Point shop.",
)
DETAILS = CardDetails(
    code="QWER-TYUI-OPAS-DFGH",
    pin="482913",
    link="https://cards.example/redeem/abcDEF123",
    serial="123456789012",
    security_code="4711",
    barcode=Barcode(BarcodeFormat.PDF417, "QWER-TYUI-OPAS-DFGH"),
)


def redemption(
    details: CardDetails = DETAILS, expires: date | None = date(2027, 12, 26)
) -> Redemption:
    return Redemption(
        id="rd_saved",
        status=RedemptionStatus.COMPLETED,
        brand_slug=BRAND.slug,
        product_id="p_parcel-point-de-eur",
        face_value=Decimal("50"),
        currency="EUR",
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
        completed_at=datetime(2026, 12, 1, tzinfo=UTC),
        expires_at=expires,
        failure_message=None,
        details=details,
    )


def render(app, lang: str = "en", card: Redemption | None = None, brand: Brand | None = BRAND):
    with app.test_request_context(f"/?lang={lang}"):
        return saved_copy(
            redemption=card or redemption(),
            brand=brand,
            sender="Acme Rewards",
            today=date(2026, 12, 2),
        )


def test_the_saved_card_holds_every_value_the_barcode_and_the_brand_texts(app):
    copy = render(app)
    doc = parse(copy.html)

    shown = {
        n.attrs["id"].removeprefix("value-"): n.text()
        for n in doc.iter()
        if n.attrs.get("id", "").startswith("value-")
    }
    assert shown == dict(DETAILS.present())
    assert doc.find_all("h1")[0].text() == "Parcel Point"
    assert "€50.00" in copy.html
    assert "December 26, 2027" in doc.find_all("time")[0].text()
    assert BRAND.instructions in copy.html and BRAND.terms in copy.html
    (svg,) = doc.find_all("svg")
    assert svg.attrs["role"] == "img" and "PDF417" in svg.attrs["aria-label"]
    assert copy.filename == "parcel-point-50-eur.html"


def test_the_saved_card_can_make_no_request(app):
    html = render(app).html
    assert "<script" not in html
    assert not re.search(r"\s(src|srcset|poster|data|action)=", html)
    assert "<link" not in html and "url(" not in html and "@import" not in html
    assert "<img" not in html  # no logo: opening the file must not tell GIFQ's asset host
    # The only URL is the card's own link, which the recipient may follow.
    assert set(re.findall(r"https?://[^\s\"'<]+", html)) == {
        DETAILS.link,
        "http://www.w3.org/2000/svg",
    }


def test_the_saved_card_forbids_requests_in_its_own_policy(app):
    html = render(app).html
    doc = parse(html)
    (meta,) = doc.find_all("meta", **{"http-equiv": "Content-Security-Policy"})
    (style,) = doc.find_all("style")
    css = "".join(c for c in style.children if isinstance(c, str))
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert meta.attrs["content"] == (
        f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )


def test_the_saved_card_speaks_the_page_language_right_to_left(app):
    html = render(app, "ar").html
    doc = parse(html)
    root = doc.find_all("html")[0]
    assert (root.attrs["lang"], root.attrs["dir"]) == ("ar", "rtl")
    assert "بطاقة" in html  # the lead sentence, in Arabic
    assert "Anyone who has this file" not in html


def test_a_card_without_barcode_or_expiry_or_brand_still_saves(app):
    bare = redemption(CardDetails(code="ONLY-CODE"), expires=None)
    copy = render(app, card=bare, brand=None)
    doc = parse(copy.html)
    assert not doc.find_all("svg") and not doc.find_all("time")
    assert "ONLY-CODE" in copy.html and doc.find_all("h1")[0].text() == "parcel-point"


def test_an_unknown_barcode_saves_the_card_without_one(app, caplog):
    odd = redemption(
        CardDetails(code="C-1", barcode=Barcode(None, "C-1", "unknown barcode format 'x'"))
    )
    copy = render(app, card=odd)
    assert "<svg" not in copy.html and "C-1" in copy.html
    assert [r for r in caplog.records if r.name == "redeem.cards.barcode"]


@pytest.mark.e2e
@pytest.mark.parametrize("media", ["screen", "print"])
def test_saved_copy_opens_offline_shows_every_value_and_scans(app, browser, tmp_path, media):
    path = tmp_path / "card.html"
    path.write_text(render(app).html, encoding="utf-8")
    context = browser.new_context(
        viewport={"width": 320, "height": 900}, device_scale_factor=2, offline=True
    )
    requested: list[str] = []

    def only_the_file(route):  # type: ignore[no-untyped-def]
        requested.append(route.request.url)
        if route.request.url == path.as_uri():
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_the_file)
    try:
        page = context.new_page()
        page.emulate_media(media=media)
        page.goto(path.as_uri())
        for name, value in DETAILS.present():
            assert page.locator(f"#value-{name}").inner_text() == value
            assert page.locator(f"#value-{name}").is_visible()
        assert page.locator("#expires").is_visible()
        assert decoded(page.locator(".barcode").screenshot()) == [("pdf417", DETAILS.barcode.value)]
        assert requested == [path.as_uri()]  # the file itself, nothing else
    finally:
        context.close()
