"""/metrics: hidden without a token, closed without the right bearer, and free of recipients."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import httpx
import pytest

from tests.support.driver import Browser, Journey
from tests.support.processes import closed_port_url, start_app
from tests.support.redis import start_redis

METRICS_TOKEN = "metrics-" + "s" * 24
TOKEN = "T0kenT0kenT0kenT0kenT0kenT0kenT0kenT0ken_-x"  # 43 URL-safe characters


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def scrape(app) -> str:
    status, headers, body = get(app.url + "/metrics", {"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return body


@pytest.fixture(scope="module")
def app():
    # GIFQ down: every link ends on the "unavailable" page, which is a failure we count.
    process = start_app(closed_port_url(), METRICS_TOKEN=METRICS_TOKEN)
    yield process
    process.stop()


def test_metrics_do_not_exist_without_a_metrics_token():
    process = start_app(closed_port_url())
    try:
        assert get(process.url + "/metrics")[0] == 404
        assert get(process.url + "/metrics", {"Authorization": "Bearer anything"})[0] == 404
    finally:
        process.stop()


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer wrong", f"Basic {METRICS_TOKEN}", f"Bearer {METRICS_TOKEN}x"],
)
def test_metrics_refuse_a_missing_or_wrong_bearer_token(app, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    status, response_headers, body = get(app.url + "/metrics", headers)
    assert status == 401
    assert response_headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert "redeem_" not in body


def test_metrics_list_every_journey_step_failures_and_gifq_latency(app):
    get(app.url + f"/r/{TOKEN}")
    body = scrape(app)
    for step in ("link_opened", "code_sent", "code_verified", "brand_chosen", "card_shown"):
        assert f'redeem_journey_steps_total{{step="{step}"}}' in body
    assert "redeem_failures_total{" in body
    assert "redeem_gifq_request_seconds_bucket{" in body
    assert "_created" not in body


def test_metrics_never_carry_a_recipient_token(app):
    get(app.url + f"/r/{TOKEN}")
    assert TOKEN not in scrape(app)


def test_metrics_are_summed_across_gunicorn_workers(tmp_path):
    redis_server = start_redis()
    process = start_app(
        closed_port_url(),
        METRICS_TOKEN=METRICS_TOKEN,
        REDIS_URL=redis_server.url,
        WEB_CONCURRENCY="2",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
    )
    try:
        for _ in range(20):
            get(process.url + f"/r/{TOKEN}")
        lines = [
            line
            for line in scrape(process).splitlines()
            if line.startswith("redeem_gifq_request_seconds_count{")
        ]
        # Whichever worker answered each request, one scrape sees all of them.
        assert sum(float(line.rsplit(" ", 1)[1]) for line in lines) >= 20
    finally:
        process.stop()
        redis_server.stop()


def _steps(body: str) -> dict[str, float]:
    found = re.findall(r'redeem_journey_steps_total\{step="(\w+)"\} ([0-9.e+]+)', body)
    return {step: float(value) for step, value in found}


def test_a_whole_journey_moves_every_step_of_the_funnel_by_one(fake):
    process = start_app(fake.base_url, METRICS_TOKEN=METRICS_TOKEN, RATELIMIT_ENABLED="false")
    try:
        before = _steps(scrape(process))
        token, _ = fake.create_payout()
        with httpx.Client(base_url=process.url, timeout=20) as http:
            Journey(Browser.http(http), token, code_of=fake.code_for).redeem("northwind-books")
        after = _steps(scrape(process))
    finally:
        process.stop()
    steps = ("link_opened", "code_sent", "code_verified", "brand_chosen", "card_shown")
    assert {step: after[step] - before.get(step, 0) for step in steps} == dict.fromkeys(steps, 1)
