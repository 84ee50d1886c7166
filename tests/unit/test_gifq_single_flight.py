"""One GIFQ call per payout and process at a time: threads that miss the cache together
share one answer instead of each spending a slot of GIFQ's budget (the benchmark's tail)."""

from __future__ import annotations

import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from redeem.gifq.cache import STALE_GRACE, PayoutCache
from tests.support.gifq_mock import TOKEN, Clock, Upstream, make_client, payout_json


def slow(seconds: float) -> Upstream:
    def answer(request: httpx.Request) -> httpx.Response:
        time.sleep(seconds)
        return httpx.Response(200, json=payout_json(), headers={"etag": '"v1"'})

    return Upstream(answer)


def test_eight_threads_missing_the_cache_together_make_one_call():
    upstream = slow(0.3)
    client = make_client(upstream)
    start = threading.Barrier(8)

    def read() -> str:
        start.wait()
        return client.get_payout(TOKEN).token

    with ThreadPoolExecutor(8) as pool:
        tokens = list(pool.map(lambda _: read(), range(8)))
    assert tokens == [TOKEN] * 8
    assert len(upstream.requests) == 1


def test_a_post_during_the_call_sends_the_waiting_threads_to_gifq_again():
    # The answer in flight was asked for before the POST: it must not be handed to a
    # thread that came after the POST.
    upstream = slow(0.3)
    client = make_client(upstream)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(client.get_payout, TOKEN)
        time.sleep(0.1)
        client.cache.invalidate(client._token_mac(TOKEN))
        second = pool.submit(client.get_payout, TOKEN)
        assert first.result().token == second.result().token == TOKEN
    assert len(upstream.requests) == 2


def test_calls_for_different_payouts_do_not_wait_for_each_other():
    upstream = slow(0.3)
    client = make_client(upstream)
    other = "b" * 43

    def answer(request: httpx.Request) -> httpx.Response:
        time.sleep(0.3)
        token = request.url.path.rsplit("/", 1)[1]
        return httpx.Response(200, json=payout_json(token=token))

    upstream.answers = [answer]
    started = time.monotonic()
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(client.get_payout, [TOKEN, other]))
    assert [p.token for p in results] == [TOKEN, other]
    assert time.monotonic() - started < 0.55
    assert len(upstream.requests) == 2


def test_while_one_thread_revalidates_the_others_take_the_copy_just_out_of_date():
    calls = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) > 1:
            time.sleep(0.5)  # the revalidation: a large payout over a slow link
        return httpx.Response(200, json=payout_json(), headers={"etag": f'"v{len(calls)}"'})

    client = make_client(Upstream(answer))
    clock = Clock()
    client.cache = PayoutCache(ttl=1.0, clock=clock)
    first = client.get_payout(TOKEN)
    clock.now = 1.5  # past the ttl, within the grace
    with ThreadPoolExecutor(2) as pool:
        revalidating = pool.submit(client.get_payout, TOKEN)
        time.sleep(0.1)
        started = time.monotonic()
        assert client.get_payout(TOKEN) is first
        assert time.monotonic() - started < 0.2
        assert revalidating.result().token == TOKEN
    assert len(calls) == 2


def test_a_copy_long_out_of_date_or_with_card_details_is_never_served_stale():
    client = make_client(Upstream(httpx.Response(200, json=payout_json())))
    clock = Clock()
    client.cache = PayoutCache(ttl=1.0, clock=clock)
    client.get_payout(TOKEN)
    entry, _ = client.cache.lookup((client._token_mac(TOKEN), ""))
    assert client.cache.stale_ok(entry)
    clock.now = 1.0 + STALE_GRACE + 0.1
    assert not client.cache.stale_ok(entry)
    assert not client.cache.stale_ok(dataclasses.replace(entry, fetched_at=clock.now, secret=True))
