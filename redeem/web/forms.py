"""The one form a recipient types into, and how forgiving it is."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError

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
