"""The journey's steps against a scripted GIFQ (httpx.MockTransport): no Flask app, no server."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx

from redeem.flow_store.record import Flow, Issued
from redeem.gifq.models import Brand, Product
from redeem.journey import steps
from redeem.journey.campaigns import CampaignCache
from redeem.journey.rules import Next
from tests.support import flows
from tests.support.gifq_mock import (
    CODE_SENT,
    TOKEN,
    VT,
    Upstream,
    error,
    make_client,
    payout_json,
    redemption_json,
)

GRANT = {"verification_token": VT, "expires_at": "2099-01-01T10:30:00Z"}
BRAND = Brand("northwind-books", "Northwind Books", None, (), "", "", "")
PRODUCT = Product("p_1", "DE", "EUR", Decimal(1), Decimal(100), None)
CATALOG = [
    {
        "brand": {"slug": "northwind-books", "name": "Northwind Books"},
        "products": [{"id": "p_1", "country": "DE", "currency": "EUR", "max_face_value": 100}],
    }
]


def a_flow(*, verified: bool = False) -> Flow:
    return flows.a_flow(verified=verified, balance=Decimal(50), currency="EUR")


def test_a_right_code_verifies_rotates_the_id_and_finds_the_brands_page() -> None:
    upstream = Upstream(httpx.Response(200, json=GRANT), httpx.Response(200, json=payout_json()))
    flow = a_flow()

    step, payout = steps.verify(make_client(upstream), flow, "123456")

    assert step is Next.BRANDS and payout.token == TOKEN

    assert flow.verified and flow.verification_token == VT and flow.id != flow.root_id
    # The brands page needs only what the landing reads: no verified read for it.
    assert "X-Verification-Token" not in upstream.requests[1].headers


def test_after_the_landing_read_the_code_step_reaches_the_brands_page_with_one_call() -> None:
    # Issue 13: landing GET, code send, code check, redemption POST, one GET for the card.
    upstream = Upstream(
        httpx.Response(200, json=payout_json(catalog=CATALOG)),  # the landing
        httpx.Response(202, json=CODE_SENT),
        httpx.Response(200, json=GRANT),
    )
    client, memory, flow = make_client(upstream), CampaignCache(), a_flow()
    client.get_payout(TOKEN)  # what the landing page read
    steps.send_code(client, flow)
    step, _ = steps.verify(client, flow, "123456")
    assert step is Next.BRANDS
    assert steps.catalog(client, memory, flow).by_slug["northwind-books"]
    assert [r.method for r in upstream.requests] == ["GET", "POST", "POST"]


def test_right_after_the_redemption_post_the_processing_page_asks_gifq_nothing() -> None:
    made = redemption_json(id="rd_5", face_value=50)
    upstream = Upstream(
        httpx.Response(200, json=payout_json(catalog=CATALOG)),
        httpx.Response(202, json=made),
    )
    client, memory, flow = make_client(upstream), CampaignCache(), a_flow(verified=True)
    steps.catalog(client, memory, flow)  # the brands page: the landing read, remembered
    steps.redeem(client, flow, (BRAND, PRODUCT, Decimal(50)), "ref-0")

    waiting = steps.wait_for_card(client, memory, flow)

    assert waiting.next is Next.PROCESSING and waiting.brand is not None
    assert waiting.payout is None  # nothing read: GIFQ's POST answer was the news
    assert [r.method for r in upstream.requests] == ["GET", "POST"]
    assert flow.current is not None
    flow.current.at -= steps.FIRST_LOOK_SECONDS  # a second later, the first look is GIFQ's
    upstream.answers.append(httpx.Response(200, json=payout_json(redemptions=[made])))
    steps.wait_for_card(client, memory, flow)
    assert [r.method for r in upstream.requests] == ["GET", "POST", "GET"]


def test_verifying_while_a_card_is_being_issued_goes_to_the_processing_page() -> None:
    in_flight = payout_json(redemptions=[redemption_json(status="processing")])
    upstream = Upstream(httpx.Response(200, json=GRANT), httpx.Response(200, json=in_flight))
    flow = a_flow()

    assert steps.verify(make_client(upstream), flow, "123456")[0] is Next.PROCESSING
    assert flow.current is not None and flow.current.id == "rd_1"


def test_a_resend_too_soon_keeps_the_code_on_its_way_and_says_so() -> None:
    flow = a_flow()
    cooldown = error(429, "verification_cooldown")
    cooldown.headers["Retry-After"] = "30"
    steps.send_code(make_client(Upstream(cooldown)), flow)
    assert flow.notice == "resend_wait" and flow.resend_at > 0

    fresh = a_flow()
    steps.send_code(make_client(Upstream(httpx.Response(202, json=CODE_SENT))), fresh)
    assert fresh.notice is None and fresh.resend_at > 0


def test_a_redemption_whose_answer_never_came_is_remembered_not_forgotten() -> None:
    flow = a_flow(verified=True)
    upstream = Upstream(httpx.Response(503))

    steps.redeem(make_client(upstream), flow, (BRAND, PRODUCT, Decimal(50)), reference="ref-0")

    assert flow.current == Issued("ref-0", "northwind-books", "p_1", Decimal(50))
    assert flow.current.outcome_unknown


def test_waiting_repeats_an_unanswered_redemption_with_the_same_reference() -> None:
    flow = a_flow(verified=True)
    flow.issued.append(Issued("ref-0", "northwind-books", "p_1", Decimal(50)))
    made = redemption_json(id="rd_5", face_value=50)
    upstream = Upstream(
        httpx.Response(202, json=made),  # GIFQ answers with the one it made, or makes it now
        httpx.Response(200, json=payout_json(redemptions=[made], catalog=CATALOG)),
    )

    waiting = steps.wait_for_card(make_client(upstream), CampaignCache(), flow)

    post = upstream.requests[0]
    assert post.method == "POST" and json.loads(post.content)["reference"] == "ref-0"
    assert flow.current is not None and flow.current.id == "rd_5"
    assert waiting.next is Next.PROCESSING and waiting.brand is not None


def test_an_unanswered_redemption_gifq_now_refuses_frees_the_balance() -> None:
    flow = a_flow(verified=True)
    flow.issued.append(Issued("ref-0", "northwind-books", "p_1", Decimal(50)))
    upstream = Upstream(error(422, "face_value_exceeds_balance"))

    waiting = steps.wait_for_card(make_client(upstream), CampaignCache(), flow)

    assert waiting.next is Next.BRANDS and flow.current is None and flow.notice == "failed"
    assert len(upstream.requests) == 1


def test_waiting_finds_the_card_once_gifq_completed_it() -> None:
    flow = a_flow(verified=True)
    flow.issued.append(Issued("ref-0", "northwind-books", "p_1", Decimal(50), id="rd_1"))
    done = redemption_json(status="completed", details={"code": "X"})
    upstream = Upstream(httpx.Response(200, json=payout_json(redemptions=[done], balance=0)))

    assert steps.wait_for_card(make_client(upstream), CampaignCache(), flow).next is Next.CARD


def test_waiting_slows_down_when_gifq_asks_instead_of_failing() -> None:
    flow = a_flow(verified=True)
    flow.issued.append(Issued("ref-0", "northwind-books", "p_1", Decimal(50), id="rd_1"))
    busy = error(429)
    busy.headers["Retry-After"] = "7"
    client = make_client(Upstream(busy))

    waiting = steps.wait_for_card(client, CampaignCache(), flow)

    assert waiting.next is Next.PROCESSING and waiting.slow_down == 7


def test_the_catalog_is_read_from_gifq_only_when_the_app_forgot_it() -> None:
    upstream = Upstream(httpx.Response(200, json=payout_json(catalog=CATALOG)))
    client, memory, flow = make_client(upstream), CampaignCache(), a_flow(verified=True)

    first = steps.catalog(client, memory, flow)
    again = steps.catalog(client, memory, flow)

    assert [b.slug for b, _ in first.entries] == ["northwind-books"] and again is first
    assert len(upstream.requests) == 1
