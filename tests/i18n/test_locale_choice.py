"""Which language a page speaks: the recipient's choice, then the sender's, then the browser's,
then the campaign's, then English, on the landing page and on every later step."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.driver import Journey
from tests.support.fake import FakeGifq


def lang(doc: Any) -> tuple[str, str]:
    html = doc.find("html")
    return html.attrs["lang"], html.attrs["dir"]


def walked(recipient: Journey, query: str = "", **kw: Any) -> list[Any]:
    """Landing (``query`` on its link), code and brands pages, parsed."""
    landing = recipient.open(query, **kw)
    return [landing.doc, recipient.ask_for_code(**kw).doc, recipient.enter_code(**kw).doc]


@pytest.fixture
def italian_campaign(fake: FakeGifq) -> Iterator[str]:
    """The plain campaign with default_locale "it", restored afterwards."""
    before = fake.payout(fake.create_payout(campaign="plain")[0])["campaign"]["branding"]
    fake.set_campaign("plain", branding={"default_locale": "it"})
    try:
        yield "plain"
    finally:
        fake.set_campaign("plain", branding={"default_locale": before.get("default_locale")})


def test_the_choice_in_the_link_beats_every_other_hint(journey, fake: FakeGifq) -> None:
    doc = journey(locale="de").open("?lang=fr", headers={"Accept-Language": "es"}).doc
    assert lang(doc) == ("fr", "ltr")
    assert doc.find("h1").text() == "Vous avez reçu un cadeau, Alice !"  # a narrow no-break space


def test_the_senders_locale_for_the_recipient_beats_the_browser(journey, fake: FakeGifq) -> None:
    doc = journey(locale="de").open(headers={"Accept-Language": "es-ES,es;q=0.9"}).doc
    assert lang(doc) == ("de", "ltr")
    assert doc.find("h1").text() == "Sie haben ein Geschenk erhalten, Alice!"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.5", "zh-Hans"),
        ("zh-Hans-CN", "zh-Hans"),
        ("pt", "pt-BR"),
        ("pt-PT,pt;q=0.9", "pt-BR"),
        ("de-AT,de;q=0.9", "de"),
        ("sv-SE,sv;q=0.9,nl;q=0.5", "nl"),
        ("ar-EG", "ar"),
        ("ja-JP", "ja"),
    ],
)
def test_the_browsers_languages_pick_the_best_supported_match(
    journey, fake: FakeGifq, header: str, expected: str
) -> None:
    doc = journey().open(headers={"Accept-Language": header}).doc
    assert lang(doc)[0] == expected


def test_the_campaigns_default_applies_when_the_browser_asks_for_nothing_supported(
    journey, fake: FakeGifq, italian_campaign: str
) -> None:
    doc = journey(campaign=italian_campaign).open(headers={"Accept-Language": "sv-SE,fi;q=0.5"}).doc
    assert lang(doc) == ("it", "ltr")


def test_english_is_the_last_resort(journey, fake: FakeGifq) -> None:
    recipient = journey(campaign="plain")
    doc = recipient.open(headers={"Accept-Language": "sv-SE,fi;q=0.5"}).doc
    assert lang(doc) == ("en", "ltr")
    doc = recipient.open().doc
    assert lang(doc) == ("en", "ltr")


def test_the_senders_locale_follows_the_recipient_past_the_landing_page(
    journey, fake: FakeGifq
) -> None:
    docs = walked(journey(locale="ja"), headers={"Accept-Language": "en"})
    assert [lang(doc) for doc in docs] == [("ja", "ltr")] * 3
    assert docs[-1].find("h1").text() == "ギフトカードを選んでください"


def test_a_choice_made_on_the_landing_page_is_kept_for_the_whole_journey(
    journey, fake: FakeGifq
) -> None:
    docs = walked(journey(locale="de"), "?lang=ar")
    assert [lang(doc) for doc in docs] == [("ar", "rtl")] * 3


def test_a_choice_made_on_a_later_step_is_kept_for_the_steps_after_it(
    journey, fake: FakeGifq
) -> None:
    recipient = journey()
    recipient.ask_for_code()
    doc = recipient.get(recipient.flow + "/code?lang=pl").doc
    assert lang(doc) == ("pl", "ltr")
    recipient.enter_code()
    doc = recipient.get(recipient.flow + "/brands", headers={"Accept-Language": "fr"}).doc
    assert lang(doc) == ("pl", "ltr")
    assert doc.find("h1").text() == "Wybierz kartę podarunkową"


def test_an_unknown_or_hostile_lang_value_is_ignored(journey, fake: FakeGifq) -> None:
    recipient = journey(locale="de")
    for value in ("xx", "../../etc", "de" * 40, ""):
        doc = recipient.open(f"?lang={value}").doc
        assert lang(doc) == ("de", "ltr")
