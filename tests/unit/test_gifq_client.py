"""The GIFQ client against httpx.MockTransport: its manners, the payout cache, the breaker,
the budget, observers and logs. Faults live in test_gifq_client_faults.py."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from flask import Flask, g

from redeem.gifq.breaker import OPEN
from redeem.gifq.client import GifqClient
from redeem.gifq.errors import GifqUnavailable, PayoutNotFound, RateLimited
from redeem.gifq.models import PayoutStatus
from tests.support.gifq_mock import (
    CODE_SENT,
    OTHER_TOKEN,
    TOKEN,
    VT,
    Upstream,
    cached_client,
    error,
    make_client,
    payout_json,
    redemption_json,
)

# --- the happy path and the client's manners ----------------------------------------------


def test_get_payout_parses_the_payout_and_asks_for_json_with_a_request_id():
    upstream = Upstream()

    payout = make_client(upstream).get_payout(TOKEN)

    assert payout.status is PayoutStatus.PENDING
    request = upstream.requests[0]
    assert request.method == "GET"
    assert str(request.url) == f"https://gifq.test/api/payouts/{TOKEN}"
    assert request.headers["accept"] == "application/json"
    assert len(request.headers["x-request-id"]) == 32
    assert "x-verification-token" not in request.headers


def test_the_request_id_is_taken_from_flask_g_when_present():
    upstream = Upstream()
    client = make_client(upstream)

    with Flask(__name__).app_context():
        g.request_id = "req-123"
        client.get_payout(TOKEN)

    assert upstream.requests[0].headers["x-request-id"] == "req-123"


def test_a_cookie_set_by_gifq_on_one_request_is_not_sent_on_the_next():
    upstream = Upstream(
        httpx.Response(200, json=payout_json(), headers={"set-cookie": "lb=alice; Path=/"}),
        httpx.Response(200, json=payout_json(token=OTHER_TOKEN)),
    )
    client = make_client(upstream, GIFQ_PAYOUT_CACHE_SECONDS=0)

    client.get_payout(TOKEN)
    client.get_payout(OTHER_TOKEN)

    assert "cookie" not in upstream.requests[1].headers


@pytest.mark.parametrize("token", ["short", "A" * 42 + "/", "../" + "A" * 40, ""])
def test_something_that_is_not_a_token_is_not_found_without_a_call(token):
    upstream = Upstream()

    with pytest.raises(PayoutNotFound):
        make_client(upstream).get_payout(token)

    assert upstream.requests == []


def test_send_code_posts_and_parses_when_the_code_was_sent():
    upstream = Upstream(httpx.Response(202, json=CODE_SENT))

    sent = make_client(upstream).send_code(TOKEN)

    assert sent.resend_available_at - sent.code_sent_at == timedelta(seconds=30)
    assert upstream.requests[0].url.path == f"/api/payouts/{TOKEN}/verification"


def test_confirm_code_sends_the_code_and_returns_the_grant():
    upstream = Upstream(
        httpx.Response(200, json={"verification_token": VT, "expires_at": "2026-01-01T10:30:00Z"})
    )

    grant = make_client(upstream).confirm_code(TOKEN, code="123456")

    assert grant.verification_token == VT
    assert upstream.requests[0].read() == b'{"code":"123456"}'


def test_create_redemption_sends_its_reference_the_exact_amount_and_the_credential():
    upstream = Upstream(httpx.Response(202, json=redemption_json()))

    redemption = make_client(upstream).create_redemption(
        TOKEN, verification_token=VT, product_id="p_1", face_value=Decimal("25.50"), reference="r1"
    )

    assert redemption.face_value == Decimal("25.5")
    request = upstream.requests[0]
    assert request.headers["x-verification-token"] == VT
    assert request.read() == b'{"product_id":"p_1","face_value":25.5,"reference":"r1"}'


# --- the payout cache -----------------------------------------------------------------------


def test_a_second_read_within_the_ttl_makes_no_call():
    upstream = Upstream(httpx.Response(200, json=payout_json(), headers={"etag": '"v1"'}))
    client, clock = cached_client(upstream)

    first = client.get_payout(TOKEN)
    clock.now = 0.9

    assert client.get_payout(TOKEN) is first
    assert len(upstream.requests) == 1


def test_after_the_ttl_the_read_revalidates_and_reuses_the_body_on_304():
    upstream = Upstream(
        httpx.Response(200, json=payout_json(), headers={"etag": '"v1"'}), httpx.Response(304)
    )
    client, clock = cached_client(upstream)
    first = client.get_payout(TOKEN)
    clock.now = 1.5

    assert client.get_payout(TOKEN) is first
    assert upstream.requests[1].headers["if-none-match"] == '"v1"'


def test_a_redemption_post_for_the_token_invalidates_its_cached_payout():
    upstream = Upstream(
        httpx.Response(200, json=payout_json(), headers={"etag": '"v1"'}),
        httpx.Response(202, json=redemption_json()),
        httpx.Response(200, json=payout_json(), headers={"etag": '"v2"'}),
    )
    client, _ = cached_client(upstream)
    client.get_payout(TOKEN)

    client.create_redemption(
        TOKEN, verification_token=VT, product_id="p_1", face_value=Decimal(5), reference="r"
    )
    client.get_payout(TOKEN)

    assert len(upstream.requests) == 3
    assert "if-none-match" not in upstream.requests[2].headers


def test_a_failed_redemption_post_still_invalidates_the_cached_payout():
    upstream = Upstream(httpx.Response(200, json=payout_json()), httpx.Response(503))
    client, _ = cached_client(upstream)
    client.get_payout(TOKEN)

    with pytest.raises(GifqUnavailable):
        client.create_redemption(
            TOKEN, verification_token=VT, product_id="p_1", face_value=Decimal(5), reference="r"
        )

    assert len(client.cache) == 0


def test_sending_and_checking_a_code_keep_the_landings_copy():
    # They change only the payout's verification times, which no page reads from it.
    upstream = Upstream(
        httpx.Response(200, json=payout_json()),
        httpx.Response(202, json=CODE_SENT),
        httpx.Response(200, json={"verification_token": VT, "expires_at": "2099-01-01T00:00:00Z"}),
    )
    client, _ = cached_client(upstream)
    client.get_payout(TOKEN)
    client.send_code(TOKEN)
    client.confirm_code(TOKEN, code="123456")
    client.get_payout(TOKEN)
    assert [r.method for r in upstream.requests] == ["GET", "POST", "POST"]


def test_cached_payouts_are_never_shared_between_verification_tokens():
    upstream = Upstream(httpx.Response(200, json=payout_json()))
    client, _ = cached_client(upstream)

    client.get_payout(TOKEN)
    client.get_payout(TOKEN, verification_token=VT)
    client.get_payout(TOKEN, verification_token="another-credential")
    client.get_payout(TOKEN, verification_token=VT)

    assert len(upstream.requests) == 3
    assert upstream.requests[1].headers["x-verification-token"] == VT


def test_a_payout_with_card_details_is_dropped_at_the_ttl_not_revalidated():
    body = payout_json(redemptions=[redemption_json(status="completed", details={"code": "X1"})])
    upstream = Upstream(httpx.Response(200, json=body, headers={"etag": '"v1"'}))
    client, clock = cached_client(upstream)
    client.get_payout(TOKEN, verification_token=VT)
    clock.now = 1.0

    client.get_payout(TOKEN, verification_token=VT)

    assert "if-none-match" not in upstream.requests[1].headers


# --- breaker, budget, observers, logs -------------------------------------------------------


def test_consecutive_failures_open_the_breaker_and_later_calls_fail_fast():
    upstream = Upstream(httpx.ConnectError("refused"))
    client = make_client(upstream, GIFQ_BREAKER_THRESHOLD=2)

    for _ in range(2):
        with pytest.raises(GifqUnavailable):
            client.get_payout(TOKEN)
    calls = len(upstream.requests)
    with pytest.raises(GifqUnavailable):
        client.get_payout(TOKEN)

    assert client.breaker.state == OPEN
    assert len(upstream.requests) == calls


def test_the_breaker_recovers_when_the_probe_after_the_cooldown_succeeds():
    upstream = Upstream(httpx.Response(500), httpx.Response(200, json=payout_json()))
    client = make_client(upstream, GIFQ_BREAKER_THRESHOLD=1, GIFQ_BREAKER_COOLDOWN=0.2)
    with pytest.raises(GifqUnavailable):
        client.get_payout(TOKEN)
    time.sleep(0.25)

    assert client.get_payout(TOKEN).token == TOKEN
    assert client.breaker.state == "closed"


def test_client_errors_do_not_open_the_breaker():
    client = make_client(Upstream(error(404)), GIFQ_BREAKER_THRESHOLD=1)

    for _ in range(3):
        with pytest.raises(PayoutNotFound):
            client.get_payout(TOKEN)

    assert client.breaker.state == "closed"


def test_a_call_over_a_budget_it_cannot_wait_for_is_rate_limited_without_a_call():
    upstream = Upstream()
    client = make_client(
        upstream, GIFQ_BUDGET_PER_SECOND=1, GIFQ_DEADLINE=0.3, GIFQ_PAYOUT_CACHE_SECONDS=0
    )
    client.get_payout(TOKEN)

    with pytest.raises(RateLimited):
        client.get_payout(TOKEN)

    assert len(upstream.requests) == 1


def test_observers_hear_every_attempt_with_its_status_or_error():
    upstream = Upstream(httpx.ConnectError("refused"), httpx.Response(503), httpx.Response(200))
    client = make_client(upstream)
    heard: list[tuple[str, int | str, float]] = []
    client.observers.append(lambda *event: heard.append(event))

    with pytest.raises(GifqUnavailable):
        client.get_payout(TOKEN)
    client.ping()

    assert [(e, s) for e, s, _ in heard] == [
        ("get_payout", "error"),
        ("get_payout", 503),
        ("ping", 200),
    ]
    assert all(seconds >= 0 for *_, seconds in heard)


def test_observers_hear_calls_refused_by_the_breaker_or_the_budget():
    client = make_client(
        Upstream(httpx.ConnectError("refused")),
        GIFQ_BREAKER_THRESHOLD=1,
        GIFQ_BUDGET_PER_SECOND=2,
        GIFQ_DEADLINE=0.3,
    )
    heard: list[str | int] = []
    client.observers.append(lambda endpoint, status, seconds: heard.append(status))

    for _ in range(2):
        with pytest.raises(GifqUnavailable):
            client.get_payout(TOKEN)
    client.breaker.success()
    with pytest.raises(RateLimited):
        client.get_payout(TOKEN)

    assert heard == ["error", "error", "circuit_open", "throttled"]


def test_a_broken_observer_does_not_break_the_call():
    client = make_client(Upstream())
    client.observers.append(lambda *event: 1 / 0)

    assert client.get_payout(TOKEN).token == TOKEN


def test_logs_name_the_token_by_hmac_and_never_carry_secrets_or_bodies(caplog):
    caplog.set_level(logging.DEBUG, logger="redeem.gifq")
    upstream = Upstream(
        httpx.Response(200, json={"verification_token": VT, "expires_at": "2026-01-01T10:30:00Z"})
    )
    client = make_client(upstream)

    client.confirm_code(TOKEN, code="654321")

    assert client.hashes.token_key(TOKEN)[:12] in caplog.text
    for secret in (TOKEN, "654321", VT):
        assert secret not in caplog.text


def test_ping_is_true_for_any_http_answer_and_never_counts_toward_the_breaker():
    client = make_client(Upstream(httpx.Response(500, text="oops")), GIFQ_BREAKER_THRESHOLD=1)

    assert client.ping() is True
    assert client.ping() is True
    assert client.breaker.state == "closed"


def test_ping_is_true_for_a_big_html_home_page_without_reading_it():
    client = make_client(Upstream(httpx.Response(200, html="<p>" + "x" * 5_000_000)))

    assert client.ping() is True


def test_a_config_that_leaves_a_setting_out_gets_the_one_default_from_config():
    from redeem.config import GIFQ_DEFAULTS, from_env

    client = GifqClient.from_config({"GIFQ_API_BASE": "https://gifq.test"})

    assert (
        client.settings.deadline == GIFQ_DEFAULTS["GIFQ_DEADLINE"] == from_env({})["GIFQ_DEADLINE"]
    )
    assert client.breaker.threshold == GIFQ_DEFAULTS["GIFQ_BREAKER_THRESHOLD"]
    assert client.cache.ttl == GIFQ_DEFAULTS["GIFQ_PAYOUT_CACHE_SECONDS"]


def test_each_process_gets_its_own_http_client(monkeypatch):
    client = make_client(Upstream())
    client.get_payout(TOKEN)
    parent_http = client.calls.http()

    monkeypatch.setattr("redeem.gifq.calls.os.getpid", lambda: -1)
    client.ping()

    assert client.calls.http() is not parent_http
