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


def same_browser(app: Any, browser: Any) -> Any:
    """A new test client (a Browser over it) holding ``browser``'s cookies: another tab of the
    same browser, for tests that race requests of one flow (flows are bound to their browser,
    redeem/security/binding.py)."""
    from tests.support.driver import Browser

    client = app.test_client()
    copy_cookies(browser.transport.client, client)
    return Browser.flask(client)
