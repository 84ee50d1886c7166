"""Every journey endpoint's rate limits, in one table, and who each limit counts.

A limit counts the client IP (after ProxyFix), the payout (by its token's keyed hash) or the
flow (by its root id, which survives the id rotation at verification); the last two are read
from the request context, which is loaded before any limit is checked.
"""

from __future__ import annotations

from redeem.security.limits import LimitTable, client_ip
from redeem.web.request_context import current


def payout_key() -> str:
    return "payout:" + (current().token_key or "none")


def flow_key() -> str:
    return "flow:" + (current().flow_root or "none")


LIMITS: LimitTable = {
    "redeem.landing": (("60 per minute", client_ip),),
    "redeem.start": (("20 per hour", client_ip), ("6 per hour", payout_key)),
    "redeem.check_code": (("30 per 10 minutes", client_ip), ("25 per hour", payout_key)),
    "redeem.resend": (("10 per hour", client_ip), ("6 per hour", payout_key)),
    "redeem.redeem": (("10 per minute", flow_key),),
    # The processing page's script polls once a second: a minute of that per flow, no more.
    "redeem.status": (("60 per minute", flow_key),),
    # The card's own pages and files: each reads GIFQ's payout (through the payout cache).
    "redeem.till": (("30 per minute", flow_key),),
    "redeem.saved_card": (("30 per minute", flow_key),),
    "redeem.card_reminder": (("30 per minute", flow_key),),
}
