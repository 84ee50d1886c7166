"""What the journey needs to know to split a payout: the brands on offer at this balance, the
cards issued so far, and where a recipient lands after a fresh code."""

from __future__ import annotations

from datetime import UTC, datetime

from redeem.gifq.models import Brand, Payout, Product, Redemption, RedemptionStatus
from redeem.split.rules import best_product

_EPOCH = datetime.min.replace(tzinfo=UTC)


def offered(payout: Payout) -> list[tuple[Brand, Product]]:
    """Every brand with a product in the payout's currency, with the product that fits the
    balance, or, when none does, the one that says why: such a brand is shown, not dropped."""
    out = []
    for entry in payout.catalog:
        found = best_product(entry.products, payout.balance, payout.currency)
        if found is not None:
            out.append((entry.brand, found[0]))
    return out


def cards(payout: Payout) -> list[Redemption]:
    """Every card issued from this payout, newest first."""
    done = [
        (r.completed_at or r.created_at or _EPOCH, n, r)
        for n, r in enumerate(payout.redemptions)
        if r.status is RedemptionStatus.COMPLETED and r.details is not None
    ]
    return [r for _, _, r in sorted(done, key=lambda item: (item[0], item[1]), reverse=True)]


def after_verification(payout: Payout) -> str:
    """The page a fresh code leads to: a card still being issued; else every card issued so
    far (with what is left and "Choose another brand"), or the one card that used the whole
    payout on its own full page; else the brands."""
    if payout.in_flight() is not None:
        return "processing"
    issued = cards(payout)
    if len(issued) == 1 and payout.balance <= 0:
        return "card"
    if issued:
        return "cards"
    return "brands"
