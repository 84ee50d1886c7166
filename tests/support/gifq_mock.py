"""A scripted GIFQ behind httpx.MockTransport, and the JSON it answers, for the client's unit tests.

upstream = Upstream(httpx.Response(503), httpx.Response(200, json=payout_json()))
client = make_client(upstream, GIFQ_DEADLINE=0.5)
client.get_payout(TOKEN)
assert len(upstream.requests) == 2
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from redeem.gifq.cache import PayoutCache
from redeem.gifq.client import GifqClient

TOKEN = "T" * 43
OTHER_TOKEN = "U" * 43
VT = "vt-secret-credential"
JSON = {"content-type": "application/json"}
CODE_SENT = {"code_sent_at": "2026-01-01T10:00:00Z", "resend_available_at": "2026-01-01T10:00:30Z"}
Handler = Callable[[httpx.Request], httpx.Response]


def payout_json(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "token": TOKEN,
        "status": "pending",
        "amount": 50,
        "currency": "EUR",
        "balance": 50,
        "recipient": {"name": "Alice"},
        "campaign": {"id": "c1", "sender_name": "Acme"},
        "catalog": [],
        "redemptions": [],
    }
    body.update(overrides)
    return body


def redemption_json(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "rd_1",
        "status": "processing",
        "brand_slug": "northwind-books",
        "product_id": "p_1",
        "face_value": 25.5,
        "currency": "EUR",
    }
    body.update(overrides)
    return body


def error(status: int, code: str | None = None, **extra: Any) -> httpx.Response:
    body: dict[str, Any] = {"message": "nope", "status": "error", **extra}
    if code:
        body["code"] = code
    return httpx.Response(status, json=body)


class Upstream:
    """Answers in order (the last one repeats) and records each request."""

    def __init__(self, *answers: httpx.Response | Handler | Exception) -> None:
        self.answers = list(answers) or [httpx.Response(200, json=payout_json())]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer


def make_client(upstream: Handler | None = None, **config: Any) -> GifqClient:
    """A client from a test config; no budget, a 2 s deadline, unless ``config`` says so."""
    settings: dict[str, Any] = {
        "SECRET_KEY": "test-secret",
        "GIFQ_API_BASE": "https://gifq.test",
        "GIFQ_BUDGET_PER_SECOND": 0,
        "GIFQ_DEADLINE": 2.0,
    }
    if upstream is not None:
        settings["GIFQ_TRANSPORT"] = httpx.MockTransport(upstream)
    settings.update(config)
    return GifqClient.from_config(settings)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def cached_client(upstream: Upstream) -> tuple[GifqClient, Clock]:
    """A client whose payout cache has a 1 s TTL on a hand-moved clock."""
    client = make_client(upstream)
    clock = Clock()
    client.cache = PayoutCache(ttl=1.0, clock=clock)
    return client, clock
