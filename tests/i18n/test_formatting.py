"""Money, dates, numbers, durations and lists written the way each language reads them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from redeem.i18n.formatting import day, from_now, list_of, money, number
from redeem.i18n.locale import SUPPORTED

NBSP, NNBSP, RLM = "\u00a0", "\u202f", "\u200f"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "€50.00"),
        ("de", f"50,00{NBSP}€"),
        ("fr", f"50,00{NBSP}€"),
        ("es", f"50,00{NBSP}€"),
        ("it", f"50,00{NBSP}€"),
        ("nl", f"€{NBSP}50,00"),
        ("pt_BR", f"€{NBSP}50,00"),
        ("pl", f"50,00{NBSP}€"),
        ("et", f"50,00{NBSP}€"),
        ("ar", f"{RLM}50.00{NBSP}€"),
        ("ja", "€50.00"),
        ("zh_Hans", "€50.00"),
    ],
)
def test_fifty_euros_is_written_the_way_each_language_writes_it(locale: str, expected: str) -> None:
    assert money(Decimal("50"), "EUR", locale) == expected


def test_every_supported_locale_formats_money() -> None:
    assert len({money(Decimal("1234.5"), "EUR", loc) for loc in SUPPORTED}) >= 6


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "¥5,000"), ("ja", "￥5,000"), ("de", f"5.000{NBSP}¥"), ("fr", f"5{NNBSP}000{NBSP}JPY")],
)
def test_yen_have_no_minor_unit(locale: str, expected: str) -> None:
    assert money(Decimal("5000"), "JPY", locale) == expected


def test_yen_amounts_with_a_fraction_are_rounded_to_whole_yen() -> None:
    assert money(Decimal("5000.4"), "JPY", "en") == "¥5,000"


@pytest.mark.parametrize(
    ("currency", "locale", "expected"),
    [
        ("BHD", "en", "BHD12.345"),
        ("KWD", "de", f"12,345{NBSP}KWD"),
        ("TND", "fr", f"12,345{NBSP}TND"),
        ("BHD", "ar", f"{RLM}12.345{NBSP}د.ب.{RLM}"),
    ],
)
def test_three_decimal_currencies_keep_all_three_places(
    currency: str, locale: str, expected: str
) -> None:
    assert money(Decimal("12.345"), currency, locale) == expected


def test_a_three_decimal_amount_with_trailing_zeros_still_shows_three_places() -> None:
    assert money(Decimal("50"), "KWD", "en") == "KWD50.000"


def test_amounts_arrive_as_decimals_and_are_never_rounded_through_floats() -> None:
    assert money(Decimal("0.1") + Decimal("0.2"), "EUR", "en") == "€0.30"
    assert money("19.99", "USD", "en") == "$19.99"


def test_arabic_uses_latin_digits_with_its_own_order_and_marks() -> None:
    """The decision in docs/i18n.md: CLDR's default for `ar` (Latin digits since CLDR 42),
    the same digits as the codes and PINs on the card. No Arabic-Indic digit appears."""
    text = money(Decimal("1234.5"), "USD", "ar")
    assert text == f"{RLM}1,234.50{NBSP}US$"
    assert not any("\u0660" <= ch <= "\u0669" for ch in text)
    assert number(1234567, "ar") == "1,234,567"
    assert day(date(2025, 3, 7), "ar") == "7 مارس 2025"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "March 7, 2025"),
        ("de", "7. März 2025"),
        ("fr", "7 mars 2025"),
        ("pl", "7 marca 2025"),
        ("et", "7. märts 2025"),
        ("ja", "2025年3月7日"),
        ("zh_Hans", "2025年3月7日"),
        ("ar", "7 مارس 2025"),
    ],
)
def test_dates_are_written_in_full_in_each_language(locale: str, expected: str) -> None:
    assert day(date(2025, 3, 7), locale) == expected


def test_a_timestamp_shows_as_its_calendar_day() -> None:
    assert day(datetime(2025, 3, 7, 23, 30, tzinfo=UTC), "en") == "March 7, 2025"
    assert day(None, "en") == ""


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "1,234,567"),
        ("de", "1.234.567"),
        ("fr", f"1{NNBSP}234{NNBSP}567"),
        ("pl", f"1{NBSP}234{NBSP}567"),
    ],
)
def test_numbers_group_their_thousands_as_the_language_does(locale: str, expected: str) -> None:
    assert number(1234567, locale) == expected


@pytest.mark.parametrize(
    ("locale", "seconds", "expected"),
    [
        ("en", 30, "in 30 seconds"),
        ("en", 29.2, "in 30 seconds"),
        ("pl", 1, "za 1 sekundę"),
        ("pl", 5, "za 5 sekund"),
        ("et", 30, "30 sekundi pärast"),
        ("ja", 30, "30 秒後"),
        ("de", 300, "in 5 Minuten"),
    ],
)
def test_a_wait_is_a_whole_phrase_in_the_right_case_and_rounded_up(
    locale: str, seconds: float, expected: str
) -> None:
    assert from_now(seconds, locale) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Books and Games"),
        ("de", "Books und Games"),
        ("ja", "Books、Games"),
        ("ar", "Books وGames"),
    ],
)
def test_lists_join_with_the_languages_own_words_and_marks(locale: str, expected: str) -> None:
    assert list_of(["Books", "Games"], locale) == expected
    assert list_of([], locale) == ""
