"""Which amounts a product offers out of what is left: ranges, denominations, no fit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from redeem.gifq.models import Product
from redeem.split.rules import (
    AmountRange,
    Denominations,
    NoFit,
    best_product,
    check,
    choice_for,
    fits,
    unit,
)

D = Decimal


def ranged(low: int | str | None, high: int | str | None, currency: str = "EUR") -> Product:
    return Product(
        id=f"p_range-{low}-{high}-{currency.lower()}",
        country="DE",
        currency=currency,
        min_face_value=None if low is None else D(low),
        max_face_value=None if high is None else D(high),
        denominations=None,
    )


def denominated(*values: int, currency: str = "EUR") -> Product:
    return Product(
        id=f"p_denoms-{'-'.join(map(str, values))}-{currency.lower()}",
        country="DE",
        currency=currency,
        min_face_value=D(min(values)),
        max_face_value=D(max(values)),
        denominations=tuple(D(v) for v in values),
    )


@pytest.mark.parametrize(
    ("product", "balance", "expected"),
    [
        (ranged(5, 500), "60", AmountRange(D(5), D(60))),
        (ranged(5, 40), "60", AmountRange(D(5), D(40))),
        (ranged(5, 40), "35", AmountRange(D(5), D(35))),
        (ranged(5, 40), "5", AmountRange(D(5), D(5))),
        (ranged(None, None), "12.34", AmountRange(D("0.01"), D("12.34"))),
        (ranged(20, 1000), "10", NoFit(D(20))),
        (ranged(None, 40, "JPY"), "300", AmountRange(D(1), D(40))),
        (denominated(10, 25, 50, 100), "60", Denominations((D(10), D(25), D(50)))),
        (denominated(100, 25, 10, 50), "35", Denominations((D(10), D(25)))),
        (denominated(10, 25, 50, 100), "10", Denominations((D(10),))),
        (denominated(75, 150), "60", NoFit(D(75))),
        (denominated(25, 50, 75), "0", NoFit(D(25))),
        (ranged(5, 500), "0", NoFit(D(5))),
    ],
)
def test_each_product_offers_what_fits_the_balance(product, balance, expected):
    assert choice_for(product, D(balance)) == expected
    assert fits(expected) is not isinstance(expected, NoFit)


def test_a_range_is_prefilled_with_the_largest_allowed_and_denominations_with_the_largest_fit():
    assert choice_for(ranged(5, 40), D(60)).default == D(40)  # type: ignore[union-attr]
    assert choice_for(ranged(5, 500), D(35)).default == D(35)  # type: ignore[union-attr]
    assert choice_for(denominated(10, 25, 50, 100), D(60)).default == D(50)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("currency", "smallest"), [("EUR", "0.01"), ("JPY", "1"), ("BHD", "0.001")]
)
def test_the_smallest_amount_follows_the_currency(currency, smallest):
    assert unit(currency) == D(smallest)


@pytest.mark.parametrize(
    ("choice", "value", "problem"),
    [
        (AmountRange(D(5), D(40)), "5", None),
        (AmountRange(D(5), D(40)), "40", None),
        (AmountRange(D(5), D(40)), "12.50", None),
        (AmountRange(D(5), D(40)), "4.99", "out_of_range"),
        (AmountRange(D(5), D(40)), "40.01", "out_of_range"),
        (AmountRange(D(5), D(40)), "-5", "out_of_range"),
        (Denominations((D(10), D(25), D(50))), "25", None),
        (Denominations((D(10), D(25), D(50))), "25.00", None),
        (Denominations((D(10), D(25), D(50))), "30", "not_a_denomination"),
        (Denominations((D(10), D(25), D(50))), "100", "not_a_denomination"),
        (NoFit(D(75)), "75", "out_of_range"),
    ],
)
def test_a_value_is_checked_against_what_is_offered(choice, value, problem):
    assert check(choice, D(value)) == problem


def test_a_brand_uses_its_first_product_that_fits_in_the_payouts_currency():
    usd = ranged(5, 500, "USD")
    too_big = denominated(75, 150)
    small = ranged(5, 40)
    assert best_product([usd, too_big, small], D(60), "EUR") == (small, AmountRange(D(5), D(40)))


def test_a_brand_where_nothing_fits_is_kept_with_the_reason():
    too_big = denominated(75, 150)
    assert best_product([too_big, denominated(100)], D(60), "EUR") == (too_big, NoFit(D(75)))


def test_a_brand_with_no_product_in_the_currency_is_not_offered():
    assert best_product([ranged(5, 500, "USD")], D(60), "EUR") is None
