"""Fixtures the Chromium tests share."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import BrowserContext


@pytest.fixture
def no_cookies_context(
    playwright: Any, browser_type_launch_args: dict[str, Any]
) -> Iterator[BrowserContext]:
    """A Chromium profile whose user refused every cookie (and with it, site storage);
    downloads are accepted, for the card's saved copy."""
    profile = tempfile.mkdtemp(prefix="no-cookies-")
    os.makedirs(f"{profile}/Default")
    with open(f"{profile}/Default/Preferences", "w", encoding="utf-8") as prefs:
        json.dump({"profile": {"default_content_setting_values": {"cookies": 2}}}, prefs)
    context = playwright.chromium.launch_persistent_context(
        profile, accept_downloads=True, **browser_type_launch_args
    )
    try:
        yield context
    finally:
        context.close()
