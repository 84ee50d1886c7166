"""Fixtures for the security tests: app instances with limits on, and a recipient's journey
driven through the Flask test client.

The extensions in redeem/extensions.py are one instance per process (as in production,
where each gunicorn worker builds one app). A test that builds its own app therefore
re-points them; `own_app` puts them back on the shared session app afterwards, so the
other test layers never see a limiter that is suddenly on or a breaker that is open.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests.support.fake import FakeGifq

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
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


def path_of(location: str) -> str:
    return urlsplit(location).path


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no csrf field on the page"
    return match.group(1)


class Visit:
    """One recipient's journey through the test client: each step asserts it went forward."""

    def __init__(
        self, client: Any, fake: FakeGifq, token: str, headers: dict[str, str] | None = None
    ):
        self.client = client
        self.fake = fake
        self.token = token
        self.headers = headers or {}
        self.flow_path = ""  # "/f/<flow id>"
        self.csrf = ""

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def post(self, url: str, data: dict[str, Any], **kw: Any) -> Any:
        headers = {**SAME_ORIGIN, **self.headers, **kw.pop("headers", {})}
        return self.client.post(url, data=data, headers=headers, **kw)

    def land(self) -> Any:
        response = self.get(f"/r/{self.token}")
        assert response.status_code == 200, response.status_code
        self.csrf = csrf_of(response.get_data(as_text=True))
        return response

    def start(self) -> Any:
        if not self.csrf:
            self.land()
        response = self.post(f"/r/{self.token}", {"csrf": self.csrf})
        assert response.status_code == 303, (
            response.status_code,
            response.get_data(as_text=True)[:500],
        )
        self.flow_path = path_of(response.headers["Location"]).removesuffix("/code")
        self.code_page()
        return response

    def code_page(self) -> Any:
        response = self.get(f"{self.flow_path}/code")
        assert response.status_code == 200, response.status_code
        self.csrf = csrf_of(response.get_data(as_text=True))
        return response

    def latest_code(self) -> str:
        return self.fake.latest_code(self.fake.email_of(self.token))

    def enter(self, code: str | None = None, **extra: Any) -> Any:
        data = {"csrf": self.csrf, "code": self.latest_code() if code is None else code, **extra}
        return self.post(f"{self.flow_path}/code", data)

    def verify(self) -> Any:
        response = self.enter()
        assert response.status_code == 303, (
            response.status_code,
            response.get_data(as_text=True)[:500],
        )
        location = path_of(response.headers["Location"])
        assert location.endswith("/brands"), location
        self.flow_path = location.removesuffix("/brands")
        return response

    def confirm_page(self, slug: str) -> Any:
        response = self.get(f"{self.flow_path}/brands/{slug}/confirm")
        assert response.status_code == 200, response.status_code
        self.csrf = csrf_of(response.get_data(as_text=True))
        return response

    def redeem(self, slug: str) -> Any:
        self.confirm_page(slug)
        return self.post(f"{self.flow_path}/brands/{slug}/confirm", {"csrf": self.csrf})

    def follow_to_card(self, timeout: float = 15.0) -> Any:
        """Walk processing → card the way the page's meta refresh would."""
        import time

        deadline = time.monotonic() + timeout
        url = f"{self.flow_path}/processing"
        while True:
            response = self.get(url)
            if response.status_code == 303:
                url = path_of(response.headers["Location"])
                continue
            assert response.status_code == 200, (url, response.status_code)
            if url.endswith("/card"):
                return response
            assert time.monotonic() < deadline, "the card never showed"
            time.sleep(0.2)
            url = f"{self.flow_path}/processing"
