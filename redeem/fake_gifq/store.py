"""Everything the fake remembers, behind one lock.

One re-entrant lock guards all state. It is coarse on purpose: the fake serves tests, not
traffic, and a single lock makes every check-then-act (attempt counting, idempotent
redemptions, balance charges) atomic without further thought.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from redeem.fake_gifq import money
from redeem.fake_gifq.brands import Brand, Product
from redeem.fake_gifq.clock import Clock

BRANDING_FIELDS = (
    "logo_url",
    "primary_color",
    "accent_color",
    "background_color",
    "text_color",
    "font_family",
    "support_email",
    "default_locale",
)

DEFAULT_TEXT = {
    "headline": "You've received a gift, {{recipient_name}}!",
    "body": "Claim your {{amount}} gift card below.",
    "email_subject": "Your reward is here, {{recipient_name}}",
    "email_body": "Hi {{recipient_name}}, you have {{amount}} waiting.",
}

SANDBOX_FUNDS = Decimal("5000")


def empty_branding() -> dict[str, Any]:
    return {**dict.fromkeys(BRANDING_FIELDS), "embed_origins": []}


@dataclass
class Campaign:
    id: str
    key: str
    name: str
    status: str
    sender_name: str
    created_at: datetime
    description: str | None = None
    headline: str = DEFAULT_TEXT["headline"]
    body: str = DEFAULT_TEXT["body"]
    email_subject: str = DEFAULT_TEXT["email_subject"]
    email_body: str = DEFAULT_TEXT["email_body"]
    redeem_url: str | None = None
    branding: dict[str, Any] = field(default_factory=empty_branding)
    brand_slugs: list[str] = field(default_factory=list)


@dataclass
class Email:
    id: str
    to: str
    subject: str
    kind: str
    text: str
    sent_at: datetime
    redeem_url: str | None = None
    code: str | None = None
    payout_token: str | None = None


@dataclass
class Verification:
    code: str | None = None
    code_sent_at: datetime | None = None
    code_wrong: int = 0
    total_wrong: int = 0
    sends: list[datetime] = field(default_factory=list)
    tokens: dict[str, datetime] = field(default_factory=dict)
    # When a code was last confirmed: a successful check ends the resend cooldown.
    confirmed_at: datetime | None = None


@dataclass
class Redemption:
    id: str
    reference: str
    brand_slug: str
    product_id: str
    face_value: Decimal
    currency: str
    status: str
    created_at: datetime
    due_at: datetime
    completed_at: datetime | None = None
    expires_at: date | None = None
    failure_message: str | None = None
    details: dict[str, object] | None = None


@dataclass
class Movement:
    kind: str  # "charge" when a redemption takes value, "refund" when a failure returns it
    amount: Decimal
    redemption_id: str
    at: datetime


@dataclass
class Payout:
    token: str
    order_id: str
    campaign_id: str
    email: str
    name: str | None
    locale: str | None
    amount: Decimal
    currency: str
    balance: Decimal
    created_at: datetime
    expires_at: datetime
    cancelled_at: datetime | None = None
    verification: Verification = field(default_factory=Verification)
    redemptions: list[Redemption] = field(default_factory=list)
    movements: list[Movement] = field(default_factory=list)


@dataclass
class PayoutOrder:
    id: str
    campaign_id: str
    wallet_currency: str
    total_charged: Decimal
    expires_in_days: int
    callback_url: str | None
    created_at: datetime
    tokens: list[str] = field(default_factory=list)


@dataclass
class RecipientSpec:
    email: str
    amount: Decimal
    currency: str
    name: str | None = None
    locale: str | None = None


@dataclass
class DemoPayout:
    label: str
    scenario: str
    token: str


class InsufficientFunds(Exception):
    def __init__(self, needed: Decimal, available: Decimal) -> None:
        super().__init__(f"needs {needed}, has {available}")
        self.needed = needed
        self.available = available


class Store:
    def __init__(self, *, clock: Clock, redeem_base: str, embed_origins: list[str]) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.redeem_base = redeem_base.rstrip("/")
        self.embed_origins = embed_origins
        self.clear()

    def clear(self) -> None:
        with self.lock:
            self.campaigns: dict[str, Campaign] = {}
            self.brands: dict[str, Brand] = {}
            self.products: dict[str, Product] = {}
            self.payouts: dict[str, Payout] = {}
            self.orders: list[PayoutOrder] = []
            self.outbox: list[Email] = []
            self.balances = {c: SANDBOX_FUNDS for c in money.CURRENCIES}
            self.demo: list[DemoPayout] = []
            # Logos that are not brands (campaign logos) but are served under /assets/logos/.
            self.extra_logos: set[str] = set()

    # --- catalog ---------------------------------------------------------------------

    def add_brand(self, brand: Brand) -> None:
        self.brands[brand.slug] = brand
        for product in brand.products:
            self.products[product.id] = product

    def has_logo(self, slug: str) -> bool:
        with self.lock:
            return slug in self.brands or slug in self.extra_logos

    # --- mail ------------------------------------------------------------------------

    def send_email(self, to: str, subject: str, kind: str, text: str, **extra: Any) -> Email:
        email = Email(
            id=f"em_{secrets.token_hex(8)}",
            to=to,
            subject=subject,
            kind=kind,
            text=text,
            sent_at=self.clock.now(),
            **extra,
        )
        with self.lock:
            self.outbox.append(email)
        return email

    # --- payouts ---------------------------------------------------------------------

    def redeem_url(self, campaign: Campaign, token: str) -> str:
        template = campaign.redeem_url or f"{self.redeem_base}/r/{{token}}"
        return template.replace("{token}", token)

    def dispatch(
        self,
        campaign: Campaign,
        *,
        wallet_currency: str,
        recipients: list[RecipientSpec],
        expires_in_days: int,
        callback_url: str | None = None,
    ) -> PayoutOrder:
        """Charge the wallet and create every payout now, or nothing at all."""
        with self.lock:
            total = sum(
                (money.convert(r.amount, r.currency, wallet_currency) for r in recipients),
                Decimal(0),
            )
            available = self.balances[wallet_currency]
            if total > available:
                raise InsufficientFunds(total, available)
            self.balances[wallet_currency] = available - total
            now = self.clock.now()
            order = PayoutOrder(
                id=str(uuid.uuid4()),
                campaign_id=campaign.id,
                wallet_currency=wallet_currency,
                total_charged=total,
                expires_in_days=expires_in_days,
                callback_url=callback_url,
                created_at=now,
            )
            for spec in recipients:
                payout = Payout(
                    token=secrets.token_urlsafe(32),
                    order_id=order.id,
                    campaign_id=campaign.id,
                    email=spec.email,
                    name=spec.name,
                    locale=spec.locale,
                    amount=spec.amount,
                    currency=spec.currency,
                    balance=spec.amount,
                    created_at=now,
                    expires_at=now + timedelta(days=expires_in_days),
                )
                self.payouts[payout.token] = payout
                order.tokens.append(payout.token)
                self._send_redeem_link(campaign, payout)
            self.orders.append(order)
            return order

    def _send_redeem_link(self, campaign: Campaign, payout: Payout) -> None:
        url = self.redeem_url(campaign, payout.token)

        # The email is the fake's own rendering; the redeem page fills its templates itself.
        def fill(template: str) -> str:
            return template.replace("{{recipient_name}}", payout.name or "there").replace(
                "{{amount}}", money.for_email(payout.amount, payout.currency)
            )

        self.send_email(
            payout.email,
            fill(campaign.email_subject),
            "redeem_link",
            f"{fill(campaign.email_body)}\n\nRedeem your gift: {url}\n\n— {campaign.sender_name}",
            redeem_url=url,
            payout_token=payout.token,
        )
