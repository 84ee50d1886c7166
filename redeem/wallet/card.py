"""What a wallet pass shows: one issued card, reduced to the values the recipient was given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from redeem.branding.theme import Theme, allowed_logo, legible, mix
from redeem.gifq.models import Brand, Redemption

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


def from_issued(
    redemption: Redemption,
    brand: Brand | None,
    sender_name: str,
    theme: Theme,
    asset_origins: tuple[str, ...],
) -> WalletCard | None:
    """The pass for a completed redemption, or None when GIFQ returned no card details."""
    details = redemption.details
    if details is None:
        return None
    barcode = details.barcode
    drawable = barcode is not None and barcode.format is not None
    return WalletCard(
        serial=redemption.id,
        brand_slug=redemption.brand_slug,
        brand_name=brand.name if brand else redemption.brand_slug,
        issuer_name=sender_name,
        face_value=redemption.face_value,
        currency=redemption.currency,
        fields=tuple(details.present()),
        barcode_format=barcode.format.value if drawable and barcode and barcode.format else None,
        barcode_value=barcode.value if drawable and barcode else None,
        expires_on=redemption.expires_at,
        instructions=brand.instructions if brand else "",
        terms=brand.terms if brand else "",
        colours=colours(theme),
        logo_url=allowed_logo(brand.logo_url, asset_origins) if brand else None,
    )


def colours(theme: Theme) -> Colours:
    """The campaign's button colours, which the theme already made readable together; labels
    a step softer, still at 4.5:1 on the background."""
    softer = mix(theme.on_primary, theme.primary, 0.75)
    return Colours(
        background=theme.primary,
        foreground=theme.on_primary,
        label=legible(softer, (theme.primary,), 4.5),
    )
