"""Telling a campaign's own words from GIFQ's English defaults.

GIFQ sends every campaign's headline and body, and when the sender wrote none, those are its
English defaults (CONTRACT §1), sometimes already filled in ("You've received a gift, Alice!").
Words the sender wrote are shown as written, in their language; GIFQ's defaults are ours to
say in the recipient's language instead.
"""

from __future__ import annotations

import re

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
