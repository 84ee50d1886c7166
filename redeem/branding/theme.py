"""Turn a campaign's branding into safe CSS custom properties.

Colours pass a strict #RRGGBB check and a WCAG AA contrast check (4.5:1) before they reach
the page; fonts come from a preset list of system stacks. Nothing the campaign sends is ever
copied into CSS as it is, so no value can close the declaration and add rules of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from redeem.gifq.models import Branding

HEX = re.compile(r"#[0-9A-Fa-f]{6}")
AA = 4.5

DEFAULTS = {
    "primary": "#1F4FD1",
    "accent": "#B45309",
    "background": "#FFFFFF",
    "text": "#16181D",
}

SYSTEM_SANS = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Arabic", '
    '"Noto Sans CJK JP", "Noto Sans CJK SC", "Hiragino Sans", "PingFang SC", '
    '"Microsoft YaHei", Tahoma, Arial, sans-serif'
)
# Campaigns may name a font; it maps to a stack of fonts the recipient already has.
FONT_STACKS = {
    "system": SYSTEM_SANS,
    "inter": f'Inter, "Helvetica Neue", {SYSTEM_SANS}',
    "helvetica": f'"Helvetica Neue", Helvetica, {SYSTEM_SANS}',
    "georgia": f'Georgia, "Noto Serif", "Times New Roman", serif',
    "serif": '"Noto Serif", Georgia, "Times New Roman", "Noto Serif CJK JP", serif',
    "rounded": f'"Nunito", "Varela Round", ui-rounded, {SYSTEM_SANS}',
    "mono": 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Noto Sans Mono", monospace',
}


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def valid_hex(value: str | None) -> str | None:
    return value.upper() if value and HEX.fullmatch(value) else None


def readable_on(background: str) -> str:
    """Black or white, whichever reads better on the background."""
    return "#000000" if contrast("#000000", background) >= contrast("#FFFFFF", background) else "#FFFFFF"


@dataclass(frozen=True)
class Theme:
    primary: str
    on_primary: str
    accent: str
    background: str
    text: str
    font: str
    logo_url: str | None
    corrected: tuple[str, ...]  # which colours were replaced, for logs and tests

    def css_vars(self) -> str:
        return (
            f"--brand-primary:{self.primary};--brand-on-primary:{self.on_primary};"
            f"--brand-accent:{self.accent};--brand-bg:{self.background};"
            f"--brand-text:{self.text};--brand-font:{self.font}"
        )


def allowed_logo(url: str | None, asset_origins: tuple[str, ...]) -> str | None:
    if not url or len(url) > 2048:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return None
    origin = f"{parts.scheme}://{parts.netloc}"
    if origin not in asset_origins:
        return None
    if parts.scheme == "http" and (parts.hostname or "") not in ("localhost", "127.0.0.1", "::1"):
        return None
    return url


def build_theme(branding: Branding | None, asset_origins: tuple[str, ...] = ()) -> Theme:
    b = branding or Branding()
    corrected: list[str] = []
    background = valid_hex(b.background_color) or DEFAULTS["background"]
    text = valid_hex(b.text_color) or DEFAULTS["text"]
    if contrast(text, background) < AA:
        corrected.append("text")
        text = readable_on(background)
    primary = valid_hex(b.primary_color) or DEFAULTS["primary"]
    on_primary = readable_on(primary)
    if contrast(on_primary, primary) < AA:
        # Neither black nor white reads on this button colour: fall back to ours.
        corrected.append("primary")
        primary, on_primary = DEFAULTS["primary"], "#FFFFFF"
    if contrast(primary, background) < 3:
        # Links and focus rings use the primary colour on the page background: it must show.
        corrected.append("primary-on-background")
        primary = DEFAULTS["primary"] if contrast(DEFAULTS["primary"], background) >= AA else text
        on_primary = readable_on(primary)
    accent = valid_hex(b.accent_color) or DEFAULTS["accent"]
    if contrast(accent, background) < 3:
        corrected.append("accent")
        accent = text
    font = FONT_STACKS.get((b.font_family or "system").strip().lower(), SYSTEM_SANS)
    return Theme(
        primary=primary,
        on_primary=on_primary,
        accent=accent,
        background=background,
        text=text,
        font=font,
        logo_url=allowed_logo(b.logo_url, asset_origins),
        corrected=tuple(corrected),
    )


DEFAULT_THEME = build_theme(None)
