"""The GIFQ client against the real fake server: every recipient endpoint, every fact."""

from __future__ import annotations

from decimal import Decimal

import pytest

from redeem.gifq import errors
from redeem.gifq.models import PayoutStatus, RedemptionStatus
from tests.support.fake import FakeGifq
from tests.support.gifq_mock import make_client


@pytest.fixture
def client(fake: FakeGifq):  # type: ignore[no-untyped-def]
    # No transport override: real HTTP to the fake, with a short deadline.
    return make_client(None, GIFQ_API_BASE=fake.base_url, GIFQ_DEADLINE=3.0)


def test_a_whole_redemption_through_the_client(client, fake: FakeGifq) -> None:
    token, _ = fake.create_payout(amount=50, currency="EUR")
    payout = client.get_payout(token)
    assert payout.status is PayoutStatus.PENDING and payout.amount == Decimal(50)
    assert not payout.verification.verified

    sent = client.send_code(token)
    assert sent.resend_available_at > sent.code_sent_at
    code = fake.latest_code(fake.email_of(token))
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(errors.CodeInvalid) as caught:
        client.confirm_code(token, code=wrong)
    assert caught.value.attempts_left == 4
    grant = client.confirm_code(token, code=code)

    _, product = next(
        (b, p) for b, p in client.get_payout(token).eligible_catalog() if b.slug == "prepaid-plus"
    )
    made = client.create_redemption(
        token, verification_token=grant.verification_token, product_id=product.id,
        face_value=Decimal(50), reference="ref-1",
    )  # fmt: skip
    again = client.create_redemption(
        token, verification_token=grant.verification_token, product_id=product.id,
        face_value=Decimal(50), reference="ref-1",
    )  # fmt: skip
    assert again.id == made.id and made.status is RedemptionStatus.PROCESSING
    fake.advance(5)
    done = client.get_payout(token, verification_token=grant.verification_token)
    card = done.redemption(made.id)
    assert card is not None and card.status is RedemptionStatus.COMPLETED
    assert card.details is not None and {n for n, _ in card.details.present()} == {"code", "pin"}
    assert len(fake.payouts_for(token)["redemptions"]) == 1


def test_outcomes_become_facts(client, fake: FakeGifq) -> None:
    with pytest.raises(errors.PayoutNotFound):
        client.get_payout("A" * 43)
    token, _ = fake.create_payout()
    client.send_code(token)
    with pytest.raises(errors.ResendCooldown):
        client.send_code(token)
    with pytest.raises(errors.VerificationRequired):
        client.create_redemption(
            token, verification_token="forged", product_id="p", face_value=Decimal(1),
            reference="r",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ({"mode": "error", "status": 503, "count": 2}, errors.GifqUnavailable),
        ({"mode": "malformed", "count": 2}, errors.ContractError),
        ({"mode": "rate_limit", "seconds": 60, "count": 2}, errors.RateLimited),
        ({"mode": "reset", "count": 2}, errors.GifqUnavailable),
    ],
)
def test_faults_at_the_fake_become_the_right_exception(client, fake: FakeGifq, fault, expected):  # type: ignore[no-untyped-def]
    token, _ = fake.create_payout()
    mode = fault.pop("mode")
    fake.fault(mode, path_prefix="/api/payouts", **fault)
    try:
        with pytest.raises(expected):
            client.get_payout(token)
    finally:
        fake.clear_faults()
