"""Money, dates and numbers through Babel, in the active locale."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date as _format_date
from babel.numbers import format_currency, format_decimal
from flask_babel import lazy_gettext as _l
from flask_babel import get_locale


def _locale() -> str:
    return str(get_locale() or "en")


def money(amount: Decimal, currency: str, locale: str | None = None) -> str:
    """"€50.00" in English, "50,00 €" in German; JPY without decimals, BHD with three."""
    return format_currency(amount, currency, locale=locale or _locale())


def day(value: date | datetime | None, locale: str | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return _format_date(value, format="long", locale=locale or _locale())


def register_filters(app) -> None:  # type: ignore[no-untyped-def]
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["day"] = day


def number(value: int | Decimal, locale: str | None = None) -> str:
    return format_decimal(value, locale=locale or _locale())


def country_name(code: str) -> str:
    return Locale.parse(_locale()).territories.get(code.upper(), code)


# The seed's categories, named in the recipient's language; unknown ones show as sent.
CATEGORY_NAMES = {
    "books": _l("Books"), "food": _l("Food and drink"), "travel": _l("Travel"),
    "games": _l("Games"), "fashion": _l("Fashion"), "electronics": _l("Electronics"),
    "home": _l("Home and garden"), "charity": _l("Charity"), "entertainment": _l("Entertainment"),
    "sports": _l("Sports"), "beauty": _l("Beauty"), "music": _l("Music"), "retail": _l("Shopping"),
    "prepaid": _l("Prepaid cards"), "streaming": _l("Streaming"), "groceries": _l("Groceries"),
    "restaurants": _l("Restaurants"), "wellness": _l("Wellness"), "kids": _l("Kids"),
    "flowers": _l("Flowers"), "cinema": _l("Cinema"),
}


def category_name(slug: str) -> str:
    name = CATEGORY_NAMES.get(slug)
    return str(name) if name is not None else slug.replace("-", " ").capitalize()


def register_all(app) -> None:  # type: ignore[no-untyped-def]
    register_filters(app)
    app.jinja_env.filters.update(number=number, decimal=Decimal, category_name=category_name)
    app.jinja_env.globals.update(country_name=country_name, category_name=category_name)
