"""One GIFQ call per payout and process at a time: threads that miss the cache together
share one answer instead of each spending a slot of GIFQ's budget (the benchmark's tail)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.support.gifq_mock import TOKEN, Upstream, make_client, payout_json


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
