"""Platform rules: errors, pagination, the rate limit, the command line (CONTRACT §1, §5)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake import FakeGifq


@pytest.fixture(scope="module")
def limited() -> Iterator[FakeGifq]:
    options = {
        "rate_limit": 3,
        "api_token": "fixed-sandbox-token",
        "redeem_base": "https://front.example/",
        "embed_origins": ("https://host-one.example", "https://host-two.example"),
    }
    with FakeGifq(**options) as fake:
        yield fake


def test_the_command_line_prints_the_real_port_and_the_given_token(limited: FakeGifq):
    assert limited.base_url.startswith("http://127.0.0.1:")
    assert not limited.base_url.endswith(":0")
    assert limited.api_token == "fixed-sandbox-token"


def test_redeem_links_point_at_the_redeem_base(limited: FakeGifq):
    for payout in limited.demo()["payouts"]:
        assert payout["redeem_url"] == f"https://front.example/r/{payout['token']}"


def test_embed_origin_flags_extend_the_branded_campaign(limited: FakeGifq):
    branding = limited.client.get(f"/api/payouts/{limited.demo_token('pending')}").json()[
        "campaign"
    ]["branding"]
    assert branding["embed_origins"] == [
        "http://localhost:8766", "https://host-one.example", "https://host-two.example"
    ]  # fmt: skip


def test_a_burst_over_the_limit_is_429_with_retry_after_and_the_documented_body(limited):
    limited.reset()
    path = f"/api/payouts/{limited.demo_token('pending')}"

    answers = [limited.recipient("GET", path) for _ in range(10)]

    refused = [a for a in answers if a.status_code == 429]
    assert refused, "ten calls in a burst must pass a limit of three per second"
    assert refused[0].headers["Retry-After"] == "1"
    assert refused[0].json() == {
        "message": "Too many requests. Try again later.", "status": "error", "code": "rate_limited"
    }  # fmt: skip


def test_the_token_has_its_own_budget_apart_from_the_ip(limited: FakeGifq):
    limited.reset()
    path = f"/api/payouts/{limited.demo_token('pending')}"
    while limited.recipient("GET", path).status_code != 429:
        pass

    assert limited.merchant("GET", "/api/balances").status_code == 200


def test_the_sandbox_and_assets_are_never_rate_limited(limited: FakeGifq):
    limited.reset()
    answers = [limited.client.get("/sandbox/health") for _ in range(10)]
    answers += [limited.client.get("/assets/logos/linkly.png") for _ in range(10)]

    assert {a.status_code for a in answers} == {200}


# --- on the shared fake, rate limit off --------------------------------------------------


def test_an_unknown_api_path_is_a_json_404(fake: FakeGifq):
    response = fake.recipient("GET", "/api/nothing-here")

    assert response.status_code == 404
    assert response.json()["status"] == "error"
    assert response.json()["code"] == "not_found"


def test_a_wrong_method_is_a_json_405(fake: FakeGifq):
    response = fake.recipient("DELETE", f"/api/payouts/{fake.demo_token('pending')}")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_pagination_defaults_to_ten_and_sets_the_four_headers(fake: FakeGifq):
    path = f"/api/campaigns/{fake.campaign_id('plain')}/catalog"
    response = fake.merchant("GET", path)

    total = int(response.headers["total-count"])
    assert len(response.json()) == 10
    assert response.headers["current-page"] == "1"
    assert response.headers["page-items"] == "10"
    assert response.headers["total-pages"] == str(-(-total // 10))


def test_the_last_page_holds_the_rest(fake: FakeGifq):
    path = f"/api/campaigns/{fake.campaign_id('plain')}/catalog"
    first = fake.merchant("GET", path, params={"limit": 20})
    total, pages = int(first.headers["total-count"]), int(first.headers["total-pages"])

    last = fake.merchant("GET", path, params={"limit": 20, "page": pages})

    assert last.status_code == 200
    assert len(last.json()) == int(last.headers["page-items"]) == total - 20 * (pages - 1)
    pages_seen = [
        fake.merchant("GET", path, params={"limit": 20, "page": p}).json()
        for p in range(1, pages + 1)
    ]
    seen = {entry["brand"]["slug"] for page in pages_seen for entry in page}
    assert len(seen) == total


def test_a_page_past_the_end_is_400_naming_the_valid_range(fake: FakeGifq):
    path = f"/api/campaigns/{fake.campaign_id('plain')}/catalog"
    pages = fake.merchant("GET", path).headers["total-pages"]

    response = fake.merchant("GET", path, params={"page": 999})

    assert response.status_code == 400
    assert response.json() == {
        "message": f"Pagination error: expected :page in 1..{pages}; got 999",
        "status": "error",
        "code": "page_out_of_range",
    }


@pytest.mark.parametrize("params", [{"limit": 21}, {"limit": 0}, {"page": 0}, {"page": "two"}])
def test_a_bad_page_or_limit_is_400(fake: FakeGifq, params):
    response = fake.merchant("GET", "/api/payouts", params=params)

    assert response.status_code == 400
    assert response.json()["status"] == "error"


def test_an_empty_list_still_has_one_empty_page(fake: FakeGifq):
    response = fake.merchant("GET", "/api/payouts", params={"email": "nobody@example.com"})

    assert response.json() == []
    assert response.headers["total-count"] == "0"
    assert response.headers["total-pages"] == "1"
    assert response.headers["page-items"] == "0"
