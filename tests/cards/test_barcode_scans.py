"""The decoding witness on the drawings alone: Chromium paints each format inside the app's
own stylesheet, under the worst a page can do to it (a dark campaign theme, Windows-style
forced colours, dark mode, print), and zxing-cpp must read back exactly the issued value.

The same witness reads the real card and till pages in tests/e2e/test_barcodes.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from redeem.cards.barcode import draw
from redeem.gifq.models import Barcode, BarcodeFormat
from tests.cards.test_barcode import VALUES
from tests.support.barcodes import decoded

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
# A campaign that paints everything dark, as campaigns may (colours pass a contrast check,
# not a "light background" rule).
HOSTILE_THEME = ":root{--brand-bg:#101014;--brand-text:#F4F4F4;--brand-primary:#FFB000}"


def page_html() -> str:
    figures = []
    for fmt, value in VALUES.items():
        drawing = draw(Barcode(fmt, value), label=f"{fmt.value} barcode")
        assert drawing is not None
        kind = "linear" if drawing.linear else "matrix"
        figures.append(
            f'<figure id="b-{fmt.value}" class="barcode barcode--{kind} barcode--{fmt.value}">'
            f"{drawing.svg}</figure>"
        )
    css = (ROOT / "static" / "app.css").read_text(encoding="utf-8")
    return (
        f"<!doctype html><html lang=en><meta name=viewport content='width=device-width'>"
        f"<style>{css}{HOSTILE_THEME}</style><body><main class=page>{''.join(figures)}</main>"
    )


# 320 px at 2 device pixels per CSS pixel is the narrowest phone in use (iPhone SE, 1st
# generation); desktop at 1. A linear code squeezed into 288 CSS px at 1 device pixel has
# modules under two pixels wide, which no phone screen shows.
SIZES = {
    "320px": ({"width": 320, "height": 900}, 2),
    "desktop": ({"width": 1280, "height": 900}, 1),
}
MEDIA = {
    "screen": {"media": "screen"},
    "dark-forced-colours": {"media": "screen", "color_scheme": "dark", "forced_colors": "active"},
    "print": {"media": "print"},
}


@pytest.mark.parametrize("media", MEDIA)
@pytest.mark.parametrize("size", SIZES)
def test_every_format_scans_back_to_its_value(browser, size, media):
    viewport, scale = SIZES[size]
    context = browser.new_context(viewport=viewport, device_scale_factor=scale)
    try:
        page = context.new_page()
        page.emulate_media(**MEDIA[media])
        page.set_content(page_html())
        for fmt, value in VALUES.items():
            figure = page.locator(f"#b-{fmt.value}")
            box = figure.bounding_box()
            assert (
                box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
            )
            assert decoded(figure.screenshot()) == [(fmt.value, value)], fmt
    finally:
        context.close()


def test_the_witness_is_not_fooled_by_a_wrong_value(browser):
    # The witness reads pixels: a drawing of another value decodes as that other value.
    page = browser.new_page()
    try:
        wrong = draw(Barcode(BarcodeFormat.QR, "SOMETHING-ELSE"), label="x")
        assert wrong is not None
        page.set_content(f"<body style='margin:20px;width:240px'>{wrong.svg}</body>")
        assert decoded(page.locator("svg").screenshot()) == [("qr", "SOMETHING-ELSE")]
    finally:
        page.close()
