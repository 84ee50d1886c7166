"""Malformed, hostile and out-of-order input (security.md §8): refused early, answered with
the right branded page, and never passed on to GIFQ."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask

from tests.security.conftest import SMALL, OwnApps, recipient
from tests.support.driver import FORM_HEADERS, Journey
from tests.support.fake import FakeGifq
from tests.support.processes import closed_port_url

VALID_SHAPE = "A" * 43


@pytest.fixture
def gifq_calls(own_app: OwnApps) -> list[str]:
    """Every HTTP attempt this test's apps make to GIFQ, by endpoint name."""
    from redeem.extensions import state_of

    calls: list[str] = []

    def observe(endpoint: str, status: Any, seconds: float) -> None:
        calls.append(endpoint)

    def listen(app: Flask) -> None:
        state_of(app).gifq.observers.append(observe)

    for app in own_app.built:
        listen(app)
    own_app.on_build.append(listen)
    return calls


@pytest.fixture
def gifq_down(own_app) -> Flask:
    """GIFQ on a closed port: any call it were asked would become a 503, never a 404."""
    return own_app(RATELIMIT_ENABLED=False, GIFQ_API_BASE=closed_port_url())


def sent_codes(fake: FakeGifq, token: str) -> int:
    return int(fake.payouts_for(token)["verification"]["codes_sent"])


def wrong_attempts(fake: FakeGifq, token: str) -> int:
    return int(fake.payouts_for(token)["verification"]["wrong_attempts"])


# --- token shapes --------------------------------------------------------------------------


def _swap(char: str) -> str:
    return quote(VALID_SHAPE[:20] + char + VALID_SHAPE[21:], safe="")


TOKENS = {
    "one character": "a",
    "21 characters": "a" * 21,
    "42 characters": "A" * 42,
    "44 characters": "A" * 44,
    "65 characters": "A" * 65,
    "a 10 kB path": "A" * 10_000,
    "dot dot": "..",
    "encoded dot dot": "%2e%2e",
    "encoded traversal to the api": "%2e%2e%2fapi%2fpayouts",
    "encoded slash": "a%2Fb",
    "a slash": "a/b",
    "a semicolon": "a;b",
    "a nul byte": "%00",
    "a nul inside a token": _swap("%00"),
    "a backslash": "a%5Cb",
    "a raw backslash": "a\\b",
    "a query": "a?x=1",
    "a fragment": "a#b",
    "a non-ascii letter": _swap("é"),
    "a cyrillic homoglyph": _swap("\u0430"),
    "a full-width letter": _swap("\uff21"),
    "an emoji": _swap("\U0001f381"),
    "an rtl override": _swap("\u202e"),
    "a trailing newline": VALID_SHAPE + "%0A",
    "a space": VALID_SHAPE[:42] + "%20",
    "a 43-character traversal": quote("../../api/payouts/" + "A" * 25, safe=""),
}


@pytest.mark.parametrize("method", ["GET", "POST", "HEAD"])
@pytest.mark.parametrize("name", TOKENS, ids=list(TOKENS))
def test_a_token_of_the_wrong_shape_is_a_404_without_asking_gifq(
    gifq_down, gifq_calls, name, method
):
    response = gifq_down.test_client().open(
        f"/r/{TOKENS[name]}",
        method=method,
        data={"csrf": "x"} if method == "POST" else None,
        headers=FORM_HEADERS,
    )
    assert response.status_code == 404
    assert gifq_calls == []
    if method != "HEAD":
        assert "<h1" in response.get_data(as_text=True)


def test_a_token_in_the_query_string_is_ignored(gifq_down, gifq_calls):
    assert gifq_down.test_client().get(f"/r?token={VALID_SHAPE}").status_code == 404
    assert gifq_calls == []


def test_a_well_formed_token_gifq_does_not_know_gets_the_same_404_page(quiet, gifq_calls):
    client = quiet.test_client()
    unknown = client.get(f"/r/{VALID_SHAPE}")
    malformed = client.get("/r/not-a-token")
    assert unknown.status_code == malformed.status_code == 404
    assert gifq_calls == ["get_payout"]
    strip = lambda r: r.get_data(as_text=True).split("<main", 1)[1].split("</main>")[0]  # noqa: E731
    assert strip(unknown) == strip(malformed)


# --- GET never changes anything -----------------------------------------------------------

LOOKERS = {
    "HEAD": ("HEAD", {}),
    "a mail scanner": (
        "GET",
        {"User-Agent": "Mozilla/5.0 (compatible; Microsoft SafeLinks scanner)"},
    ),
    "a prefetch": ("GET", {"Sec-Purpose": "prefetch"}),
    "a prerender": ("GET", {"Sec-Purpose": "prefetch;prerender"}),
}


@pytest.mark.parametrize("name", LOOKERS, ids=list(LOOKERS))
def test_looking_at_a_link_sends_no_code_and_the_recipient_can_still_start(quiet, fake, name):
    from redeem.extensions import state_of

    flows = state_of(quiet).flows
    method, headers = LOOKERS[name]
    token, _ = fake.create_payout(amount=SMALL)
    client = quiet.test_client()
    before = flows.count()
    for _ in range(3):
        assert client.open(f"/r/{token}", method=method, headers=headers).status_code == 200
    assert sent_codes(fake, token) == 0
    assert flows.count() == before
    recipient(client, fake, token).ask_for_code()
    assert sent_codes(fake, token) == 1


# --- oversized bodies ---------------------------------------------------------------------

MEGABYTE = "1" * 1_000_000


def test_an_oversized_body_is_a_413_on_every_post(quiet, fake):
    visit = recipient(quiet.test_client(), fake, fake.create_payout(amount=SMALL)[0])
    csrf = visit.open().csrf()
    visit.post(f"/r/{visit.token}", {"csrf": csrf, "pad": MEGABYTE}, status=413)
    assert sent_codes(fake, visit.token) == 0
    csrf = visit.ask_for_code().csrf()
    visit.post(f"{visit.flow}/code", {"csrf": csrf, "code": MEGABYTE}, status=413)
    visit.post(f"{visit.flow}/resend", {"csrf": csrf, "pad": MEGABYTE}, status=413)
    assert wrong_attempts(fake, visit.token) == 0
    visit.enter_code()
    url = f"{visit.flow}/brands/northwind-books/confirm"
    visit.post(url, {"csrf": visit.get(url).csrf(), "pad": MEGABYTE}, status=413)
    assert fake.payouts_for(visit.token)["redemptions"] == []


# --- repeated parameters ------------------------------------------------------------------


def test_a_repeated_code_is_refused_the_same_way_every_time(quiet, fake):
    visit = recipient(quiet.test_client(), fake, fake.create_payout(amount=SMALL)[0])
    csrf = visit.ask_for_code().csrf()
    right = visit.latest_code()
    for codes in (["111111", right], [right, "111111"], [right, right]):
        visit.post(f"{visit.flow}/code", {"csrf": csrf, "code": codes}, status=400)
    assert wrong_attempts(fake, visit.token) == 0
    visit.enter_code()  # the code was never spent


def test_a_repeated_csrf_field_is_refused_on_every_post(quiet, fake):
    visit = recipient(quiet.test_client(), fake, fake.create_payout(amount=SMALL)[0])
    csrf = visit.open().csrf()
    visit.post(f"/r/{visit.token}", {"csrf": [csrf, csrf]}, status=400)
    assert sent_codes(fake, visit.token) == 0
    csrf = visit.ask_for_code().csrf()
    twice = {"csrf": [csrf, csrf]}
    visit.post(f"{visit.flow}/code", {**twice, "code": visit.latest_code()}, status=400)
    visit.post(f"{visit.flow}/resend", twice, status=400)
    assert sent_codes(fake, visit.token) == 1


# --- the one-time code --------------------------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

ACCEPTED = {
    "spaces around and inside": lambda c: f" {c[:3]} {c[3:]} ",
    "a hyphen": lambda c: f"{c[:3]}-{c[3:]}",
    "an en dash": lambda c: f"{c[:3]}\u2013{c[3:]}",
    "full-width digits": lambda c: c.translate(FULL_WIDTH),
    "arabic-indic digits": lambda c: c.translate(ARABIC_INDIC),
    "a trailing newline": lambda c: c + "\n",
}


@pytest.mark.parametrize("name", ACCEPTED, ids=list(ACCEPTED))
def test_a_code_typed_in_another_form_is_accepted_after_normalisation(quiet, fake, name):
    visit = recipient(quiet.test_client(), fake, fake.create_payout(amount=SMALL)[0])
    visit.ask_for_code()
    brands = visit.enter_code(ACCEPTED[name](visit.latest_code()))
    assert brands.path == f"{visit.flow}/brands"


REFUSED = [
    "12345²",
    "+12345",
    "1e5",
    "0x1",
    "12345",
    "1234567",
    "",
    "abcdef",
    "１２３４５",
    "12 34 5",
    "١٢٣٤٥٦٧",
]


@pytest.mark.parametrize("code", REFUSED)
def test_a_code_that_is_not_six_digits_is_refused_without_asking_gifq(
    quiet, fake, gifq_calls, code
):
    visit = recipient(quiet.test_client(), fake, fake.create_payout(amount=SMALL)[0])
    visit.ask_for_code()
    response = visit.enter_code(code, status=400)
    assert 'aria-invalid="true"' in response.text
    assert "confirm_code" not in gifq_calls
    assert wrong_attempts(fake, visit.token) == 0


# --- step order and flow ids --------------------------------------------------------------


def test_choosing_a_brand_before_the_code_is_verified_goes_back_to_the_code(quiet, fake):
    visit = recipient(quiet.test_client(), fake, fake.create_payout(amount=SMALL)[0])
    csrf = visit.ask_for_code().csrf()
    for url in (
        "/brands",
        "/brands/northwind-books",
        "/brands/northwind-books/confirm",
        "/processing",
        "/card",
    ):
        assert visit.get(visit.flow + url, status=303).location == f"{visit.flow}/code"
    response = visit.post(f"{visit.flow}/brands/northwind-books/confirm", {"csrf": csrf})
    assert response.location == f"{visit.flow}/code"
    assert fake.payouts_for(visit.token)["redemptions"] == []


FLOW_IDS = {
    "unknown": "B" * 32,
    "too short": "B" * 31,
    "too long": "B" * 33,
    "traversal": "%2e%2e",
    "non-ascii": quote("B" * 31 + "é"),
}


@pytest.mark.parametrize("name", FLOW_IDS, ids=list(FLOW_IDS))
def test_an_unknown_flow_id_is_the_start_again_page(quiet, gifq_calls, name):
    client = quiet.test_client()
    flow = FLOW_IDS[name]
    assert client.get(f"/f/{flow}/code").status_code == 410
    assert (
        client.post(f"/f/{flow}/code", data={"code": "123456"}, headers=FORM_HEADERS).status_code
        == 410
    )
    assert gifq_calls == []


def test_an_expired_flow_is_the_start_again_page(own_app, fake):
    app = own_app(RATELIMIT_ENABLED=False, FLOW_TTL_SECONDS=1)
    visit = recipient(app.test_client(), fake, fake.create_payout(amount=SMALL)[0])
    visit.ask_for_code()
    time.sleep(1.2)  # the flow's whole lifetime
    visit.get(f"{visit.flow}/code", status=410)
    visit.post(f"{visit.flow}/code", {"code": visit.latest_code()}, status=410)
    assert wrong_attempts(fake, visit.token) == 0


def test_the_flow_id_from_before_verification_is_dead_afterwards(quiet, fake):
    visit = recipient(quiet.test_client(), fake, fake.create_payout(amount=SMALL)[0])
    csrf = visit.ask_for_code().csrf()
    before = visit.flow
    visit.enter_code()
    assert visit.flow != before
    visit.get(f"{before}/brands", status=410)
    visit.get(f"{before}/code", status=410)
    visit.post(f"{before}/brands/northwind-books/confirm", {"csrf": csrf}, status=410)
    assert fake.payouts_for(visit.token)["redemptions"] == []


def two_recipients(app: Flask, fake: FakeGifq) -> tuple[Journey, Journey]:
    """Mine and theirs: two payouts, one browser (so cookies cannot tell them apart)."""
    client = app.test_client()
    mine, theirs = (fake.create_payout(amount=SMALL)[0] for _ in range(2))
    return recipient(client, fake, mine), recipient(client, fake, theirs)


def test_a_csrf_token_from_another_flow_is_refused(quiet, fake):
    mine, theirs = two_recipients(quiet, fake)
    mine.ask_for_code()
    csrf = theirs.ask_for_code().csrf()
    mine.post(f"{mine.flow}/code", {"csrf": csrf, "code": mine.latest_code()}, status=400)
    mine.enter_code()
    theirs.enter_code()
    confirm = "/brands/northwind-books/confirm"
    mine.get(mine.flow + confirm)
    csrf = theirs.get(theirs.flow + confirm).csrf()
    mine.post(mine.flow + confirm, {"csrf": csrf}, status=400)
    assert fake.payouts_for(mine.token)["redemptions"] == []


def test_a_start_token_from_another_payout_is_refused(quiet, fake):
    mine, theirs = two_recipients(quiet, fake)
    mine.open()
    csrf = theirs.open().csrf()
    mine.post(f"/r/{mine.token}", {"csrf": csrf}, status=400)
    assert sent_codes(fake, mine.token) == 0


# --- forged cross-site posts --------------------------------------------------------------

FORGERIES = {
    "sec-fetch-site cross-site": {"Sec-Fetch-Site": "cross-site"},
    "sec-fetch-site same-site": {"Sec-Fetch-Site": "same-site"},
    "an evil origin": {"Origin": "https://evil.example"},
    "a null origin": {"Origin": "null"},
    "cross-site despite our origin": {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},
}


def _routes(visit: Journey) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        "start": (f"/r/{visit.token}", {}),
        "check code": (f"{visit.flow}/code", {"code": visit.latest_code()}),
        "resend": (f"{visit.flow}/resend", {}),
        "redeem": (f"{visit.flow}/brands/northwind-books/confirm", {}),
    }


@pytest.mark.parametrize("route", ["start", "check code", "resend", "redeem"])
@pytest.mark.parametrize("name", FORGERIES, ids=list(FORGERIES))
def test_a_forged_cross_site_post_is_a_403_and_gifq_is_never_asked(
    quiet, fake, gifq_calls, name, route
):
    client = quiet.test_client()
    visit = recipient(client, fake, fake.create_payout(amount=SMALL)[0])
    visit.ask_for_code()
    if route == "redeem":
        visit.enter_code()
        visit.get(f"{visit.flow}/brands/northwind-books/confirm")
    url, data = _routes(visit)[route]
    if route == "start":
        visit.open()
    csrf = visit.last.csrf()
    gifq_calls.clear()
    # No same-origin Sec-Fetch-Site added here: only the forged headers go.
    response = client.post(url, data={"csrf": csrf, **data}, headers=FORGERIES[name])
    assert response.status_code == 403
    assert gifq_calls == []
    assert fake.payouts_for(visit.token)["redemptions"] == []


# --- campaign-supplied text is data, never markup -----------------------------------------

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>{{7*7}}\u202e"
HOSTILE_BRANDING = {
    "logo_url": "javascript:alert(3)",
    "primary_color": "#fff;}body{background:url(https://evil.example/x)}",
    "accent_color": "red",
    "background_color": "expression(alert(4))",
    "text_color": "#12345g",
    "font_family": "x;}</style><script>alert(5)</script>",
    "support_email": '"><script>alert(6)</script>@evil.example',
    "embed_origins": ["https://a.example; script-src *", "*", "javascript:alert(7)"],
}


@pytest.fixture
def hostile_campaign(fake: FakeGifq) -> Iterator[str]:
    key = "plain"
    original = fake.merchant("GET", f"/api/campaigns/{fake.campaign_id(key)}").json()
    changed = fake.set_campaign(
        key, sender_name=HOSTILE, headline=HOSTILE, body=HOSTILE, branding=HOSTILE_BRANDING
    )
    assert changed.status_code == 200, changed.text
    try:
        yield key
    finally:
        restore = {k: original.get(k) for k in ("sender_name", "headline", "body")}
        branding = {k: original.get("branding", {}).get(k) for k in HOSTILE_BRANDING}
        branding["embed_origins"] = branding.get("embed_origins") or []
        fake.set_campaign(
            key, **{k: v for k, v in restore.items() if v is not None}, branding=branding
        )


def test_hostile_campaign_text_is_rendered_inert_on_every_page(quiet, fake, hostile_campaign):
    token = fake.create_payout(amount=SMALL, campaign=hostile_campaign)[0]
    visit = recipient(quiet.test_client(), fake, token)
    visit.redeem("northwind-books")
    visit.get("/f/" + "C" * 32 + "/code", status=410)
    # Every page and redirect of the journey: landing, code, brands, brand, confirm, card.
    pages = [page for page in visit.browser.history if page.path != f"{visit.flow}/status"]
    for response in pages:
        html = response.text
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "javascript:" not in html
        assert "evil.example/x" not in html
        assert "expression(" not in html
        csp = response.headers["Content-Security-Policy"]
        assert csp.count("script-src") == 1
        assert csp.endswith("frame-ancestors 'none'")
    landing = pages[0].text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in landing
    assert "{{7*7}}" in landing and ">49" not in landing  # shown, never evaluated
