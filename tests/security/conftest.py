"""Fixtures for the security tests: app instances with limits on, and a recipient's journey
driven through the Flask test client (the one journey driver, tests/support/driver.py).

The extensions in redeem/extensions.py are one instance per process (as in production,
where each gunicorn worker builds one app). A test that builds its own app therefore
re-points them; `own_app` puts them back on the shared session app afterwards, so the
other test layers never see a limiter that is suddenly on or a breaker that is open.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask

from tests.support.driver import Browser, Journey
from tests.support.fake import FakeGifq

# The fake's wallet holds 5,000 per currency for the whole session, shared by every suite:
# small payouts (the lowest value most brands take) keep these tests from draining it.
SMALL = 5


def reinit_extensions(app: Flask) -> None:
    from redeem.extensions import flows, gifq, limiter

    limiter.init_app(app)
    gifq.init_app(app)
    flows.init_app(app)


@contextmanager
def built_app(session_app: Flask, fake: FakeGifq, **overrides: Any) -> Iterator[Flask]:
    from redeem import create_app

    config = {
        "TESTING": True,
        "GIFQ_API_BASE": fake.base_url,
        "SECRET_KEY": secrets.token_hex(32),
        "RATELIMIT_ENABLED": True,
        "ASSET_ORIGINS": (fake.base_url,),
        **overrides,
    }
    app = create_app(config)
    try:
        yield app
    finally:
        fake.clear_faults()
        reinit_extensions(session_app)


@pytest.fixture
def own_app(app: Flask, fake: FakeGifq) -> Iterator[Callable[..., Flask]]:
    """Build an app with these settings (limits on unless told otherwise); undone after the test."""
    stack: list[Any] = []

    def build(**overrides: Any) -> Flask:
        manager = built_app(app, fake, **overrides)
        stack.append(manager)
        return manager.__enter__()

    yield build
    while stack:
        stack.pop().__exit__(None, None, None)


@pytest.fixture
def limited(own_app: Callable[..., Flask]) -> Flask:
    """An app with every rate limit on, in-memory storage (fresh for each test)."""
    return own_app()


@pytest.fixture
def quiet(own_app: Callable[..., Flask]) -> Flask:
    """An app with rate limits off and a fresh circuit breaker, for input and fault tests."""
    return own_app(RATELIMIT_ENABLED=False)


def recipient(
    client: Any, fake: FakeGifq, token: str, headers: dict[str, str] | None = None
) -> Journey:
    """One recipient's journey through this test client (tests/support/driver.py)."""
    return Journey(Browser.flask(client, headers=headers), token, code_of=fake.code_for)
