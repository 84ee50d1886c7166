"""Every way GIFQ can fail the client, each ending in the right fact within the deadline.

Most run against httpx.MockTransport; the last few use raw loopback sockets, because only the
real transport can show that the total deadline reaches a socket that drips or hangs."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from redeem.gifq.client import GifqClient
from redeem.gifq.errors import (
    CodeExpired,
    CodeInvalid,
    ContractError,
    GifqTimeout,
    GifqUnavailable,
    PayoutGone,
    PayoutNotFound,
    RateLimited,
    Unprocessable,
    VerificationLocked,
    VerificationRequired,
    retry_after,
)
from tests.support.gifq_mock import (
    JSON,
    OTHER_TOKEN,
    TOKEN,
    VT,
    Upstream,
    error,
    make_client,
    payout_json,
    redemption_json,
)


class Drip(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        yield b'{"token": '
        while True:
            time.sleep(0.05)
            yield b" "


class Unread(httpx.SyncByteStream):
    """A body announced as too big: the client must refuse it without reading a byte."""

    def __iter__(self) -> Iterator[bytes]:
        raise AssertionError("the body was read")


class Huge(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        yield b'{"token": "'
        for _ in range(40):
            yield b"x" * 65536


# --- faults: transport ----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get_payout", "send_code"])
def test_a_refused_connection_is_retried_once_for_any_method_then_unavailable(method):
    upstream = Upstream(httpx.ConnectError("refused"))
    started = time.monotonic()

    with pytest.raises(GifqUnavailable) as caught:
        getattr(make_client(upstream), method)(TOKEN)

    assert not isinstance(caught.value, GifqTimeout)
    assert len(upstream.requests) == 2
    assert time.monotonic() - started < 1.0


def test_a_refused_connection_then_an_answer_succeeds():
    upstream = Upstream(httpx.ConnectError("refused"), httpx.Response(200, json=payout_json()))

    assert make_client(upstream).get_payout(TOKEN).token == TOKEN


def test_a_read_timeout_on_get_is_retried_once_then_a_timeout():
    upstream = Upstream(httpx.ReadTimeout("slow"))

    with pytest.raises(GifqTimeout):
        make_client(upstream).get_payout(TOKEN)

    assert len(upstream.requests) == 2


def test_a_read_timeout_on_a_post_is_not_retried_and_means_outcome_unknown():
    upstream = Upstream(httpx.ReadTimeout("slow"))

    with pytest.raises(GifqTimeout):
        make_client(upstream).create_redemption(
            TOKEN, verification_token=VT, product_id="p_1", face_value=Decimal(5), reference="r"
        )

    assert len(upstream.requests) == 1


def test_a_connection_reset_on_a_post_is_not_retried():
    upstream = Upstream(httpx.RemoteProtocolError("Server disconnected"))

    with pytest.raises(GifqUnavailable):
        make_client(upstream).confirm_code(TOKEN, code="123456")

    assert len(upstream.requests) == 1


def test_a_body_dripping_past_the_deadline_is_cut_off_as_a_timeout():
    upstream = Upstream(httpx.Response(200, headers=JSON, stream=Drip()))
    started = time.monotonic()

    with pytest.raises(GifqTimeout):
        make_client(upstream, GIFQ_DEADLINE=0.5).get_payout(TOKEN)

    assert 0.45 <= time.monotonic() - started < 1.5


# --- faults: status codes -------------------------------------------------------------------


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_gateway_error_on_get_is_retried_once(status):
    upstream = Upstream(httpx.Response(status), httpx.Response(200, json=payout_json()))

    assert make_client(upstream).get_payout(TOKEN).token == TOKEN
    assert len(upstream.requests) == 2


def test_a_persistent_server_error_on_get_is_unavailable_after_one_retry():
    upstream = Upstream(httpx.Response(503, text="<h1>down</h1>"))
    started = time.monotonic()

    with pytest.raises(GifqUnavailable):
        make_client(upstream).get_payout(TOKEN)

    assert len(upstream.requests) == 2
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_on_a_post_is_never_retried(status):
    upstream = Upstream(httpx.Response(status))

    with pytest.raises(GifqUnavailable):
        make_client(upstream).create_redemption(
            TOKEN, verification_token=VT, product_id="p_1", face_value=Decimal(5), reference="r"
        )

    assert len(upstream.requests) == 1


def test_a_short_retry_after_on_get_is_waited_out_and_retried_once():
    upstream = Upstream(
        httpx.Response(429, headers={"retry-after": "0.2"}), httpx.Response(200, json=payout_json())
    )
    started = time.monotonic()

    make_client(upstream).get_payout(TOKEN)

    assert len(upstream.requests) == 2
    assert time.monotonic() - started >= 0.2


@pytest.mark.parametrize(
    ("header", "low", "high"),
    [
        ("120", 120, 120),
        (lambda: format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True), 25, 31),
        ("soon, honest", 5, 5),
        (None, 5, 5),
    ],
    ids=["seconds", "http-date", "garbage", "missing"],
)
def test_a_long_or_unreadable_retry_after_is_rate_limited_with_its_delay(header, low, high):
    value = header() if callable(header) else header
    upstream = Upstream(httpx.Response(429, headers={"retry-after": value} if value else {}))

    with pytest.raises(RateLimited) as caught:
        make_client(upstream).get_payout(TOKEN)

    assert low <= caught.value.retry_after <= high
    assert len(upstream.requests) == 1


def test_a_short_retry_after_on_a_post_is_not_retried():
    upstream = Upstream(httpx.Response(429, headers={"retry-after": "0"}))

    with pytest.raises(RateLimited):
        make_client(upstream).send_code(TOKEN)

    assert len(upstream.requests) == 1


def test_retry_after_reads_seconds_dates_and_garbage():
    now = datetime(2026, 1, 1, tzinfo=UTC)

    assert retry_after("7") == 7
    assert retry_after("Thu, 01 Jan 2026 00:01:00 GMT", now=now) == 60
    assert retry_after("Wed, 31 Dec 2025 00:00:00 GMT", now=now) == 0
    assert retry_after("nan") == 5
    assert retry_after("-3") == 0
    assert retry_after("99999999") == 3600


def confirm(client: GifqClient) -> Any:
    return client.confirm_code(TOKEN, code="000000")


def redeem(client: GifqClient) -> Any:
    return client.create_redemption(
        TOKEN, verification_token=VT, product_id="p_1", face_value=Decimal(50), reference="r"
    )


@pytest.mark.parametrize(
    ("call", "answer", "expected"),
    [
        (lambda c: c.get_payout(TOKEN), error(404, "payout_not_found"), PayoutNotFound),
        (lambda c: c.get_payout(TOKEN), httpx.Response(404, text="Not Found"), PayoutNotFound),
        (redeem, error(401, "verification_required"), VerificationRequired),
        (redeem, httpx.Response(401), VerificationRequired),
        (confirm, error(423, "verification_locked"), VerificationLocked),
        (confirm, httpx.Response(423), VerificationLocked),
        (confirm, error(422, "code_expired"), CodeExpired),
        (redeem, error(422, "payout_not_redeemable"), PayoutGone),
        (redeem, error(422, "payout_expired"), PayoutGone),
        (redeem, error(422, "product_not_eligible"), Unprocessable),
        (redeem, error(422, "insufficient_balance"), Unprocessable),
        (redeem, httpx.Response(422, text="<html>"), Unprocessable),
        (redeem, error(400), ContractError),
        (lambda c: c.send_code(TOKEN), error(429, "rate_limited"), RateLimited),
    ],
)
def test_each_error_answer_becomes_its_fact(call, answer, expected):
    with pytest.raises(expected):
        call(make_client(Upstream(answer)))


def test_a_wrong_code_carries_the_attempts_left():
    with pytest.raises(CodeInvalid) as caught:
        confirm(make_client(Upstream(error(422, "code_invalid", attempts_left=3))))

    assert caught.value.attempts_left == 3


@pytest.mark.parametrize("answer", [error(422, "code_invalid"), error(422), httpx.Response(422)])
def test_a_wrong_code_without_a_count_or_without_a_code_has_attempts_left_none(answer):
    with pytest.raises(CodeInvalid) as caught:
        confirm(make_client(Upstream(answer)))

    assert caught.value.attempts_left is None


def test_an_ineligible_product_keeps_its_code_for_the_view():
    with pytest.raises(Unprocessable) as caught:
        redeem(make_client(Upstream(error(422, "product_not_eligible"))))

    assert caught.value.code == "product_not_eligible"


# --- faults: bodies that break the contract -------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, headers=JSON, content=b'{"token": "T'),
        httpx.Response(200, html="<html><body>Welcome</body></html>"),
        httpx.Response(200, headers=JSON, content=b"<html><body>Welcome</body></html>"),
        httpx.Response(200, headers=JSON, content=b""),
        httpx.Response(200, json=None),
        httpx.Response(200, json=[payout_json()]),
        httpx.Response(200, json=payout_json(status="frozen")),
        httpx.Response(200, json={k: v for k, v in payout_json().items() if k != "balance"}),
        httpx.Response(200, json=payout_json(token=OTHER_TOKEN)),
        httpx.Response(302, headers={"location": "https://evil.example/"}),
        httpx.Response(304),
        httpx.Response(204),
    ],
    ids=[
        "truncated-json",
        "html",
        "html-labelled-json",
        "empty",
        "null",
        "array",
        "unknown-status",
        "missing-field",
        "other-payout",
        "redirect",
        "unasked-304",
        "204",
    ],
)
def test_an_answer_outside_the_contract_is_a_contract_error_within_the_deadline(answer):
    upstream = Upstream(answer)
    started = time.monotonic()

    with pytest.raises(ContractError):
        make_client(upstream).get_payout(TOKEN)

    assert len(upstream.requests) == 1
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, headers={"content-length": "2000000", **JSON}, stream=Unread()),
        httpx.Response(200, headers=JSON, stream=Huge()),
    ],
    ids=["declared", "streamed"],
)
def test_a_body_over_the_size_cap_is_a_contract_error(answer):
    client = make_client(Upstream(answer), GIFQ_MAX_BODY=1_000_000)

    with pytest.raises(ContractError, match="too large"):
        client.get_payout(TOKEN)


def test_a_huge_error_body_is_ignored_and_the_status_still_decides():
    with pytest.raises(GifqUnavailable):
        make_client(Upstream(httpx.Response(503, stream=Huge()))).send_code(TOKEN)


def test_a_redirect_is_never_followed():
    upstream = Upstream(httpx.Response(301, headers={"location": "https://gifq.test/other"}))

    with pytest.raises(ContractError):
        make_client(upstream).send_code(TOKEN)

    assert [r.url.path for r in upstream.requests] == [f"/api/payouts/{TOKEN}/verification"]


def test_card_details_answered_to_an_unverified_request_are_refused():
    body = payout_json(redemptions=[redemption_json(status="completed", details={"code": "X1"})])

    with pytest.raises(ContractError):
        make_client(Upstream(httpx.Response(200, json=body))).get_payout(TOKEN)


# --- the real transport on loopback: the deadline reaches the socket ------------------------


@contextmanager
def raw_server(behaviour: Callable[[socket.socket, threading.Event], None]) -> Iterator[str]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.05)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=behaviour, args=(conn, stop), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        listener.close()


def drip_headers(conn: socket.socket, stop: threading.Event) -> None:
    with conn:
        try:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while not stop.wait(0.05):
                conn.sendall(b"a")
        except OSError:
            pass


def hang(conn: socket.socket, stop: threading.Event) -> None:
    with conn:
        stop.wait(10)


@pytest.mark.parametrize("behaviour", [drip_headers, hang], ids=["drip-headers", "hang"])
def test_a_server_that_drips_or_hangs_is_cut_off_at_the_deadline(behaviour):
    with raw_server(behaviour) as base:
        client = make_client(None, GIFQ_API_BASE=base, GIFQ_DEADLINE=0.6, GIFQ_READ_TIMEOUT=5.0)
        started = time.monotonic()

        with pytest.raises(GifqTimeout):
            client.get_payout(TOKEN)

        assert 0.5 <= time.monotonic() - started < 2.0
        client.close()


def test_ping_is_false_when_nothing_listens():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    assert make_client(None, GIFQ_API_BASE=f"http://127.0.0.1:{port}").ping() is False


def test_a_post_gifqs_rate_limit_refused_is_sent_once_more_after_its_short_wait():
    # `rate_limited` means GIFQ did nothing with the request: sending it again is safe.
    refused = error(429, "rate_limited")
    refused.headers["retry-after"] = "0.2"
    upstream = Upstream(
        refused,
        httpx.Response(
            202,
            json={
                "code_sent_at": "2026-01-01T00:00:00Z",
                "resend_available_at": "2026-01-01T00:00:30Z",
            },
        ),
    )
    make_client(upstream).send_code(TOKEN)
    assert len(upstream.requests) == 2


def test_a_post_refused_by_one_of_gifqs_rules_is_not_sent_again():
    cooldown = error(429, "verification_cooldown")
    cooldown.headers["retry-after"] = "0"
    upstream = Upstream(cooldown)
    with pytest.raises(RateLimited):
        make_client(upstream).send_code(TOKEN)
    assert len(upstream.requests) == 1
