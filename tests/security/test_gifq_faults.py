"""GIFQ misbehaving, injected through the fake's /sandbox/faults: every fault becomes a branded
page with an honest status inside the total deadline, the worker survives, the breaker fails
fast and recovers, and a redemption whose outcome was lost is found again, never repeated."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.security.conftest import SMALL, recipient
from tests.support.fake import FakeGifq
from tests.support.processes import AppProcess, start_app

DEADLINE = 2.0
MARGIN = 1.5  # rendering, the retry's jitter and a loaded CI machine


@pytest.fixture(scope="module")
def server(fake: FakeGifq) -> Iterator[AppProcess]:
    """The real app under gunicorn with a short GIFQ deadline, so hangs resolve quickly."""
    process = start_app(fake.base_url, GIFQ_DEADLINE=str(DEADLINE), RATELIMIT_ENABLED="false")
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def web(server: AppProcess, fake: FakeGifq) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30, follow_redirects=False) as client:
        yield client
    fake.clear_faults()


# (fault arguments, expected status): count=2 so that where a GET is retried (502/503/504,
# a dropped connection) the retry fails as well.
FAULTS: dict[str, tuple[dict[str, Any], int]] = {
    "a 500 becomes 503": ({"mode": "error", "status": 500, "count": 2}, 503),
    "a 503 becomes 503": ({"mode": "error", "status": 503, "count": 2}, 503),
    "a 502 becomes 503": ({"mode": "error", "status": 502, "count": 2}, 503),
    "malformed json becomes 502": ({"mode": "malformed", "count": 2}, 502),
    "a reset connection becomes 503": ({"mode": "reset", "count": 2}, 503),
    "latency past the deadline becomes 504": ({"mode": "latency", "seconds": 5, "count": 2}, 504),
    "a hang becomes 504": ({"mode": "hang", "seconds": 6, "count": 2}, 504),
    "a long 429 becomes our 429": ({"mode": "rate_limit", "seconds": 120, "count": 2}, 429),
    "a short 429 is waited out": ({"mode": "rate_limit", "seconds": 1, "count": 1}, 200),
    "latency within the deadline is fine": ({"mode": "latency", "seconds": 0.5, "count": 1}, 200),
    "one 503 is retried away": ({"mode": "error", "status": 503, "count": 1}, 200),
    "one reset is retried away": ({"mode": "reset", "count": 1}, 200),
}


@pytest.mark.parametrize("case", FAULTS, ids=list(FAULTS))
def test_each_gifq_fault_gives_an_honest_page_within_the_deadline(web, server, fake, case):
    spec, status = FAULTS[case]
    token, _ = fake.create_payout(amount=SMALL, campaign="plain")
    fake.fault(path_prefix=f"/api/payouts/{token}", **spec)
    started = time.monotonic()
    response = web.get(f"/r/{token}")
    elapsed = time.monotonic() - started
    assert response.status_code == status
    assert elapsed < DEADLINE + MARGIN, f"took {elapsed:.1f} s"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1" in response.text and "Traceback" not in response.text
    if status == 429:
        assert response.headers["Retry-After"] == "120"
    # No worker died: the same process serves the next recipient at once.
    fake.clear_faults()
    assert web.get(f"/r/{token}").status_code == 200
    assert server.running()
    assert "WORKER TIMEOUT" not in server.logs()


# --- the circuit breaker -------------------------------------------------------------------


def remaining_hits(fake: FakeGifq) -> int:
    return sum(f["remaining"] for f in fake.client.get("/sandbox/faults").json())


def test_the_breaker_fails_fast_after_repeated_failures_and_recovers(own_app, fake):
    app = own_app(RATELIMIT_ENABLED=False, GIFQ_BREAKER_THRESHOLD=3, GIFQ_BREAKER_COOLDOWN=1.0)
    client = app.test_client()
    token, _ = fake.create_payout(amount=SMALL, campaign="plain")
    fake.fault("error", path_prefix=f"/api/payouts/{token}", status=500, count=100)
    for _ in range(3):
        assert client.get(f"/r/{token}").status_code == 503
    reached = remaining_hits(fake)
    assert reached == 100 - 3  # a 500 is not retried: one call per page

    started = time.monotonic()
    assert client.get(f"/r/{token}").status_code == 503
    assert time.monotonic() - started < 0.5
    assert remaining_hits(fake) == reached, "a call reached GIFQ while the breaker was open"

    fake.clear_faults()
    assert client.get(f"/r/{token}").status_code == 503, "the breaker closed before its cooldown"
    deadline = time.monotonic() + 5
    while client.get(f"/r/{token}").status_code != 200:
        assert time.monotonic() < deadline, "the breaker never let a probe through"
        time.sleep(0.1)


# --- a redemption whose outcome we never saw ----------------------------------------------

LOST = {
    # GIFQ never saw it: the processing page finds nothing and repeats the same reference.
    "the connection resets": {"mode": "reset"},
    "GIFQ hangs and drops the connection": {"mode": "hang", "seconds": 3},
    # GIFQ made it after we gave up: the processing page must find it, not make another.
    "GIFQ answers after our deadline": {"mode": "latency", "seconds": 3},
}


@pytest.mark.parametrize("case", LOST, ids=list(LOST))
def test_a_lost_redemption_answer_ends_with_exactly_one_redemption_and_the_card(
    own_app, fake, case
):
    app = own_app(RATELIMIT_ENABLED=False, GIFQ_DEADLINE=1.5)
    visit = recipient(app.test_client(), fake, fake.create_payout(amount=SMALL)[0])
    visit.verify()
    fake.fault(path_prefix=f"/api/payouts/{visit.token}/redemptions", method="POST", **LOST[case])
    posted = time.monotonic()
    visit.confirm("northwind-books", follow=False)
    assert visit.sent is not None and visit.sent.location.endswith("/processing")
    card = visit.wait_for_card()
    assert 'id="value-code"' in card.text
    # Let the fake finish the delayed call too, so a second redemption would have time to appear.
    time.sleep(max(0.0, posted + LOST[case].get("seconds", 0) + 0.5 - time.monotonic()))
    redemptions = fake.payouts_for(visit.token)["redemptions"]
    assert len(redemptions) == 1, redemptions
    assert redemptions[0]["status"] == "completed"
