"""How forgiving the code field is, and where it stops."""

from __future__ import annotations

import pytest

from redeem.web.forms import SIX_DIGITS, normalise_code


@pytest.mark.parametrize(
    ("typed", "becomes"),
    [
        ("123456", "123456"),
        (" 123 456 ", "123456"),
        ("123-456", "123456"),
        ("123–456", "123456"),  # en dash, as phones autocorrect
        ("１２３４５６", "123456"),  # full-width
        ("١٢٣٤٥٦", "123456"),  # Arabic-Indic
        ("۱۲۳۴۵۶", "123456"),  # Extended Arabic-Indic (Persian)
        ("१२३४५६", "123456"),  # Devanagari
        ("123456\n", "123456"),
        ("123\u00a0456", "123456"),  # no-break space
    ],
)
def test_spaces_dashes_and_any_decimal_digits_become_six_ascii_digits(
    typed: str, becomes: str
) -> None:
    assert normalise_code(typed) == becomes
    assert SIX_DIGITS.fullmatch(normalise_code(typed))


@pytest.mark.parametrize(
    "typed", ["12345²", "+12345", "1e5", "0x1", "12345", "1234567", "", "½23456", "12345a"]
)
def test_anything_else_fails_the_six_digit_check(typed: str) -> None:
    assert not SIX_DIGITS.fullmatch(normalise_code(typed))


def test_a_huge_value_is_cut_before_it_is_looked_at() -> None:
    assert len(normalise_code("1" * 1_000_000)) <= 64
