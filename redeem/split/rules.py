"""Which amounts a product offers out of what is left on the payout. Pure functions.

A product either takes any amount in ``min_face_value..max_face_value`` or only its
``denominations`` (CONTRACT §2). With a balance left, a ranged product offers an amount field
from its minimum to the smaller of its maximum and the balance; a product with
denominations offers those that fit. A product none of whose values fit says so (``NoFit``)
instead of vanishing from the list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Literal, TypeAlias

from babel.numbers import get_currency_precision

from redeem.gifq.models import Product


@dataclass(frozen=True, slots=True)
class AmountRange:
    kind: ClassVar[str] = "range"
    low: Decimal
    high: Decimal

    @property
    def default(self) -> Decimal:
        # The largest allowed: most recipients spend what they can in one go.
        return self.high


@dataclass(frozen=True, slots=True)
class Denominations:
    kind: ClassVar[str] = "denominations"
    values: tuple[Decimal, ...]  # ascending, each at most the balance

    @property
    def default(self) -> Decimal:
        return self.values[-1]


@dataclass(frozen=True, slots=True)
class NoFit:
    kind: ClassVar[str] = "none"
    smallest: Decimal  # the least the product takes, more than the balance


AmountChoice: TypeAlias = AmountRange | Denominations | NoFit
Problem: TypeAlias = Literal["out_of_range", "not_a_denomination"]


def unit(currency: str) -> Decimal:
    """The smallest amount of the currency: 0.01 EUR, 1 JPY, 0.001 BHD."""
    return Decimal(1).scaleb(-get_currency_precision(currency))


def choice_for(product: Product, balance: Decimal) -> AmountChoice:
    if product.denominations is not None:
        ordered = sorted(set(product.denominations))
        fitting = tuple(d for d in ordered if 0 < d <= balance)
        if fitting:
            return Denominations(fitting)
        return NoFit(min((d for d in ordered if d > 0), default=Decimal(0)))
    low = max(product.min_face_value or Decimal(0), unit(product.currency))
    high = balance if product.max_face_value is None else min(product.max_face_value, balance)
    if low <= high:
        return AmountRange(low, high)
    return NoFit(low)


def fits(choice: AmountChoice) -> bool:
    return not isinstance(choice, NoFit)


def best_product(
    products: Iterable[Product], balance: Decimal, currency: str
) -> tuple[Product, AmountChoice] | None:
    """The brand's first product in the payout's currency that fits the balance, else its
    first one in that currency (which then says why it does not fit), else None."""
    first: tuple[Product, AmountChoice] | None = None
    for product in products:
        if product.currency != currency:
            continue
        choice = choice_for(product, balance)
        if fits(choice):
            return product, choice
        first = first or (product, choice)
    return first


def check(choice: AmountChoice, value: Decimal) -> Problem | None:
    """Why ``value`` cannot be issued under ``choice``, or None when it can."""
    if isinstance(choice, AmountRange):
        return None if choice.low <= value <= choice.high else "out_of_range"
    if isinstance(choice, Denominations):
        return None if value in choice.values else "not_a_denomination"
    return "out_of_range"
