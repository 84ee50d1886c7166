"""Issue 12, item 1: a verified flow's URL is no longer enough to redeem the gift or read
the card.

A recipient walks the journey in a browser that keeps cookies; at every step an attacker
replays the recipient's URLs from a fresh browser (another cookie jar, another IP through
`X-Forwarded-For` with `PROXY_HOPS=1`), with and without the recipient's cookies. Without
them every page asks for a new code, and no redemption is made; with them (the same browser,
in effect) the step works. A browser that keeps no cookie still completes the journey, and
its card is viewable only for a few minutes after it is first shown.
"""

from __future__ import annotations

from typing import Any

import pytest

from redeem.security import binding
from tests.security.conftest import SMALL, recipient
from tests.support.cookies import copy_cookies

RECIPIENT_IP = {"X-Forwarded-For": "192.0.2.10"}
ATTACKER_IP = {"X-Forwarded-For": "198.51.100.66"}
SAME = {"Sec-Fetch-Site": "same-origin"}
HEADING = "<h1>Ask for a new code</h1>"


@pytest.fixture
def proxied(own_app):
    return own_app(PROXY_HOPS=1, RATELIMIT_ENABLED=False)


def attacker(app: Any, cookies_from: Any = None) -> Any:
    """A fresh browser; with the recipient's cookies copied in when asked."""
    client = app.test_client()
    if cookies_from is not None:
        copied = copy_cookies(cookies_from, client, binding.COOKIE_PREFIX)
        assert copied == 1, "the recipient's browser holds no binding cookie"
    return client


def assert_refused(response: Any) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 403, (response.status_code, body[:300])
    assert HEADING in body
    assert "data-copy" not in body and "card-code" not in body


def replay_everything(app: Any, victim: Any, urls: list[str], fake: Any, token: str) -> None:
    """Every GET the recipient could make, from a fresh browser: refused without the cookie,
    answered with it."""
    for url in urls:
        stranger = attacker(app).get(url, headers=ATTACKER_IP)
        assert_refused(stranger)
        holder = attacker(app, cookies_from=victim).get(url, headers=ATTACKER_IP)
        assert holder.status_code in (200, 303), (url, holder.status_code)


def test_every_step_of_a_bound_flow_refuses_a_browser_without_its_cookie(proxied, fake):
    app = proxied
    client = app.test_client()
    token, _ = fake.create_payout(amount=SMALL)
    visit = recipient(client, fake, token, headers=RECIPIENT_IP)

    visit.ask_for_code()
    replay_everything(app, client, [f"{visit.flow}/code"], fake, token)
    # Not even a code can be tried (nor a resend asked for) from the stranger's browser.
    csrf = visit.last.csrf()
    tried = attacker(app).post(
        f"{visit.flow}/code", data={"csrf": csrf, "code": "000000"}, headers={**SAME, **ATTACKER_IP}
    )
    assert_refused(tried)
    resent = attacker(app).post(
        f"{visit.flow}/resend", data={"csrf": csrf}, headers={**SAME, **ATTACKER_IP}
    )
    assert_refused(resent)

    visit.enter_code()
    flow = visit.flow
    confirm = f"{flow}/brands/northwind-books/confirm"
    replay_everything(
        app, client, [f"{flow}/brands", f"{flow}/brands/northwind-books", confirm], fake, token
    )

    # The stranger takes the CSRF token from the recipient's own confirm page: still refused,
    # and GIFQ never hears of it.
    csrf = visit.get(confirm).csrf()
    forged = attacker(app).post(confirm, data={"csrf": csrf}, headers={**SAME, **ATTACKER_IP})
    assert_refused(forged)
    assert fake.payouts_for(token)["redemptions"] == []

    visit.confirm("northwind-books")
    replay_everything(app, client, [f"{flow}/processing", f"{flow}/status"], fake, token)
    card = visit.wait_for_card()
    assert card.status == 200
    replay_everything(app, client, [f"{flow}/card", f"{flow}/cards"], fake, token)
    assert len(fake.payouts_for(token)["redemptions"]) == 1
    # The recipient's own browser still sees the card later on.
    assert visit.get(f"{flow}/card").status == 200


def test_the_binding_cookie_is_host_only_secure_and_partitioned_inside_frames(proxied, fake):
    for headers, expected in (
        ({}, "SameSite=Lax"),
        ({"Sec-Fetch-Dest": "iframe"}, "SameSite=None"),
    ):
        client = proxied.test_client()
        token, _ = fake.create_payout(amount=SMALL)
        visit = recipient(client, fake, token, headers=headers)
        visit.open()
        answer = client.post(
            f"/r/{token}", data=visit.last.hidden_fields(), headers={**SAME, **headers}
        )
        assert answer.status_code == 303
        [cookie] = answer.headers.getlist("Set-Cookie")
        parts = [p.strip() for p in cookie.split(";")]
        assert parts[0].startswith(binding.COOKIE_PREFIX) and len(parts[0]) > 60
        assert {"Secure", "HttpOnly", "Path=/", expected} <= set(parts)
        assert not [p for p in parts if p.lower().startswith("domain")]
        assert ("Partitioned" in parts) == (expected == "SameSite=None")


def test_a_browser_that_keeps_no_cookie_completes_and_sees_its_card_for_a_few_minutes(
    proxied, fake, monkeypatch
):
    client = proxied.test_client(use_cookies=False)
    token, _ = fake.create_payout(amount=SMALL)
    visit = recipient(client, fake, token, headers={"Sec-Fetch-Dest": "iframe", **RECIPIENT_IP})
    card = visit.redeem("northwind-books")
    assert card.status == 200 and "northwind" in card.text.lower()
    url = f"{visit.flow}/card"
    assert visit.get(url).status == 200  # again, inside the window
    later = binding.time.time() + binding.CARD_WINDOW + 1
    monkeypatch.setattr(binding.time, "time", lambda: later)
    for page in (url, f"{visit.flow}/cards"):  # every page that shows card details
        assert_refused(client.get(page, headers=RECIPIENT_IP))
        assert_refused(attacker(proxied).get(page, headers=ATTACKER_IP))


def test_open_in_a_new_tab_never_carries_a_flow_into_the_top_level_window(proxied, fake):
    client = proxied.test_client()
    token, _ = fake.create_payout(amount=SMALL)
    framed = {"Sec-Fetch-Dest": "iframe"}
    visit = recipient(client, fake, token, headers=framed)
    visit.verify()
    for url in (f"{visit.flow}/brands", f"{visit.flow}/brands/northwind-books/confirm"):
        page = visit.get(url)
        [link] = [a for a in page.doc.find_all("a") if a.attrs.get("target") == "_blank"]
        assert link.attrs["href"].split("?")[0] == f"/r/{token}", link.attrs["href"]
        assert "/f/" not in link.attrs["href"]


def test_two_links_in_one_browser_keep_their_own_bindings(proxied, fake):
    client = proxied.test_client()
    first = recipient(client, fake, fake.create_payout(amount=SMALL)[0])
    first.verify()
    second = recipient(client, fake, fake.create_payout(amount=SMALL)[0])
    second.verify()
    assert first.get(f"{first.flow}/brands").status == 200
    assert second.get(f"{second.flow}/brands").status == 200
