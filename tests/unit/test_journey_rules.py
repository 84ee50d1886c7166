"""What comes next in the journey: every branch, decided from plain records, without Flask."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from redeem.flow_store.record import Flow, Issued
from redeem.gifq.errors import ContractError
from redeem.gifq.models import Payout
from redeem.gifq.parsing import parse_payout
from redeem.journey.rules import (
    Next,
    card_to_show,
    is_verified,
    match_unknown,
    next_step,
    refresh,
)
from tests.support.gifq_mock import TOKEN, payout_json, redemption_json

CODE = {"code": "ABCD-1234"}


def payout(*redemptions: dict[str, Any], **overrides: Any) -> Payout:
    return parse_payout(payout_json(redemptions=list(redemptions), **overrides))


def flow(*issued: Issued, verified: bool = True) -> Flow:
    return Flow(
        id="f" * 32,
        token=TOKEN,
        token_key="k",
        campaign_id="c1",
        root_id="f" * 32,
        created_at=0,
        verified=verified,
        verification_token="vt" if verified else None,
        verification_expires_at=4_000_000_000.0,
        issued=list(issued),
    )


def issued(rid: str | None = "rd_1", *, failed: bool = False, product: str = "p_1") -> Issued:
    return Issued("ref-1", "northwind-books", product, Decimal(50), id=rid, failed=failed)


# --- next_step: every branch --------------------------------------------------------------


def test_an_unverified_flow_goes_to_the_code_page_whatever_gifq_holds() -> None:
    done = redemption_json(status="completed", details=CODE)
    assert next_step(flow(verified=False), payout(done, balance=0)) is Next.CODE


def test_a_redemption_whose_answer_never_came_waits_on_the_processing_page() -> None:
    assert next_step(flow(issued(None)), payout()) is Next.PROCESSING


def test_a_redemption_under_way_without_a_fresh_payout_waits_on_the_processing_page() -> None:
    assert next_step(flow(issued()), None) is Next.PROCESSING


def test_a_redemption_gifq_no_longer_lists_is_a_contract_error() -> None:
    with pytest.raises(ContractError):
        next_step(flow(issued("rd_gone")), payout(redemption_json()))


def test_a_completed_redemption_shows_the_card() -> None:
    done = redemption_json(status="completed", details=CODE)
    assert next_step(flow(issued()), payout(done, balance=0)) is Next.CARD


def test_a_redemption_still_processing_keeps_waiting() -> None:
    assert (
        next_step(flow(issued()), payout(redemption_json(status="processing"))) is Next.PROCESSING
    )


def test_a_payout_spent_by_an_earlier_card_shows_that_card() -> None:
    done = redemption_json(status="completed", details=CODE)
    assert next_step(flow(), payout(done, balance=0)) is Next.CARD


def test_a_card_with_balance_left_lets_the_recipient_choose_again() -> None:
    done = redemption_json(status="completed", details=CODE, face_value=20)
    assert next_step(flow(), payout(done, balance=30)) is Next.BRANDS


def test_a_fresh_verified_flow_chooses_a_brand() -> None:
    assert next_step(flow(), payout()) is Next.BRANDS
    assert next_step(flow(), None) is Next.BRANDS


def test_after_a_failed_redemption_the_recipient_chooses_again() -> None:
    assert next_step(flow(issued(failed=True)), payout()) is Next.BRANDS


# --- refresh --------------------------------------------------------------------------------


def test_refresh_copies_what_the_pages_show_as_decimal_money() -> None:
    f = flow()
    refresh(f, payout(amount="12.50", balance="12.5", currency="EUR"))
    assert (f.amount, f.balance, f.currency) == (Decimal("12.50"), Decimal("12.5"), "EUR")
    assert isinstance(f.balance, Decimal) and f.recipient_name == "Alice"


def test_refresh_marks_a_failed_redemption_and_leaves_a_notice() -> None:
    f = flow(issued())
    refresh(f, payout(redemption_json(status="failed")))
    assert f.current is None and f.issued[0].failed and f.notice == "failed"
    assert f.attempt == 1  # the next choice gets a reference of its own


def test_refresh_leaves_a_redemption_that_is_still_processing_alone() -> None:
    f = flow(issued())
    refresh(f, payout(redemption_json(status="processing")))
    assert f.current is f.issued[0] and f.notice is None


def test_refresh_adopts_a_redemption_already_under_way_at_gifq() -> None:
    f = flow()
    refresh(f, payout(redemption_json(id="rd_9", status="processing")))
    assert f.current is not None and f.current.id == "rd_9" and f.current.reference == ""
    assert next_step(f, payout(redemption_json(id="rd_9"))) is Next.PROCESSING


# --- the unknown outcome ----------------------------------------------------------------------


def test_an_unknown_outcome_matches_the_redemption_in_flight() -> None:
    found = match_unknown(issued(None), payout(redemption_json(id="rd_7", product_id="p_other")))
    assert found is not None and found.id == "rd_7"


def test_an_unknown_outcome_matches_a_settled_redemption_of_the_same_product() -> None:
    done = redemption_json(id="rd_8", status="completed", details=CODE)
    found = match_unknown(issued(None), payout(done))
    assert found is not None and found.id == "rd_8"


def test_an_unknown_outcome_gifq_has_no_trace_of_may_be_sent_again() -> None:
    failed = redemption_json(status="failed")
    other = redemption_json(id="rd_2", status="completed", product_id="p_2", details=CODE)
    assert match_unknown(issued(None), payout(failed, other)) is None
    assert match_unknown(issued(None), payout()) is None


# --- which card, and whether the code still counts --------------------------------------


def test_the_card_shown_is_this_flows_redemption_else_the_last_completed() -> None:
    done = redemption_json(id="rd_1", status="completed", details=CODE)
    older = redemption_json(id="rd_0", status="completed", details={"code": "OLD"})
    shown = card_to_show(flow(issued()), payout(older, done))
    assert shown is not None and shown.id == "rd_1"
    fallback = card_to_show(flow(), payout(older))
    assert fallback is not None and fallback.id == "rd_0"


def test_no_card_is_shown_while_processing_or_without_details() -> None:
    assert card_to_show(flow(issued()), payout(redemption_json(status="processing"))) is None
    assert card_to_show(flow(issued()), payout(redemption_json(status="completed"))) is None
    assert card_to_show(flow(), payout()) is None


def test_a_verification_past_its_time_no_longer_counts() -> None:
    f = flow()
    assert is_verified(f, now=1_000.0)
    f.verification_expires_at = 999.0
    assert not is_verified(f, now=1_000.0)
    assert not is_verified(flow(verified=False), now=0.0)


# --- the record at the store's boundary -------------------------------------------------


def test_a_flow_round_trips_through_json_with_decimal_money() -> None:
    f = flow(issued(None))
    f.amount, f.balance = Decimal("60.00"), Decimal("12.34")
    again = Flow.from_json(f.to_json())
    assert again == f
    assert isinstance(again.balance, Decimal) and isinstance(again.issued[0].face_value, Decimal)


def test_a_flow_written_before_redemptions_became_a_list_still_reads() -> None:
    old = (
        flow()
        .to_json()
        .replace('"issued":[]', '"issued":[]')
        .replace(
            '"notice"',
            '"attempt":1,"redemption_id":null,"redemption_brand":"acme",'
            '"redemption_unknown":{"product_id":"p_1","face_value":"25.5","reference":"r1"},'
            '"notice"',
        )
    )
    again = Flow.from_json(old)
    assert again.attempt == 1
    assert again.current is not None and again.current.outcome_unknown
    assert (again.current.brand, again.current.face_value) == ("acme", Decimal("25.5"))
