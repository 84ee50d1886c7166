"""Campaign colours, fonts, logo and support address become only values we chose or checked."""

from __future__ import annotations

import random
import re

import pytest

from redeem.branding.theme import (
    AA,
    DEFAULTS,
    FONT_STACKS,
    NON_TEXT,
    SYSTEM_SANS,
    allowed_logo,
    build_theme,
    contrast,
    valid_email,
)
from redeem.gifq.models import Branding

ACME = Branding(
    primary_color="#0B5FFF",
    accent_color="#FFB000",
    background_color="#FFFFFF",
    text_color="#111111",
    font_family="Inter",
)
HOSTILE_COLOURS = [
    "red",
    "#fff",
    "#12345g",
    "#1234567",
    " #123456",
    "#123456;}body{display:none}",
    "#fff;}body{display:none}",
    "url(https://evil.example/x)",
    "expression(alert(1))",
    "#123456\\;}",
    "var(--brand-bg)",
    "#" + "a" * 10_000,
]
DECLARATION = re.compile(r"--[a-z-]+:(?:#[0-9A-F]{6}|[^;{}<>\\]+)")


def readable(theme) -> bool:  # type: ignore[no-untyped-def]
    return (
        contrast(theme.text, theme.background) >= AA
        and contrast(theme.on_primary, theme.primary) >= AA
        and contrast(theme.link, theme.background) >= AA
        and contrast(theme.link, theme.soft) >= AA
        and contrast(theme.muted, theme.background) >= AA
        and contrast(theme.danger, theme.background) >= AA
        and contrast(theme.primary, theme.background) >= NON_TEXT
        and contrast(theme.accent, theme.background) >= NON_TEXT
    )


def test_a_campaign_whose_colours_pass_keeps_them_exactly():
    theme = build_theme(ACME)
    assert (theme.primary, theme.background, theme.text) == ("#0B5FFF", "#FFFFFF", "#111111")
    assert theme.on_primary == "#FFFFFF"
    assert theme.link == "#0B5FFF"
    assert theme.font == FONT_STACKS["inter"]


def test_an_accent_too_pale_for_the_page_is_darkened_but_keeps_its_hue():
    theme = build_theme(ACME)
    assert theme.corrected == ("accent",)
    assert contrast(theme.accent, "#FFFFFF") >= NON_TEXT
    r, g, b = (int(theme.accent[i : i + 2], 16) for i in (1, 3, 5))
    assert r > g > b  # still amber, only darker


@pytest.mark.parametrize("value", HOSTILE_COLOURS)
def test_a_colour_that_is_not_strict_rrggbb_is_replaced_by_the_default(value):
    theme = build_theme(
        Branding(primary_color=value, background_color=value, text_color=value, accent_color=value)
    )
    assert (theme.primary, theme.background, theme.text, theme.accent) == (
        DEFAULTS["primary"],
        DEFAULTS["background"],
        DEFAULTS["text"],
        DEFAULTS["accent"],
    )


@pytest.mark.parametrize("value", HOSTILE_COLOURS)
def test_css_variables_hold_only_hex_colours_and_preset_fonts_whatever_the_campaign_sends(value):
    css = build_theme(Branding(primary_color=value, font_family=value, logo_url=value)).css_vars()
    for declaration in css.split(";"):
        assert DECLARATION.fullmatch(declaration), declaration
    assert "{" not in css and "}" not in css and "url(" not in css and "expression" not in css


def test_low_contrast_text_and_button_colours_are_corrected_to_pass_aa():
    theme = build_theme(
        Branding(background_color="#FFFFFF", text_color="#EEEEEE", primary_color="#FFFF00")
    )
    assert {"text", "primary"} <= set(theme.corrected)
    assert readable(theme)


def test_a_dark_page_gets_light_text_links_and_error_colour():
    theme = build_theme(
        Branding(background_color="#101820", text_color="#202830", primary_color="#0B5FFF")
    )
    assert readable(theme)
    assert "text" in theme.corrected
    assert contrast(theme.text, "#000000") > contrast(theme.text, "#FFFFFF")  # lightened


def test_every_combination_of_campaign_colours_gives_a_readable_page():
    rng = random.Random(4)
    for _ in range(400):
        colours = [f"#{rng.randrange(0x1000000):06X}" for _ in range(4)]
        theme = build_theme(
            Branding(
                primary_color=colours[0],
                accent_color=colours[1],
                background_color=colours[2],
                text_color=colours[3],
            )
        )
        assert readable(theme), colours


@pytest.mark.parametrize(
    ("name", "stack"),
    [
        ("Inter", FONT_STACKS["inter"]),
        ("  georgia ", FONT_STACKS["georgia"]),
        ("Helvetica Neue", FONT_STACKS["helvetica"]),
        ("Comic Sans", SYSTEM_SANS),
        ("x;}body{display:none}", SYSTEM_SANS),
        ("url(https://evil.example/font.woff)", SYSTEM_SANS),
        (None, SYSTEM_SANS),
    ],
)
def test_a_font_name_picks_a_preset_stack_or_the_system_font(name, stack):
    assert build_theme(Branding(font_family=name)).font == stack


ASSETS = ("https://assets.gifq.example", "http://127.0.0.1:8001")


@pytest.mark.parametrize(
    "url",
    [
        "https://assets.gifq.example/logos/acme.png",
        "http://127.0.0.1:8001/assets/logos/acme-rewards.png",
    ],
)
def test_a_logo_on_an_allowlisted_origin_is_shown(url):
    assert allowed_logo(url, ASSETS) == url


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/logo.png",
        "javascript:alert(1)",
        "data:image/svg+xml,<svg onload=alert(1)>",
        "//assets.gifq.example/logo.png",
        "/assets/logos/acme.png",
        "https://assets.gifq.example.evil.example/logo.png",
        "https://user@assets.gifq.example/logo.png",
        "http://assets.gifq.example/logo.png",
        'https://assets.gifq.example/x" onerror="alert(1)',
        "https://assets.gifq.example/x\u202ey.png",
        "https://assets.gifq.example/" + "a" * 3000,
        "",
        None,
    ],
)
def test_a_logo_from_anywhere_else_is_not_shown(url):
    assert allowed_logo(url, ASSETS) is None


@pytest.mark.parametrize("email", ["help@acme.example", "first.last+gifts@sub.acme.co.uk"])
def test_a_plain_support_address_is_kept(email):
    assert valid_email(email) == email


@pytest.mark.parametrize(
    "email",
    [
        "not an email",
        "help@acme.example?subject=hi&body=click%20here",
        "help@acme.example,victim@bank.example",
        "Acme <help@acme.example>",
        "javascript:alert(1)//@acme.example",
        "<script>alert(1)</script>@acme.example",
        "help@localhost",
        "help\u202e@acme.example",
        "a" * 300 + "@acme.example",
        "",
        None,
    ],
)
def test_anything_else_given_as_the_support_address_is_not_shown(email):
    assert valid_email(email) is None
