"""The recipient's language: supported locales and their names, normalising tags.

The choice itself is made per request from the request context (``select_locale`` in
redeem/web/request_context.py). Order: the recipient's own choice on the page (carried in
the URL or form as `lang`, and then in the flow), the payout's recipient.locale, the
browser's Accept-Language, the campaign's default_locale, English. No cookie is involved,
so the choice survives inside iframes.
"""

from __future__ import annotations

from babel import Locale
from flask import request

SUPPORTED = ("en", "de", "fr", "es", "it", "nl", "pt_BR", "pl", "et", "ar", "ja", "zh_Hans")
RTL = frozenset({"ar"})
# Names each language calls itself, for the switcher.
# Capitalised as a list item, as each language starts one ("Français", not "français").
NATIVE_NAMES = {
    code: (lambda name: name[:1].upper() + name[1:])(
        (Locale.parse(code).get_display_name(code) or code).split(" (")[0]
    )
    for code in SUPPORTED
}
NATIVE_NAMES["pt_BR"] = "Português (Brasil)"
NATIVE_NAMES["zh_Hans"] = "简体中文"

_ALIASES = {
    "zh": "zh_Hans",
    "zh_cn": "zh_Hans",
    "zh_sg": "zh_Hans",
    "zh_hans": "zh_Hans",
    "zh_hans_cn": "zh_Hans",
    "pt": "pt_BR",
    "pt_br": "pt_BR",
    "pt_pt": "pt_BR",
}


def normalise(tag: str | None) -> str | None:
    """A supported locale for a tag like 'de-AT', 'pt-BR', 'zh-Hans-CN', or None."""
    if not tag or len(tag) > 35:
        return None
    key = tag.strip().replace("-", "_").lower()
    if key in _ALIASES:
        return _ALIASES[key]
    for code in SUPPORTED:
        if code.lower() == key:
            return code
    base = key.split("_")[0]
    if base in _ALIASES:
        return _ALIASES[base]
    return base if base in SUPPORTED else None


def from_accept_language() -> str | None:
    for tag, _quality in request.accept_languages:
        found = normalise(tag)
        if found:
            return found
    return None


def direction(locale: str) -> str:
    return "rtl" if locale in RTL else "ltr"


def html_lang(locale: str) -> str:
    return locale.replace("_", "-")
