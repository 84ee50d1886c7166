"""The flow record: unguessable ids, rotation, expiry, and the same behaviour on Redis."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from redeem.flow_store.record import is_flow_id
from redeem.flow_store.store import FlowStore
from tests.support.redis import start_redis


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[FlowStore]:
    if request.param == "memory":
        yield FlowStore.from_config({"FLOW_TTL_SECONDS": 2})
        return
    server = start_redis()
    try:
        yield FlowStore.from_config({"FLOW_TTL_SECONDS": 2, "REDIS_URL": server.url})
    finally:
        server.stop()


def test_a_new_flow_has_a_long_random_id_and_reads_back(store: FlowStore) -> None:
    flow = store.create(token="t" * 43, token_key="k", campaign_id="c", locale="de")
    assert is_flow_id(flow.id) and flow.root_id == flow.id
    again = store.get(flow.id)
    assert again is not None and again.locale == "de" and again.token == "t" * 43
    assert store.create(token="t" * 43, token_key="k", campaign_id="c").id != flow.id


def test_rotation_kills_the_old_id_but_keeps_the_root(store: FlowStore) -> None:
    flow = store.create(token="t" * 43, token_key="k", campaign_id="c")
    old, secret = flow.id, flow.csrf_secret
    store.save(flow, replaces=flow.rotate_id())
    assert store.get(old) is None
    fresh = store.get(flow.id)
    assert fresh is not None and fresh.root_id == old and fresh.csrf_secret != secret


def test_a_flow_expires_after_its_ttl(store: FlowStore) -> None:
    flow = store.create(token="t" * 43, token_key="k", campaign_id="c")
    time.sleep(2.2)
    assert store.get(flow.id) is None


@pytest.mark.parametrize("bad", ["", "../../etc/passwd", "A" * 31, "A" * 33, "Ä" * 32, "*" * 32])
def test_ids_of_the_wrong_shape_are_never_looked_up(store: FlowStore, bad: str) -> None:
    assert store.get(bad) is None
