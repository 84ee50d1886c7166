"""Splitting a payout through the app's pages (Flask test client against the real fake)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from tests.support.cookies import same_browser
from tests.support.fake import FakeGifq


def main_text(answer) -> str:  # type: ignore[no-untyped-def]
    return answer.doc.find("main").text()


def charges(fake: FakeGifq, token: str) -> list[Decimal]:
    movements = fake.payouts_for(token)["balance_movements"]
    return [Decimal(str(m["amount"])) for m in movements if m["kind"] == "charge"]


@pytest.fixture
def sixty(journey, fake: FakeGifq):  # type: ignore[no-untyped-def]
    token, _ = fake.create_payout(amount=60, currency="EUR", campaign="branded")
    recipient = journey(token)
    recipient.verify()
    return token, recipient


def test_a_ranged_brand_offers_an_amount_field_prefilled_with_the_largest_allowed(sixty):
    _, recipient = sixty
    page = recipient.get(recipient.flow + "/brands/canal-coffee")
    field = page.doc.by_id("amount")
    assert field.attrs["value"] == "40.00"  # its maximum is below the 60 left
    assert field.attrs["inputmode"] == "decimal"
    assert page.doc.by_id("amount-hint").text() == "From €5.00 to €40.00."
    assert page.doc.find("label", **{"for": "amount"}).text() == "Amount"
    northwind = recipient.get(recipient.flow + "/brands/northwind-books").doc
    assert northwind.by_id("amount").attrs["value"] == "60.00"  # the balance is the limit


def test_a_brand_with_denominations_offers_those_that_fit_as_radio_buttons(sixty):
    _, recipient = sixty
    doc = recipient.get(recipient.flow + "/brands/harbour-market").doc
    radios = doc.find_all("input", type="radio")
    assert [r.attrs["value"] for r in radios] == ["10.00", "25.00", "50.00"]
    assert [r.attrs.get("checked") is not None for r in radios] == [False, False, True]
    assert radios[0].attrs["id"] == "amount"  # where the error summary's link lands
    assert doc.find("legend").text() == "Amount"


@pytest.mark.parametrize(
    ("slug", "typed", "said"),
    [
        ("canal-coffee", "twelve", "Enter the amount as a number, like 40.00."),
        ("canal-coffee", "12,50", "Enter the amount as a number, like 40.00."),
        ("canal-coffee", "12.505", "Enter the amount with at most 2 decimal places, like 40.00."),
        ("canal-coffee", "45", "Enter an amount from €5.00 to €40.00."),
        ("canal-coffee", "", "Enter the amount you want on this card."),
        (
            "harbour-market",
            "30.00",
            "Choose one of the amounts offered: €10.00, €25.00, and €50.00.",
        ),
        (
            "harbour-market",
            "100.00",
            "Choose one of the amounts offered: €10.00, €25.00, and €50.00.",
        ),
    ],
)
def test_a_wrong_amount_comes_back_beside_the_field_with_what_was_typed(
    sixty, fake: FakeGifq, slug: str, typed: str, said: str
):
    token, recipient = sixty
    page = recipient.get(f"{recipient.flow}/brands/{slug}/confirm?amount={typed}", status=400)
    assert page.doc.by_id("amount-error").text() == f"Error: {said}"
    assert page.doc.find("div", **{"class": "error-summary"}).find("a").attrs["href"] == "#amount"
    assert page.doc.find("title").text().startswith("Error: ")
    if slug == "canal-coffee":
        assert page.doc.by_id("amount").attrs["value"] == typed  # nothing typed is lost
        assert page.doc.by_id("amount").attrs["aria-invalid"] == "true"
    assert charges(fake, token) == []


def test_amounts_are_read_as_german_writes_them(journey, fake: FakeGifq):
    token, _ = fake.create_payout(amount=60, currency="EUR", campaign="branded", locale="de")
    recipient = journey(token, lang="de")
    recipient.verify()
    brand = recipient.get(recipient.flow + "/brands/canal-coffee").doc
    assert brand.by_id("amount").attrs["value"] == "40,00"
    confirm = recipient.get(recipient.flow + "/brands/canal-coffee/confirm?amount=12,50")
    assert "im Wert von 12,50 €." in main_text(confirm).replace("\u00a0", " ")
    wrong = recipient.get(recipient.flow + "/brands/canal-coffee/confirm?amount=12.50", status=400)
    assert wrong.doc.by_id("amount-error").text() == (
        "Fehler: Geben Sie den Betrag als Zahl ein, zum Beispiel 40,00."
    )


def test_a_brand_none_of_whose_values_fit_says_so_instead_of_disappearing(sixty):
    _, recipient = sixty
    tiles = recipient.get(recipient.flow + "/brands?q=gallery")
    assert "Grand Gallery" in main_text(tiles)
    assert "Cards from €75.00: more than you have left" in main_text(tiles)
    page = recipient.get(recipient.flow + "/brands/grand-gallery")
    assert "This brand has no amount that fits what is left of your gift." in main_text(page)
    assert "Its cards start at €75.00, and you have €60.00 left." in main_text(page)
    assert page.doc.find("form", method="get") is None


def test_the_confirm_page_says_what_stays_on_the_balance(sixty):
    _, recipient = sixty
    page = recipient.get(recipient.flow + "/brands/harbour-market/confirm?amount=25.00")
    assert "You are choosing a Harbour Market gift card worth €25.00." in main_text(page)
    assert "€35.00 will stay on your balance for another brand." in main_text(page)
    assert page.hidden_fields()["amount"] == "25.00"


def test_a_split_ends_at_zero_with_every_card_on_one_page_newest_first(sixty, fake: FakeGifq):
    token, recipient = sixty
    recipient.choose("harbour-market", amount="25.00")
    card = recipient.wait_for_card()
    assert "You have €35.00 left to spend." in main_text(card)
    another = card.doc.find("a", href=recipient.flow + "/brands")
    assert another is not None and another.text() == "Choose another brand"
    brands = recipient.get(recipient.flow + "/brands")
    assert "Your balance: €35.00" in main_text(brands)

    recipient.choose("canal-coffee", amount="35.00")
    last = recipient.wait_for_card()
    assert "You have used your whole gift." in main_text(last)
    assert last.doc.find("a", href=recipient.flow + "/brands") is None
    # The journey ends at zero: the brands page now leads to the cards.
    ended = recipient.get(recipient.flow + "/brands", status=303)
    assert ended.location.endswith("/cards")

    cards = recipient.get(recipient.flow + "/cards")
    items = cards.doc.find_all("li", **{"class": "card-list__item"})
    grant = fake.verify(token)
    issued = [r for r in fake.payout(token, grant)["redemptions"] if r["status"] == "completed"]
    assert [i.attrs["id"] for i in items] == [f"card-{r['id']}" for r in reversed(issued)]
    for item, r in zip(items, reversed(issued), strict=True):
        for name, value in r["details"].items():
            if value:
                assert item.by_id(f"value-{r['id']}-{name}").text() == value
    assert charges(fake, token) == [Decimal(25), Decimal(35)]


def test_a_double_post_of_each_confirm_makes_exactly_two_redemptions(sixty, app, fake: FakeGifq):
    token, recipient = sixty
    for slug, amount in (("harbour-market", "25.00"), ("canal-coffee", "35.00")):
        url = f"{recipient.flow}/brands/{slug}/confirm"
        fields = recipient.get(f"{url}?amount={amount}").hidden_fields()

        def post(_: int, url: str = url, fields: dict = fields) -> int:
            # Another tab of the recipient's browser: the flow is bound to it.
            return same_browser(app, recipient.browser).post(url, fields).status

        with ThreadPoolExecutor(4) as pool:
            assert set(pool.map(post, range(4))) == {303}
        recipient.wait_for_card()
    assert charges(fake, token) == [Decimal(25), Decimal(35)]
    assert len(fake.payouts_for(token)["redemptions"]) == 2


def test_the_back_button_to_a_used_confirm_page_issues_nothing_and_says_so(sixty, fake: FakeGifq):
    token, recipient = sixty
    url = f"{recipient.flow}/brands/harbour-market/confirm"
    fields = recipient.get(f"{url}?amount=25.00").hidden_fields()
    recipient.post(url, fields, status=303)
    recipient.wait_for_card()
    again = recipient.post(url, fields, status=303)  # the old page, submitted again
    assert again.location.endswith("/cards")
    cards = recipient.get(recipient.flow + "/cards")
    assert "That choice was already confirmed, so nothing new was issued." in main_text(cards)
    assert charges(fake, token) == [Decimal(25)]
    # ... and the next split is not blocked.
    recipient.choose("canal-coffee", amount="35.00")
    recipient.wait_for_card()
    assert charges(fake, token) == [Decimal(25), Decimal(35)]


def test_an_unknown_outcome_is_resolved_by_its_own_reference_not_by_an_earlier_card(
    sixty, fake: FakeGifq
):
    token, recipient = sixty
    recipient.choose("harbour-market", amount="10.00")
    recipient.wait_for_card()
    # The second POST to GIFQ at the same brand fails before an answer: outcome unknown.
    fake.fault("error", path_prefix=f"/api/payouts/{token}/redemptions", status=503)
    lost = recipient.confirm("harbour-market", amount="25.00", follow=False)
    assert lost.location.endswith("/processing")
    assert charges(fake, token) == [Decimal(10)]
    card = recipient.wait_for_card()
    assert "Harbour Market gift card worth €25.00." in main_text(card)
    assert charges(fake, token) == [Decimal(10), Decimal(25)]


def test_revisiting_the_link_after_a_fresh_code_shows_every_card(journey, fake: FakeGifq):
    token = fake.demo_token("split-started")  # a 25 card issued, 35 left
    recipient = journey(token)
    landed = recipient.verify()
    assert landed.path.endswith("/cards")
    assert "You have €35.00 left to spend." in main_text(landed)
    assert len(landed.doc.find_all("li", **{"class": "card-list__item"})) == 1


def test_reopening_the_link_seconds_after_a_split_sends_a_fresh_code(journey, fake: FakeGifq):
    # GIFQ's 30 s resend cooldown ends when a code is confirmed (docs/gifq-contract.md), so
    # the next split never hears "use the code in that email" about a code already used.
    token, _ = fake.create_payout(amount=60, currency="EUR", campaign="branded")
    first = journey(token)
    first.verify()
    first.choose("harbour-market", amount="25.00")
    first.wait_for_card()

    again = journey(token)
    again.open()
    code_page = again.ask_for_code()
    assert "a moment ago" not in main_text(code_page)
    assert "We emailed a 6-digit code" in main_text(code_page)
    codes = [m for m in fake.outbox(fake.email_of(token)) if m["kind"] == "verification_code"]
    assert len(codes) == 2
    landed = again.enter_code()
    assert landed.path.endswith("/cards")
    assert "You have €35.00 left to spend." in main_text(landed)


def test_past_the_hourly_cap_the_code_page_does_not_promise_an_unused_code(journey, fake: FakeGifq):
    token, _ = fake.create_payout(amount=60, currency="EUR", campaign="branded")
    for _ in range(5):
        fake.verify(token)  # five codes sent and used within the hour
    recipient = journey(token)
    recipient.open()
    page = recipient.ask_for_code()
    assert "If the newest one is still unused, enter it" in main_text(page)
    assert "Use the code in that email" not in main_text(page)


def test_a_confirm_link_without_an_amount_offers_the_largest_allowed(sixty, fake: FakeGifq):
    token, recipient = sixty
    page = recipient.get(recipient.flow + "/brands/canal-coffee/confirm")
    assert "Canal Coffee gift card worth €40.00." in main_text(page)
    assert page.hidden_fields()["amount"] == "40.00"
    assert charges(fake, token) == []  # a GET changes nothing
