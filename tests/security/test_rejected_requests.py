"""Issue 12, item 4: requests refused by the origin or CSRF checks never use up the
recipient's own allowance.

Six cross-site or token-less POSTs used to block the real recipient's code sends for an
hour, because the per-payout limit counted a request before the checks ran. Now the
per-payout and per-flow limits count only requests that passed them; refused requests
count against a per-IP limit of their own.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.conftest import SMALL, recipient
from tests.security.test_rate_limits import assert_limited

CROSS_SITE = {"Sec-Fetch-Site": "cross-site"}
SAME = {"Sec-Fetch-Site": "same-origin"}


def from_addr(n: int) -> dict[str, Any]:
    return {"environ_base": {"REMOTE_ADDR": f"203.0.113.{n % 250 + 1}"}}


REFUSALS = {
    "cross-site": lambda csrf: ({"csrf": csrf}, CROSS_SITE),
    "no token": lambda csrf: ({}, SAME),
    "wrong token": lambda csrf: ({"csrf": "not-the-token"}, SAME),
    "repeated token": lambda csrf: ({"csrf": [csrf, csrf]}, SAME),
}


@pytest.mark.parametrize("kind", REFUSALS)
def test_refused_code_sends_leave_the_recipients_own_sends_alone(limited, fake, kind):
    client = limited.test_client()
    token, _ = fake.create_payout(amount=SMALL)
    visit = recipient(client, fake, token)
    landing = visit.open()
    csrf = landing.csrf()
    for n in range(12):  # twice the per-payout limit of 6, each from its own address
        form, headers = REFUSALS[kind](csrf)
        refused = client.post(f"/r/{token}", data=form, headers=headers, **from_addr(n))
        assert refused.status_code in (400, 403), refused.status_code
    assert visit.ask_for_code().status == 200  # the code page: the send went through


@pytest.mark.parametrize("kind", REFUSALS)
def test_refused_code_checks_leave_the_recipients_own_checks_alone(limited, fake, kind):
    client = limited.test_client()
    visit = recipient(client, fake, fake.create_payout(amount=SMALL)[0])
    visit.ask_for_code()
    csrf = visit.last.csrf()
    for n in range(30):  # more than the per-payout limit of 25
        form, headers = REFUSALS[kind](csrf)
        refused = client.post(
            f"{visit.flow}/code", data={**form, "code": "123456"}, headers=headers, **from_addr(n)
        )
        assert refused.status_code in (400, 403), refused.status_code
    assert visit.enter_code().status == 200  # the brands page


@pytest.mark.parametrize("kind", REFUSALS)
def test_refused_resends_leave_the_recipients_own_resends_alone(limited, fake, kind):
    client = limited.test_client()
    visit = recipient(client, fake, fake.create_payout(amount=SMALL)[0])
    visit.ask_for_code()
    csrf = visit.last.csrf()
    for n in range(8):  # more than the per-payout limit of 6
        form, headers = REFUSALS[kind](csrf)
        refused = client.post(f"{visit.flow}/resend", data=form, headers=headers, **from_addr(n))
        assert refused.status_code in (400, 403), refused.status_code
    answer = client.post(f"{visit.flow}/resend", data={"csrf": csrf}, headers=SAME)
    assert answer.status_code == 303


@pytest.mark.parametrize("kind", REFUSALS)
def test_refused_confirmations_leave_the_recipients_own_confirmation_alone(limited, fake, kind):
    client = limited.test_client()
    visit = recipient(client, fake, fake.create_payout(amount=SMALL)[0])
    visit.verify()
    url = f"{visit.flow}/brands/northwind-books/confirm"
    csrf = visit.get(url).csrf()
    for n in range(12):  # more than the per-flow limit of 10
        form, headers = REFUSALS[kind](csrf)
        refused = client.post(url, data=form, headers=headers, **from_addr(n))
        assert refused.status_code in (400, 403), refused.status_code
    assert visit.confirm("northwind-books").status == 200


def test_refused_code_sends_from_one_address_are_still_limited_per_address(limited, fake):
    client = limited.test_client()
    token, _ = fake.create_payout(amount=SMALL)
    for _ in range(20):  # the per-IP limit counts every request, refused or not
        assert client.post(f"/r/{token}", data={}, headers=CROSS_SITE).status_code == 403
    assert_limited(client.post(f"/r/{token}", data={}, headers=CROSS_SITE), 3600)


def test_refused_confirmations_from_one_address_are_limited_on_their_own(limited, fake):
    client = limited.test_client()
    visit = recipient(client, fake, fake.create_payout(amount=SMALL)[0])
    visit.verify()
    url = f"{visit.flow}/brands/northwind-books/confirm"
    for _ in range(30):
        assert client.post(url, data={}, headers=SAME).status_code == 400
    assert_limited(client.post(url, data={}, headers=SAME), 3600)
