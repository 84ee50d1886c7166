"""What comes next in the journey, decided from the flow and GIFQ's payout: no Flask, no HTTP.

The decisions, each a plain function the unit tests call directly
(tests/unit/test_journey_rules.py):

- ``refresh(flow, payout)``: copy what GIFQ now says into the flow: amounts, recipient, the
  fate of the redemption under way (issued or failed), or one already under way at GIFQ;
- ``next_step(flow, payout)``: which page the recipient belongs on now (after a fresh code);
- ``after_waiting(flow, waited_on)``: where the processing page sends the recipient;
- ``card_to_show(flow, payout)``: the card the card page shows;
- ``give_up(flow, issued)``: a redemption whose answer never came and that GIFQ now refuses.

A redemption whose answer never came is resolved by sending it again with the same
reference (redeem/journey/steps.py): GIFQ answers with the one it made, or makes it now, and
never charges twice. Matching the payout's redemptions instead would pick an earlier
split's card at the same brand.
"""

from __future__ import annotations

import enum
import time

from redeem.flow_store.record import Flow, Issued
from redeem.gifq.models import Payout, Redemption, RedemptionStatus


class Next(enum.StrEnum):
    """A page of the journey, by its endpoint name under the "redeem." blueprint."""

    CODE = "code"
    BRANDS = "brands"
    BRAND = "brand"
    PROCESSING = "processing"
    CARD = "card"
    CARDS = "cards"


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
    if found is not None and found.status is RedemptionStatus.COMPLETED:
        current.done = True  # the next split gets a reference of its own
    elif found is not None and found.status is RedemptionStatus.FAILED:
        current.failed = True
        flow.notice = "failed"


def is_verified(flow: Flow, now: float | None = None) -> bool:
    """Verified, and GIFQ's verification still within the time it granted."""
    return flow.verified and flow.verification_expires_at >= (now or time.time())


def next_step(flow: Flow, payout: Payout) -> Next:
    """Where a recipient lands after a fresh code (``payout`` read and ``refresh``ed): a card
    still being issued; else the one card that used the whole payout on its own page, or
    every card issued so far with what is left; else the brands."""
    if not flow.verified:
        return Next.CODE
    if flow.current is not None:
        return Next.PROCESSING
    # Counted by status alone: the landing's copy of the payout, read before the code, has
    # no card details yet (GIFQ shows them only to a verified request).
    issued = [r for r in payout.redemptions if r.status is RedemptionStatus.COMPLETED]
    if len(issued) == 1 and payout.balance <= 0:
        return Next.CARD
    return Next.CARDS if issued else Next.BRANDS


def after_waiting(flow: Flow, waited_on: Issued | None) -> Next:
    """The processing page's answer once GIFQ was asked (``refresh``ed)."""
    if waited_on is None:
        return Next.CARD if flow.last_card else Next.BRANDS
    if waited_on.done:
        return Next.CARD
    return Next.BRANDS if waited_on.failed else Next.PROCESSING


def card_to_show(flow: Flow, payout: Payout, wanted: str | None = None) -> Redemption | None:
    """The card asked for by id (one of this payout's), else the card issued last in this
    flow, else the last one completed for the payout; only a completed one with its details."""
    last = flow.last_card
    if wanted is not None:
        shown = payout.redemption(wanted)
    else:
        shown = (payout.redemption(last.id) if last and last.id else None) or (
            payout.latest_completed()
        )
    if shown is None or shown.status is not RedemptionStatus.COMPLETED or shown.details is None:
        return None
    return shown


def give_up(flow: Flow, issued: Issued) -> None:
    """A POST whose answer never came that GIFQ now refuses (the balance or the payout
    changed): nothing was charged, so the next split starts afresh instead of waiting."""
    issued.failed = True
    flow.notice = "failed"


def _adopted(redemption: Redemption) -> Issued:
    return Issued(
        reference="",
        brand=redemption.brand_slug,
        product_id=redemption.product_id,
        face_value=redemption.face_value,
        id=redemption.id,
    )
