"""Turn a campaign's branding into safe CSS custom properties and a few checked values.

Colours pass a strict #RRGGBB check and a WCAG AA contrast check before they reach the page;
fonts come from a preset list of system stacks; the logo only from allowlisted origins; the
support address only when it looks like one plain email address. Nothing the campaign sends
is ever copied into CSS as it is, so no value can close the declaration and add rules.

When a colour fails its contrast check it is darkened or lightened (keeping its hue) until it
passes, rather than swapped for ours: the page still looks like the owner's, and stays readable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from redeem.gifq.models import Branding

HEX = re.compile(r"#[0-9A-Fa-f]{6}")
AA = 4.5  # WCAG 1.4.3: body text, button text, links
NON_TEXT = 3.0  # WCAG 1.4.11: button shapes, borders, focus and notice markers
PAGE_ROOM = 5.5  # black or white on the page background, so 4.5:1 holds on tinted panels too

DEFAULTS = {
    "primary": "#1F4FD1",
    "accent": "#B45309",
    "background": "#FFFFFF",
    "text": "#16181D",
    "danger": "#B3261E",
}

SYSTEM_SANS = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Arabic", '
    '"Noto Sans CJK JP", "Noto Sans CJK SC", "Hiragino Sans", "PingFang SC", '
    '"Microsoft YaHei", Tahoma, Arial, sans-serif'
)
# Campaigns may name a font; it maps to a stack of fonts the recipient may already have.
# No @font-face, no remote fonts: CSP allows fonts from our origin only, and we serve none.
FONT_STACKS = {
    "system": SYSTEM_SANS,
    "inter": f'Inter, "Helvetica Neue", {SYSTEM_SANS}',
    "helvetica": f'"Helvetica Neue", Helvetica, {SYSTEM_SANS}',
    "georgia": 'Georgia, "Noto Serif", "Times New Roman", serif',
    "serif": '"Noto Serif", Georgia, "Times New Roman", "Noto Serif CJK JP", serif',
    "rounded": f'"Nunito", "Varela Round", ui-rounded, {SYSTEM_SANS}',
    "mono": 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Noto Sans Mono", monospace',
}
FONT_ALIASES = {
    "systemui": "system",
    "sansserif": "system",
    "sans": "system",
    "helveticaneue": "helvetica",
    "arial": "helvetica",
    "timesnewroman": "serif",
    "times": "serif",
    "notoserif": "serif",
    "nunito": "rounded",
    "monospace": "mono",
}

# One plain address: no display name, no second recipient, no ?subject= or &body= that a
# mailto: link would turn into a pre-filled message.
EMAIL = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9._+-]{0,62}[A-Za-z0-9_+-])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


# --- colour arithmetic (WCAG 2.x relative luminance) ---------------------------------------


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def _hex(rgb: Iterable[float]) -> str:
    return "#" + "".join(f"{round(min(255, max(0, c))):02X}" for c in rgb)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    r, g, b = _rgb(hex_colour)
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(a: str, b: str, share_of_a: float) -> str:
    """What CSS `color-mix(in srgb, a share%, b)` gives."""
    return _hex(
        x * share_of_a + y * (1 - share_of_a) for x, y in zip(_rgb(a), _rgb(b), strict=True)
    )


def valid_hex(value: object) -> str | None:
    return value.upper() if isinstance(value, str) and HEX.fullmatch(value) else None


def readable_on(background: str) -> str:
    """Black or white, whichever reads better on the background (always at least 4.58:1)."""
    return (
        "#000000"
        if contrast("#000000", background) >= contrast("#FFFFFF", background)
        else "#FFFFFF"
    )


def legible(colour: str, backgrounds: tuple[str, ...], ratio: float) -> str:
    """The colour when it meets `ratio` on every background; else the nearest shade that does.

    The shade moves towards black or white (whichever reads on the first background), so a
    brand's hue survives. Black or white itself always passes 4.5:1, so this always ends.
    """
    if all(contrast(colour, bg) >= ratio for bg in backgrounds):
        return colour
    towards = readable_on(backgrounds[0])
    for step in range(1, 33):
        shade = mix(towards, colour, step / 32)
        if all(contrast(shade, bg) >= ratio for bg in backgrounds):
            return shade
    return towards


# --- the theme ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    primary: str  # button background
    on_primary: str  # button text
    link: str  # links and secondary buttons: the primary colour, made to read as text
    accent: str  # notice markers
    background: str
    text: str
    muted: str
    soft: str
    line: str
    danger: str
    font: str
    logo_url: str | None
    support_email: str | None
    corrected: tuple[str, ...]  # which colours were changed, for logs and tests

    def css_vars(self) -> str:
        # Every value here is one of ours: a normalised #RRGGBB or a preset font stack.
        return (
            f"--brand-primary:{self.primary};--brand-on-primary:{self.on_primary};"
            f"--brand-link:{self.link};--brand-accent:{self.accent};"
            f"--brand-bg:{self.background};--brand-text:{self.text};"
            f"--muted:{self.muted};--soft:{self.soft};--line:{self.line};--danger:{self.danger};"
            f"--brand-font:{self.font}"
        )


def allowed_logo(url: object, asset_origins: tuple[str, ...]) -> str | None:
    """The URL when it is a plain http(s) URL on an allowlisted origin, else None."""
    if not isinstance(url, str) or not url or len(url) > 2048 or not URL_CHARS.fullmatch(url):
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or "@" in parts.netloc:
        return None
    if parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        return None
    origin = f"{parts.scheme}://{parts.netloc}"
    if origin.lower() not in {o.lower().rstrip("/") for o in asset_origins}:
        return None
    return url


def valid_email(value: object) -> str | None:
    if not isinstance(value, str) or len(value) > 254:
        return None
    value = value.strip()
    return value if EMAIL.fullmatch(value) else None


def font_stack(name: object) -> str:
    if not isinstance(name, str):
        return SYSTEM_SANS
    key = re.sub(r"[^a-z]", "", name.lower()[:60])
    return FONT_STACKS.get(FONT_ALIASES.get(key, key), SYSTEM_SANS)


def build_theme(branding: Branding | None, asset_origins: tuple[str, ...] = ()) -> Theme:
    b = branding or Branding()
    corrected: list[str] = []

    def check(name: str, given: str, fixed: str) -> str:
        if fixed != given:
            corrected.append(name)
        return fixed

    background = valid_hex(b.background_color) or DEFAULTS["background"]
    # A mid-tone page (mid grey, saturated purple) leaves no text colour that reads on it and
    # on its tinted panels: move it just far enough from the text side to leave room.
    ink = readable_on(background)
    background = check("background", background, legible(background, (ink,), PAGE_ROOM))
    text = valid_hex(b.text_color) or DEFAULTS["text"]
    text = check("text", text, legible(text, (background,), AA))
    soft = mix(text, background, 0.05)
    line = mix(text, background, 0.22)
    # The button must stand out from the page (3:1), and its label must read on it (4.5:1).
    primary = valid_hex(b.primary_color) or DEFAULTS["primary"]
    primary = check("primary", primary, legible(primary, (background,), NON_TEXT))
    on_primary = readable_on(primary)
    link = legible(primary, (background, soft), AA)
    accent = valid_hex(b.accent_color) or DEFAULTS["accent"]
    accent = check("accent", accent, legible(accent, (background,), NON_TEXT))
    muted = legible(mix(text, background, 0.72), (background, soft), AA)
    danger = legible(DEFAULTS["danger"], (background, soft), AA)
    return Theme(
        primary=primary,
        on_primary=on_primary,
        link=link,
        accent=accent,
        background=background,
        text=text,
        muted=muted,
        soft=soft,
        line=line,
        danger=danger,
        font=font_stack(b.font_family),
        logo_url=allowed_logo(b.logo_url, asset_origins),
        support_email=valid_email(b.support_email),
        corrected=tuple(corrected),
    )


DEFAULT_THEME = build_theme(None)
