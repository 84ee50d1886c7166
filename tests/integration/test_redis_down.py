"""With Redis gone, flows and limits cannot be trusted: the app fails closed, honestly."""

from __future__ import annotations

import httpx

from tests.support.driver import Browser
from tests.support.fake import FakeGifq
from tests.support.processes import running_app
from tests.support.redis import start_redis


def test_a_redis_outage_gives_a_503_page_and_sends_no_code(fake: FakeGifq) -> None:
    token, _ = fake.create_payout()
    email = fake.email_of(token)
    redis = start_redis()
    with running_app(fake.base_url, REDIS_URL=redis.url, WEB_CONCURRENCY="2") as app:
        browser = Browser.http(app.url)
        csrf = browser.get(f"/r/{token}").csrf()
        redis.stop()

        response = browser.post(f"/r/{token}", {"csrf": csrf}, status=503)
        assert response.headers["Retry-After"] == "30"
        assert "Something went wrong on our side" in response.text
        assert "Traceback" not in response.text
        assert [m for m in fake.outbox(email) if m["kind"] == "verification_code"] == []
        assert httpx.get(f"{app.url}/healthz").status_code == 200
