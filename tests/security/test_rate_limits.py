"""Every limit lets exactly N requests through and answers the next with the branded 429 page
and a Retry-After; per-payout limits are keyed by the token's HMAC; per-IP limits count the
address ProxyFix trusts, so rotating X-Forwarded-For escapes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.security.conftest import SMALL, recipient
from tests.support.driver import FORM_HEADERS, Journey
from tests.support.fake import FakeGifq

HEADING = "Please wait a moment"


def ip(n: int | None) -> dict[str, Any]:
    if n is None:
        return {}
    return {"environ_base": {"REMOTE_ADDR": f"198.51.100.{n % 250 + 1}"}}


def assert_limited(response: Any, window: int) -> None:
    assert response.status_code == 429, response.status_code
    assert 1 <= int(response.headers["Retry-After"]) <= window
    body = response.get_data(as_text=True)
    assert f"<h1>{HEADING}</h1>" in body
    assert "Your gift is safe." in body


def on_confirm_page(client: Any, fake: FakeGifq) -> tuple[Journey, str]:
    """A verified visit on the confirmation page of northwind-books, and that page's URL."""
    visit = recipient(client, fake, fake.create_payout(amount=SMALL)[0])
    visit.verify()
    url = f"{visit.flow}/brands/northwind-books/confirm"
    visit.get(url)
    return visit, url


def new_visits(client: Any, fake: FakeGifq, count: int, *, started: bool = True) -> list[Journey]:
    """Fresh payouts, each on its landing page or, when started, on its code page (the
    page's form, CSRF token and all, is `visit.last`)."""
    visits = [recipient(client, fake, fake.create_payout(amount=SMALL)[0]) for _ in range(count)]
    for visit in visits:
        if started:
            visit.ask_for_code()
        else:
            visit.open()
    return visits


def post(client: Any, url: str, csrf: str, n: int | None = None, **form: Any) -> Any:
    """A raw form post, from another address each time when ``n`` is given."""
    return client.post(url, data={"csrf": csrf, **form}, headers=FORM_HEADERS, **ip(n))


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
    [visit] = new_visits(client, fake, 1, started=False)
    csrf = visit.last.csrf()
    # Every request from another address: only the payout's count can stop the 7th.
    return lambda n: post(client, f"/r/{visit.token}", csrf, n)


def send_per_ip(client, fake):
    visits = new_visits(client, fake, 21, started=False)
    return lambda n: post(client, f"/r/{visits[n].token}", visits[n].last.csrf())


def check_per_payout(client, fake):
    [visit] = new_visits(client, fake, 1)
    csrf = visit.last.csrf()
    # A malformed code is refused before GIFQ is asked, but every try still counts.
    return lambda n: post(client, f"{visit.flow}/code", csrf, n, code="abc")


def check_per_ip(client, fake):
    visits = new_visits(client, fake, 2)

    def hit(n: int) -> Any:
        visit = visits[n % 2]  # 15 + 15: under the payout limit of 25, over the IP's 30
        return post(client, f"{visit.flow}/code", visit.last.csrf(), code="abc")

    return hit


def resend_per_payout(client, fake):
    [visit] = new_visits(client, fake, 1)
    csrf = visit.last.csrf()
    return lambda n: post(client, f"{visit.flow}/resend", csrf, n)


def resend_per_ip(client, fake):
    visits = new_visits(client, fake, 2)

    def hit(n: int) -> Any:
        visit = visits[n % 2]
        return post(client, f"{visit.flow}/resend", visit.last.csrf())

    return hit


def redeem_per_flow(client, fake):
    visit, url = on_confirm_page(client, fake)
    csrf = visit.last.csrf()
    return lambda n: post(client, url, csrf, n)


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
    visit, url = on_confirm_page(client, fake)
    csrf = visit.last.csrf()
    answers = [visit.post(url, {"csrf": csrf}, status=None).status for _ in range(11)]
    assert answers == [303] * 10 + [429]
    assert len(fake.payouts_for(visit.token)["redemptions"]) == 1


def test_limiter_keys_hold_the_tokens_hmac_never_the_token(limited, fake):
    from redeem.extensions import state_of
    from redeem.security.keyed_hashes import token_key

    token, _ = fake.create_payout(amount=SMALL)
    visit = recipient(limited.test_client(), fake, token)
    visit.ask_for_code()
    visit.enter_code("abc", status=400)
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
