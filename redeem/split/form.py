"""The amount form on a brand's page: one field, an amount box or radio buttons.

A ranged product's box is read in the page's language ("12,50" in German); radio buttons
carry plain values ("25.00") that no language setting can misread. Either way the value is
checked against what the product offers out of the balance, and a problem comes back as one
translated sentence beside the field (and in the layout's error summary).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError

from redeem.split.amount import AmountError, as_typed, message, read_amount
from redeem.split.rules import AmountChoice, AmountRange, Denominations

CANONICAL = "en"  # how radio values are written: "1000.00", no grouping


class AmountForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    class Meta:
        # CSRF is checked against the flow, not the session cookie (see the flow's csrf).
        csrf = False

    amount = StringField(_l("Amount"))

    def __init__(
        self, formdata: Any = None, *, choice: AmountChoice, currency: str, locale: str
    ) -> None:
        super().__init__(formdata)
        self.choice, self.currency, self.locale = choice, currency, locale
        self.value: Decimal | None = None
        if formdata is None and isinstance(choice, AmountRange | Denominations):
            self.amount.data = self.shown(choice.default)

    def shown(self, value: Decimal) -> str:
        """A value as the field holds it: in the page's language, or plain for a radio."""
        if isinstance(self.choice, Denominations):
            return radio_value(value, self.currency)
        return as_typed(value, self.currency, self.locale)

    def validate_amount(self, field: StringField) -> None:
        reading = CANONICAL if isinstance(self.choice, Denominations) else self.locale
        try:
            self.value = read_amount(
                field.data, choice=self.choice, currency=self.currency, locale=reading
            )
        except AmountError as exc:
            raise ValidationError(
                message(exc, choice=self.choice, currency=self.currency, locale=self.locale)
            ) from None


def radio_value(value: Decimal, currency: str) -> str:
    return as_typed(value, currency, CANONICAL).replace(",", "")
