"""CSRF protection that needs no cookie.

Flask-WTF's default keeps its secret in the session cookie, which browsers refuse inside
cross-site iframes. Here each form carries an HMAC bound to the flow (or, before a flow
exists, to the payout and an issue time), checked on POST together with the browser's
Sec-Fetch-Site / Origin headers (see redeem/security/origin.py).
"""

from __future__ import annotations

import hmac
import time

from redeem.flow_store.record import Flow
from redeem.security.keyed_hashes import keyed

START_TOKEN_SECONDS = 24 * 3600  # a landing page left open for a day still works


def flow_token(flow: Flow) -> str:
    return keyed("csrf", f"{flow.id}:{flow.csrf_secret}")


def check_flow_token(flow: Flow, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(flow_token(flow), given or "")


def start_token(token_key: str, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    return f"{issued}.{keyed('start', f'{token_key}:{issued}')[:40]}"


def check_start_token(token_key: str, given: str | None, now: float | None = None) -> bool:
    if not given or "." not in given:
        return False
    issued_raw, _, mac = given.partition(".")
    if not issued_raw.isdigit():
        return False
    issued = int(issued_raw)
    current = now if now is not None else time.time()
    if not 0 <= current - issued <= START_TOKEN_SECONDS:
        return False
    expected = keyed("start", f"{token_key}:{issued}")[:40]
    return hmac.compare_digest(expected, mac)
