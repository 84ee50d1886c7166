from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from redeem.branding.theme import build_theme, contrast
from redeem.gifq.models import (
    Barcode,
    BarcodeFormat,
    Brand,
    Branding,
    CardDetails,
    Redemption,
    RedemptionStatus,
)
from redeem.wallet.card import from_issued

ASSETS = ("https://assets.gifq.example",)
BRAND = Brand(
    slug="acme-books",
    name="Acme Books",
    logo_url="https://assets.gifq.example/logos/acme-books.png",
    categories=("books",),
    description="Books.",
    terms="Not exchangeable for cash.",
    instructions="Show the code at the till.",
)


def redemption(details: CardDetails | None) -> Redemption:
    return Redemption(
        id="red_1",
        status=RedemptionStatus.COMPLETED,
        brand_slug="acme-books",
        product_id="prod_1",
        face_value=Decimal("25.00"),
        currency="EUR",
        created_at=None,
        completed_at=None,
        expires_at=date(2027, 6, 30),
        failure_message=None,
        details=details,
    )


def test_a_completed_card_becomes_a_wallet_card_with_exactly_its_fields() -> None:
    details = CardDetails(
        code="C-1", pin="99", barcode=Barcode(BarcodeFormat.EAN13, "4006381333931")
    )
    card = from_issued(redemption(details), BRAND, "Example Corp", build_theme(None), ASSETS)
    assert card is not None
    assert card.fields == (("code", "C-1"), ("pin", "99"))
    assert (card.barcode_format, card.barcode_value) == ("ean13", "4006381333931")
    assert card.brand_name == "Acme Books" and card.issuer_name == "Example Corp"
    assert card.expires_on == date(2027, 6, 30)
    assert card.logo_url == BRAND.logo_url


def test_an_unknown_barcode_and_a_logo_off_the_asset_origins_are_left_out() -> None:
    details = CardDetails(code="C-1", barcode=Barcode(None, "x", "unknown barcode format"))
    brand = replace(BRAND, logo_url="https://evil.example/logo.png")
    card = from_issued(redemption(details), brand, "Example Corp", build_theme(None), ASSETS)
    assert card is not None
    assert card.barcode_format is None and card.barcode_value is None
    assert card.logo_url is None


def test_no_details_means_no_pass() -> None:
    assert from_issued(redemption(None), BRAND, "Example Corp", build_theme(None), ASSETS) is None


def test_pass_colours_keep_the_campaigns_hue_and_stay_readable() -> None:
    theme = build_theme(Branding(primary_color="#FFD400"))  # a yellow that needs dark text
    card = from_issued(redemption(CardDetails(code="C")), BRAND, "E", theme, ASSETS)
    assert card is not None
    assert card.colours.background == theme.primary
    assert contrast(card.colours.foreground, card.colours.background) >= 4.5
    assert contrast(card.colours.label, card.colours.background) >= 4.5
    assert card.colours.label != card.colours.foreground
