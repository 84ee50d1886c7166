"""The last line of defence in the logs: codes, tokens and flow ids go; hashes and ids stay."""

from __future__ import annotations

import pytest

from redeem.ops.redact import REDACTED, redact_text

TOKEN = "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5kL7n_-Z"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("code=123456 sent", f"code={REDACTED} sent"),
        (f"GET /r/{TOKEN}", f"GET /r/{REDACTED}"),
        ("GET /f/zszBfrN4JqwjiWGqkg94j9Z36J2Bd7aA/card", f"GET /f/{REDACTED}/card"),
        (f"GIFQ /api/payouts/{TOKEN}/verification", f"GIFQ /api/payouts/{REDACTED}/verification"),
    ],
)
def test_secrets_are_taken_out_of_log_text(text, expected):
    assert redact_text(text) == expected


@pytest.mark.parametrize("text", ["token=ab123456cdef", "rid=1abff98e-0e27-4960-a6d4-276776cbef55"])
def test_six_digits_inside_a_hash_or_request_id_are_left_alone(text):
    assert redact_text(text) == text
