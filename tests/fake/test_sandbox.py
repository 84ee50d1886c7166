"""The sandbox-only surface: outbox, faults, clock, reset, demo, scale (CONTRACT §4)."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.fake import FakeGifq


def test_the_outbox_lists_emails_newest_first_and_filters_by_recipient(fake: FakeGifq):
    token = fake.demo_token("pending")
    fake.send_code(token)

    mails = fake.outbox("ALICE@example.com")

    assert [m["kind"] for m in mails] == ["verification_code", "redeem_link"]
    assert all(m["to"] == "alice@example.com" for m in mails)
    assert len(fake.outbox()) > len(mails)


def test_an_error_fault_answers_the_next_matching_calls_then_stops(fake: FakeGifq):
    path = f"/api/payouts/{fake.demo_token('pending')}"
    fake.fault("error", path_prefix="/api/payouts", status=502, count=2)

    answers = [fake.recipient("GET", path) for _ in range(3)]

    assert [a.status_code for a in answers] == [502, 502, 200]
    assert answers[0].json()["code"] == "fault_injected"


def test_an_error_fault_defaults_to_503(fake: FakeGifq):
    fake.fault("error")

    assert fake.merchant("GET", "/api/balances").status_code == 503


def test_a_fault_only_touches_its_path_prefix_and_method(fake: FakeGifq):
    token = fake.demo_token("pending")
    fake.fault("error", path_prefix=f"/api/payouts/{token}/verification", method="POST")

    assert fake.recipient("GET", f"/api/payouts/{token}").status_code == 200
    assert fake.merchant("GET", "/api/campaigns").status_code == 200
    assert fake.send_code(token).status_code == 503
    assert fake.send_code(token).status_code == 202


def test_faults_never_touch_the_sandbox(fake: FakeGifq):
    fake.fault("error", count=5)

    assert fake.client.get("/sandbox/outbox").status_code == 200
    assert fake.client.get("/sandbox/demo").status_code == 200


def test_a_rate_limit_fault_is_429_with_retry_after(fake: FakeGifq):
    fake.fault("rate_limit", seconds=3)

    response = fake.merchant("GET", "/api/balances")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    assert response.json()["message"] == "Too many requests. Try again later."


def test_a_latency_fault_delays_the_answer_but_answers(fake: FakeGifq):
    fake.fault("latency", seconds=0.3)

    response = fake.merchant("GET", "/api/balances")

    assert response.status_code == 200
    assert response.elapsed.total_seconds() >= 0.3


def test_a_malformed_fault_answers_json_that_does_not_parse(fake: FakeGifq):
    fake.fault("malformed")

    response = fake.recipient("GET", f"/api/payouts/{fake.demo_token('pending')}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_a_hang_fault_holds_the_request_then_closes_without_an_answer(fake: FakeGifq):
    fake.fault("hang", seconds=0.3)

    with pytest.raises(httpx.RemoteProtocolError):
        fake.merchant("GET", "/api/balances")
    assert fake.merchant("GET", "/api/balances").status_code == 200


def test_a_hang_outlasts_a_client_read_timeout(fake: FakeGifq):
    fake.fault("hang", seconds=2)

    with pytest.raises(httpx.ReadTimeout):
        fake.merchant("GET", "/api/balances", timeout=0.3)


def test_a_reset_fault_sends_a_real_tcp_reset(fake: FakeGifq):
    fake.fault("reset")
    address = urlsplit(fake.base_url)

    with socket.create_connection((address.hostname, address.port), timeout=5) as sock:
        sock.sendall(b"GET /api/balances HTTP/1.1\r\nHost: fake\r\nConnection: close\r\n\r\n")
        with pytest.raises(ConnectionResetError):
            sock.recv(1024)
    assert fake.merchant("GET", "/api/balances").status_code == 200


def test_a_reset_fault_surfaces_in_httpx_as_a_transport_error(fake: FakeGifq):
    fake.fault("reset")

    with pytest.raises(httpx.TransportError):
        fake.merchant("GET", "/api/balances")


def test_faults_are_listed_and_cleared(fake: FakeGifq):
    fake.fault("error", count=3)
    listed = fake.client.get("/sandbox/faults").json()
    assert [(f["mode"], f["remaining"]) for f in listed] == [("error", 3)]

    fake.clear_faults()

    assert fake.client.get("/sandbox/faults").json() == []
    assert fake.merchant("GET", "/api/balances").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"mode": "explode"},
        {"mode": "error", "path_prefix": "/sandbox"},
        {"mode": "error", "count": 0},
        {"mode": "error", "status": 99},
        {"mode": "latency", "seconds": -1},
    ],
)
def test_an_invalid_fault_is_400(fake: FakeGifq, body):
    assert fake.client.post("/sandbox/faults", json=body).status_code == 400


def test_the_clock_moves_forward_only(fake: FakeGifq):
    before = fake.client.get("/sandbox/clock").json()["now"]
    moved = fake.client.post("/sandbox/clock", json={"advance_seconds": 3600}).json()["now"]

    assert moved > before
    refused = fake.client.post("/sandbox/clock", json={"advance_seconds": -1})
    assert refused.status_code == 400


def test_reset_goes_back_to_the_seed_with_new_tokens(fake: FakeGifq):
    old_token = fake.demo_token("pending")
    fake.set_campaign("branded", headline="Changed")
    fake.create_payout(email="gone@example.com")
    fake.fault("error", count=10)
    fake.advance(10 * 24 * 3600)

    fake.reset()

    assert fake.demo_token("pending") != old_token
    assert fake.recipient("GET", f"/api/payouts/{old_token}").status_code == 404
    assert fake.payout(fake.demo_token("pending"))["campaign"]["headline"].startswith("You've")
    assert fake.outbox("gone@example.com") == []
    assert fake.payout(fake.demo_token("pending"))["status"] == "pending"


EXPECTED_DEMO_STATUS = {
    "pending": "pending",
    "pending-plain": "pending",
    "pending-gbp": "pending",
    "pending-de": "pending",
    "paused-campaign": "pending",
    "completed": "completed",
    "expired": "expired",
    "cancelled": "cancelled",
    "split": "pending",
    "split-started": "pending",
    "barcodes": "pending",
    "barcode-completed": "completed",
}


def test_the_demo_lists_every_scenario_with_a_working_link(fake: FakeGifq):
    demo = fake.demo()

    assert {p["scenario"] for p in demo["payouts"]} == set(EXPECTED_DEMO_STATUS)
    assert {p["currency"] for p in demo["payouts"]} == {"EUR", "USD", "GBP"}
    for payout in demo["payouts"]:
        assert payout["label"]
        assert payout["redeem_url"].endswith(payout["token"])
        status = fake.payout(payout["token"])["status"]
        assert status == EXPECTED_DEMO_STATUS[payout["scenario"]]


def test_a_scale_campaign_serves_thousands_of_brands(fake: FakeGifq):
    made = fake.scale_campaign(brands=5000, currency="EUR", amount=50)

    payout = fake.payout(made["token"])
    assert len(payout["catalog"]) == 5000
    assert made["redeem_url"].endswith(made["token"])
    assert payout["campaign"]["id"] == made["campaign_id"]
    logo = fake.client.get(payout["catalog"][-1]["brand"]["logo_url"])
    assert logo.status_code == 200


def test_logos_are_pngs_and_unknown_logos_are_404(fake: FakeGifq):
    logo = fake.client.get("/assets/logos/northwind-books.png")
    assert logo.content.startswith(b"\x89PNG")
    assert "max-age" in logo.headers["cache-control"]

    assert fake.client.get("/assets/logos/no-such-brand.png").status_code == 404
