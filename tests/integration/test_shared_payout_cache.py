"""With Redis, the payout cache is one for every worker and instance: a payout read by one
process is served to the others without a GIFQ call, and a POST in one process means no
process serves its older copy."""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator

import httpx
import pytest

from redeem.gifq.shared_cache import SharedPayoutCache
from tests.support.gifq_mock import (
    TOKEN,
    VT,
    Upstream,
    make_client,
    payout_json,
    redemption_json,
)
from tests.support.redis import RedisProcess, start_redis

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_server() -> Iterator[RedisProcess]:
    server = start_redis()
    yield server
    server.stop()


def workers(upstream: Upstream, redis_server: RedisProcess, n: int = 2):  # type: ignore[no-untyped-def]
    # Each client is what one gunicorn worker holds: its own memory, the shared Redis.
    clients = [make_client(upstream, REDIS_URL=redis_server.url) for _ in range(n)]
    assert all(isinstance(c.cache, SharedPayoutCache) for c in clients)
    return clients


def test_a_payout_one_worker_read_is_served_to_another_without_a_call(redis_server):
    upstream = Upstream(httpx.Response(200, json=payout_json(), headers={"etag": '"v1"'}))
    first, second = workers(upstream, redis_server)
    assert first.get_payout(TOKEN).token == TOKEN
    assert second.get_payout(TOKEN).token == TOKEN
    assert second.get_payout(TOKEN).token == TOKEN
    assert len(upstream.requests) == 1


def test_a_post_in_one_worker_keeps_every_worker_from_reading_the_older_payout(redis_server):
    before = payout_json()
    after = payout_json(redemptions=[redemption_json(status="processing")])
    upstream = Upstream(httpx.Response(200, json=before), httpx.Response(200, json=after))
    first, second = workers(upstream, redis_server)
    assert first.get_payout(TOKEN, verification_token=VT).redemptions == ()
    first.cache.invalidate(first._token_mac(TOKEN))  # what create_redemption does
    # The copy in Redis is older than the POST: the other worker asks GIFQ instead.
    assert len(second.get_payout(TOKEN, verification_token=VT).redemptions) == 1
    assert len(upstream.requests) == 2


def test_a_refresh_asks_gifq_whatever_this_worker_holds(redis_server):
    # The processing page's way out when its own copy (under a second old) predates the
    # redemption another worker just made.
    before = payout_json()
    after = payout_json(redemptions=[redemption_json(status="processing")])
    upstream = Upstream(httpx.Response(200, json=before), httpx.Response(200, json=after))
    (worker,) = workers(upstream, redis_server, 1)
    worker.get_payout(TOKEN, verification_token=VT)
    assert worker.get_payout(TOKEN, verification_token=VT).redemptions == ()
    assert len(worker.get_payout(TOKEN, verification_token=VT, refresh=True).redemptions) == 1


def test_card_details_leave_redis_with_the_ttl(redis_server):
    body = payout_json(redemptions=[redemption_json(status="completed", details={"code": "X1"})])
    upstream = Upstream(httpx.Response(200, json=body))
    first, second = workers(upstream, redis_server)
    first.get_payout(TOKEN, verification_token=VT)
    second.get_payout(TOKEN, verification_token=VT)
    assert len(upstream.requests) == 1
    keys = redis_server.client().keys("gifq:payout:*")
    assert len(keys) == 1
    assert 0 < redis_server.client().pttl(keys[0]) <= 1000
    time.sleep(1.1)
    assert redis_server.client().keys("gifq:payout:*") == []


def test_without_redis_every_read_asks_gifq_and_none_fails(redis_server):
    upstream = Upstream(httpx.Response(200, json=payout_json()))
    (client,) = workers(upstream, redis_server, 1)
    redis_server.stop()
    assert client.get_payout(TOKEN).token == TOKEN
    assert client.get_payout(TOKEN).token == TOKEN
    assert len(upstream.requests) == 2


def test_redis_holds_gifqs_answer_compressed(redis_server):
    # Redis also holds every flow under noeviction: a 5,000-brand payout (3 MB of JSON) must
    # not take 3 MB of it per recipient.
    upstream = Upstream(httpx.Response(200, json=payout_json()))
    (worker,) = workers(upstream, redis_server, 1)
    worker.get_payout(TOKEN)
    (key,) = redis_server.client().keys("gifq:payout:*")
    stored = redis_server.client().hget(key, "body")
    raw = httpx.Response(200, json=payout_json()).content
    assert zlib.decompress(stored) == raw
    assert len(stored) < len(raw)
