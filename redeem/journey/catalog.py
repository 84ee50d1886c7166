"""The brands a payout may choose, sorted and ready to search."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from redeem.gifq.models import Brand, Product


@dataclass
class CatalogIndex:
    """The brands on offer to a payout of one currency and balance, ready to search. A brand
    none of whose values fit the balance is kept (its page says why), not dropped."""

    entries: list[tuple[Brand, Product]]
    by_slug: dict[str, tuple[Brand, Product]] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.entries.sort(key=lambda e: e[0].name.casefold())
        self.by_slug = {b.slug: (b, p) for b, p in self.entries}
        self.names = [b.name.casefold() for b, _ in self.entries]
        self.categories = sorted({c for b, _ in self.entries for c in b.categories})
        self.countries = sorted({p.country for _, p in self.entries})

    def search(self, query: str, category: str, country: str) -> list[tuple[Brand, Product]]:
        q = query.casefold().strip()
        if not (q or category or country):
            return self.entries  # the unfiltered first view: no pass over 5,000 brands
        return [
            (b, p)
            for (b, p), name in zip(self.entries, self.names, strict=True)
            if (not q or q in name)
            and (not category or category in b.categories)
            and (not country or p.country == country)
        ]


BRANDS_PER_PAGE = 24


@dataclass(frozen=True)
class BrandPage:
    """One page of a brand search, as the brands page shows it."""

    query: str
    category: str
    country: str
    shown: list[tuple[Brand, Product]]
    total: int
    page_no: int
    pages: int


def search_page(
    index: CatalogIndex, args: Mapping[str, str], per_page: int = BRANDS_PER_PAGE
) -> BrandPage:
    """The brands page's query (q, category, country, page), cut to size; the matching brands
    and the page asked for, clamped to range."""
    query, category = (args.get("q") or "")[:100], (args.get("category") or "")[:50]
    country = (args.get("country") or "")[:2]
    found = index.search(query, category, country)
    pages = max(1, math.ceil(len(found) / per_page))
    try:
        page_no = min(max(1, int(args.get("page") or "1")), pages)
    except ValueError:
        page_no = 1
    shown = found[(page_no - 1) * per_page : page_no * per_page]
    return BrandPage(query, category, country, shown, len(found), page_no, pages)
