"""Everything an app owns, built once per app and kept in ``app.extensions["redeem"]``.

Babel is the one process-wide instance (flask-babel keeps its settings per app). The GIFQ
client, the flow store, the rate limiter, the campaign memory and the keyed-hash key belong
to one app: two apps in one process (tests, a script) never see each other's. The module
names below are thin lookups through ``current_app``, so code reads ``gifq.get_payout(...)``
and always reaches its own app's client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from flask import Flask, current_app
from flask_babel import Babel
from flask_limiter import Limiter
from werkzeug.local import LocalProxy

from redeem.flow_store.store import FlowStore
from redeem.gifq.client import GifqClient
from redeem.gifq.logos import Logos
from redeem.journey.campaigns import CampaignCache
from redeem.security.keyed_hashes import KeyedHashes
from redeem.security.limits import client_ip
from redeem.wallet import settings as wallet_settings

KEY = "redeem"

babel = Babel()


@dataclass(frozen=True, slots=True)
class AppState:
    gifq: GifqClient
    flows: FlowStore
    limiter: Limiter
    campaigns: CampaignCache
    hashes: KeyedHashes
    wallet: wallet_settings.WalletSettings  # which wallets are on: docs/wallet.md
    logos: Logos  # brand logos for wallet passes, fetched once

    def clear_caches(self) -> None:
        """Forget what this app remembers of GIFQ (payouts, campaigns); flows stay."""
        self.gifq.cache.clear()
        self.campaigns.clear()
        self.logos.clear()


def init_app(app: Flask) -> AppState:
    hashes = KeyedHashes(app.config.get("SECRET_KEY"))
    # Counts live in Redis when there is one, else in this app's memory; the limits themselves
    # are one table, redeem/web/limits.py, applied once the views are registered.
    limiter = Limiter(
        key_func=client_ip,
        default_limits=[],
        headers_enabled=False,
        storage_uri=app.config.get("REDIS_URL") or "memory://",
    )
    limiter.init_app(app)
    state = AppState(
        gifq=GifqClient.from_config(app.config, hashes=hashes),
        flows=FlowStore.from_config(app.config),
        limiter=limiter,
        campaigns=CampaignCache(),
        hashes=hashes,
        wallet=wallet_settings.from_env(app.config),
        logos=Logos(),
    )
    app.extensions[KEY] = state
    return state


def state_of(app: Flask) -> AppState:
    return cast(AppState, app.extensions[KEY])


def state() -> AppState:
    """The current app's state (inside a request or an app context)."""
    return cast(AppState, current_app.extensions[KEY])


gifq = cast(GifqClient, LocalProxy(lambda: state().gifq))
flows = cast(FlowStore, LocalProxy(lambda: state().flows))
limiter = cast(Limiter, LocalProxy(lambda: state().limiter))
campaigns = cast(CampaignCache, LocalProxy(lambda: state().campaigns))
