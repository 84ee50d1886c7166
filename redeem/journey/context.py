"""What every page needs to know about its campaign: theme, framing rules, language hints.

Campaigns and their catalogs change rarely, so each process keeps the last one it saw for a
few minutes. That keeps a 5,000-brand catalog from being fetched and parsed on every brands
page, and keeps a whole journey within a handful of GIFQ calls.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeAlias

from flask import current_app, g

from redeem.branding import memory
from redeem.branding.copy import clean_campaign
from redeem.branding.embed import frame_ancestors
from redeem.branding.theme import DEFAULT_THEME, build_theme
from redeem.gifq.models import Brand, Campaign, Payout, Product
from redeem.split.journey import offered

CAMPAIGN_CACHE_SECONDS = 300


@dataclass
class CatalogIndex:
    """The brands on offer to a payout of one currency and balance, ready to search."""

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


# ("campaign", id) or ("catalog", campaign id, currency, balance)
_Key: TypeAlias = tuple[str | Decimal, ...]


class _CampaignCache:
    def __init__(self, size: int = 64) -> None:
        self._items: OrderedDict[_Key, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def get(self, key: _Key) -> object | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] < time.monotonic():
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: _Key, value: object) -> None:
        with self._lock:
            self._items[key] = (time.monotonic() + CAMPAIGN_CACHE_SECONDS, value)
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_cache = _CampaignCache()


def remember(payout: Payout) -> None:
    """Keep the payout's campaign and its eligible catalog for later pages of the journey."""
    _cache.put(("campaign", payout.campaign.id), payout.campaign)
    key = ("catalog", payout.campaign.id, payout.currency, payout.balance)
    if _cache.get(key) is None:
        _cache.put(key, CatalogIndex(offered(payout)))


def cached_campaign(campaign_id: str) -> Campaign | None:
    found = _cache.get(("campaign", campaign_id))
    return found if isinstance(found, Campaign) else None


def cached_catalog(campaign_id: str, currency: str, balance: Decimal) -> CatalogIndex | None:
    found = _cache.get(("catalog", campaign_id, currency, balance))
    return found if isinstance(found, CatalogIndex) else None


def use_campaign(campaign: Campaign | None) -> None:
    """Dress the response in the campaign's branding and let its owners frame it."""
    if campaign is None:
        g.theme, g.frame_ancestors, g.campaign = DEFAULT_THEME, (), None
        return
    config = current_app.config
    flow = g.get("flow")
    memory.remember(campaign, token_key=g.get("token_key"), flow_id=flow.id if flow else None)
    g.campaign = campaign = clean_campaign(campaign)
    g.theme = build_theme(campaign.branding, tuple(config.get("ASSET_ORIGINS", ())))
    g.frame_ancestors = frame_ancestors(
        campaign.branding.embed_origins,
        tuple(config.get("EMBED_ORIGINS", ())),
        gifq_base=config.get("GIFQ_API_BASE"),
    )
    g.campaign_locale = campaign.branding.default_locale


def use_remembered_campaign() -> None:
    """For error pages: the campaign this link or flow last showed, when this process saw it."""
    if g.get("campaign") is not None:
        return
    flow = g.get("flow")
    campaign = cached_campaign(flow.campaign_id) if flow else None
    if campaign is None:
        campaign = memory.recall(token_key=g.get("token_key"), flow_id=g.get("flow_id_asked"))
    if campaign is not None:
        use_campaign(campaign)


def use_payout(payout: Payout) -> None:
    remember(payout)
    use_campaign(payout.campaign)
    g.payout = payout
    g.recipient_locale = payout.recipient.locale


def clock() -> float:
    return time.time()
