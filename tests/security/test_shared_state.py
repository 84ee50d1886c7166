"""Two app instances (two gunicorn workers each) sharing one real redis-server behave as one:
a flow started on A continues on B, a limit counted on A holds on B, and nothing in Redis is
keyed by a recipient's token."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest

from tests.security.conftest import SMALL
from tests.support.driver import Browser, Journey
from tests.support.fake import FakeGifq
from tests.support.processes import AppProcess, start_app
from tests.support.redis import RedisProcess, start_redis


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


def browser(process: AppProcess) -> Browser:
    return Browser.http(process.url)


def test_a_flow_started_on_one_instance_continues_on_the_other(pair, fake):
    a, b = (browser(p) for p in pair)
    visit = Journey(a, fake.create_payout(amount=SMALL)[0], code_of=fake.code_for)
    visit.ask_for_code()  # started on A
    visit.browser = b
    visit.get(f"{visit.flow}/code")  # the code page from B
    visit.enter_code()  # checked on B, with B's form
    visit.browser = a
    brands = visit.get(f"{visit.flow}/brands")
    assert brands.path.endswith("/brands")
    visit.browser = b
    confirm_url = f"{visit.flow}/brands/northwind-books/confirm"
    csrf = visit.get(confirm_url).csrf()
    a.post(confirm_url, {"csrf": csrf})  # made by B's page, accepted by A
    assert len(fake.payouts_for(visit.token)["redemptions"]) == 1


def test_a_limit_counted_on_one_instance_holds_on_the_other(pair, fake):
    a, b = (browser(p) for p in pair)
    token, _ = fake.create_payout(amount=SMALL)
    csrf = a.get(f"/r/{token}").csrf()
    # Six code sends per payout per hour, split between the instances (and their workers).
    for instance in (a, b, a, b, a, b):
        instance.post(f"/r/{token}", {"csrf": csrf})
    for instance in (a, b):
        refused = instance.post(f"/r/{token}", {"csrf": csrf}, status=429)
        assert int(refused.headers["Retry-After"]) > 0


def test_no_redis_key_holds_a_recipients_token(pair, fake, redis_server):
    a = browser(pair[0])
    token, _ = fake.create_payout(amount=SMALL)
    csrf = a.get(f"/r/{token}").csrf()
    a.post(f"/r/{token}", {"csrf": csrf})
    r = redis_server.client()
    keys = [k.decode() for k in r.keys("*")]
    limiter_keys = [k for k in keys if k.startswith("LIMITS:")]
    assert [k for k in limiter_keys if re.search(r"payout:[0-9a-f]{32}", k)], keys
    assert not [k for k in keys if token in k]
    for key in limiter_keys:
        assert token not in repr(r.dump(key))
