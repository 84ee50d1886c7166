"""The last campaign seen for a link or a flow, so error pages can still wear its branding.

An error page often has no payout to read: GIFQ is down, the link is locked (423 carries no
campaign), the rate limit tripped before the view ran, or the flow expired. When this process
has seen the campaign for that link or flow recently, the page wears its branding and may be
framed by its owners, instead of showing as a broken frame inside the owner's site.

Keys are hashed (the link token is already an HMAC; flow ids are hashed here), bounded in
number and forgotten after a day. The memory is per process: behind several workers an error
page may fall back to the default look, which is safe, only plainer.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict

from redeem.gifq.models import Campaign

KEEP_SECONDS = 24 * 3600
SIZE = 20_000


class _Memory:
    def __init__(self, size: int = SIZE, keep: float = KEEP_SECONDS) -> None:
        self._keys: OrderedDict[str, tuple[float, str]] = (
            OrderedDict()
        )  # key → (until, campaign id)
        self._campaigns: dict[str, Campaign] = {}
        self._lock = threading.Lock()
        self._size, self._keep = size, keep

    def remember(self, campaign: Campaign, *keys: str | None) -> None:
        until = time.monotonic() + self._keep
        with self._lock:
            self._campaigns[campaign.id] = campaign
            for key in filter(None, keys):
                self._keys[key] = (until, campaign.id)
                self._keys.move_to_end(key)
            while len(self._keys) > self._size:
                self._keys.popitem(last=False)
            if len(self._campaigns) > self._size:
                live = {cid for _, cid in self._keys.values()}
                self._campaigns = {cid: c for cid, c in self._campaigns.items() if cid in live}

    def recall(self, *keys: str | None) -> Campaign | None:
        now = time.monotonic()
        with self._lock:
            for key in filter(None, keys):
                found = self._keys.get(key)
                if found is not None and found[0] > now:
                    return self._campaigns.get(found[1])
        return None

    def clear(self) -> None:
        with self._lock:
            self._keys.clear()
            self._campaigns.clear()


_memory = _Memory()


def flow_key(flow_id: str | None) -> str | None:
    return "flow:" + hashlib.sha256(flow_id.encode()).hexdigest()[:32] if flow_id else None


def link_key(token_key: str | None) -> str | None:
    return "link:" + token_key if token_key else None


def remember(
    campaign: Campaign, *, token_key: str | None = None, flow_id: str | None = None
) -> None:
    _memory.remember(campaign, link_key(token_key), flow_key(flow_id))


def recall(*, token_key: str | None = None, flow_id: str | None = None) -> Campaign | None:
    return _memory.recall(flow_key(flow_id), link_key(token_key))


def forget_all() -> None:
    """For tests."""
    _memory.clear()
