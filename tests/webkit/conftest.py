"""The WebKit layer: one private Xvfb per session, a fresh MiniBrowser per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from tests.support.host_page import HostPage, serve_host_page
from tests.support.view import SeleniumView
from tests.support.webkit import webkit, xvfb


@pytest.fixture(scope="session")
def display() -> Iterator[str]:
    with xvfb() as number:
        yield number


@pytest.fixture
def open_webkit(display: str) -> Iterator[Callable[..., SeleniumView]]:
    """Start a WebKit browser with these options; every one is stopped after the test."""
    with ExitStack() as stack:
        yield lambda **options: stack.enter_context(webkit(display, **options))


@pytest.fixture
def wk(open_webkit: Callable[..., SeleniumView]) -> SeleniumView:
    return open_webkit()


@pytest.fixture(scope="module")
def host() -> Iterator[HostPage]:
    with serve_host_page() as page:
        yield page
