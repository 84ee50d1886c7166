"""Every page state and error, rendered by the app against the fake, checked as HTML."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.cookies import same_browser
from tests.support.fake import FakeGifq


def main_text(doc) -> str:  # type: ignore[no-untyped-def]
    return doc.find("main").text()


def test_the_landing_page_shows_headline_sender_amount_expiry_and_one_button(
    journey, fake: FakeGifq
) -> None:
    token, _ = fake.create_payout(amount=50, currency="EUR", name="Alice")
    doc = journey(token).open().doc
    assert doc.find("h1").text() == "You've received a gift, Alice!"
    assert "Claim your €50.00 gift card below." in main_text(doc)
    summary = doc.find("dl").text()
    assert "Acme Rewards" in summary and "€50.00" in summary
    assert doc.find("time").attrs["datetime"] == fake.payout(token)["expires_at"][:10]
    buttons = doc.find("main").find_all("button")
    assert [b.text() for b in buttons] == ["Email me a code"]


def test_a_get_of_the_landing_page_changes_nothing(journey, fake: FakeGifq) -> None:
    token, _ = fake.create_payout()
    email = fake.email_of(token)
    recipient = journey(token)
    for _ in range(3):
        recipient.open()
    recipient.browser.request("HEAD", f"/r/{token}", status=200)
    recipient.get(f"/r/{token}", headers={"Sec-Purpose": "prefetch"})
    assert [m for m in fake.outbox(email) if m["kind"] == "verification_code"] == []
    assert fake.payout(token)["verification"]["code_sent_at"] is None


def test_the_headline_is_escaped_plain_text_with_variables_filled(journey, fake: FakeGifq) -> None:
    fake.set_campaign(
        "plain", headline="<b>Hi {{recipient_name}}</b>", body="Worth {{amount}} <script>x</script>"
    )
    try:
        landing = journey(campaign="plain", amount=20, currency="USD", name="<i>Bo</i>").open()
        doc, html = landing.doc, landing.text
        assert doc.find("h1").text() == "<b>Hi <i>Bo</i></b>"
        assert "<script>x" not in html and "&lt;script&gt;x" in html
        assert "Worth $20.00" in main_text(doc)
    finally:
        fake.set_campaign("plain", headline="", body="")


def test_the_code_page_says_where_the_code_went_and_has_a_proper_field(
    journey, fake: FakeGifq
) -> None:
    doc = journey(email="alice.smith@example.com").ask_for_code().doc
    assert "a***@example.com" in main_text(doc)
    field = doc.by_id("code")
    assert field.attrs["autocomplete"] == "one-time-code"
    assert field.attrs["inputmode"] == "numeric"
    assert doc.find("label", **{"for": "code"}).text() == "6-digit code"
    wait = doc.by_id("resend-wait")
    assert wait is not None and "seconds" in wait.text()


def test_a_wrong_code_comes_back_as_a_400_with_the_tries_left(journey, fake: FakeGifq) -> None:
    recipient = journey()
    recipient.ask_for_code()
    right = recipient.latest_code()
    doc = recipient.enter_code("000000" if right != "000000" else "111111", status=400).doc
    assert "You have 4 tries left" in doc.by_id("code-error").text()
    assert doc.find("div", **{"class": "error-summary"}) is not None
    assert doc.find("title").text().startswith("Error: ")
    assert doc.by_id("code").attrs.get("aria-invalid") == "true"


@pytest.mark.parametrize(
    "bad", ["", "12345", "1234567", "12345²", "+12345", "1e5", "0x1", "abcdef"]
)
def test_malformed_codes_are_refused_before_gifq_is_asked(
    journey, fake: FakeGifq, bad: str
) -> None:
    recipient = journey()
    recipient.ask_for_code()
    for _ in range(5):
        recipient.enter_code(bad, status=400)
    # Five wrong tries would kill the code at GIFQ: none were spent, so the right code still works.
    recipient.enter_code()
    assert recipient.sent is not None and recipient.sent.location.endswith("/brands")


def test_brands_need_a_verified_code_first(journey, fake: FakeGifq) -> None:
    token, _ = fake.create_payout()
    recipient = journey(token)
    recipient.ask_for_code()
    flow = recipient.flow
    for path in (
        "/brands",
        "/brands/northwind-books",
        "/brands/northwind-books/confirm",
        "/card",
        "/processing",
    ):
        assert recipient.get(flow + path, status=303).location.endswith("/code"), path
    refused = recipient.post(flow + "/brands/northwind-books/confirm", {"csrf": "x"})
    assert refused.location.endswith("/code")
    assert fake.payouts_for(token)["redemptions"] == []


def test_the_brands_page_lists_eligible_brands_with_search_and_filters(
    journey, fake: FakeGifq
) -> None:
    recipient = journey(amount=50, currency="EUR")
    doc = recipient.verify().doc
    flow = recipient.flow
    names = [n.text() for n in doc.find_all("span", **{"class": "brand-tile__name"})]
    assert "Northwind Books" in names and "Failing Florist" in names
    assert doc.find("form", role="search").attrs["method"] == "get"
    found = recipient.get(flow + "/brands?q=north").doc
    assert [n.text() for n in found.find_all("span", **{"class": "brand-tile__name"})] == [
        "Northwind Books"
    ]
    filtered = recipient.get(flow + "/brands?category=entertainment").doc
    assert "Slow Cinema" in filtered.find("main").text()
    assert "Northwind Books" not in filtered.find("main").text()
    by_country = recipient.get(flow + "/brands?country=FR").doc
    assert all(
        "France" in n.text() for n in by_country.find_all("span", **{"class": "brand-tile__meta"})
    )


def test_a_brand_offers_the_denominations_that_fit_and_one_where_none_fits_says_so(
    journey, fake: FakeGifq
) -> None:
    # Kiosque Lumière sells 10, 20 and 50 EUR cards: a 30 EUR payout can split into 10 or 20.
    recipient = journey(amount=30, currency="EUR")
    recipient.verify()
    brand = recipient.get(recipient.flow + "/brands/kiosque-lumiere").doc
    radios = [i.attrs["value"] for i in brand.find_all("input", type="radio")]
    assert radios == ["10.00", "20.00"]
    # Grand Gallery sells only 75 and 150: it stays in the list and says why it cannot be had.
    tiles = recipient.get(recipient.flow + "/brands?q=gallery").doc
    assert "Cards from €75.00: more than you have left" in tiles.find("main").text()
    page = recipient.get(recipient.flow + "/brands/grand-gallery").doc
    assert "This brand has no amount that fits what is left of your gift." in page.text()
    assert "you have €30.00 left" in page.text()
    assert page.find("form", method="get") is None
    sent_back = recipient.get(
        recipient.flow + "/brands/grand-gallery/confirm?amount=75", status=303
    )
    assert sent_back.location.endswith("/brands/grand-gallery")


def test_a_5000_brand_catalog_is_paged_and_stays_small(journey, fake: FakeGifq) -> None:
    scale = fake.scale_campaign(brands=5000, currency="EUR", amount=50)
    recipient = journey(scale["token"])
    brands = recipient.verify()
    doc = brands.doc
    assert len(doc.find_all("li", **{"class": "brand-tile"})) == 24
    assert doc.find("p", **{"class": "results-count"}).text() == "5,000 brands"
    assert len(brands.text.encode()) < 40_000
    last = recipient.get(recipient.flow + "/brands?page=9999").doc
    assert "Page" in last.find("nav", **{"class": "pager"}).text()


def test_the_brand_page_and_confirmation_say_the_choice_is_final(journey, fake: FakeGifq) -> None:
    recipient = journey()
    recipient.verify()
    brand = recipient.get(recipient.flow + "/brands/northwind-books").doc
    assert brand.find("h1").text() == "Northwind Books"
    assert "How to use it" in brand.find("main").text() and "Terms" in brand.find("main").text()
    confirm = recipient.get(recipient.flow + "/brands/northwind-books/confirm?amount=50").doc
    assert "This choice is final" in confirm.find("main").text()
    assert confirm.find("button").text() == "Confirm and get my card"


def test_the_processing_page_refreshes_itself_while_the_card_is_issued(
    journey, fake: FakeGifq
) -> None:
    recipient = journey()
    recipient.verify()
    processing = recipient.choose("slow-cinema")  # stays processing for about four seconds
    assert processing.path == recipient.flow + "/processing"
    assert processing.doc.find("meta", **{"http-equiv": "refresh"}) is not None
    assert processing.headers["Retry-After"] == "1"
    status = recipient.get(recipient.flow + "/status")
    assert status.headers["Retry-After"] == "1"
    assert status.json() == {"ready": False}


def test_the_card_shows_only_the_fields_the_brand_returned(journey, fake: FakeGifq) -> None:
    card = journey().redeem("serial-travel").doc
    labels = [dt.text() for dt in card.find("dl", **{"class": "card-fields"}).find_all("dt")]
    assert labels == ["Serial number", "Security code", "Expires"]


def test_a_link_is_only_a_link_when_it_is_https_and_its_challenge_code_sits_beside_it(
    journey, fake: FakeGifq
) -> None:
    card = journey().redeem("gatehouse-games").doc
    fields = card.find("dl", **{"class": "card-fields"})
    assert [dt.text() for dt in fields.find_all("dt")] == ["Link", "Challenge code", "Expires"]
    anchor = fields.find("a")
    assert anchor.attrs["href"].startswith("https://")
    assert anchor.attrs["target"] == "_blank" and anchor.attrs["rel"] == "noopener noreferrer"


def test_a_double_post_of_the_confirmation_makes_one_redemption(
    journey, app, fake: FakeGifq
) -> None:
    token, _ = fake.create_payout()
    recipient = journey(token)
    recipient.verify()
    url = f"{recipient.flow}/brands/northwind-books/confirm"
    fields = recipient.get(url + "?amount=50").hidden_fields()

    def post(_: int) -> int:
        # Each thread a test client of its own (another tab of the recipient's browser: the
        # flow is bound to it): the four presses race in the app.
        return same_browser(app, recipient.browser).post(url, fields).status

    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(post, range(4))) == {303}
    assert len(fake.payouts_for(token)["redemptions"]) == 1


@pytest.mark.parametrize(
    ("scenario", "status", "heading"),
    [
        ("expired", 410, "This link has expired"),
        ("cancelled", 410, "This gift is no longer available"),
    ],
)
def test_dead_payouts_get_their_own_page(
    pages, fake: FakeGifq, scenario: str, status: int, heading: str
) -> None:
    doc = pages.get(f"/r/{fake.demo_token(scenario)}", status=status).doc
    assert doc.find("h1").text() == heading
    assert doc.find("form") is None or doc.find("main").find("form") is None


def test_unknown_and_malformed_links_share_one_404_page(pages) -> None:
    unknown = pages.get("/r/" + "Q" * 43, status=404).doc
    malformed = pages.get("/r/too-short", status=404).doc
    assert unknown.find("h1").text() == malformed.find("h1").text() == "This link doesn't work"


def test_an_unknown_flow_gets_the_start_again_page(pages) -> None:
    doc = pages.get("/f/" + "A" * 32 + "/code", status=410).doc
    assert doc.find("h1").text() == "This page has expired"


def test_a_cross_site_post_is_refused_before_gifq_is_asked(journey, fake: FakeGifq) -> None:
    token, _ = fake.create_payout()
    recipient = journey(token)
    csrf = recipient.open().csrf()
    recipient.post(f"/r/{token}", {"csrf": csrf}, headers={"Sec-Fetch-Site": "cross-site"},
                   status=403)  # fmt: skip
    assert [m for m in fake.outbox(fake.email_of(token)) if m["kind"] == "verification_code"] == []


def test_a_post_without_the_csrf_token_is_refused(journey, fake: FakeGifq) -> None:
    token, _ = fake.create_payout()
    recipient = journey(token)
    recipient.open()
    recipient.post(f"/r/{token}", {}, status=400)


def test_the_old_flow_id_is_dead_after_the_code_is_verified(journey, fake: FakeGifq) -> None:
    recipient = journey()
    recipient.ask_for_code()
    before = recipient.flow
    recipient.enter_code()
    assert recipient.flow != before
    recipient.get(before + "/brands", status=410)


def test_the_home_page_explains_the_service(pages) -> None:
    doc = pages.get("/").doc
    assert doc.find("h1").text() == "Your gift, one click away"


@pytest.mark.parametrize(
    "link", ["http://cards.example/x", "javascript:alert(1)", "data:text/html,x"]
)
def test_a_link_that_is_not_https_is_shown_as_text_never_as_a_link(app, link: str) -> None:
    from datetime import date
    from decimal import Decimal

    from redeem.gifq.models import CardDetails, Redemption, RedemptionStatus
    from redeem.journey.pages import Page
    from redeem.web.layout import render_page
    from tests.support.page import parse

    details = CardDetails(link=link, link_challenge_code="4711")
    redemption = Redemption(
        id="rd_1", status=RedemptionStatus.COMPLETED, brand_slug="x", product_id="p",
        face_value=Decimal(5), currency="EUR", created_at=None, completed_at=None,
        expires_at=date(2030, 1, 1), failure_message=None, details=details,
    )  # fmt: skip
    with app.test_request_context("/"):
        html, _ = render_page(
            Page("card.html", 200, "card"),
            redemption=redemption,
            brand=None,
            fields=details.present(),
            redeemed="x",
        )
    doc = parse(html)
    fields = doc.find("dl", **{"class": "card-fields"})
    assert fields.find("a") is None
    assert fields.by_id("value-link").text() == link


def test_a_verification_gifq_no_longer_accepts_asks_for_a_fresh_code(journey, app, fake) -> None:
    from redeem.extensions import flows

    token, _ = fake.create_payout()
    recipient = journey(token)
    recipient.verify()
    flow_url = recipient.flow
    with app.app_context():
        flow = flows.get(flow_url.rsplit("/", 1)[1])
        flow.verification_token = "no-longer-valid"
        flows.save(flow)
    response = recipient.confirm("northwind-books", status=303)
    assert recipient.sent is not None and recipient.sent.location == f"{flow_url}/code"
    assert "confirm it's you again" in response.doc.find("main").text()
    assert fake.payouts_for(token)["redemptions"] == []
