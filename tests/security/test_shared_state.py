"""Two app instances (two gunicorn workers each) sharing one real redis-server behave as one:
a flow started on A continues on B, a limit counted on A holds on B, and nothing in Redis is
keyed by a recipient's token."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import httpx
import pytest

from tests.security.conftest import SMALL, csrf_of, path_of
from tests.support.fake import FakeGifq
from tests.support.processes import AppProcess, start_app
from tests.support.redis import RedisProcess, start_redis

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisProcess]:
    server = start_redis()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def pair(fake: FakeGifq, redis_server: RedisProcess) -> Iterator[tuple[AppProcess, AppProcess]]:
    # One secret for both, as in any multi-instance deployment: CSRF tokens and keyed hashes
    # made by one instance must check out on the other.
    shared = {
        "REDIS_URL": redis_server.url,
        "WEB_CONCURRENCY": "2",
        "SECRET_KEY": secrets.token_hex(32),
    }
    a = start_app(fake.base_url, **shared)
    try:
        b = start_app(fake.base_url, **shared)
        try:
            yield a, b
        finally:
            b.stop()
    finally:
        a.stop()


def client(process: AppProcess) -> httpx.Client:
    return httpx.Client(base_url=process.url, timeout=20, follow_redirects=False)


def test_a_flow_started_on_one_instance_continues_on_the_other(pair, fake):
    a, b = (client(p) for p in pair)
    token, _ = fake.create_payout(amount=SMALL)
    landing = a.get(f"/r/{token}")
    started = a.post(f"/r/{token}", data={"csrf": csrf_of(landing.text)}, headers=SAME_ORIGIN)
    assert started.status_code == 303
    code_url = path_of(started.headers["Location"])

    code_page = b.get(code_url)
    assert code_page.status_code == 200
    code = fake.latest_code(fake.email_of(token))
    verified = b.post(
        code_url, data={"csrf": csrf_of(code_page.text), "code": code}, headers=SAME_ORIGIN
    )
    assert verified.status_code == 303
    brands_url = path_of(verified.headers["Location"])
    assert brands_url.endswith("/brands")

    assert a.get(brands_url).status_code == 200
    confirm_url = brands_url + "/northwind-books/confirm"
    confirm = b.get(confirm_url)
    assert confirm.status_code == 200
    redeemed = a.post(confirm_url, data={"csrf": csrf_of(confirm.text)}, headers=SAME_ORIGIN)
    assert redeemed.status_code == 303
    assert len(fake.payouts_for(token)["redemptions"]) == 1


def test_a_limit_counted_on_one_instance_holds_on_the_other(pair, fake):
    a, b = (client(p) for p in pair)
    token, _ = fake.create_payout(amount=SMALL)
    csrf = csrf_of(a.get(f"/r/{token}").text)
    # Six code sends per payout per hour, split between the instances (and their workers).
    for instance in (a, b, a, b, a, b):
        assert (
            instance.post(f"/r/{token}", data={"csrf": csrf}, headers=SAME_ORIGIN).status_code
            == 303
        )
    for instance in (a, b):
        refused = instance.post(f"/r/{token}", data={"csrf": csrf}, headers=SAME_ORIGIN)
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0


def test_no_redis_key_holds_a_recipients_token(pair, fake, redis_server):
    a, _ = (client(p) for p in pair)
    token, _ = fake.create_payout(amount=SMALL)
    csrf = csrf_of(a.get(f"/r/{token}").text)
    assert a.post(f"/r/{token}", data={"csrf": csrf}, headers=SAME_ORIGIN).status_code == 303
    r = redis_server.client()
    keys = [k.decode() for k in r.keys("*")]
    limiter_keys = [k for k in keys if k.startswith("LIMITS:")]
    assert [k for k in limiter_keys if re.search(r"payout:[0-9a-f]{32}", k)], keys
    assert not [k for k in keys if token in k]
    for key in limiter_keys:
        assert token not in repr(r.dump(key))
