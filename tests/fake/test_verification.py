"""The one-time code: sending, confirming, limits and the lock (CONTRACT §2)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from tests.support.fake import FakeGifq


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _code_sent(fake: FakeGifq) -> tuple[str, str]:
    """The demo's pending payout, with a code just emailed: (token, code)."""
    token = fake.demo_token("pending")
    fake.send_code(token)
    return token, fake.latest_code("alice@example.com")


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_sending_a_code_answers_202_and_emails_six_digits(fake: FakeGifq):
    token = fake.demo_token("pending")
    response = fake.send_code(token)

    assert response.status_code == 202
    body = response.json()
    # Whole seconds on the wire; "available at" rounds up, so never early.
    assert 30 <= (_ts(body["resend_available_at"]) - _ts(body["code_sent_at"])).seconds <= 31
    email = fake.outbox("alice@example.com")[0]
    assert email["kind"] == "verification_code"
    assert email["payout_token"] == token
    assert len(email["code"]) == 6 and email["code"].isdigit()
    assert email["code"] in email["text"]
    assert fake.payout(token)["verification"]["code_sent_at"] == body["code_sent_at"]


def test_a_second_send_within_30_seconds_is_429_with_retry_after(fake: FakeGifq):
    token = fake.demo_token("pending")
    fake.send_code(token)

    again = fake.send_code(token)

    assert again.status_code == 429
    assert again.json()["code"] == "verification_cooldown"
    assert 1 <= int(again.headers["Retry-After"]) <= 30


def test_a_resend_after_the_cooldown_replaces_the_old_code(fake: FakeGifq):
    token = fake.demo_token("pending")
    fake.send_code(token)
    old = fake.latest_code("alice@example.com")
    fake.advance(31)
    assert fake.send_code(token).status_code == 202
    new = fake.latest_code("alice@example.com")

    if old != new:  # one chance in a million that both codes are the same
        refused = fake.confirm(token, old)
        assert refused.status_code == 422
        assert refused.json()["code"] == "code_invalid"
    assert fake.confirm(token, new).status_code == 200


def test_more_than_five_sends_an_hour_is_429_until_the_hour_is_over(fake: FakeGifq):
    token = fake.demo_token("pending")
    for _ in range(5):
        assert fake.send_code(token).status_code == 202
        fake.advance(31)

    sixth = fake.send_code(token)
    assert sixth.status_code == 429
    assert sixth.json()["code"] == "verification_send_limit"
    assert int(sixth.headers["Retry-After"]) > 30

    fake.advance(int(sixth.headers["Retry-After"]))
    assert fake.send_code(token).status_code == 202


def test_the_right_code_gives_a_verification_token_for_30_minutes(fake: FakeGifq):
    token = fake.demo_token("pending")
    sent = fake.send_code(token).json()
    response = fake.confirm(token, fake.latest_code("alice@example.com"))

    assert response.status_code == 200
    body = response.json()
    assert len(body["verification_token"]) >= 43
    assert 1800 <= (_ts(body["expires_at"]) - _ts(sent["code_sent_at"])).seconds <= 1801
    assert fake.payout(token, body["verification_token"])["verification"]["verified"] is True

    fake.advance(30 * 60 + 1)
    assert fake.payout(token, body["verification_token"])["verification"]["verified"] is False


def test_a_used_code_cannot_be_used_again(fake: FakeGifq):
    token, code = _code_sent(fake)
    assert fake.confirm(token, code).status_code == 200

    again = fake.confirm(token, code)

    assert again.status_code == 422
    assert again.json()["code"] == "code_expired"


def test_a_wrong_code_is_422_with_the_attempts_left_on_this_code(fake: FakeGifq):
    token, code = _code_sent(fake)
    wrong = _wrong(code)

    answers = [fake.confirm(token, wrong).json() for _ in range(5)]

    assert [a["code"] for a in answers] == ["code_invalid"] * 5
    assert [a["attempts_left"] for a in answers] == [4, 3, 2, 1, 0]


def test_five_wrong_tries_kill_the_code_even_for_the_right_one(fake: FakeGifq):
    token, code = _code_sent(fake)
    for _ in range(5):
        fake.confirm(token, _wrong(code))

    response = fake.confirm(token, code)

    assert response.status_code == 422
    assert response.json()["code"] == "code_expired"


def test_a_code_older_than_ten_minutes_has_expired(fake: FakeGifq):
    token, code = _code_sent(fake)
    fake.advance(10 * 60)

    response = fake.confirm(token, code)

    assert response.status_code == 422
    assert response.json()["code"] == "code_expired"


def test_confirming_without_any_code_sent_is_code_expired(fake: FakeGifq):
    response = fake.confirm(fake.demo_token("pending"), "123456")

    assert response.status_code == 422
    assert response.json()["code"] == "code_expired"


def test_a_code_that_is_not_six_digits_is_rejected_without_counting(fake: FakeGifq):
    token = fake.demo_token("pending")
    fake.send_code(token)
    for bad in ["12345", "1234567", "abcdef", "١٢٣٤٥٦"]:
        response = fake.confirm(token, bad)
        assert response.status_code == 422
        assert response.json()["code"] == "validation_failed"

    assert fake.confirm(token, fake.latest_code("alice@example.com")).status_code == 200


def _burn_codes(fake: FakeGifq, token: str, email: str, codes: int) -> None:
    for _ in range(codes):
        assert fake.send_code(token).status_code == 202
        wrong = _wrong(fake.latest_code(email))
        for _ in range(5):
            fake.confirm(token, wrong)
        fake.advance(31)


def test_twenty_wrong_codes_in_total_lock_the_payout(fake: FakeGifq):
    token = fake.demo_token("pending")
    _burn_codes(fake, token, "alice@example.com", 3)
    fake.send_code(token)
    wrong = _wrong(fake.latest_code("alice@example.com"))
    answers = [fake.confirm(token, wrong) for _ in range(5)]

    assert [a.status_code for a in answers] == [422, 422, 422, 422, 423]
    assert answers[-1].json()["code"] == "verification_locked"
    fake.advance(31)
    assert fake.send_code(token).status_code == 423
    assert fake.confirm(token, "000000").status_code == 423
    assert fake.payouts_for(token)["verification"] == {
        "locked": True, "wrong_attempts": 20, "codes_sent": 4
    }  # fmt: skip


def test_the_merchant_reissue_lifts_a_verification_lock(fake: FakeGifq):
    token = fake.demo_token("pending")
    _burn_codes(fake, token, "alice@example.com", 4)
    assert fake.send_code(token).status_code == 423

    assert fake.merchant("POST", f"/api/payouts/{token}/reissue").status_code == 200

    assert fake.verify(token)


def test_twenty_concurrent_wrong_codes_never_get_past_five_on_one_code(fake: FakeGifq):
    token, code = _code_sent(fake)

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: fake.confirm(token, _wrong(code)), range(20)))

    codes = sorted(a.json()["code"] for a in answers)
    assert codes.count("code_invalid") == 5
    assert codes.count("code_expired") == 15
    left = sorted(a.json()["attempts_left"] for a in answers if a.json()["code"] == "code_invalid")
    assert left == [0, 1, 2, 3, 4]
    assert fake.payouts_for(token)["verification"]["wrong_attempts"] == 5
    assert fake.confirm(token, code).json()["code"] == "code_expired"


def test_concurrent_wrong_codes_across_codes_never_pass_the_lock(fake: FakeGifq):
    token = fake.demo_token("pending")
    _burn_codes(fake, token, "alice@example.com", 3)
    fake.send_code(token)
    code = fake.latest_code("alice@example.com")

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: fake.confirm(token, _wrong(code)), range(20)))

    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(423) >= 1
    assert fake.payouts_for(token)["verification"]["wrong_attempts"] == 20
    assert fake.confirm(token, code).status_code == 423


def test_verification_works_on_any_status_so_issued_cards_stay_visible(fake: FakeGifq):
    for scenario in ("expired", "cancelled", "completed"):
        assert fake.send_code(fake.demo_token(scenario)).status_code == 202
