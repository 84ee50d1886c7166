"""Every limit lets exactly N requests through and answers the next with the branded 429 page
and a Retry-After; per-payout limits are keyed by the token's HMAC; per-IP limits count the
address ProxyFix trusts, so rotating X-Forwarded-For escapes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.security.conftest import SAME_ORIGIN, SMALL, Visit
from tests.support.fake import FakeGifq

HEADING = "Please wait a moment"


def ip(n: int) -> dict[str, Any]:
    return {"environ_base": {"REMOTE_ADDR": f"198.51.100.{n % 250 + 1}"}}


def assert_limited(response: Any, window: int) -> None:
    assert response.status_code == 429, response.status_code
    assert 1 <= int(response.headers["Retry-After"]) <= window
    body = response.get_data(as_text=True)
    assert f"<h1>{HEADING}</h1>" in body
    assert "Your gift is safe." in body


def verified_visit(client: Any, fake: FakeGifq) -> Visit:
    token, _ = fake.create_payout(amount=SMALL)
    visit = Visit(client, fake, token)
    visit.start()
    visit.verify()
    return visit


def new_visits(client: Any, fake: FakeGifq, count: int, *, started: bool = True) -> list[Visit]:
    """Fresh payouts, each on its landing page or, when started, on its code page."""
    visits = [Visit(client, fake, fake.create_payout(amount=SMALL)[0]) for _ in range(count)]
    for visit in visits:
        if started:
            visit.start()
        else:
            visit.land()
    return visits


@dataclass
class Limit:
    """`hit(n)` makes the n-th request, against one key of this limit and varying the other."""

    allowed: int
    window: int
    setup: Callable[[Any, FakeGifq], Callable[[int], Any]]


def landing_per_ip(client, fake):
    token, _ = fake.create_payout(amount=SMALL, campaign="plain")
    return lambda n: client.get(f"/r/{token}")


def send_per_payout(client, fake):
    token, _ = fake.create_payout(amount=SMALL)
    visit = Visit(client, fake, token)
    visit.land()
    # Every request from another address: only the payout's count can stop the 7th.
    return lambda n: client.post(
        f"/r/{token}", data={"csrf": visit.csrf}, headers=SAME_ORIGIN, **ip(n)
    )


def send_per_ip(client, fake):
    visits = new_visits(client, fake, 21, started=False)
    return lambda n: client.post(
        f"/r/{visits[n].token}", data={"csrf": visits[n].csrf}, headers=SAME_ORIGIN
    )


def check_per_payout(client, fake):
    [visit] = new_visits(client, fake, 1)
    # A malformed code is refused before GIFQ is asked, but every try still counts.
    return lambda n: client.post(
        f"{visit.flow_path}/code",
        data={"csrf": visit.csrf, "code": "abc"},
        headers=SAME_ORIGIN,
        **ip(n),
    )


def check_per_ip(client, fake):
    visits = new_visits(client, fake, 2)

    def hit(n: int) -> Any:
        visit = visits[n % 2]  # 15 + 15: under the payout limit of 25, over the IP's 30
        return client.post(
            f"{visit.flow_path}/code", data={"csrf": visit.csrf, "code": "abc"}, headers=SAME_ORIGIN
        )

    return hit


def resend_per_payout(client, fake):
    [visit] = new_visits(client, fake, 1)
    return lambda n: client.post(
        f"{visit.flow_path}/resend", data={"csrf": visit.csrf}, headers=SAME_ORIGIN, **ip(n)
    )


def resend_per_ip(client, fake):
    visits = new_visits(client, fake, 2)

    def hit(n: int) -> Any:
        visit = visits[n % 2]
        return client.post(
            f"{visit.flow_path}/resend", data={"csrf": visit.csrf}, headers=SAME_ORIGIN
        )

    return hit


def redeem_per_flow(client, fake):
    visit = verified_visit(client, fake)
    visit.confirm_page("northwind-books")
    url = f"{visit.flow_path}/brands/northwind-books/confirm"
    return lambda n: client.post(url, data={"csrf": visit.csrf}, headers=SAME_ORIGIN, **ip(n))


LIMITS = {
    "link lookups: 60 a minute per IP": Limit(60, 60, landing_per_ip),
    "code sends: 6 an hour per payout": Limit(6, 3600, send_per_payout),
    "code sends: 20 an hour per IP": Limit(20, 3600, send_per_ip),
    "code checks: 25 an hour per payout": Limit(25, 3600, check_per_payout),
    "code checks: 30 in 10 minutes per IP": Limit(30, 600, check_per_ip),
    "resends: 6 an hour per payout": Limit(6, 3600, resend_per_payout),
    "resends: 10 an hour per IP": Limit(10, 3600, resend_per_ip),
    "redemptions: 10 a minute per flow": Limit(10, 60, redeem_per_flow),
}


@pytest.mark.parametrize("name", LIMITS, ids=list(LIMITS))
def test_each_limit_answers_the_next_request_with_the_branded_429(limited, fake, name):
    limit = LIMITS[name]
    client = limited.test_client()
    hit = limit.setup(client, fake)
    for n in range(limit.allowed):
        assert hit(n).status_code != 429, f"request {n + 1} of {limit.allowed} was refused"
    assert_limited(hit(limit.allowed), limit.window)


def test_pressing_confirm_eleven_times_makes_one_redemption(limited, fake):
    client = limited.test_client()
    visit = verified_visit(client, fake)
    visit.confirm_page("northwind-books")
    url = f"{visit.flow_path}/brands/northwind-books/confirm"
    answers = [visit.post(url, {"csrf": visit.csrf}).status_code for _ in range(11)]
    assert answers == [303] * 10 + [429]
    assert len(fake.payouts_for(visit.token)["redemptions"]) == 1


def test_limiter_keys_hold_the_tokens_hmac_never_the_token(limited, fake):
    from redeem.extensions import state_of
    from redeem.security.keyed_hashes import token_key

    token, _ = fake.create_payout(amount=SMALL)
    visit = Visit(limited.test_client(), fake, token)
    visit.start()
    visit.enter("abc")
    with limited.app_context():
        hashed = token_key(token)
    keys = list(state_of(limited).limiter.storage.storage)  # type: ignore[attr-defined]
    assert keys, "nothing was counted"
    assert not [k for k in keys if token in k]
    assert [k for k in keys if f"payout:{hashed}" in k]


# --- who counts as "one IP" --------------------------------------------------------------


def test_rotating_x_forwarded_for_does_not_escape_the_per_ip_limit(own_app, fake):
    app = own_app(PROXY_HOPS=1)
    client = app.test_client()
    token, _ = fake.create_payout(amount=SMALL, campaign="plain")
    # The client writes whatever it likes first; our one proxy appends the address it saw.
    forged = [{"X-Forwarded-For": f"203.0.113.{n}, 192.0.2.10"} for n in range(61)]
    for headers in forged[:60]:
        assert client.get(f"/r/{token}", headers=headers).status_code == 200
    assert_limited(client.get(f"/r/{token}", headers=forged[60]), 60)


def test_the_address_our_proxy_appends_is_the_one_that_counts(own_app, fake):
    app = own_app(PROXY_HOPS=1)
    client = app.test_client()
    token, _ = fake.create_payout(amount=SMALL, campaign="plain")
    for _ in range(60):
        client.get(f"/r/{token}", headers={"X-Forwarded-For": "192.0.2.10"})
    assert client.get(f"/r/{token}", headers={"X-Forwarded-For": "192.0.2.10"}).status_code == 429
    assert client.get(f"/r/{token}", headers={"X-Forwarded-For": "192.0.2.11"}).status_code == 200


def test_proxy_hops_sets_how_many_forwarded_entries_are_trusted(own_app, fake):
    app = own_app(PROXY_HOPS=2)
    client = app.test_client()
    token, _ = fake.create_payout(amount=SMALL, campaign="plain")
    # Two proxies: the CDN appends the client, the load balancer appends the CDN.
    for n in range(60):
        headers = {"X-Forwarded-For": f"203.0.113.{n}, 192.0.2.10, 10.0.0.2"}
        assert client.get(f"/r/{token}", headers=headers).status_code == 200
    limited = client.get(
        f"/r/{token}", headers={"X-Forwarded-For": "203.0.113.99, 192.0.2.10, 10.0.0.3"}
    )
    assert limited.status_code == 429


def test_without_proxy_hops_forwarded_headers_are_ignored(own_app, fake):
    app = own_app(PROXY_HOPS=0)
    client = app.test_client()
    token, _ = fake.create_payout(amount=SMALL, campaign="plain")
    for n in range(60):
        client.get(f"/r/{token}", headers={"X-Forwarded-For": f"192.0.2.{n}"})
    assert client.get(f"/r/{token}", headers={"X-Forwarded-For": "192.0.2.200"}).status_code == 429
