"""The seeded brand catalog and the card details each brand hands out.

All brands are fictional. The first eight have fixed slugs that tests and the demo rely on;
each of them sells EUR, USD and GBP cards that accept a face value of 50. So do the six
barcode brands (``BARCODE_BRANDS``), one per barcode format a till may scan.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

# Which card fields a brand returns (CONTRACT §1 and the table in §4).
FIELD_SETS: dict[str, tuple[str, ...]] = {
    "code": ("code",),
    "code+pin": ("code", "pin"),
    "link": ("link",),
    "link+challenge": ("link", "link_challenge_code"),
    "serial": ("serial", "security_code"),
    "all": ("code", "pin", "serial", "security_code", "link"),
}

# How fulfilment ends, and after how many seconds on the movable clock.
FULFILMENT_SECONDS = {"complete": 0.5, "fail": 0.5, "slow": 4.0}


@dataclass
class Product:
    """A product priced as the seed tables write it: a (low, high) range or a list of values.

    The wire's min/max/denominations are derived from it in ``render.product``.
    """

    id: str
    brand_slug: str
    country: str
    currency: str
    pricing: tuple[Decimal, Decimal] | list[Decimal]

    @property
    def bounds(self) -> tuple[Decimal, Decimal]:
        return (min(self.pricing), max(self.pricing))

    @property
    def denominations(self) -> list[Decimal] | None:
        return self.pricing if isinstance(self.pricing, list) else None

    def accepts(self, amount: Decimal, currency: str) -> bool:
        if isinstance(self.pricing, list):
            return currency == self.currency and amount in self.pricing
        low, high = self.bounds
        return currency == self.currency and low <= amount <= high


@dataclass
class Brand:
    slug: str
    name: str
    categories: tuple[str, ...]
    field_set: str = "code"
    fulfilment: str = "complete"
    products: list[Product] = field(default_factory=list)
    # The barcode format its cards carry (None: no barcode), and what the barcode holds:
    # "code" (the printed code itself) or "till-number" (a number of its own, as some
    # retailers scan a different value from the one printed for online use).
    barcode: str | None = None
    barcode_value: str = "code"

    @property
    def description(self) -> str:
        return f"{self.name} gift cards for {', '.join(self.categories)}."

    @property
    def terms(self) -> str:
        return (
            f"Valid for 12 months from issue. Cannot be exchanged for cash. "
            f"Issued by {self.name} (a fictional sandbox brand)."
        )

    @property
    def instructions(self) -> str:
        if self.barcode is not None:
            return (
                f"Show the barcode at the till in any {self.name} shop, "
                "or enter the code at checkout online."
            )
        if "link" in FIELD_SETS[self.field_set] and "code" not in FIELD_SETS[self.field_set]:
            return "Open the link and follow the steps to add the card to your account."
        return f"Enter the code at checkout on {self.name}'s website or show it in store."


def _product(slug: str, country: str, currency: str, pricing: object) -> Product:
    product_id = f"p_{slug}-{country.lower()}-{currency.lower()}"
    if isinstance(pricing, tuple):
        low, high = pricing
        return Product(product_id, slug, country, currency, (Decimal(low), Decimal(high)))
    assert isinstance(pricing, list)
    return Product(product_id, slug, country, currency, [Decimal(d) for d in pricing])


RANGE = (5, 500)
MAIN_MARKETS = (("DE", "EUR"), ("US", "USD"), ("GB", "GBP"))

# slug, name, categories, field set, fulfilment, pricing (range tuple or denominations list)
FIXED_BRANDS = [
    ("northwind-books", "Northwind Books", ("books",), "code", "complete", RANGE),
    ("prepaid-plus", "Prepaid Plus", ("prepaid",), "code+pin", "complete", [10, 25, 50, 100]),
    ("linkly", "Linkly", ("electronics",), "link", "complete", RANGE),
    ("gatehouse-games", "Gatehouse Games", ("games",), "link+challenge", "complete", RANGE),
    ("serial-travel", "Serial Travel", ("travel",), "serial", "complete", (20, 1000)),
    ("omni-store", "Omni Store", ("home", "fashion"), "all", "complete", RANGE),
    ("failing-florist", "Failing Florist", ("home",), "code", "fail", RANGE),
    ("slow-cinema", "Slow Cinema", ("entertainment",), "code", "slow", [25, 50, 75]),
]

# slug, name, categories, field set, markets, pricing. Some deliberately cannot take 50
# (denominations without it, or a low maximum) so that eligibility filtering is visible.
OTHER_BRANDS = [
    ("libreria-sol", "Librería Sol", ("books",), "code", [("ES", "EUR")], RANGE),
    ("kiosque-lumiere", "Kiosque Lumière", ("books",), "code", [("FR", "EUR")], [10, 20, 50]),
    ("tokyo-pages", "東京ページズ Tokyo Pages", ("books",), "code", [("JP", "USD")], RANGE),
    ("baltic-bookhouse", "Baltic Bookhouse", ("books",), "code", [("EE", "EUR")], (5, 40)),
    ("tallinna-tee", "Tallinna Tee", ("food",), "code", [("EE", "EUR")], RANGE),
    ("sakura-snacks", "Sakura Snacks", ("food",), "code+pin", [("JP", "USD")], [10, 20, 30]),
    ("panda-noodle-house", "Panda Noodle House", ("food",), "code", [("CN", "USD")], RANGE),
    ("trattoria-nonna", "Trattoria Nonna", ("food",), "code", [("IT", "EUR")], RANGE),
    ("pierogi-palace", "Pierogi Palace", ("food",), "code", [("PL", "EUR")], [25, 50]),
    ("london-larder", "London Larder", ("food", "home"), "code", [("GB", "GBP")], RANGE),
    ("brooklyn-bagels", "Brooklyn Bagels", ("food",), "code", [("US", "USD")], (5, 100)),
    ("rio-rotas", "Rio Rotas Viagens", ("travel",), "serial", [("BR", "USD")], RANGE),
    ("desert-dunes-air", "Desert Dunes Air", ("travel",), "link", [("AE", "USD")], (50, 2000)),
    ("fjord-ferries", "Fjord Ferries", ("travel",), "code", [("NL", "EUR")], RANGE),
    ("alpine-rail", "Alpine Rail Pass", ("travel",), "code+pin", [("DE", "EUR")], RANGE),
    ("polska-pixel", "Polska Pixel", ("games",), "code", [("PL", "EUR")], [5, 10, 20, 50]),
    ("dragon-arcade", "Dragon Arcade", ("games",), "link", [("CN", "USD")], RANGE),
    ("quest-forge", "Quest Forge", ("games",), "code", MAIN_MARKETS, RANGE),
    ("milano-moda", "Milano Moda", ("fashion",), "code", [("IT", "EUR")], RANGE),
    ("thames-tailors", "Thames Tailors", ("fashion",), "code", [("GB", "GBP")], [25, 50, 100]),
    ("paris-plisse", "Paris Plissé", ("fashion",), "code", [("FR", "EUR")], RANGE),
    ("sao-paulo-style", "São Paulo Style", ("fashion",), "code", [("BR", "USD")], RANGE),
    ("berlin-bytes", "Berlin Bytes", ("electronics",), "code", [("DE", "EUR")], RANGE),
    ("silicon-sprout", "Silicon Sprout", ("electronics",), "code+pin", [("US", "USD")], RANGE),
    ("dubai-devices", "Dubai Devices", ("electronics",), "serial", [("AE", "USD")], RANGE),
    ("akihabara-amps", "Akihabara Amps", ("electronics",), "code", [("JP", "USD")], [100, 200]),
    ("hearth-and-home", "Hearth & Home", ("home",), "code", [("GB", "GBP")], RANGE),
    ("dutch-bike-co", "Dutch Bike Co.", ("home", "sports"), "code", [("NL", "EUR")], RANGE),
    ("casa-clara", "Casa Clara", ("home",), "code", [("ES", "EUR")], RANGE),
    ("nordic-nest", "Nordic Nest", ("home",), "link", [("EE", "EUR"), ("NL", "EUR")], RANGE),
    ("green-roots-trust", "Green Roots Trust", ("charity",), "link", [("GB", "GBP")], RANGE),
    ("ocean-care-fund", "Ocean Care Fund", ("charity",), "link", [("NL", "EUR")], RANGE),
    (
        "kids-read-foundation",
        "Kids Read Foundation",
        ("charity", "books"),
        "code",
        [("US", "USD")],
        RANGE,
    ),
    ("stream-harbor", "Stream Harbor", ("entertainment",), "code", MAIN_MARKETS, [10, 25, 50]),
    ("madrid-musica", "Madrid Música", ("entertainment",), "code", [("ES", "EUR")], RANGE),
    (
        "peak-outfitters",
        "Peak Outfitters",
        ("sports",),
        "code",
        [("US", "USD"), ("GB", "GBP")],
        RANGE,
    ),
    ("warsaw-wellness", "Warsaw Wellness Spa", ("wellness",), "code", [("PL", "EUR")], RANGE),
    (
        "the-extraordinarily-long-named-emporium-of-curiosities",
        "The Extraordinarily Long-Named Emporium of Curiosities and Wonders",
        ("home",),
        "code",
        MAIN_MARKETS,
        RANGE,
    ),
]


# Splitting a balance (issue 14, item 1): EUR brands beside the fixed ones, so a 60 EUR payout
# (which no single denomination matches) splits into a denomination card and a ranged card,
# and one brand whose every value is above what is left says so instead of vanishing.
SPLIT_BRANDS = [
    ("harbour-market", "Harbour Market", ("food",), "code+pin", [("DE", "EUR")], [10, 25, 50, 100]),
    ("canal-coffee", "Canal Coffee", ("food",), "code", [("NL", "EUR")], (5, 40)),
    ("grand-gallery", "Grand Gallery", ("entertainment",), "code", [("FR", "EUR")], [75, 150]),
]


# Brands whose cards carry a barcode (CONTRACT §1): one per format a till may scan.
# slug, name, categories, field set, barcode format, barcode value ("code" or "till-number")
BARCODE_BRANDS = [
    ("lantern-grocer", "Lantern Grocer", ("food",), "code", "ean13", "code"),
    ("metro-pharmacy", "Metro Pharmacy", ("wellness",), "code", "code128", "till-number"),
    ("kite-coffee", "Kite Coffee", ("food",), "code", "qr", "code"),
    ("parcel-point", "Parcel Point", ("home",), "code+pin", "pdf417", "code"),
    ("aurora-cinemas", "Aurora Cinemas", ("entertainment",), "code+pin", "aztec", "code"),
    ("bolt-hardware", "Bolt Hardware", ("home",), "code", "datamatrix", "code"),
]


def seed_brands() -> list[Brand]:
    brands = []
    for slug, name, categories, field_set, fulfilment, pricing in FIXED_BRANDS:
        brand = Brand(slug, name, categories, field_set, fulfilment)
        brand.products = [_product(slug, c, cur, pricing) for c, cur in MAIN_MARKETS]
        brands.append(brand)
    for slug, name, categories, field_set, markets, pricing in OTHER_BRANDS + SPLIT_BRANDS:
        brand = Brand(slug, name, categories, field_set)
        brand.products = [_product(slug, c, cur, pricing) for c, cur in markets]
        brands.append(brand)
    for slug, name, categories, field_set, barcode, barcode_value in BARCODE_BRANDS:
        brand = Brand(slug, name, categories, field_set, barcode=barcode)
        brand.barcode_value = barcode_value
        brand.products = [_product(slug, c, cur, RANGE) for c, cur in MAIN_MARKETS]
        brands.append(brand)
    return brands


def scale_brands(count: int, currency: str, prefix: str) -> list[Brand]:
    """Many generated brands for load and rendering tests of a huge catalog."""
    brands = []
    for n in range(1, count + 1):
        slug = f"{prefix}-brand-{n:05d}"
        brand = Brand(slug, f"Scale Brand {n:05d}", ("scale",))
        brand.products = [_product(slug, "DE", currency, RANGE)]
        brands.append(brand)
    return brands


# --- card details ------------------------------------------------------------------------

_ALNUM = string.ascii_uppercase + string.digits


def _chars(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def _card_code() -> str:
    return "-".join(_chars(_ALNUM, 4) for _ in range(4))


_GENERATORS: dict[str, Callable[[], str]] = {
    "code": _card_code,
    "pin": lambda: _chars(string.digits, 6),
    "link": lambda: f"https://cards.example/redeem/{secrets.token_urlsafe(16)}",
    "link_challenge_code": lambda: _chars(_ALNUM, 8),
    "serial": lambda: _chars(string.digits, 12),
    "security_code": lambda: _chars(string.digits, 4),
}

DETAIL_FIELDS = ("code", "pin", "link", "link_challenge_code", "serial", "security_code")


def ean13(first_twelve: str) -> str:
    """Twelve digits and their GS1 check digit (weights 1 and 3 from the left)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first_twelve))
    return first_twelve + str((10 - total % 10) % 10)


def card_details(brand: Brand) -> dict[str, object]:
    present = FIELD_SETS[brand.field_set]
    details: dict[str, object] = {
        f: _GENERATORS[f]() if f in present else None for f in DETAIL_FIELDS
    }
    details["barcode"] = None
    if brand.barcode == "ean13":
        # An EAN-13 holds digits only, so the printed code is the number itself. Prefix 2
        # is GS1's range for numbers a retailer issues for its own use.
        details["code"] = ean13("2" + _chars(string.digits, 11))
    if brand.barcode is not None:
        value = details["code"]
        if brand.barcode_value == "till-number":
            value = "9" + _chars(string.digits, 17)
        details["barcode"] = {"format": brand.barcode, "value": value}
    return details
