"""A card's barcode, drawn on the server as inline SVG.

libzint (through zint-bindings) encodes every symbology the contract names; this module
only turns zint's vector output (rectangles and text, already laid out with quiet zones)
into one small SVG. No script, no image request, nothing another origin serves, so the
card page's CSP allows it, and the same markup works inside a saved HTML file.

The SVG paints its own white background under the symbol and its quiet zone, and black
modules, as presentation attributes: campaign colours, dark mode and print do not reach
it. Forced colours (Windows contrast themes) would repaint SVG fills, so the pages give
``.barcode`` ``forced-color-adjust: none``. ``shape-rendering="crispEdges"`` keeps module
edges on device pixels, which is what a scanner reading a phone screen needs.

A barcode that cannot be drawn (a format this frontend does not know, a value the
symbology cannot hold such as an EAN-13 with a wrong check digit) gives None and one
contract warning in the log: the card page then shows the code without a barcode. The
log never holds the value: it is what the till accepts as money.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import zint
from flask_babel import gettext
from markupsafe import Markup

from redeem.gifq.models import Barcode, BarcodeFormat

log = logging.getLogger(__name__)

FORMAT_NAMES: Final = {
    BarcodeFormat.CODE128: "Code 128",
    BarcodeFormat.EAN13: "EAN-13",
    BarcodeFormat.QR: "QR",
    BarcodeFormat.PDF417: "PDF417",
    BarcodeFormat.AZTEC: "Aztec",
    BarcodeFormat.DATAMATRIX: "Data Matrix",
}
LINEAR: Final = frozenset({BarcodeFormat.CODE128, BarcodeFormat.EAN13})

_SYMBOLOGY: Final = {
    BarcodeFormat.CODE128: zint.Symbology.CODE128,
    BarcodeFormat.EAN13: zint.Symbology.EANX,
    BarcodeFormat.QR: zint.Symbology.QRCODE,
    BarcodeFormat.PDF417: zint.Symbology.PDF417,
    BarcodeFormat.AZTEC: zint.Symbology.AZTEC,
    BarcodeFormat.DATAMATRIX: zint.Symbology.DATAMATRIX,
}
# What each symbology may hold here, checked before zint sees it. EAN-13 is exactly 13
# digits: given 12, zint would add a check digit and draw a number GIFQ never issued.
# Code 128 takes printable ASCII only: beyond it scanners disagree on what FNC4 means.
_ALLOWED: Final = {
    BarcodeFormat.CODE128: re.compile(r"[\x20-\x7e]{1,80}"),
    BarcodeFormat.EAN13: re.compile(r"[0-9]{13}"),
}
_MAX_2D_CHARS: Final = 1000
# In zint's vector units one module is 2 units wide at scale 1. Matrix codes get three
# times the natural size of linear ones, so that without any CSS each module is 6 px.
_NATURAL_SCALE: Final = {True: 1, False: 3}
_ZINT_ERROR_RE: Final = re.compile(r"Error (\d+)")


@dataclass(frozen=True, slots=True)
class Drawing:
    svg: Markup
    format: BarcodeFormat
    linear: bool
    width: float
    height: float

    @property
    def format_name(self) -> str:
        return FORMAT_NAMES[self.format]


def till_label(fmt: BarcodeFormat) -> str:
    """The accessible name, in the request's language: what it is and what it is for."""
    return str(gettext("Barcode to show at the till (%(format)s)", format=FORMAT_NAMES[fmt]))


def draw(
    barcode: Barcode | None, *, label: str | Callable[[BarcodeFormat], str] = till_label
) -> Drawing | None:
    """The barcode as inline SVG named ``label``; None if there is none or it cannot be drawn.

    ``label`` is the accessible name, or a function of the format that makes it (by
    default ``till_label``, which needs a request's language).
    """
    if barcode is None:
        return None
    if barcode.format is None:
        _warn(barcode.problem or "unknown barcode format", None)
        return None
    fmt = barcode.format
    allowed = _ALLOWED.get(fmt)
    if allowed is not None and not allowed.fullmatch(barcode.value):
        _warn(f"value cannot be encoded as {fmt.value}", fmt)
        return None
    if len(barcode.value) > _MAX_2D_CHARS:
        _warn("value too long to draw", fmt)
        return None
    try:
        vector = _encode(fmt, barcode.value)
    except (RuntimeError, ValueError) as exc:
        # zint's message can quote the offending characters: keep only its error number.
        number = _ZINT_ERROR_RE.search(str(exc))
        reason = f"zint error {number.group(1)}" if number else "zint refused it"
        _warn(f"value cannot be encoded as {fmt.value} ({reason})", fmt)
        return None
    return _svg(fmt, vector, label if isinstance(label, str) else label(fmt))


def _warn(reason: str, fmt: BarcodeFormat | None) -> None:
    log.warning(
        "GIFQ contract warning: card shown without its barcode",
        extra={"reason": reason, "barcode_format": fmt.value if fmt else None},
    )


def _encode(fmt: BarcodeFormat, value: str) -> zint.Vector:
    symbol = zint.Symbol()
    symbol.symbology = _SYMBOLOGY[fmt]
    symbol.input_mode = zint.InputMode.UNICODE
    symbol.output_options = zint.OutputOptions.BARCODE_QUIET_ZONES
    if fmt is BarcodeFormat.QR:
        symbol.option_1 = 2  # error correction M: survives a scratched screen protector
    if fmt is BarcodeFormat.AZTEC:
        # ISO 24778 needs no quiet zone, but phone-screen scanners find the bullseye faster
        # with one; two modules of white cost nothing.
        symbol.whitespace_width = 2
        symbol.whitespace_height = 2
    symbol.encode(value)
    symbol.buffer_vector()
    vector = symbol.vector
    assert vector is not None
    return vector


def _num(value: float) -> str:
    return f"{round(value, 2):g}"


_ANCHOR: Final = {0: "middle", 1: "start", 2: "end"}


_SVG: Final = Markup(
    '<svg xmlns="http://www.w3.org/2000/svg" class="barcode__svg" role="img" aria-label="{label}"'
    ' viewBox="0 0 {w} {h}" width="{nat_w}" height="{nat_h}" preserveAspectRatio="xMidYMid meet"'
    ' shape-rendering="crispEdges" data-format="{format}">'
    '<rect width="{w}" height="{h}" fill="#fff"/><path fill="#000" d="{path}"/>{texts}</svg>'
)
_TEXTS: Final = Markup(
    '<g font-family="ui-monospace, Menlo, Consolas, &#39;Liberation Mono&#39;, monospace"'
    ' fill="#000" direction="ltr">{}</g>'
)
_TEXT: Final = Markup(
    '<text x="{x}" y="{y}" font-size="{size}" text-anchor="{anchor}">{text}</text>'
)


def _svg(fmt: BarcodeFormat, vector: zint.Vector, label: str) -> Drawing:
    width, height = vector.width, vector.height
    scale = _NATURAL_SCALE[fmt in LINEAR]
    path = "".join(
        f"M{_num(r.x)} {_num(r.y)}h{_num(r.width)}v{_num(r.height)}h{_num(-r.width)}Z"
        for r in vector.rectangles
    )
    # direction="ltr": on a right-to-left page "start" would otherwise mean the right edge.
    texts = Markup("").join(
        _TEXT.format(
            x=_num(t.x),
            y=_num(t.y),
            size=_num(t.fsize),
            anchor=_ANCHOR.get(t.halign, "middle"),
            text=t.text,
        )
        for t in vector.strings
    )
    # role="img" with aria-label: one accessible name, and the digits drawn beneath a
    # linear code are not read out a second time.
    svg = _SVG.format(
        label=label,
        w=_num(width),
        h=_num(height),
        nat_w=_num(width * scale),
        nat_h=_num(height * scale),
        format=fmt.value,
        path=path,
        texts=_TEXTS.format(texts) if texts else "",
    )
    return Drawing(svg=svg, format=fmt, linear=fmt in LINEAR, width=width, height=height)
