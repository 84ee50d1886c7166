"""Fixtures for the security tests: app instances with limits on, and a recipient's journey
driven through the Flask test client (the one journey driver, tests/support/driver.py).

Each app owns its GIFQ client, flow store, limiter and caches (redeem/extensions.py), so a
test that builds its own app changes nothing the shared session app sees.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from tests.support.driver import Browser, Journey
from tests.support.fake import FakeGifq

# The fake's wallet holds 5,000 per currency for the whole session, shared by every suite:
# small payouts (the lowest value most brands take) keep these tests from draining it.
SMALL = 5


class OwnApps:
    """Builds apps with test settings (limits on unless told otherwise) and keeps them."""

    def __init__(self, fake: FakeGifq) -> None:
        self.fake = fake
        self.built: list[Flask] = []
        self.on_build: list[Callable[[Flask], None]] = []

    def __call__(self, **overrides: Any) -> Flask:
        from redeem import create_app

        config = {
            "TESTING": True,
            "GIFQ_API_BASE": self.fake.base_url,
            "SECRET_KEY": secrets.token_hex(32),
            "RATELIMIT_ENABLED": True,
            "ASSET_ORIGINS": (self.fake.base_url,),
            **overrides,
        }
        app = create_app(config)
        self.built.append(app)
        for hook in self.on_build:
            hook(app)
        return app


@pytest.fixture
def own_app(fake: FakeGifq) -> Iterator[OwnApps]:
    """Build an app with these settings; the fake's faults are cleared after the test."""
    try:
        yield OwnApps(fake)
    finally:
        fake.clear_faults()


@pytest.fixture
def limited(own_app: OwnApps) -> Flask:
    """An app with every rate limit on, in-memory storage (fresh for each test)."""
    return own_app()


@pytest.fixture
def quiet(own_app: OwnApps) -> Flask:
    """An app with rate limits off and a fresh circuit breaker, for input and fault tests."""
    return own_app(RATELIMIT_ENABLED=False)


def recipient(
    client: Any, fake: FakeGifq, token: str, headers: dict[str, str] | None = None
) -> Journey:
    """One recipient's journey through this test client (tests/support/driver.py)."""
    return Journey(Browser.flask(client, headers=headers), token, code_of=fake.code_for)
