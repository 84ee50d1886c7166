"""The request context: one frozen record per request, and a language that does not depend on
the order in which things ran."""

from __future__ import annotations

import dataclasses
import secrets

import httpx
import pytest
from flask import Flask
from flask_babel import get_locale

from redeem import create_app
from redeem.gifq.parsing import parse_payout
from redeem.web.request_context import add_payout, current, for_error_page, load
from tests.support.gifq_mock import TOKEN, Upstream, payout_json


@pytest.fixture
def app() -> Flask:
    return create_app(
        {
            "TESTING": True,
            "GIFQ_API_BASE": "https://gifq.test",
            "GIFQ_TRANSPORT": httpx.MockTransport(Upstream()),
            "SECRET_KEY": secrets.token_hex(32),
            "RATELIMIT_ENABLED": False,
        }
    )


def test_the_context_is_frozen(app: Flask) -> None:
    with app.test_request_context("/"), pytest.raises(dataclasses.FrozenInstanceError):
        current().embedded = True  # type: ignore[misc]


def test_the_language_follows_a_payout_read_after_it_was_first_asked_for(app: Flask) -> None:
    payout = parse_payout(payout_json(recipient={"name": "Ana", "locale": "de-AT"}))
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert str(get_locale()) == "fr"  # asked before the payout was read
        add_payout(payout)
        assert str(get_locale()) == "de"  # the recipient's language, now that it is known


def test_a_language_asked_for_in_the_url_beats_the_payouts(app: Flask) -> None:
    payout = parse_payout(payout_json(recipient={"name": "Ana", "locale": "de"}))
    with app.test_request_context("/?lang=ja"):
        add_payout(payout)
        assert str(get_locale()) == "ja"


def test_an_error_page_wears_the_campaign_this_link_last_showed(app: Flask) -> None:
    payout = parse_payout(payout_json(campaign={"id": "c-9", "sender_name": "Acme"}))
    with app.test_request_context(f"/r/{TOKEN}"):
        load("redeem.landing", {"token": TOKEN})
        add_payout(payout)  # the landing page showed it
    with app.test_request_context(f"/r/{TOKEN}"):
        load("redeem.landing", {"token": TOKEN})  # later: GIFQ down, no payout to read
        assert current().campaign is None
        dressed = for_error_page()
        assert dressed.campaign is not None and dressed.campaign.sender_name == "Acme"
        assert current() is dressed
