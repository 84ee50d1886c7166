"""Money as ``Decimal`` inside, JSON numbers on the wire (GIFQ writes ``"amount": 50``)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from redeem.fake_gifq.errors import invalid

CENT = Decimal("0.01")
CURRENCIES = ("EUR", "USD", "GBP")

# Fixed sandbox rates (units per 1 EUR) so cross-currency charges are reproducible.
RATES = {"EUR": Decimal("1"), "USD": Decimal("1.10"), "GBP": Decimal("0.85")}
# GIFQ documents a 1 % fee on cross-currency orders; the fake applies it to payout orders too.
FX_FEE = Decimal("0.01")


def parse_money(value: Any, field: str) -> Decimal:
    """Accept a JSON number with at most two decimals and above zero.

    Request bodies are decoded with ``parse_float=Decimal``, so ``12.34`` arrives exact.
    """
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise invalid(f"{field} must be a number", field=field)
    amount = Decimal(value)
    if not amount.is_finite() or amount <= 0:
        raise invalid(f"{field} must be greater than zero", field=field)
    if amount != amount.quantize(CENT):
        raise invalid(f"{field} may have at most two decimals", field=field)
    if amount > Decimal("1000000"):
        raise invalid(f"{field} is too large", field=field)
    return amount.quantize(CENT)


def render(amount: Decimal) -> int | float:
    """50 stays 50, 12.50 becomes 12.5.

    ``float`` is safe here: amounts have two decimals and far fewer than 15 significant
    digits, and Python prints the shortest repr that round-trips, so 12.34 prints as 12.34.
    """
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount.normalize())


def convert(amount: Decimal, source: str, target: str) -> Decimal:
    if source == target:
        return amount
    in_target = amount / RATES[source] * RATES[target]
    return (in_target * (1 + FX_FEE)).quantize(CENT, rounding=ROUND_HALF_UP)


def for_email(amount: Decimal, currency: str) -> str:
    return f"{amount.quantize(CENT)} {currency}"
