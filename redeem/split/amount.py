"""Reading an amount the way people type it in their language, and saying what is wrong.

"12,50" in German and French, "12.50" in English, through Babel's CLDR data in strict mode,
so "12,50" typed on an English page is refused rather than read as 1250. Any Unicode
decimal digits ("١٢٫٥٠"), the currency's symbol or code, and a plain space where the locale
groups with a no-break space are accepted; "NaN", "1e3" and signs other than a leading minus
are not numbers. No more decimals than the currency has: "12.505" EUR and "12.5" JPY are
refused; extra zeros ("12.500" EUR, "12.0" JPY) change nothing and are accepted.

Each problem has a whole translated sentence (``message``), with the amounts formatted for
the reader, to show beside the field.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal, TypeAlias

from babel.numbers import (
    NumberFormatError,
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)
from flask_babel import gettext, ngettext

from redeem.i18n.formatting import list_of, money
from redeem.split.rules import AmountChoice, AmountRange, Denominations, check

MAX_INPUT = 32
ARABIC_DECIMAL, ARABIC_GROUP = "\u066b", "\u066c"
SPACES = " \u00a0\u202f\u2009"

Kind: TypeAlias = Literal[
    "empty", "not_a_number", "too_many_decimals", "out_of_range", "not_a_denomination"
]


@dataclass(frozen=True, slots=True)
class AmountError(Exception):
    kind: Kind


def _normalise(raw: str, currency: str, locale: str) -> str:
    decimal_symbol = get_decimal_symbol(locale)
    group_symbol = get_group_symbol(locale)
    text = raw[:MAX_INPUT].strip()
    for mark in {get_currency_symbol(currency, locale), currency, currency.lower()}:
        if text.startswith(mark):
            text = text[len(mark) :]
        if text.endswith(mark):
            text = text[: -len(mark)]
    text = text.strip(SPACES + "\u200e\u200f\u061c")  # and the bidi marks Arabic formats carry
    out = []
    for ch in text:
        digit = unicodedata.decimal(ch, None)
        if digit is not None:
            out.append(str(digit))
        elif ch == ARABIC_DECIMAL:
            out.append(decimal_symbol)
        elif ch == ARABIC_GROUP:
            out.append(group_symbol)
        elif ch in SPACES and group_symbol in SPACES:
            out.append(group_symbol)  # "1 000,50" typed with a plain space in French
        elif ch == "\u2212":
            out.append("-")
        else:
            out.append(ch)
    return "".join(out)


def parse_amount(raw: str | None, *, currency: str, locale: str) -> Decimal:
    """The amount typed, as a Decimal; AmountError("empty" | "not_a_number" |
    "too_many_decimals") when it cannot be one."""
    text = _normalise(raw or "", currency, locale)
    if not text:
        raise AmountError("empty")
    allowed = re.escape(get_decimal_symbol(locale) + get_group_symbol(locale))
    if not re.fullmatch(rf"-?[0-9][0-9{allowed}]*", text):
        raise AmountError("not_a_number")
    try:
        value = parse_decimal(text, locale=locale, strict=True)
    except (NumberFormatError, InvalidOperation):
        raise AmountError("not_a_number") from None
    if not value.is_finite():
        raise AmountError("not_a_number")
    step = Decimal(1).scaleb(-get_currency_precision(currency))
    try:
        exact = value.quantize(step)
    except InvalidOperation:
        raise AmountError("out_of_range") from None  # more digits than any card has
    if value != exact:
        raise AmountError("too_many_decimals")
    return exact


def read_amount(raw: str | None, *, choice: AmountChoice, currency: str, locale: str) -> Decimal:
    """Parse, then check against what the product offers out of the balance."""
    value = parse_amount(raw, currency=currency, locale=locale)
    problem = check(choice, value)
    if problem is not None:
        raise AmountError(problem)
    return value


def as_typed(value: Decimal, currency: str, locale: str) -> str:
    """How the field shows an amount: "35,00" in German, "35.00" in English, no symbol."""
    precision = get_currency_precision(currency)
    pattern = "#,##0" + ("." + "0" * precision if precision else "")
    return format_decimal(value, format=pattern, locale=locale)


def message(error: AmountError, *, choice: AmountChoice, currency: str, locale: str) -> str:
    """The sentence beside the field, in the active language."""
    return str(_sentence(error, choice, currency, locale))


def _sentence(error: AmountError, choice: AmountChoice, currency: str, locale: str) -> object:
    example = as_typed(
        choice.default if isinstance(choice, AmountRange | Denominations) else Decimal("12.5"),
        currency,
        locale,
    )
    if error.kind == "empty":
        return gettext("Enter the amount you want on this card.")
    if error.kind == "not_a_number":
        return gettext("Enter the amount as a number, like %(example)s.", example=example)
    if error.kind == "too_many_decimals":
        precision = get_currency_precision(currency)
        if precision == 0:
            return gettext(
                "Enter a whole amount, without decimals, like %(example)s.", example=example
            )
        return ngettext(
            "Enter the amount with at most %(num)d decimal place, like %(example)s.",
            "Enter the amount with at most %(num)d decimal places, like %(example)s.",
            precision,
            example=example,
        )
    if error.kind == "not_a_denomination" and isinstance(choice, Denominations):
        return gettext(
            "Choose one of the amounts offered: %(amounts)s.",
            amounts=list_of(money(v, currency, locale) for v in choice.values),
        )
    if isinstance(choice, AmountRange):
        return gettext(
            "Enter an amount from %(low)s to %(high)s.",
            low=money(choice.low, currency, locale),
            high=money(choice.high, currency, locale),
        )
    return gettext("This brand has no amount that fits what is left of your gift.")
