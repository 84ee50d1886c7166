"""Issue 12, item 7: flow records in Redis are named by a keyed hash of the flow id (like
every other key holding a secret), and a flow has an absolute lifetime that reading it never
extends: before, a GET of a never-verified flow renewed its 30 minutes forever."""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from redeem.flow_store import store as store_module
from redeem.flow_store.store import FlowStore
from tests.security.conftest import SMALL, recipient
from tests.support.redis import start_redis


@pytest.fixture
def redis_url() -> Iterator[str]:
    server = start_redis()
    try:
        yield server.url
    finally:
        server.stop()


def test_redis_keys_never_hold_a_flow_id(redis_url):
    import redis

    flows = FlowStore.from_config({"REDIS_URL": redis_url, "SECRET_KEY": "s" * 64})
    flow = flows.create(token="t" * 43, token_key="k", campaign_id="c")
    old = flow.id
    flows.save(flow, replaces=flow.rotate_id())
    keys = [k.decode() for k in redis.Redis.from_url(redis_url).keys("*")]
    assert keys, "nothing was stored"
    assert not [k for k in keys if flow.id in k or old in k], keys
    assert flows.get(flow.id) is not None and flows.get(old) is None


def test_two_apps_with_different_keys_never_read_each_others_flows(redis_url):
    one = FlowStore.from_config({"REDIS_URL": redis_url, "SECRET_KEY": "a" * 64})
    other = FlowStore.from_config({"REDIS_URL": redis_url, "SECRET_KEY": "b" * 64})
    flow = one.create(token="t" * 43, token_key="k", campaign_id="c")
    assert other.get(flow.id) is None
    assert one.get(flow.id) is not None


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(
        store_module, "time", SimpleNamespace(time=fake.time, monotonic=time.monotonic)
    )
    return fake


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_reading_a_flow_again_and_again_never_keeps_it_past_its_absolute_lifetime(
    backend, clock, request
):
    config = {"FLOW_TTL_SECONDS": 1800, "FLOW_MAX_AGE_SECONDS": 3600, "SECRET_KEY": "s" * 64}
    if backend == "redis":
        config["REDIS_URL"] = request.getfixturevalue("redis_url")
    flows = FlowStore.from_config(config)
    flow = flows.create(token="t" * 43, token_key="k", campaign_id="c")
    for _ in range(3):  # the code page reads and saves the flow every 19 minutes
        clock.now += 19 * 60
        seen = flows.get(flow.id)
        assert seen is not None
        flows.save(seen)
    clock.now += 3 * 60 + 1  # 60 minutes and a second after it began
    assert flows.get(flow.id) is None


def test_a_saved_flow_lives_no_longer_than_what_is_left_of_its_lifetime(redis_url, clock):
    import redis

    flows = FlowStore.from_config(
        {"REDIS_URL": redis_url, "FLOW_TTL_SECONDS": 1800, "FLOW_MAX_AGE_SECONDS": 3600}
    )
    flow = flows.create(token="t" * 43, token_key="k", campaign_id="c")
    clock.now += 3000
    flows.save(flow)
    [key] = redis.Redis.from_url(redis_url).keys("*")
    assert 0 < redis.Redis.from_url(redis_url).ttl(key) <= 600


def test_an_old_flows_pages_ask_the_recipient_to_start_again(own_app, fake, clock):
    app = own_app(RATELIMIT_ENABLED=False)
    visit = recipient(app.test_client(), fake, fake.create_payout(amount=SMALL)[0])
    visit.ask_for_code()
    assert visit.get(f"{visit.flow}/code").status == 200
    clock.now += app.config["FLOW_MAX_AGE_SECONDS"] + 1
    answer = visit.get(f"{visit.flow}/code", status=None)
    assert answer.status == 410
    assert "<h1>" in answer.text
