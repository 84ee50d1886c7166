"""Fixtures for the security tests: app instances with limits on, and a recipient's journey
driven through the Flask test client.

Each app owns its GIFQ client, flow store, limiter and caches (redeem/extensions.py), so a
test that builds its own app changes nothing the shared session app sees.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
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
