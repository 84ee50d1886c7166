"""The card's barcode, its till page, "Save this card" and "Remind me before it expires",
through the Flask test client against the fake (every HTML page's invariants checked)."""

from __future__ import annotations

import logging
import re
from datetime import date
from decimal import Decimal

import pytest
from icalendar import Calendar

from redeem.gifq.models import Barcode, CardDetails, Redemption, RedemptionStatus
from tests.support.fake import BARCODE_BRANDS, TILL_NUMBER_BRAND, FakeGifq


def issued(fake: FakeGifq, token: str) -> dict:
    fake.advance(31)  # past the resend cooldown of the journey's own code
    grant = fake.verify(token)
    done = [r for r in fake.payout(token, grant)["redemptions"] if r["status"] == "completed"]
    return done[-1]


def card_of(journey, fake: FakeGifq, slug: str):  # type: ignore[no-untyped-def]
    token, _ = fake.create_payout(campaign="branded")
    card = journey(token).redeem(slug)
    return card, issued(fake, token)


def action(card, name: str) -> str:  # type: ignore[no-untyped-def]
    link = next(a for a in card.doc.find_all("a") if a.text() == name)
    return link.attrs["href"]


@pytest.mark.parametrize(("slug", "fmt"), BARCODE_BRANDS.items())
def test_the_card_page_draws_the_barcode_inline(journey, fake: FakeGifq, slug, fmt):
    card, done = card_of(journey, fake, slug)
    (svg,) = card.doc.find_all("svg")
    assert svg.attrs["data-format"] == fmt and svg.attrs["role"] == "img"
    assert svg.attrs["aria-label"].startswith("Barcode to show at the till")
    assert card.doc.by_id("value-code").text() == done["details"]["code"]
    (figure,) = card.doc.find_all("figure")
    assert figure.find_all("img") == [] and "barcode" in figure.attrs["class"]


def test_a_card_without_a_barcode_draws_none_and_still_offers_the_till_page(journey, fake):
    card, _ = card_of(journey, fake, "prepaid-plus")
    assert card.doc.find_all("svg") == []
    assert [a.text() for a in card.doc.find("ul", **{"class": "card-actions"}).find_all("a")] == [
        "Show at the till",
        "Save this card",
        "Remind me before it expires",
    ]


def test_a_link_only_card_has_no_till_page(journey, fake):
    card, _ = card_of(journey, fake, "linkly")
    names = [a.text() for a in card.doc.find("ul", **{"class": "card-actions"}).find_all("a")]
    assert names == ["Save this card", "Remind me before it expires"]


def test_the_till_page_shows_brand_barcode_code_and_pin_and_nothing_else(journey, fake, pages):
    card, done = card_of(journey, fake, "parcel-point")
    till = pages.get(action(card, "Show at the till"))
    doc = till.doc
    main = doc.by_id("main")
    assert doc.find("h1").text() == "Parcel Point"
    assert doc.find("header") is None and doc.find("footer") is None  # no masthead, no footer
    assert len(main.find_all("svg")) == 1
    assert doc.by_id("value-code").text() == done["details"]["code"]
    assert doc.by_id("value-pin").text() == done["details"]["pin"]
    assert [dt.text() for dt in main.find_all("dt")] == ["Code", "PIN"]
    assert [a.text() for a in main.find_all("a")] == ["Back to your card"]
    assert till.headers["Cache-Control"] == "no-store"
    assert doc.find("body").attrs["data-step"] == "till"


def test_the_till_page_of_a_till_number_brand_scans_the_number_and_shows_the_code(
    journey, fake, pages
):
    card, done = card_of(journey, fake, TILL_NUMBER_BRAND)
    doc = pages.get(action(card, "Show at the till")).doc
    drawn = "".join(t.text() for t in doc.find("svg").find_all("text"))
    assert drawn == done["details"]["barcode"]["value"] != done["details"]["code"]
    assert doc.by_id("value-code").text() == done["details"]["code"]


@pytest.mark.parametrize("lang", ["ar", "ja"])
def test_the_till_page_speaks_every_language(journey, fake, pages, lang):
    card, _ = card_of(journey, fake, "kite-coffee")
    doc = pages.get(action(card, "Show at the till") + f"&lang={lang}").doc
    html = doc.find("html")
    assert html.attrs["lang"] == lang and html.attrs["dir"] == ("rtl" if lang == "ar" else "ltr")
    assert "Barcode to show" not in doc.find("svg").attrs["aria-label"]
    assert doc.by_id("value-code").attrs["dir"] == "ltr"


def test_the_saved_card_downloads_as_an_attachment_never_stored(journey, fake, pages):
    card, done = card_of(journey, fake, "lantern-grocer")
    answer = pages.transport.client.get(action(card, "Save this card"))
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert (
        answer.headers["Content-Disposition"] == 'attachment; filename="lantern-grocer-50-eur.html"'
    )
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in answer.headers
    body = answer.get_data(as_text=True)
    assert done["details"]["code"] in body and "<script" not in body
    assert 'data-format="ean13"' in body


def test_another_browser_gets_neither_the_till_page_nor_the_saved_card(journey, fake, app):
    # The flow is bound to the browser that verified it (redeem/security/binding.py); the
    # card's own pages are card pages to that rule. (A browser that keeps no cookie at all
    # still gets them: tests/e2e/test_barcodes.py, in a frame with cookies blocked.)
    card, done = card_of(journey, fake, "lantern-grocer")
    stranger = app.test_client()
    for name in ("Show at the till", "Save this card"):
        answer = stranger.get(action(card, name))
        assert answer.status_code == 403
        assert done["details"]["code"] not in answer.get_data(as_text=True)


def test_the_reminder_downloads_as_a_calendar_without_secrets(journey, fake, pages):
    card, done = card_of(journey, fake, "aurora-cinemas")
    answer = pages.transport.client.get(action(card, "Remind me before it expires"))
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert answer.headers["Content-Disposition"].startswith(
        'attachment; filename="gift-card-reminder-'
    )
    assert answer.headers["Cache-Control"] == "no-store"
    ics = answer.get_data()
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    assert event.decoded("DTSTART").isoformat() == done["expires_at"]
    assert event.walk("VALARM")
    unfolded = ics.decode().replace("\r\n ", "")
    for secret in (
        done["details"]["code"],
        done["details"]["pin"],
        done["details"]["barcode"]["value"],
    ):
        assert secret not in unfolded


@pytest.mark.parametrize("which", ["till", "saved", "reminder"])
def test_the_card_files_need_a_verified_flow(journey, fake, pages, which):
    token, _ = fake.create_payout(campaign="branded")
    walk = journey(token)
    walk.open()
    code_page = walk.ask_for_code()
    flow = re.match(r"(/f/[^/]+)/", code_page.path + "/").group(1)
    answer = pages.get(f"{flow}/card/{which}", status=303)
    assert answer.location.endswith("/code") and "attachment" not in str(answer.headers)


def test_another_payouts_card_cannot_be_named(journey, fake, pages):
    mine, _ = card_of(journey, fake, "kite-coffee")
    theirs, _ = card_of(journey, fake, "bolt-hardware")
    their_id = re.search(r"card=(rd_[^&\"]+)", action(theirs, "Save this card")).group(1)
    url = re.sub(r"card=rd_[^&]+", f"card={their_id}", action(mine, "Save this card"))
    answer = pages.get(url, status=None)
    assert answer.status == 303 and "attachment" not in str(answer.headers)


def test_an_unknown_format_shows_the_code_without_a_barcode_and_logs_one_warning(app, caplog):
    from redeem.journey import pages as page_table
    from redeem.web.layout import render_page
    from tests.support.page import parse

    details = CardDetails(
        code="KEEP-THIS-CODE", barcode=Barcode(None, "X", "unknown barcode format 'maxicode'")
    )
    redemption = Redemption(
        id="rd_1", status=RedemptionStatus.COMPLETED, brand_slug="x", product_id="p",
        face_value=Decimal(5), currency="EUR", created_at=None, completed_at=None,
        expires_at=date(2030, 1, 1), failure_message=None, details=details,
    )  # fmt: skip
    from redeem.cards.barcode import draw

    caplog.set_level(logging.WARNING)
    with app.test_request_context("/"):
        drawing = draw(details.barcode)
        html, status = render_page(
            page_table.CARD, redemption=redemption, brand=None, fields=details.present(),
            redeemed="x", drawing=drawing, till_url=None, saved_url="/s", reminder_url=None,
        )  # fmt: skip
    doc = parse(html)
    assert status == 200 and doc.by_id("value-code").text() == "KEEP-THIS-CODE"
    assert doc.find_all("svg") == []
    warnings = [r for r in caplog.records if r.name == "redeem.cards.barcode"]
    assert len(warnings) == 1 and "contract warning" in warnings[0].getMessage()


def test_the_cards_list_offers_each_cards_own_till_page_and_files(journey, fake, pages):
    token, _ = fake.create_payout(amount=100, campaign="branded")
    grant = fake.verify(token)
    made = []
    for slug in ("kite-coffee", "metro-pharmacy"):
        made.append(fake.redeem(token, grant, fake.product_id(token, slug), 50).json()["id"])
    fake.advance(31)
    walk = journey(token)
    walk.verify()
    listed = pages.get(walk.flow + "/cards").doc
    for redemption_id in made:
        item = listed.by_id(f"card-{redemption_id}")
        hrefs = {
            a.text(): a.attrs["href"]
            for a in item.find_all("a")
            if "button" in a.attrs.get("class", "")
        }
        assert set(hrefs) == {"Show at the till", "Save this card", "Remind me before it expires"}
        assert all(f"card={redemption_id}" in href for href in hrefs.values())
    till = pages.get(hrefs["Show at the till"]).doc  # the last: Metro Pharmacy's
    assert till.find("h1").text() == "Metro Pharmacy"
    assert till.find("svg").attrs["data-format"] == "code128"
