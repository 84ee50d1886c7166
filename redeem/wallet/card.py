"""What a wallet pass shows: one issued card, reduced to the values the recipient was given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# GIFQ's barcode formats (docs/gifq-contract.md) → each wallet's name for the same symbology.
# A format a wallet does not draw is left out of that wallet's pass: the code stays a field.
APPLE_BARCODES = {
    "qr": "PKBarcodeFormatQR",
    "pdf417": "PKBarcodeFormatPDF417",
    "aztec": "PKBarcodeFormatAztec",
    "code128": "PKBarcodeFormatCode128",
}
GOOGLE_BARCODES = {
    "qr": "QR_CODE",
    "pdf417": "PDF_417",
    "aztec": "AZTEC",
    "code128": "CODE_128",
    "ean13": "EAN_13",
    "datamatrix": "DATA_MATRIX",
}


@dataclass(frozen=True, slots=True)
class Colours:
    """#RRGGBB values already passed through the campaign contrast guard."""

    background: str
    foreground: str
    label: str


@dataclass(frozen=True, slots=True)
class WalletCard:
    serial: str  # GIFQ's redemption id: unique per card, and no secret
    brand_slug: str
    brand_name: str
    issuer_name: str  # who sent the gift (the campaign's sender)
    face_value: Decimal
    currency: str
    fields: tuple[tuple[str, str], ...]  # (name, value) in display order, as GIFQ returned them
    barcode_format: str | None
    barcode_value: str | None
    expires_on: date | None
    instructions: str
    terms: str
    colours: Colours
    logo_url: str | None  # only a URL on an allowed asset origin

    def field(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)
