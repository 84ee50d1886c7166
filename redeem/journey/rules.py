"""What comes next in the journey, decided from the flow and GIFQ's payout: no Flask, no HTTP.

Three decisions, each a plain function the unit tests call directly
(tests/unit/test_journey_rules.py):

- ``refresh(flow, payout)``: copy what GIFQ now says into the flow (amounts, recipient, and the
  fate of the redemption this flow asked for, or one already under way at GIFQ);
- ``next_step(flow, payout)``: which page the recipient belongs on now;
- ``match_unknown(issued, payout)``: the redemption a POST whose answer never came created,
  if GIFQ shows one; None means it never arrived, and the same reference may be sent again.
"""

from __future__ import annotations

import enum
import time

from redeem.flow_store.record import Flow, Issued
from redeem.gifq.errors import ContractError
from redeem.gifq.models import Payout, Redemption, RedemptionStatus


class Next(enum.StrEnum):
    """A page of the journey, by its endpoint name under the "redeem." blueprint."""

    CODE = "code"
    BRANDS = "brands"
    PROCESSING = "processing"
    CARD = "card"


def refresh(flow: Flow, payout: Payout) -> None:
    flow.amount, flow.currency, flow.balance = payout.amount, payout.currency, payout.balance
    flow.recipient_name, flow.email_hint = payout.recipient.name, payout.recipient.email_hint
    flow.expires_at = payout.expires_at.isoformat() if payout.expires_at else None
    current = flow.current
    if current is None:
        in_flight = payout.in_flight()
        if in_flight is not None:
            # Chosen earlier (another flow, another tab): wait for it instead of choosing twice.
            flow.issued.append(_adopted(in_flight))
        return
    found = payout.redemption(current.id) if current.id else None
    if found is not None and found.status is RedemptionStatus.FAILED:
        current.failed = True
        flow.notice = "failed"


def is_verified(flow: Flow, now: float | None = None) -> bool:
    """Verified, and GIFQ's verification still within the time it granted."""
    return flow.verified and flow.verification_expires_at >= (now or time.time())


def next_step(flow: Flow, payout: Payout | None = None) -> Next:
    """Where the recipient belongs now; ``payout``: GIFQ's view after ``refresh``, if read.

    Without a payout the answer rests on the flow alone: a redemption under way or done
    means the processing page, which reads GIFQ and knows.
    """
    if not flow.verified:
        return Next.CODE
    current = flow.current
    if current is not None:
        if current.outcome_unknown or payout is None or current.id is None:
            return Next.PROCESSING
        found = payout.redemption(current.id)
        if found is None:
            raise ContractError("the redemption we made is missing from the payout")
        return Next.CARD if found.status is RedemptionStatus.COMPLETED else Next.PROCESSING
    if payout is not None and payout.latest_completed() is not None and payout.balance == 0:
        return Next.CARD
    return Next.BRANDS


def card_to_show(flow: Flow, payout: Payout, wanted: str | None = None) -> Redemption | None:
    """The card asked for by id (one of this payout's), else the card this flow redeemed,
    else the last one completed for the payout; only a completed one with its details."""
    current = flow.current
    if wanted is not None:
        shown = payout.redemption(wanted)
    else:
        shown = (payout.redemption(current.id) if current and current.id else None) or (
            payout.latest_completed()
        )
    if shown is None or shown.status is not RedemptionStatus.COMPLETED or shown.details is None:
        return None
    return shown


def match_unknown(issued: Issued, payout: Payout) -> Redemption | None:
    return payout.in_flight() or next(
        (
            r
            for r in reversed(payout.redemptions)
            if r.product_id == issued.product_id and r.status is not RedemptionStatus.FAILED
        ),
        None,
    )


def _adopted(redemption: Redemption) -> Issued:
    return Issued(
        reference="",
        brand=redemption.brand_slug,
        product_id=redemption.product_id,
        face_value=redemption.face_value,
        id=redemption.id,
    )
