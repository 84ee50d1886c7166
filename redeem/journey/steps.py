"""The journey's steps: each does one thing the recipient asked, with GIFQ, on the flow.

Plain functions over the GIFQ client and the flow record: no Flask, no request. They change
the flow in place and say where the recipient goes next; the web layer saves the flow once,
after the step (redeem/web/preconditions.py), and renders or redirects. The decisions
themselves are in redeem/journey/rules.py.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from redeem.flow_store.record import Flow, Issued
from redeem.gifq.errors import (
    GifqUnavailable,
    PayoutGone,
    RateLimited,
    ResendCooldown,
    ResendLimit,
    Unprocessable,
)
from redeem.gifq.models import Brand, Payout, Product, Redemption, RedemptionStatus
from redeem.journey.campaigns import CampaignCache
from redeem.journey.catalog import CatalogIndex
from redeem.journey.rules import Next, after_waiting, card_to_show, give_up, next_step, refresh
from redeem.ops.metrics import record_step
from redeem.split.journey import cards

if TYPE_CHECKING:  # the client is passed in: a stand-in serves as well in tests
    from redeem.gifq.client import GifqClient


# GIFQ calls are our capacity (docs/deploy.md, "Capacity"): a journey costs five, the
# landing's GET, the code send, the code check, the redemption POST and one GET that sees the
# card. Two rules get it there:
#
# From the code step to the confirm POST, the journey reuses what the landing read (status,
# balance, catalog, earlier redemptions), up to LANDING_COPY_SECONDS old, from the payout
# cache every worker and instance shares. Only a redemption (which clears the copy) or the
# sender change those, and GIFQ checks everything again on the redemption POST: an old copy
# can cost a clear "choose again", never money.
LANDING_COPY_SECONDS = 120.0
# Right after the POST, GIFQ's answer ("processing") is the news: the processing page shows
# it without asking again, and the page's first poll, a second later, is the first look.
FIRST_LOOK_SECONDS = 1.0


def read_payout(gifq: GifqClient, flow: Flow, *, landing_copy: bool = False) -> Payout:
    """GIFQ's payout as this flow may see it (verified or not), copied into the flow;
    ``landing_copy``: the unverified answer the landing read will do (it has no card)."""
    token = flow.verification_token if flow.verified and not landing_copy else None
    max_age = LANDING_COPY_SECONDS if landing_copy else None
    payout = gifq.get_payout(flow.token, verification_token=token, max_age=max_age)
    current = flow.current
    if current is not None and current.id and payout.redemption(current.id) is None:
        # A copy read before our redemption (cached by another process, up to a second
        # old): GIFQ itself must have it.
        payout = gifq.get_payout(flow.token, verification_token=token, refresh=True)
    refresh(flow, payout)
    return payout


def send_code(gifq: GifqClient, flow: Flow) -> None:
    try:
        sent = gifq.send_code(flow.token)
    except ResendCooldown as exc:
        # Too soon after the last send: the code already on its way still works. (Any other
        # 429, ours or GIFQ's, means nothing was sent: it shows the "please wait" page.) Past
        # the hourly cap the newest code may be used up already: the page says so.
        flow.resend_at = max(flow.resend_at, time.time() + exc.retry_after)
        flow.notice = "resend_limit" if isinstance(exc, ResendLimit) else "resend_wait"
        return
    # GIFQ's clock may differ from ours: keep only the length of the cooldown it gave.
    cooldown = (sent.resend_available_at - sent.code_sent_at).total_seconds()
    flow.resend_at = time.time() + max(0.0, cooldown)
    record_step("code_sent")


def verify(gifq: GifqClient, flow: Flow, code: str) -> tuple[Next, Payout]:
    """Check the code (CodeInvalid / CodeExpired pass through), then see what GIFQ holds."""
    grant = gifq.confirm_code(flow.token, code=code)
    flow.verified = True
    flow.verification_token = grant.verification_token
    flow.verification_expires_at = grant.expires_at.timestamp()
    flow.rotate_id()  # an id seen before the code was entered is worth nothing
    record_step("code_verified")
    payout = read_payout(gifq, flow, landing_copy=True)
    return next_step(flow, payout), payout


def catalog(gifq: GifqClient, campaigns: CampaignCache, flow: Flow) -> CatalogIndex:
    """The brands this flow's balance may choose; GIFQ is asked only if this app forgot."""
    index = campaigns.catalog(flow.campaign_id, flow.currency, flow.balance)
    if index is None:  # this process has not seen the campaign: the landing's copy has it
        campaigns.remember_payout(read_payout(gifq, flow, landing_copy=True))
        index = campaigns.catalog(flow.campaign_id, flow.currency, flow.balance)
    assert index is not None  # remember_payout just stored the catalog for this balance
    return index


def redeem(
    gifq: GifqClient, flow: Flow, choice: tuple[Brand, Product, Decimal], reference: str
) -> None:
    """Ask GIFQ for a card of this brand, product and value (all of the balance, or part of
    it: a split). ``reference`` makes a repeated request the same redemption."""
    brand, product, value = choice
    issued = Issued(reference, brand.slug, product.id, value)
    try:
        made = _create(gifq, flow, issued)
    except GifqUnavailable:
        # The POST may or may not have reached GIFQ: remember it, and let the processing page
        # find out (re-reading first, then repeating the same reference) before anything else.
        flow.issued.append(issued)
        return
    issued.id, issued.at = made.id, time.time()
    flow.issued.append(issued)
    record_step("brand_chosen")


@dataclass(frozen=True)
class Waiting:
    """Where the processing page stands: the next page, and what it shows meanwhile."""

    next: Next
    payout: Payout | None = None  # what GIFQ said, when it was asked
    brand: Brand | None = None
    slow_down: float | None = None  # GIFQ asked us to wait this long before asking again


def wait_for_card(gifq: GifqClient, campaigns: CampaignCache, flow: Flow) -> Waiting:
    current = flow.current
    if current is not None and current.outcome_unknown:
        # Refused by GIFQ now: nothing was charged, and there is nothing to wait for.
        current = current if _resolve_unknown(gifq, flow, current) else None
    if current is None:
        return Waiting(after_waiting(flow, None))
    if not current.done and time.time() - current.at < FIRST_LOOK_SECONDS:
        # The brand's name and logo from this process's memory, if it has them: not worth
        # a GIFQ call (the page reads the same without them).
        index = campaigns.catalog(flow.campaign_id, flow.currency, flow.balance)
        entry = index.by_slug.get(current.brand) if index else None
        return Waiting(Next.PROCESSING, brand=entry[0] if entry else None)
    try:
        payout = read_payout(gifq, flow)
    except RateLimited as exc:
        # GIFQ asks us to slow down: keep waiting on this page, just less often.
        return Waiting(Next.PROCESSING, slow_down=exc.retry_after)
    step = after_waiting(flow, current)
    return Waiting(step, payout, payout.brand(current.brand) if step is Next.PROCESSING else None)


def is_card_ready(gifq: GifqClient, flow: Flow) -> bool:
    """For the processing page's script: has anything changed worth a page load?"""
    payout = gifq.get_payout(flow.token, verification_token=flow.verification_token)
    current = flow.current
    found = payout.redemption(current.id) if current and current.id else None
    return found is None or found.status is not RedemptionStatus.PROCESSING


@dataclass(frozen=True)
class Card:
    next: Next
    payout: Payout
    redemption: Redemption | None = None
    brand: Brand | None = None


def show_card(
    gifq: GifqClient, flow: Flow, wanted: str | None = None, *, counted: bool = True
) -> Card:
    """The card to show (``wanted``: a redemption id of this payout). The till page, the
    saved copy and the reminder read it too, ``counted=False``: they are not a card shown."""
    payout = read_payout(gifq, flow)
    if flow.current is not None and wanted is None:
        return Card(Next.PROCESSING, payout)
    shown = card_to_show(flow, payout, wanted)
    if shown is None:
        return Card(Next.PROCESSING if flow.current else Next.BRANDS, payout)
    if counted:
        record_step("card_shown")
    return Card(Next.CARD, payout, shown, payout.brand(shown.brand_slug))


@dataclass(frozen=True)
class Cards:
    payout: Payout
    cards: list[tuple[Redemption, Brand | None]]  # newest first


def list_cards(gifq: GifqClient, flow: Flow) -> Cards:
    """Every card issued from this payout, newest first, each with its brand when known."""
    payout = read_payout(gifq, flow)
    return Cards(payout, [(r, payout.brand(r.brand_slug)) for r in cards(payout)])


def _resolve_unknown(gifq: GifqClient, flow: Flow, issued: Issued) -> bool:
    """Send the POST whose answer never came again, with the same reference: GIFQ answers
    with the redemption it already made, or makes it now; it can never charge twice.
    False when GIFQ refuses it now (rules.give_up)."""
    try:
        issued.id = _create(gifq, flow, issued).id
    except (Unprocessable, PayoutGone):
        give_up(flow, issued)
        return False
    record_step("brand_chosen")
    return True


def _create(gifq: GifqClient, flow: Flow, issued: Issued) -> Redemption:
    return gifq.create_redemption(
        flow.token,
        verification_token=flow.verification_token or "",
        product_id=issued.product_id,
        face_value=issued.face_value,
        reference=issued.reference,
    )
