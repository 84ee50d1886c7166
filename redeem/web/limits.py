"""Every journey endpoint's rate limits, in one table, and who each limit counts.

A limit counts the client IP (after ProxyFix; an IPv6 address by its network), the payout (by
its token's keyed hash) or the flow (by its root id, which survives the id rotation at
verification); the last two are read from the request context, loaded before any limit runs.
"""

from __future__ import annotations

from typing import Any

from redeem.security.limits import LimitTable, client_ip
from redeem.web.request_context import current


def payout_key() -> str:
    return "payout:" + (current().token_key or "none")


def flow_key() -> str:
    return "flow:" + (current().flow_root or "none")


def _passed(response: Any) -> bool:
    return current().checks_passed


def _refused(response: Any) -> bool:
    return not current().checks_passed


# What a limit counts (issue 12, item 4). A per-payout or per-flow limit that counted every
# request would let anyone who knows the link (or just its shape) spend the recipient's own
# allowance with cross-site or token-less POSTs; so those count only requests that passed the
# origin and CSRF checks (the FORM need, redeem/web/preconditions.py), and per-IP limits
# (which count every request) catch the rest.
EVERY, PASSED, REFUSED = None, _passed, _refused

LIMITS: LimitTable = {
    "redeem.landing": (("60 per minute", client_ip, EVERY),),
    "redeem.start": (("20 per hour", client_ip, EVERY), ("6 per hour", payout_key, PASSED)),
    "redeem.check_code": (
        ("30 per 10 minutes", client_ip, EVERY),
        ("25 per hour", payout_key, PASSED),
    ),
    "redeem.resend": (("10 per hour", client_ip, EVERY), ("6 per hour", payout_key, PASSED)),
    "redeem.redeem": (("30 per hour", client_ip, REFUSED), ("10 per minute", flow_key, PASSED)),
    # The processing page's script polls once a second: a minute of that per flow, no more.
    "redeem.status": (("60 per minute", flow_key, EVERY),),
    # The card's own pages and files: each reads GIFQ's payout (through the payout cache).
    "redeem.till": (("30 per minute", flow_key, EVERY),),
    "redeem.saved_card": (("30 per minute", flow_key, EVERY),),
    "redeem.card_reminder": (("30 per minute", flow_key, EVERY),),
}
