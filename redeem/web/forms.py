"""The forms a recipient fills in: the code (and how forgiving it is), and a card's amount."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import StringField
from wtforms.validators import ValidationError

from redeem.flow_store.record import Flow
from redeem.gifq.models import Product
from redeem.split.form import AmountForm
from redeem.split.rules import choice_for

SIX_DIGITS = re.compile(r"[0-9]{6}")
MAX_INPUT = 64


def normalise_code(raw: str | None) -> str:
    """Drop spaces and hyphens, turn any Unicode decimal digit into ASCII ("١٢٣" → "123").

    Only true decimal digits convert: "²" or "½" stay as they are and fail the six-digit check.
    """
    if not raw:
        return ""
    out = []
    for ch in raw[:MAX_INPUT].strip():
        if ch.isspace() or unicodedata.category(ch) == "Pd":  # any dash, any space
            continue
        digit = unicodedata.decimal(ch, None)
        out.append(str(digit) if digit is not None else ch)
    return "".join(out)


class CodeForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    class Meta:
        # CSRF is checked against the flow, not the session cookie (see redeem/security/csrf.py).
        csrf = False

    code = StringField(_l("6-digit code"), filters=[normalise_code])

    def validate_code(self, field: StringField) -> None:
        if not field.data:
            raise ValidationError(_l("Enter the 6-digit code we emailed you."))
        if not SIX_DIGITS.fullmatch(field.data):
            raise ValidationError(
                _l("The code is 6 digits, like 123456. Check the email and try again.")
            )

    @staticmethod
    def wrong_code_message(attempts_left: int | None) -> str:
        if attempts_left is None:
            return str(_l("That code is not right. Check the email and try again."))
        return str(
            ngettext(
                "That code is not right. You have %(num)d try left.",
                "That code is not right. You have %(num)d tries left.",
                attempts_left,
            )
        )

    @staticmethod
    def expired_message() -> str:
        return str(
            _l("That code has expired or was used up. Send a new code and use the newest email.")
        )


def amount_form(flow: Flow, product: Product, formdata: Any = None) -> AmountForm:
    """The amount field for this product out of the flow's balance. Sent without an amount
    (a link or form from before amounts were chosen), it means the one the brand page offers
    first: the largest allowed."""
    choice = choice_for(product, flow.balance)
    locale = str(get_locale())
    if formdata is not None and "amount" not in formdata:
        offered = AmountForm(choice=choice, currency=flow.currency, locale=locale).amount.data
        formdata = MultiDict({**formdata.to_dict(), "amount": offered or ""})
    return AmountForm(formdata, choice=choice, currency=flow.currency, locale=locale)
