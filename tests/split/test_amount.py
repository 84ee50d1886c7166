"""Reading amounts the way each language writes them, and the sentence for each problem."""

from __future__ import annotations

from decimal import Decimal

import pytest

from redeem.i18n.locale import SUPPORTED
from redeem.split.amount import AmountError, as_typed, message, parse_amount, read_amount
from redeem.split.rules import AmountRange, Denominations, NoFit

D = Decimal
RANGE = AmountRange(D(5), D(40))
DENOMS = Denominations((D(10), D(25), D(50)))


@pytest.mark.parametrize(
    ("locale", "typed", "value"),
    [
        ("en", "12.50", "12.50"),
        ("en", "12.5", "12.50"),
        ("en", "12", "12.00"),
        ("en", "1,000.50", "1000.50"),
        ("en", " €12.50 ", "12.50"),
        ("en", "12.50 EUR", "12.50"),
        ("de", "12,50", "12.50"),
        ("de", "12,50 €", "12.50"),
        ("de", "1.000,50", "1000.50"),
        ("fr", "12,50", "12.50"),
        ("fr", "1 000,50", "1000.50"),  # typed with a plain space
        ("fr", "1\u202f000,50", "1000.50"),  # as French formats it
        ("fr", "12,50\u00a0€", "12.50"),
        ("es", "12,5", "12.50"),
        ("it", "12,50", "12.50"),
        ("nl", "€ 12,50", "12.50"),
        ("pt_BR", "12,50", "12.50"),
        ("pl", "12,50", "12.50"),
        ("et", "12,50", "12.50"),
        ("ja", "12.50", "12.50"),
        ("zh_Hans", "12.50", "12.50"),
        ("ar", "12.50", "12.50"),
        ("ar", "١٢٫٥٠", "12.50"),  # Arabic-Indic digits and the Arabic decimal separator
        ("en", "１２.５０", "12.50"),  # full-width digits
        ("en", "12.500", "12.50"),  # a trailing zero adds no decimal
    ],
)
def test_amounts_parse_as_each_language_writes_them(locale, typed, value):
    assert parse_amount(typed, currency="EUR", locale=locale) == D(value)


@pytest.mark.parametrize(
    ("locale", "typed"),
    [
        ("en", "12,50"),  # a German habit on an English page is refused, not read as 1250
        ("de", "12.50"),
        ("fr", "12.50"),
        ("en", "1,00"),
        ("en", "12.5.0"),
        ("en", "NaN"),
        ("en", "Infinity"),
        ("en", "1e3"),
        ("en", "0x10"),
        ("en", "twelve"),
        ("en", "+12"),
        ("en", "12 50"),
        ("de", "12,,50"),
        ("en", "½"),
        ("en", "12²"),
    ],
)
def test_anything_else_is_not_a_number(locale, typed):
    with pytest.raises(AmountError) as caught:
        parse_amount(typed, currency="EUR", locale=locale)
    assert caught.value.kind == "not_a_number"


@pytest.mark.parametrize("typed", ["", "   ", None, "€", " EUR "])
def test_nothing_typed_is_its_own_problem(typed):
    with pytest.raises(AmountError) as caught:
        parse_amount(typed, currency="EUR", locale="en")
    assert caught.value.kind == "empty"


@pytest.mark.parametrize(
    ("currency", "locale", "typed", "ok"),
    [
        ("EUR", "en", "12.505", False),
        ("EUR", "de", "12,505", False),
        ("EUR", "en", "12.50", True),
        ("JPY", "ja", "1250", True),
        ("JPY", "ja", "1250.5", False),
        ("JPY", "ja", "1250.0", True),
        ("BHD", "ar", "12.345", True),
        ("BHD", "ar", "12.3456", False),
    ],
)
def test_no_more_decimals_than_the_currency_has(currency, locale, typed, ok):
    if ok:
        assert parse_amount(typed, currency=currency, locale=locale) == D(typed.replace(",", "."))
        return
    with pytest.raises(AmountError) as caught:
        parse_amount(typed, currency=currency, locale=locale)
    assert caught.value.kind == "too_many_decimals"


def test_a_huge_input_is_cut_before_it_is_read_and_is_out_of_any_range():
    with pytest.raises(AmountError) as caught:
        parse_amount("1" * 1_000_000 + "x", currency="EUR", locale="en")
    assert caught.value.kind == "out_of_range"


@pytest.mark.parametrize(
    ("choice", "typed", "kind"),
    [
        (RANGE, "40.01", "out_of_range"),
        (RANGE, "4.99", "out_of_range"),
        (RANGE, "-5", "out_of_range"),
        (DENOMS, "30", "not_a_denomination"),
        (NoFit(D(75)), "75", "out_of_range"),
    ],
)
def test_a_number_outside_what_is_offered_is_refused(choice, typed, kind):
    with pytest.raises(AmountError) as caught:
        read_amount(typed, choice=choice, currency="EUR", locale="en")
    assert caught.value.kind == kind


def test_a_number_inside_what_is_offered_is_read():
    assert read_amount("40", choice=RANGE, currency="EUR", locale="en") == D("40.00")
    assert read_amount("25", choice=DENOMS, currency="EUR", locale="en") == D("25.00")


@pytest.mark.parametrize(
    ("locale", "shown"),
    [("en", "1,234.50"), ("de", "1.234,50"), ("fr", "1\u202f234,50"), ("ar", "1,234.50")],
)
def test_the_field_shows_an_amount_as_the_language_writes_it(locale, shown):
    assert as_typed(D("1234.5"), "EUR", locale) == shown
    assert parse_amount(shown, currency="EUR", locale=locale) == D("1234.50")
    assert as_typed(D(1250), "JPY", locale) == shown.split(shown[-3])[0].replace("234", "250")


# --- the sentences ------------------------------------------------------------------------

ENGLISH = {
    ("empty", RANGE): "Enter the amount you want on this card.",
    ("not_a_number", RANGE): "Enter the amount as a number, like 40.00.",
    ("too_many_decimals", RANGE): "Enter the amount with at most 2 decimal places, like 40.00.",
    ("out_of_range", RANGE): "Enter an amount from €5.00 to €40.00.",
    (
        "not_a_denomination",
        DENOMS,
    ): "Choose one of the amounts offered: €10.00, €25.00, and €50.00.",
    ("out_of_range", NoFit(D(75))): "This brand has no amount that fits what is left of your gift.",
}


@pytest.mark.parametrize(("key", "sentence"), ENGLISH.items())
def test_each_problem_is_one_whole_english_sentence(speaking, key, sentence):
    kind, choice = key
    with speaking("en"):
        assert message(AmountError(kind), choice=choice, currency="EUR", locale="en") == sentence


def test_german_sentences_write_amounts_the_german_way(speaking):
    with speaking("de"):
        said = message(AmountError("out_of_range"), choice=RANGE, currency="EUR", locale="de")
        assert said == "Geben Sie einen Betrag von 5,00\u00a0€ bis 40,00\u00a0€ ein."
        said = message(AmountError("not_a_number"), choice=RANGE, currency="EUR", locale="de")
        assert said == "Geben Sie den Betrag als Zahl ein, zum Beispiel 40,00."


def test_a_currency_without_decimals_asks_for_a_whole_amount(speaking):
    choice = AmountRange(D(500), D(3000))
    with speaking("ja"):
        said = message(AmountError("too_many_decimals"), choice=choice, currency="JPY", locale="ja")
    assert said == "金額は 3,000 のように小数点なしの整数で入力してください。"


@pytest.mark.parametrize("locale", [loc for loc in SUPPORTED if loc != "en"])
@pytest.mark.parametrize(("key", "english"), ENGLISH.items())
def test_every_problem_is_translated_into_every_language(speaking, locale, key, english):
    kind, choice = key
    with speaking(locale):
        said = message(AmountError(kind), choice=choice, currency="EUR", locale=locale)
    assert said and said != english
    assert "%(" not in said
