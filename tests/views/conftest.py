from __future__ import annotations

from typing import Any

import pytest

from tests.support.fake import FakeGifq
from tests.support.walk import Walk


@pytest.fixture
def journey(pages: Any, fake: FakeGifq) -> Walk:
    return Walk(pages, fake)
