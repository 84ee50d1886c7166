"""The decoding witness: what a scanner reads from a page as Chromium paints it.

    shot = screenshot(page, selector=".barcode")          # PNG bytes, as the screen shows
    assert decoded(shot) == [("ean13", "2001234567894")]

zxing-cpp (the C++ port of ZXing, the decoder in most phone scanning apps) reads the
screenshot. It never sees our SVG source, so a test that passes proves the pixels scan,
not that our markup agrees with itself.
"""

from __future__ import annotations

import io
from typing import Any

import zxingcpp
from PIL import Image

# zxing-cpp's formats, by the contract's names.
ZXING_FORMATS = {
    zxingcpp.BarcodeFormat.Code128: "code128",
    zxingcpp.BarcodeFormat.EAN13: "ean13",
    zxingcpp.BarcodeFormat.QRCode: "qr",
    zxingcpp.BarcodeFormat.PDF417: "pdf417",
    zxingcpp.BarcodeFormat.Aztec: "aztec",
    zxingcpp.BarcodeFormat.DataMatrix: "datamatrix",
}


def decoded(png: bytes) -> list[tuple[str, str]]:
    """Every barcode zxing-cpp finds in a PNG, as (contract format, text)."""
    image = Image.open(io.BytesIO(png)).convert("L")
    found = zxingcpp.read_barcodes(image)
    return [(ZXING_FORMATS.get(b.format, str(b.format)), b.text) for b in found]


def screenshot(page: Any, selector: str | None = None, *, full_page: bool = True) -> bytes:
    """A PNG of one element (scrolled into view) or of the whole page, animations off."""
    if selector is not None:
        shot: bytes = page.locator(selector).first.screenshot(animations="disabled")
        return shot
    whole: bytes = page.screenshot(full_page=full_page, animations="disabled")
    return whole
