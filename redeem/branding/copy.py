"""Campaign text as plain, bounded, single-line text before any template sees it.

Jinja escapes it like any other text; this removes what escaping leaves alone: control
characters, bidi overrides that make text read backwards (a sender name that displays as
something else), and lengths that would push the page out of shape.
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
