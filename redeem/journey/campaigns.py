"""What this app remembers of campaigns: recent campaigns and catalogs, and who saw which.

Two memories, one owner (the app's state in redeem/extensions.py), one ``clear()``:

- **Recent campaigns and their catalogs**, for a few minutes. Campaigns change rarely: this
  keeps a 5,000-brand catalog from being fetched and parsed on every brands page, and a whole
  journey within a handful of GIFQ calls.
- **The last campaign seen for a link or a flow**, for a day, so error pages can still wear
  its branding. An error page often has no payout to read: GIFQ is down, the link is locked
  (423 carries no campaign), the rate limit tripped before the view ran, or the flow expired.
  Keys are hashed (the link's token key is already an HMAC; flow ids are hashed here) and
  bounded in number.

Both are per process: behind several workers a page may fetch again, or an error page may
fall back to the default look, which is safe, only plainer.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from decimal import Decimal
from typing import TypeAlias

from redeem.gifq.models import Campaign, Payout
from redeem.journey.catalog import CatalogIndex
from redeem.split.journey import offered

RECENT_SECONDS = 300
RECENT_SIZE = 64
SEEN_SECONDS = 24 * 3600
SEEN_SIZE = 20_000

# ("campaign", id) or ("catalog", campaign id, currency, balance)
_Key: TypeAlias = tuple[str | Decimal, ...]


class _Recent:
    def __init__(self, size: int, keep: float) -> None:
        self._items: OrderedDict[_Key, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()
        self._size, self._keep = size, keep

    def get(self, key: _Key) -> object | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] < time.monotonic():
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: _Key, value: object) -> None:
        with self._lock:
            self._items[key] = (time.monotonic() + self._keep, value)
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class _Seen:
    """Link or flow slot → the campaign it last showed; each campaign kept once, by id."""

    def __init__(self, size: int, keep: float) -> None:
        self._slots = _Recent(size, keep)
        self._campaigns: dict[str, Campaign] = {}
        self._lock = threading.Lock()
        self._size = size

    def remember(self, campaign: Campaign, *slots: str | None) -> None:
        with self._lock:
            if len(self._campaigns) >= self._size and campaign.id not in self._campaigns:
                self._campaigns.clear()  # rare: as many campaigns as slots; forget, stay safe
            self._campaigns[campaign.id] = campaign
        for slot in filter(None, slots):
            self._slots.put((slot,), campaign.id)

    def recall(self, *slots: str | None) -> Campaign | None:
        for slot in filter(None, slots):
            found = self._slots.get((slot,))
            if isinstance(found, str):
                with self._lock:
                    return self._campaigns.get(found)
        return None

    def clear(self) -> None:
        self._slots.clear()
        with self._lock:
            self._campaigns.clear()


def _flow_slot(flow_id: str | None) -> str | None:
    return "flow:" + hashlib.sha256(flow_id.encode()).hexdigest()[:32] if flow_id else None


def _link_slot(token_key: str | None) -> str | None:
    return "link:" + token_key if token_key else None


class CampaignCache:
    def __init__(self) -> None:
        self._recent = _Recent(RECENT_SIZE, RECENT_SECONDS)
        self._seen = _Seen(SEEN_SIZE, SEEN_SECONDS)

    def remember_payout(self, payout: Payout) -> None:
        """Keep the payout's campaign and its eligible catalog for later pages of the journey."""
        self._recent.put(("campaign", payout.campaign.id), payout.campaign)
        key = ("catalog", payout.campaign.id, payout.currency, payout.balance)
        if self._recent.get(key) is None:
            self._recent.put(key, CatalogIndex(offered(payout)))

    def campaign(self, campaign_id: str) -> Campaign | None:
        found = self._recent.get(("campaign", campaign_id))
        return found if isinstance(found, Campaign) else None

    def catalog(self, campaign_id: str, currency: str, balance: Decimal) -> CatalogIndex | None:
        found = self._recent.get(("catalog", campaign_id, currency, balance))
        return found if isinstance(found, CatalogIndex) else None

    def seen_with(
        self, campaign: Campaign, *, token_key: str | None = None, flow_id: str | None = None
    ) -> None:
        """Remember that this link (by its token key) or flow showed this campaign."""
        self._seen.remember(campaign, _link_slot(token_key), _flow_slot(flow_id))

    def last_seen(
        self, *, token_key: str | None = None, flow_id: str | None = None
    ) -> Campaign | None:
        return self._seen.recall(_flow_slot(flow_id), _link_slot(token_key))

    def clear(self) -> None:
        self._recent.clear()
        self._seen.clear()
