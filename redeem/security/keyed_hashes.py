"""Keyed hashes: how a token, a flow or a secret appears anywhere but in GIFQ's request path.

One key (the app's SECRET_KEY) and a purpose in every message, so a hash made for one use
(a CSRF token, a log line, a limiter key, an idempotency reference) can never stand in for
another. The GIFQ client names payouts in its logs and cache keys with the same hashes, so a
payout has one name across the app.
"""

from __future__ import annotations

import hashlib
import hmac
import os


class KeyedHashes:
    def __init__(self, secret: str | bytes | None) -> None:
        # No secret (a client built alone in a test or a script): a random one, so nothing
        # it hashes can be recognised outside this process.
        secret = secret or os.urandom(32)
        self._secret = secret.encode() if isinstance(secret, str) else secret

    def keyed(self, purpose: str, value: str) -> str:
        message = f"{purpose}:{value}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def token_key(self, token: str) -> str:
        """The payout's name in logs, metrics and limiter keys: never the raw token."""
        return self.keyed("token", token)[:32]


def _app_hashes() -> KeyedHashes:
    # The current app's (redeem/extensions.py builds it from SECRET_KEY); read here directly
    # so this module stays below the extensions in the import graph, and Flask-free until used.
    from flask import current_app

    hashes: KeyedHashes = current_app.extensions["redeem"].hashes
    return hashes


def keyed(purpose: str, value: str) -> str:
    return _app_hashes().keyed(purpose, value)


def token_key(token: str) -> str:
    return _app_hashes().token_key(token)
