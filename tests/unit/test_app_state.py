"""Two apps in one process own their state: GIFQ client, flow store, limiter, caches, key."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest
from flask import Flask

from redeem import create_app
from redeem.extensions import flows, gifq, state_of
from tests.support.gifq_mock import TOKEN, Upstream, payout_json


def build(base: str, upstream: Upstream, **overrides: Any) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "GIFQ_API_BASE": base,
            "GIFQ_TRANSPORT": httpx.MockTransport(upstream),
            "GIFQ_BUDGET_PER_SECOND": 0,
            "SECRET_KEY": secrets.token_hex(32),
            "RATELIMIT_ENABLED": False,
            **overrides,
        }
    )


@pytest.fixture
def two() -> tuple[Flask, Upstream, Flask, Upstream]:
    up_a = Upstream(httpx.Response(200, json=payout_json(campaign={"id": "camp-a"})))
    up_b = Upstream(httpx.Response(200, json=payout_json(campaign={"id": "camp-b"})))
    return (
        build("https://gifq-a.test", up_a, RATELIMIT_ENABLED=True),
        up_a,
        build("https://gifq-b.test", up_b),
        up_b,
    )


def test_each_app_asks_its_own_gifq(two: tuple[Flask, Upstream, Flask, Upstream]) -> None:
    app_a, up_a, app_b, up_b = two

    assert app_a.test_client().get(f"/r/{TOKEN}").status_code == 200
    assert app_b.test_client().get(f"/r/{TOKEN}").status_code == 200

    assert [r.url.host for r in up_a.requests] == ["gifq-a.test"]
    assert [r.url.host for r in up_b.requests] == ["gifq-b.test"]
    with app_a.app_context():
        assert gifq.settings.base_url == "https://gifq-a.test"
    with app_b.app_context():
        assert gifq.settings.base_url == "https://gifq-b.test"


def test_a_flow_saved_by_one_app_is_unknown_to_the_other(
    two: tuple[Flask, Upstream, Flask, Upstream],
) -> None:
    app_a, _, app_b, _ = two
    with app_a.app_context():
        flow = flows.create(token=TOKEN, token_key="k", campaign_id="camp-a")
        assert flows.get(flow.id) is not None
    with app_b.app_context():
        assert flows.get(flow.id) is None
    assert state_of(app_a).flows.count() == 1
    assert state_of(app_b).flows.count() == 0


def test_caches_are_per_app_and_clear_on_request(
    two: tuple[Flask, Upstream, Flask, Upstream],
) -> None:
    app_a, _, app_b, _ = two
    app_a.test_client().get(f"/r/{TOKEN}")
    app_b.test_client().get(f"/r/{TOKEN}")
    a, b = state_of(app_a), state_of(app_b)
    assert a.campaigns.campaign("camp-a") is not None and a.campaigns.campaign("camp-b") is None
    assert b.campaigns.campaign("camp-b") is not None and b.campaigns.campaign("camp-a") is None

    a.clear_caches()

    assert a.campaigns.campaign("camp-a") is None and len(a.gifq.cache) == 0
    assert b.campaigns.campaign("camp-b") is not None and len(b.gifq.cache) == 1


def test_rate_limits_count_per_app(two: tuple[Flask, Upstream, Flask, Upstream]) -> None:
    app_a, _, app_b, _ = two
    client_a, client_b = app_a.test_client(), app_b.test_client()

    statuses_a = [client_a.get(f"/r/{TOKEN}").status_code for _ in range(61)]
    assert statuses_a[:60] == [200] * 60 and statuses_a[60] == 429

    # App B has limits off and its own counts: app A's 61 visits cost it nothing.
    assert client_b.get(f"/r/{TOKEN}").status_code == 200


def test_each_app_hashes_with_its_own_key(two: tuple[Flask, Upstream, Flask, Upstream]) -> None:
    app_a, _, app_b, _ = two
    key_a = state_of(app_a).hashes.token_key(TOKEN)
    assert key_a != state_of(app_b).hashes.token_key(TOKEN)
    # The client names the payout with the app's own hash, so logs carry one name for it.
    assert state_of(app_a).gifq.hashes is state_of(app_a).hashes
