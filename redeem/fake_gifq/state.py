"""The fake's own state, one per app: its store, faults, rate limiter and sandbox token."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app

from redeem.fake_gifq import payouts
from redeem.fake_gifq.platform import Faults, RateLimiter
from redeem.fake_gifq.store import Payout, Store


@dataclass
class FakeState:
    store: Store
    faults: Faults
    limiter: RateLimiter
    api_token: str
    rate_limit: int
    seed_options: dict[str, Any] = field(default_factory=dict)


def fake_state() -> FakeState:
    state: FakeState = current_app.extensions["fake_gifq"]
    return state


@contextmanager
def payout_under_lock(token: str) -> Iterator[tuple[Store, Payout, datetime]]:
    """Hold the store lock around one payout, its redemptions brought up to the clock's now.

    Yields (store, payout, now); an unknown token is the contract's 404.
    """
    store = fake_state().store
    with store.lock:
        payout = store.payouts.get(token)
        if payout is None:
            raise payouts.not_found()
        now = store.clock.now()
        payouts.settle(store, payout, now)
        yield store, payout, now
