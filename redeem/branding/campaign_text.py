"""A campaign's own words: cleaned, filled in, and told apart from GIFQ's English defaults.

Campaign text is untrusted. Before any template sees it, it becomes plain, bounded,
single-line text: Jinja escapes it like any other text, and this removes what escaping
leaves alone (control characters, bidi overrides that make text read backwards, so a sender
name displays as something else, and lengths that would push the page out of shape).

GIFQ sends every campaign's headline and body, and when the sender wrote none, those are its
English defaults (CONTRACT §1), sometimes already filled in ("You've received a gift, Alice!").
Words the sender wrote are shown as written, in their language; GIFQ's defaults are ours to
say in the recipient's language instead (``own_words``).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Any

from redeem.gifq.models import Campaign

# Embeddings, overrides and isolates (U+202A–202E, U+2066–2069). LRM/RLM marks stay: they
# only nudge neutral characters and right-to-left copy may need them.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
LIMITS = {"sender_name": 80, "headline": 160, "body": 600}
VARIABLE = re.compile(r"\{\{\s*(recipient_name|amount)\s*\}\}")


def clean_text(value: object, limit: int) -> str:
    """One line of printable text, at most `limit` characters (an ellipsis marks a cut)."""
    if not isinstance(value, str):
        return ""
    text = value[: limit * 4].translate(BIDI_CONTROLS)
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def clean_campaign(campaign: Campaign) -> Campaign:
    cleaned: dict[str, Any] = {
        name: clean_text(getattr(campaign, name), limit) for name, limit in LIMITS.items()
    }
    return dataclasses.replace(campaign, **cleaned)


def fill(text: str, recipient_name: str | None, amount: str) -> str:
    """Campaign copy with its two variables filled in, in one pass.

    The result is plain text (Jinja escapes it); a name that itself looks like `{{amount}}`
    stays a name. Without a name, "Hello, {{recipient_name}}!" reads "Hello!".
    """
    name = clean_text(recipient_name, LIMITS["sender_name"])
    if not name:
        text = re.sub(r",?\s*\{\{\s*recipient_name\s*\}\}", "", text)
    return VARIABLE.sub(lambda m: name if m[1] == "recipient_name" else amount, text)


GIFQ_DEFAULTS = {
    "headline": "You've received a gift, {{recipient_name}}!",
    "body": "Claim your {{amount}} gift card below.",
}


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{\{\w+\}\}", template)
    # A filled-in variable is a name or an amount (never a "!"), or nothing: a headline
    # without a name drops its ", " too.
    glue = r"[^!\n]{0,120}?"
    body = glue.join(re.escape(p) for p in parts)
    if template == GIFQ_DEFAULTS["headline"]:
        body = body.replace(re.escape(", "), "(?:, )?", 1)
    return re.compile(rf"\A\s*{body}\s*\Z", re.DOTALL)


_DEFAULTS = {kind: _pattern(text) for kind, text in GIFQ_DEFAULTS.items()}


def own_words(text: str | None, kind: str) -> str:
    """The campaign's text when its sender wrote it; "" when empty or GIFQ's default."""
    if not text or _DEFAULTS[kind].match(text):
        return ""
    return text
