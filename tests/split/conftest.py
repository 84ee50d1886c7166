"""An app to translate in, with no process behind it: these tests never reach GIFQ."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
from flask import Flask
from flask_babel import force_locale


@pytest.fixture(scope="session")
def offline_app() -> Flask:
    from redeem import create_app

    return create_app(
        {
            "TESTING": True,
            "GIFQ_API_BASE": "http://127.0.0.1:9",  # discard port: nothing here calls it
            "SECRET_KEY": secrets.token_hex(32),
            "RATELIMIT_ENABLED": False,
        }
    )


@pytest.fixture
def speaking(offline_app: Flask) -> Callable[[str], AbstractContextManager[None]]:
    """``with speaking("de"):`` renders gettext in German."""

    @contextmanager
    def in_locale(locale: str) -> Iterator[None]:
        with offline_app.test_request_context("/"), force_locale(locale):
            yield

    return in_locale
