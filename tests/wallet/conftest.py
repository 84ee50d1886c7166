from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from redeem import create_app
from redeem.wallet import labels
from redeem.wallet.card import Colours, WalletCard
from tests.a11y.sweep import swept
from tests.support.wallet_pki import WalletPki, make_pki

ISSUED = {
    "code": "GIFT-7Q2M-XK4P-9LRT",
    "pin": "4821",
    "link": "https://brand.example/redeem/abc123",
    "link_challenge_code": "CHAL-5521",
    "serial": "SN-0099887766",
    "security_code": "SEC-314",
}


def a_card(**changes: object) -> WalletCard:
    card = {
        "serial": "red_5f2c9a1b",
        "brand_slug": "acme-books",
        "brand_name": "Acme Books",
        "issuer_name": "Example Corp",
        "face_value": Decimal("25.50"),
        "currency": "EUR",
        "fields": tuple(ISSUED.items()),
        "barcode_format": "qr",
        "barcode_value": "9912345678901",
        "expires_on": date(2027, 12, 31),
        "instructions": "Show the code at the till.",
        "terms": "Not exchangeable for cash.",
        "colours": Colours(background="#1A4D8F", foreground="#FFFFFF", label="#DDE8F5"),
        "logo_url": "https://assets.gifq.example/logos/acme-books.png",
    }
    card.update(changes)
    return WalletCard(**card)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> WalletPki:
    return make_pki(Path(tmp_path_factory.mktemp("pki")))


@pytest.fixture(scope="session")
def wallet_labels() -> Iterator[dict[str, dict[str, str]]]:
    app = create_app({"TESTING": True, "GIFQ_API_BASE": "http://127.0.0.1:9"})
    with app.app_context():
        yield labels.localized()


__all__ = ["swept"]  # the a11y sweep's pages, for "no wallet anywhere without credentials"
