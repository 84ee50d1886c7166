"""Copying one Flask test client's cookies into another: "the same browser's cookies"."""

from __future__ import annotations

from typing import Any


def copy_cookies(source: Any, target: Any, prefix: str = "") -> int:
    """Every cookie of ``source`` (a werkzeug test client) whose name starts with ``prefix``."""
    copied = 0
    for cookie in (source._cookies or {}).values():  # werkzeug keeps no public iterator
        if cookie.key.startswith(prefix):
            target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
            copied += 1
    return copied
