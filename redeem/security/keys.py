"""Keyed hashes: how a token or flow appears anywhere but in GIFQ's own request path."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app


def keyed(purpose: str, value: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def token_key(token: str) -> str:
    """The payout's name in logs, metrics and limiter keys: never the raw token."""
    return keyed("token", token)[:32]
