"""redeem/cards/barcode.py: each format becomes one inline SVG, black on white with a name;
anything it cannot draw becomes None and one contract warning that never holds the value.
Whether the drawings scan is proved by a decoder in test_barcode_scans.py, not here."""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET

import pytest

from redeem.cards.barcode import FORMAT_NAMES, draw
from redeem.gifq.models import Barcode, BarcodeFormat
from redeem.gifq.parsing import parse_details

SVG = "{http://www.w3.org/2000/svg}"
VALUES = {
    BarcodeFormat.CODE128: "918273645546372819",
    BarcodeFormat.EAN13: "2001234567893",
    BarcodeFormat.QR: "ABCD-EFGH-JKLM-NPQR",
    BarcodeFormat.PDF417: "ABCD-EFGH-JKLM-NPQR",
    BarcodeFormat.AZTEC: "ABCD-EFGH-JKLM-NPQR",
    BarcodeFormat.DATAMATRIX: "ABCD-EFGH-JKLM-NPQR",
}


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "redeem.cards.barcode"]


@pytest.mark.parametrize("fmt", list(BarcodeFormat))
def test_each_format_is_one_named_svg_black_on_white(fmt, caplog):
    drawing = draw(Barcode(fmt, VALUES[fmt]), label="Barcode <for> the till")

    assert drawing is not None and drawing.format is fmt
    root = ET.fromstring(str(drawing.svg))
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Barcode <for> the till"  # escaped in the markup
    assert root.get("shape-rendering") == "crispEdges"
    _, _, width, height = (float(n) for n in root.get("viewBox").split())
    background, modules = root[0], root[1]
    # The white ground covers the whole symbol, quiet zone included; modules are black.
    assert background.tag == SVG + "rect" and background.get("fill") == "#fff"
    assert (float(background.get("width")), float(background.get("height"))) == (width, height)
    assert modules.tag == SVG + "path" and modules.get("fill") == "#000"
    assert not root.findall(f".//{SVG}image") and "href" not in str(drawing.svg)
    assert "style=" not in str(drawing.svg)  # a style attribute would need 'unsafe-inline'
    assert warnings_of(caplog) == []


def test_the_quiet_zone_is_inside_the_drawing():
    # Code 128 needs ten modules of white each side; a module is 2 units wide here.
    drawing = draw(Barcode(BarcodeFormat.CODE128, VALUES[BarcodeFormat.CODE128]), label="x")
    assert drawing is not None
    xs = [float(x) for x in re.findall(r"M([0-9.]+) ", str(drawing.svg))]
    ends = [
        float(m[0]) + float(m[1])
        for m in re.findall(r"M([0-9.]+) [0-9.]+h([0-9.]+)", str(drawing.svg))
    ]
    assert min(xs) >= 20 and drawing.width - max(ends) >= 20


@pytest.mark.parametrize("fmt", [BarcodeFormat.CODE128, BarcodeFormat.EAN13])
def test_linear_codes_print_their_value_beneath_left_to_right(fmt):
    drawing = draw(Barcode(fmt, VALUES[fmt]), label="x")
    assert drawing is not None and drawing.linear
    root = ET.fromstring(str(drawing.svg))
    group = root.find(f"{SVG}g")
    assert group is not None and group.get("direction") == "ltr" and group.get("fill") == "#000"
    assert "".join(t.text or "" for t in group.iter(f"{SVG}text")) == VALUES[fmt]


@pytest.mark.parametrize("fmt", [f for f in BarcodeFormat if f.value not in ("code128", "ean13")])
def test_two_dimensional_codes_carry_no_text(fmt):
    drawing = draw(Barcode(fmt, VALUES[fmt]), label="x")
    assert drawing is not None and not drawing.linear
    assert "<text" not in str(drawing.svg)


@pytest.mark.parametrize(
    ("barcode", "reason"),
    [
        (Barcode(BarcodeFormat.EAN13, "2001234567894"), "cannot be encoded as ean13"),
        (Barcode(BarcodeFormat.EAN13, "200123456789"), "cannot be encoded as ean13"),
        (Barcode(BarcodeFormat.EAN13, "20012345678a3"), "cannot be encoded as ean13"),
        (Barcode(BarcodeFormat.CODE128, "CAFÉ-1234"), "cannot be encoded as code128"),
        (Barcode(BarcodeFormat.QR, "9" * 8000), "too long"),
        (Barcode(None, "918273645546372819", "unknown barcode format 'maxicode'"), "maxicode"),
    ],
    ids=["bad-check-digit", "twelve-digits", "not-digits", "not-ascii", "too-long", "unknown"],
)
def test_what_cannot_be_drawn_is_none_and_one_warning_without_the_value(barcode, reason, caplog):
    caplog.set_level(logging.WARNING)

    assert draw(barcode, label="x") is None

    (record,) = warnings_of(caplog)
    assert record.levelno == logging.WARNING
    assert "contract warning" in record.getMessage()
    assert reason in record.reason
    logged = f"{record.getMessage()} {record.reason} {record.barcode_format}"
    assert barcode.value[:8] not in logged


def test_no_barcode_is_none_and_no_warning(caplog):
    assert draw(None, label="x") is None
    assert warnings_of(caplog) == []


def test_the_default_name_says_what_it_is_in_the_request_language(app):
    with app.test_request_context("/?lang=de"):
        drawing = draw(Barcode(BarcodeFormat.EAN13, VALUES[BarcodeFormat.EAN13]))
    assert drawing is not None
    label = ET.fromstring(str(drawing.svg)).get("aria-label")
    assert "EAN-13" in label and label != "Barcode to show at the till (EAN-13)"


def test_format_names_cover_every_format():
    assert set(FORMAT_NAMES) == set(BarcodeFormat)


# --- parsing: a barcode never costs the recipient their card ------------------------------


def test_details_parse_a_known_barcode():
    details = parse_details({"code": "A-1", "barcode": {"format": "qr", "value": "A-1"}})
    assert details is not None and details.barcode == Barcode(BarcodeFormat.QR, "A-1")
    assert details.present() == [("code", "A-1")]  # the barcode is not a text field


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"format": "maxicode", "value": "X1"}, "unknown barcode format 'maxicode'"),
        ({"format": 7, "value": "X1"}, "unknown barcode format 'int'"),
        ({"format": "qr"}, "barcode has no value"),
        ({"format": "qr", "value": ""}, "barcode has no value"),
        ("qr:X1", "barcode is not an object"),
    ],
)
def test_an_unknown_or_malformed_barcode_is_kept_as_unknown_not_an_error(raw, problem):
    details = parse_details({"code": "A-1", "barcode": raw})
    assert details is not None and details.code == "A-1"
    assert details.barcode is not None
    assert details.barcode.format is None and details.barcode.problem == problem


def test_details_without_a_barcode_have_none():
    assert parse_details({"code": "A-1"}).barcode is None
    assert parse_details({"code": "A-1", "barcode": None}).barcode is None
