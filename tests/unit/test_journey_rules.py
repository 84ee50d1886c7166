"""What comes next in the journey: every branch, decided from plain records, without Flask."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from redeem.flow_store.record import Flow, Issued
from redeem.gifq.models import Payout
from redeem.gifq.parsing import parse_payout
from redeem.journey.rules import (
    Next,
    after_waiting,
    card_to_show,
    give_up,
    is_verified,
    next_step,
    refresh,
)
from tests.support.flows import a_flow as flow
from tests.support.gifq_mock import payout_json, redemption_json

CODE = {"code": "ABCD-1234"}


def payout(*redemptions: dict[str, Any], **overrides: Any) -> Payout:
    return parse_payout(payout_json(redemptions=list(redemptions), **overrides))


def issued(rid: str | None = "rd_1", *, failed: bool = False, product: str = "p_1") -> Issued:
    return Issued("ref-1", "northwind-books", product, Decimal(50), id=rid, failed=failed)


# --- next_step (after a fresh code): every branch -----------------------------------------


def test_an_unverified_flow_goes_to_the_code_page_whatever_gifq_holds() -> None:
    done = redemption_json(status="completed", details=CODE)
    assert next_step(flow(verified=False), payout(done, balance=0)) is Next.CODE


def test_a_redemption_under_way_waits_on_the_processing_page() -> None:
    assert next_step(flow(issued(None)), payout()) is Next.PROCESSING
    assert next_step(flow(issued()), payout(redemption_json())) is Next.PROCESSING


def test_one_card_that_took_the_whole_payout_has_its_own_page() -> None:
    done = redemption_json(status="completed", details=CODE)
    assert next_step(flow(), payout(done, balance=0)) is Next.CARD


def test_the_landings_copy_without_card_details_still_counts_the_card() -> None:
    """Read before the code, the payout carries no details: the one card is still its page."""
    done = redemption_json(status="completed")
    assert next_step(flow(), payout(done, balance=0)) is Next.CARD
    assert next_step(flow(), payout(done, balance=30)) is Next.CARDS


def test_cards_with_balance_left_show_every_card_and_what_is_left() -> None:
    done = redemption_json(status="completed", details=CODE, face_value=20)
    assert next_step(flow(), payout(done, balance=30)) is Next.CARDS


def test_several_cards_that_used_it_all_show_every_card() -> None:
    one = redemption_json(id="rd_1", status="completed", details=CODE, face_value=20)
    two = redemption_json(id="rd_2", status="completed", details=CODE, face_value=30)
    assert next_step(flow(), payout(one, two, balance=0)) is Next.CARDS


def test_a_fresh_verified_flow_chooses_a_brand() -> None:
    assert next_step(flow(), payout()) is Next.BRANDS


def test_after_a_failed_redemption_the_recipient_chooses_again() -> None:
    assert next_step(flow(issued(failed=True)), payout()) is Next.BRANDS


# --- after_waiting (the processing page): every branch ----------------------------------


def test_waiting_on_nothing_shows_the_last_card_or_the_brands() -> None:
    assert after_waiting(flow(), None) is Next.BRANDS
    done = issued()
    done.done = True
    assert after_waiting(flow(done), None) is Next.CARD


def test_waiting_ends_on_the_card_when_it_was_issued() -> None:
    done = issued()
    done.done = True
    assert after_waiting(flow(done), done) is Next.CARD


def test_waiting_ends_on_the_brands_when_it_failed() -> None:
    failed = issued(failed=True)
    assert after_waiting(flow(failed), failed) is Next.BRANDS


def test_waiting_goes_on_while_gifq_is_still_issuing() -> None:
    waiting = issued()
    assert after_waiting(flow(waiting), waiting) is Next.PROCESSING


# --- refresh --------------------------------------------------------------------------------


def test_refresh_copies_what_the_pages_show_as_decimal_money() -> None:
    f = flow()
    refresh(f, payout(amount="12.50", balance="12.5", currency="EUR"))
    assert (f.amount, f.balance, f.currency) == (Decimal("12.50"), Decimal("12.5"), "EUR")
    assert isinstance(f.balance, Decimal) and f.recipient_name == "Alice"


def test_refresh_marks_an_issued_card_and_moves_the_reference_on() -> None:
    f = flow(issued())
    refresh(f, payout(redemption_json(status="completed", details=CODE)))
    assert f.current is None and f.last_card is f.issued[0] and f.notice is None
    assert f.attempt == 1  # the next split gets a reference of its own


def test_refresh_marks_a_failed_redemption_and_leaves_a_notice() -> None:
    f = flow(issued())
    refresh(f, payout(redemption_json(status="failed")))
    assert f.current is None and f.issued[0].failed and f.notice == "failed"
    assert f.attempt == 1 and f.last_card is None


def test_refresh_leaves_a_redemption_that_is_still_processing_alone() -> None:
    f = flow(issued())
    refresh(f, payout(redemption_json(status="processing")))
    assert f.current is f.issued[0] and f.notice is None and f.attempt == 0


def test_refresh_adopts_a_redemption_already_under_way_at_gifq() -> None:
    f = flow()
    refresh(f, payout(redemption_json(id="rd_9", status="processing")))
    assert f.current is not None and f.current.id == "rd_9" and f.current.reference == ""
    assert next_step(f, payout(redemption_json(id="rd_9"))) is Next.PROCESSING


# --- the unknown outcome ----------------------------------------------------------------------


def test_giving_up_on_an_unanswered_redemption_frees_the_balance_with_a_notice() -> None:
    unknown = issued(None)
    f = flow(unknown)
    give_up(f, unknown)
    assert f.current is None and f.notice == "failed" and f.attempt == 1


# --- which card, and whether the code still counts --------------------------------------


def test_the_card_shown_is_this_flows_last_card_else_the_last_completed() -> None:
    done = redemption_json(id="rd_1", status="completed", details=CODE)
    older = redemption_json(id="rd_0", status="completed", details={"code": "OLD"})
    mine = issued()
    mine.done = True
    shown = card_to_show(flow(mine), payout(done, older))
    assert shown is not None and shown.id == "rd_1"
    fallback = card_to_show(flow(), payout(older))
    assert fallback is not None and fallback.id == "rd_0"


def test_no_card_is_shown_while_processing_or_without_details() -> None:
    assert card_to_show(flow(issued()), payout(redemption_json(status="processing"))) is None
    assert card_to_show(flow(), payout(redemption_json(status="completed"))) is None
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
        .replace(
            '"notice"',
            '"attempt":2,"redemption_id":null,"redemption_brand":"acme","card_id":"rd_4",'
            '"redemption_unknown":{"product_id":"p_1","face_value":"25.5","reference":"r1"},'
            '"notice"',
        )
    )
    again = Flow.from_json(old)
    assert again.attempt == 2 and again.last_card is not None and again.last_card.id == "rd_4"
    assert again.current is not None and again.current.outcome_unknown
    assert (again.current.brand, again.current.face_value) == ("acme", Decimal("25.5"))
