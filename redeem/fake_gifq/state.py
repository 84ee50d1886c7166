"""The fake's own state, one per app: its store, faults, rate limiter and sandbox token."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from redeem.fake_gifq.platform import Faults, RateLimiter
from redeem.fake_gifq.store import Store


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
