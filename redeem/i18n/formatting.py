"""Money, dates, numbers, durations and lists through Babel, in the active locale.

Everything a recipient reads that CLDR has an opinion about goes through here, so "50,00 €"
in German, "€50.00" in English, "¥5,000" with no minor unit, "BHD 12.345" with three, and
Arabic with its own order and marks come from the same data every browser and phone uses.

Arabic digits: `ar` follows CLDR's default for the bare language, which since CLDR 42 is Latin
digits ("‏50.00 €", "7 مارس 2025"), as the Maghreb and the Gulf's online services write them.
The codes, PINs and the emailed 6-digit code are Latin digits too, so one page never mixes two
digit systems. The code field still accepts Arabic-Indic digits (see journey/forms.py).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_timedelta
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal
from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l


def _locale() -> str:
    return str(get_locale() or "en")


def money(amount: Decimal | int | str, currency: str, locale: str | None = None) -> str:
    """ "€50.00" in English, "50,00 €" in German; JPY without decimals, BHD with three."""
    return format_currency(Decimal(str(amount)), currency, locale=locale or _locale())


def day(value: date | datetime | None, locale: str | None = None) -> str:
    """ "7 March 2025" as the locale writes a date in a sentence; the calendar day, no time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return _format_date(value, format="long", locale=locale or _locale())


def number(value: int | Decimal, locale: str | None = None) -> str:
    return format_decimal(value, locale=locale or _locale())


def _timedelta(seconds: int | float) -> timedelta:
    # Rounded up: a recipient told "30 seconds" must never try a moment too early.
    return timedelta(seconds=max(1, math.ceil(seconds)))


def duration(seconds: int | float, locale: str | None = None) -> str:
    """ "30 seconds", "5 minutes", rounded up."""
    return format_timedelta(_timedelta(seconds), threshold=1.5, locale=locale or _locale())


def from_now(seconds: int | float, locale: str | None = None) -> str:
    """ "in 30 seconds" as a whole phrase: Polish "za 30 sekund", Estonian "30 sekundi pärast",
    Japanese "30 秒後". A bare duration glued after a translated "in" gets the case wrong."""
    return format_timedelta(
        _timedelta(seconds), threshold=1.5, add_direction=True, locale=locale or _locale()
    )


def list_of(items: Iterable[str], locale: str | None = None) -> str:
    """ "Books, Games and Music"; Japanese "書籍、ゲーム", Arabic with its own "و"."""
    items = [str(item) for item in items]
    return format_list(items, locale=locale or _locale()) if items else ""


@functools.lru_cache(maxsize=64)
def _territories(locale: str) -> Mapping[str, str]:
    # Parsed once per language: a brands page names a country on every one of its tiles.
    return Locale.parse(locale).territories


def country_name(code: str) -> str:
    return _territories(_locale()).get(code.upper(), code)


# The seed's categories, named in the recipient's language; unknown ones show as sent.
CATEGORY_NAMES = {
    "books": _l("Books"),
    "food": _l("Food and drink"),
    "travel": _l("Travel"),
    "games": _l("Games"),
    "fashion": _l("Fashion"),
    "electronics": _l("Electronics"),
    "home": _l("Home and garden"),
    "charity": _l("Charity"),
    "entertainment": _l("Entertainment"),
    "sports": _l("Sports"),
    "beauty": _l("Beauty"),
    "music": _l("Music"),
    "retail": _l("Shopping"),
    "prepaid": _l("Prepaid cards"),
    "streaming": _l("Streaming"),
    "groceries": _l("Groceries"),
    "restaurants": _l("Restaurants"),
    "wellness": _l("Wellness"),
    "kids": _l("Kids"),
    "flowers": _l("Flowers"),
    "cinema": _l("Cinema"),
}


def category_name(slug: str) -> str:
    name = CATEGORY_NAMES.get(slug)
    return str(name) if name is not None else slug.replace("-", " ").capitalize()


def register_filters(app: Flask) -> None:
    filters = (money, day, number, duration, from_now, list_of, category_name)
    app.jinja_env.filters.update({f.__name__: f for f in filters}, decimal=Decimal)


def register_all(app: Flask) -> None:
    register_filters(app)
    from redeem.branding.campaign_text import own_words

    app.jinja_env.globals.update(
        country_name=country_name, category_name=category_name, own_words=own_words
    )
