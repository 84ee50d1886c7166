"""The page table, CSRF tokens and campaign copy: small rules with big consequences."""

from __future__ import annotations

import pytest
from flask import Flask

from redeem.branding.campaign_text import fill
from redeem.flow_store.record import Flow
from redeem.gifq import errors
from redeem.gifq.models import PayoutStatus
from redeem.journey import pages as states
from redeem.security.csrf import check_flow_token, check_start_token, flow_token, start_token


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (errors.PayoutNotFound(), 404),
        (errors.PayoutGone(), 410),
        (errors.VerificationLocked(), 423),
        (errors.RateLimited(30), 429),
        (errors.GifqTimeout(), 504),
        (errors.GifqUnavailable(), 503),
        (errors.ContractError(), 502),
    ],
)
def test_each_gifq_outcome_has_one_page_and_an_honest_status(
    exc: errors.GifqError, status: int
) -> None:
    assert states.page_for_error(exc).status == status


def test_every_payout_status_has_a_landing_page() -> None:
    assert set(states.BY_STATUS) == set(PayoutStatus)
    assert states.BY_STATUS[PayoutStatus.EXPIRED].status == 410


@pytest.fixture
def ctx():  # type: ignore[no-untyped-def]
    from redeem.extensions import init_app

    app = Flask(__name__)
    app.config["SECRET_KEY"] = "k" * 32
    init_app(app)  # the keyed-hash key lives in the app's state
    with app.app_context():
        yield


def _flow(fid: str = "f" * 32) -> Flow:
    return Flow(id=fid, token="t" * 43, token_key="k", campaign_id="c", root_id=fid, created_at=0)


def test_a_flow_token_only_fits_its_own_flow(ctx) -> None:  # type: ignore[no-untyped-def]
    a, b = _flow("a" * 32), _flow("b" * 32)
    assert check_flow_token(a, flow_token(a))
    assert not check_flow_token(b, flow_token(a))
    assert not check_flow_token(a, None) and not check_flow_token(a, "")


def test_a_start_token_is_bound_to_the_payout_and_expires(ctx) -> None:  # type: ignore[no-untyped-def]
    token = start_token("payout-a", now=1_000_000)
    assert check_start_token("payout-a", token, now=1_000_100)
    assert not check_start_token("payout-b", token, now=1_000_100)
    assert not check_start_token("payout-a", token, now=1_000_000 + 25 * 3600)
    assert not check_start_token("payout-a", "1000000.forged", now=1_000_100)
    assert not check_start_token("payout-a", "garbage", now=1_000_100)


def test_campaign_copy_fills_both_variables_and_drops_a_missing_name() -> None:
    assert fill("Hi {{recipient_name}}, {{amount}}!", "Ana", "€5.00") == "Hi Ana, €5.00!"
    assert (
        fill("You've received a gift, {{recipient_name}}!", None, "€5.00")
        == "You've received a gift!"
    )
    assert fill("{{amount}} {{7*7}}", "x", "5") == "5 {{7*7}}"
