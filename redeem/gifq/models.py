"""What GIFQ tells us about a payout: frozen dataclasses, enums for statuses, Decimal money.

Everything here is built by redeem/gifq/parsing.py from GIFQ's JSON, once, at the boundary.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")


def is_token(value: str) -> bool:
    return TOKEN_RE.fullmatch(value) is not None


class PayoutStatus(enum.StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class RedemptionStatus(enum.StrEnum):
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


# The order in which a card's fields are shown; also the set GIFQ may return.
DETAIL_FIELDS = ("code", "pin", "link", "link_challenge_code", "serial", "security_code")


@dataclass(frozen=True, slots=True)
class Branding:
    logo_url: str | None = None
    primary_color: str | None = None
    accent_color: str | None = None
    background_color: str | None = None
    text_color: str | None = None
    font_family: str | None = None
    support_email: str | None = None
    default_locale: str | None = None
    embed_origins: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Campaign:
    id: str
    sender_name: str
    headline: str
    body: str
    branding: Branding


@dataclass(frozen=True, slots=True)
class Recipient:
    name: str | None
    email_hint: str | None
    locale: str | None


@dataclass(frozen=True, slots=True)
class Verification:
    verified: bool
    code_sent_at: datetime | None
    resend_available_at: datetime | None


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    country: str
    currency: str
    min_face_value: Decimal | None
    max_face_value: Decimal | None
    denominations: tuple[Decimal, ...] | None

    def accepts(self, amount: Decimal, currency: str) -> bool:
        """Whether a card of exactly ``amount`` in ``currency`` can be issued."""
        fixed, low, high = self.denominations, self.min_face_value, self.max_face_value
        in_range = (low is None or amount >= low) and (high is None or amount <= high)
        return currency == self.currency and (amount in fixed if fixed is not None else in_range)


@dataclass(frozen=True, slots=True)
class Brand:
    slug: str
    name: str
    logo_url: str | None
    categories: tuple[str, ...]
    description: str
    terms: str
    instructions: str


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    brand: Brand
    products: tuple[Product, ...]


class BarcodeFormat(enum.StrEnum):
    CODE128 = "code128"
    EAN13 = "ean13"
    QR = "qr"
    PDF417 = "pdf417"
    AZTEC = "aztec"
    DATAMATRIX = "datamatrix"


@dataclass(frozen=True, slots=True)
class Barcode:
    """What a shop's scanner reads. ``format`` is None for a format this frontend does not
    know, or a barcode GIFQ sent in a shape the contract does not allow; ``problem`` says
    which, for the one contract warning the card page logs (never the value itself)."""

    format: BarcodeFormat | None
    value: str
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class CardDetails:
    code: str | None = None
    pin: str | None = None
    link: str | None = None
    link_challenge_code: str | None = None
    serial: str | None = None
    security_code: str | None = None
    barcode: Barcode | None = None

    def present(self) -> list[tuple[str, str]]:
        """The fields GIFQ returned, in display order, as (name, value)."""
        return [(f, v) for f in DETAIL_FIELDS if (v := getattr(self, f))]


@dataclass(frozen=True, slots=True)
class Redemption:
    id: str
    status: RedemptionStatus
    brand_slug: str
    product_id: str
    face_value: Decimal
    currency: str
    created_at: datetime | None
    completed_at: datetime | None
    expires_at: date | None
    failure_message: str | None
    details: CardDetails | None


@dataclass(frozen=True, slots=True)
class Payout:
    token: str
    status: PayoutStatus
    amount: Decimal
    currency: str
    balance: Decimal
    recipient: Recipient
    expires_at: datetime | None
    verification: Verification
    campaign: Campaign
    catalog: tuple[CatalogEntry, ...]
    redemptions: tuple[Redemption, ...]

    def eligible_catalog(self) -> list[tuple[Brand, Product]]:
        """Brands the recipient may choose now, each with its first product fitting the balance."""
        out = []
        for entry in self.catalog:
            for product in entry.products:
                if product.accepts(self.balance, self.currency):
                    out.append((entry.brand, product))
                    break
        return out

    def brand(self, slug: str) -> Brand | None:
        return next((e.brand for e in self.catalog if e.brand.slug == slug), None)

    def redemption(self, redemption_id: str) -> Redemption | None:
        return next((r for r in self.redemptions if r.id == redemption_id), None)

    def latest_completed(self) -> Redemption | None:
        done = [r for r in self.redemptions if r.status is RedemptionStatus.COMPLETED]
        return done[-1] if done else None

    def in_flight(self) -> Redemption | None:
        return next((r for r in self.redemptions if r.status is RedemptionStatus.PROCESSING), None)


@dataclass(frozen=True, slots=True)
class CodeSent:
    code_sent_at: datetime
    resend_available_at: datetime


@dataclass(frozen=True, slots=True)
class VerificationGrant:
    verification_token: str
    expires_at: datetime
