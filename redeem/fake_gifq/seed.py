"""The seeded sandbox: brands, four campaigns with fixed ids, and the demo payouts.

Campaign ids are fixed (uuid5 of their key) so docs and scripts can name them; payout
tokens are random on every start and reset, found through ``GET /sandbox/demo``.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from redeem.fake_gifq import payouts
from redeem.fake_gifq.brands import BARCODE_BRANDS, FIXED_BRANDS, SPLIT_BRANDS, seed_brands
from redeem.fake_gifq.store import (
    SANDBOX_FUNDS,
    Campaign,
    DemoPayout,
    Movement,
    Payout,
    RecipientSpec,
    Redemption,
    Store,
    empty_branding,
)

DEMO_EMBED_ORIGIN = "http://localhost:8766"
FIXED_SLUGS = [row[0] for row in FIXED_BRANDS]
BRANDED_EXTRAS = [
    "libreria-sol",
    "kiosque-lumiere",
    "tokyo-pages",
    "tallinna-tee",
    "trattoria-nonna",
    "london-larder",
    "brooklyn-bagels",
    "quest-forge",
    "thames-tailors",
    "berlin-bytes",
    "silicon-sprout",
    "hearth-and-home",
    "green-roots-trust",
    "stream-harbor",
    "peak-outfitters",
    "the-extraordinarily-long-named-emporium-of-curiosities",
]
SPLIT_SLUGS = [row[0] for row in SPLIT_BRANDS]
BARCODE_SLUGS = [row[0] for row in BARCODE_BRANDS]


def campaign_id(key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://fake-gifq.invalid/campaigns/{key}"))


def _campaigns(store: Store) -> dict[str, Campaign]:
    now = store.clock.now()
    plain = Campaign(
        id=campaign_id("plain"),
        key="plain",
        name="Plain thank-you (no branding)",
        status="active",
        sender_name="Northwind Research",
        created_at=now,
        brand_slugs=sorted(store.brands),
    )
    branded = Campaign(
        id=campaign_id("branded"),
        key="branded",
        name="Acme Rewards: customer thanks",
        status="active",
        sender_name="Acme Rewards",
        created_at=now,
        description="Fully branded and embeddable.",
        branding={
            **empty_branding(),
            "logo_url": "/assets/logos/acme-rewards.png",
            "primary_color": "#0B5FFF",
            "accent_color": "#FFB000",
            "background_color": "#FFFFFF",
            "text_color": "#111111",
            "font_family": "Inter",
            "support_email": "help@acme.example",
            "default_locale": "en",
            "embed_origins": list(dict.fromkeys([DEMO_EMBED_ORIGIN, *store.embed_origins])),
        },
        brand_slugs=FIXED_SLUGS + BRANDED_EXTRAS + SPLIT_SLUGS + BARCODE_SLUGS,
    )
    paused = Campaign(
        id=campaign_id("paused"),
        key="paused",
        name="Spring promo (paused)",
        status="active",  # paused after its demo payout is dispatched, as in real life
        sender_name="Acme Rewards",
        created_at=now,
        brand_slugs=list(FIXED_SLUGS),
    )
    draft = Campaign(
        id=campaign_id("draft"),
        key="draft",
        name="Autumn promo (draft)",
        status="draft",
        sender_name="Acme Rewards",
        created_at=now,
        brand_slugs=list(FIXED_SLUGS),
    )
    return {c.key: c for c in (plain, branded, paused, draft)}


# scenario, label, campaign key, recipient
DEMO = [
    (
        "pending",
        "EUR 50, branded campaign",
        "branded",
        RecipientSpec("alice@example.com", Decimal(50), "EUR", "Alice"),
    ),
    (
        "pending-plain",
        "USD 50, plain campaign",
        "plain",
        RecipientSpec("bob@example.com", Decimal(50), "USD", "Bob"),
    ),
    (
        "pending-gbp",
        "GBP 50, branded campaign",
        "branded",
        RecipientSpec("chloe@example.co.uk", Decimal(50), "GBP", "Chloé"),
    ),
    (
        "pending-de",
        "EUR 75.50, German recipient",
        "branded",
        RecipientSpec("jonas@example.de", Decimal("75.50"), "EUR", "Jonas Müller", "de"),
    ),
    (
        "paused-campaign",
        "EUR 40, campaign paused after dispatch",
        "paused",
        RecipientSpec("paula@example.com", Decimal(40), "EUR", "Paula"),
    ),
    (
        "completed",
        "EUR 50, already redeemed (Northwind Books)",
        "branded",
        RecipientSpec("carla@example.com", Decimal(50), "EUR", "Carla"),
    ),
    (
        "expired",
        "EUR 50, link expired",
        "plain",
        RecipientSpec("eve@example.com", Decimal(50), "EUR", "Eve"),
    ),
    (
        "cancelled",
        "USD 25, cancelled by the sender",
        "branded",
        RecipientSpec("carl@example.com", Decimal(25), "USD", "Carl"),
    ),
    # Barcodes at the till: the branded campaign has a brand for each format; this one's
    # card is already issued (Metro Pharmacy: its till scans a number that is not the code).
    (
        "barcodes",
        "EUR 50, barcodes at the till: Lantern Grocer, Metro Pharmacy, Kite Coffee, "
        "Parcel Point, Aurora Cinemas, Bolt Hardware",
        "branded",
        RecipientSpec("tilly@example.com", Decimal(50), "EUR", "Tilly"),
    ),
    (
        "barcode-completed",
        "EUR 50, already redeemed (Metro Pharmacy, with a barcode)",
        "branded",
        RecipientSpec("tomas@example.com", Decimal(50), "EUR", "Tomás"),
    ),
    # Splitting a balance: no single denomination is 60, so it takes two cards or more.
    (
        "split",
        "EUR 60 to split across brands",
        "branded",
        RecipientSpec("sam@example.com", Decimal(60), "EUR", "Sam"),
    ),
    (
        "split-started",
        "EUR 60, split begun: a 25 card issued, 35 left",
        "branded",
        RecipientSpec("sofia@example.com", Decimal(60), "EUR", "Sofia"),
    ),
]


def seed_store(store: Store) -> None:
    with store.lock:
        store.clear()
        for brand in seed_brands():
            store.add_brand(brand)
        store.extra_logos.add("acme-rewards")
        campaigns = _campaigns(store)
        for campaign in campaigns.values():
            store.campaigns[campaign.id] = campaign
        for scenario, label, key, spec in DEMO:
            order = store.dispatch(
                campaigns[key], wallet_currency=spec.currency, recipients=[spec], expires_in_days=30
            )
            token = order.tokens[0]
            _shape(store, scenario, token)
            store.demo.append(DemoPayout(label=label, scenario=scenario, token=token))
        campaigns["paused"].status = "paused"
        # Demo payouts are funded outside the wallet: merchants start at GIFQ's 5,000 each.
        store.balances = dict.fromkeys(store.balances, SANDBOX_FUNDS)


def _shape(store: Store, scenario: str, token: str) -> None:
    payout = store.payouts[token]
    now = store.clock.now()
    if scenario == "expired":
        payout.created_at = now - timedelta(days=31)
        payout.expires_at = now - timedelta(days=1)
    elif scenario == "cancelled":
        payout.cancelled_at = now
    elif scenario == "completed":
        _issued(store, payout, "rd_demo_completed", "p_northwind-books-de-eur", payout.amount)
    elif scenario == "barcode-completed":
        _issued(store, payout, "rd_demo_barcode", "p_metro-pharmacy-de-eur", payout.amount)
    elif scenario == "split-started":
        _issued(store, payout, "rd_demo_split_first", "p_harbour-market-de-eur", Decimal(25))


def _issued(
    store: Store, payout: Payout, redemption_id: str, product_id: str, face_value: Decimal
) -> None:
    """A card issued five minutes ago: charged, fulfilled, its details ready after verification."""
    now = store.clock.now()
    product = store.products[product_id]
    payout.redemptions.append(
        Redemption(
            id=redemption_id,
            reference=f"demo-seed-{redemption_id}",
            brand_slug=product.brand_slug,
            product_id=product_id,
            face_value=face_value,
            currency=payout.currency,
            status="processing",
            created_at=now - timedelta(minutes=5),
            due_at=now - timedelta(minutes=5),
        )
    )
    payout.balance -= face_value
    payout.movements.append(
        Movement("charge", face_value, redemption_id, now - timedelta(minutes=5))
    )
    payouts.settle(store, payout, now)
