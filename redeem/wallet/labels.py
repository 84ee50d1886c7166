"""The words on a pass, in every language the app speaks: the card page's own labels."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from redeem.i18n.locale import SUPPORTED

LABELS = {
    "description": _l("Your gift card"),
    "value": _l("Value"),
    "code": _l("Code"),
    "pin": _l("PIN"),
    "link": _l("Link"),
    "link_challenge_code": _l("Challenge code"),
    "serial": _l("Serial number"),
    "security_code": _l("Security code"),
    "expires": _l("Expires"),
    "instructions": _l("How to use it"),
    "terms": _l("Terms"),
}


def localized() -> dict[str, dict[str, str]]:
    """{locale: {label key: text}} for every supported locale. Needs an app context."""
    out = {}
    for locale in SUPPORTED:
        with force_locale(locale):
            out[locale] = {key: str(text) for key, text in LABELS.items()}
    return out
