from __future__ import annotations

import pytest

from tests.a11y.sweep import Sweep, sweep


@pytest.fixture(scope="session")
def swept(browser, fake, live_app) -> Sweep:  # type: ignore[no-untyped-def]
    return sweep(browser, fake, live_app.url)
