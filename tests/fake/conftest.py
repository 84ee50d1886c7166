"""One fake GIFQ process for the whole fake suite, reset to its seed before every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake import FakeGifq


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeGifq]:
    # Rate limit off: only tests/fake/test_platform.py tests the limit, on its own process.
    with FakeGifq(rate_limit=0, embed_origins=("https://host.example",)) as fake:
        yield fake


@pytest.fixture
def fake(fake_server: FakeGifq) -> FakeGifq:
    fake_server.reset()
    return fake_server
