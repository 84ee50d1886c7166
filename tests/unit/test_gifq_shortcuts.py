"""Small shortcuts the journey relies on: an older cached payout when the caller allows it,
GIFQ's resend cooldown told apart from other 429s, and the unfiltered brand list."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from redeem.gifq.errors import RateLimited, ResendCooldown
from redeem.gifq.models import Brand, Product
from redeem.journey.catalog import CatalogIndex
from tests.support.gifq_mock import (
    TOKEN,
    VT,
    Upstream,
    cached_client,
    error,
    make_client,
    payout_json,
    redemption_json,
)


def test_a_caller_may_accept_an_older_cached_payout_than_the_ttl():
    upstream = Upstream(httpx.Response(200, json=payout_json(), headers={"etag": '"v1"'}))
    client, clock = cached_client(upstream)
    first = client.get_payout(TOKEN)
    clock.now = 30.0
    assert client.get_payout(TOKEN, max_age=60) is first
    assert len(upstream.requests) == 1


def test_max_age_never_stretches_a_payout_that_carries_card_details():
    body = payout_json(redemptions=[redemption_json(status="completed", details={"code": "X1"})])
    upstream = Upstream(httpx.Response(200, json=body))
    client, clock = cached_client(upstream)
    client.get_payout(TOKEN, verification_token=VT)
    clock.now = 30.0
    client.get_payout(TOKEN, verification_token=VT, max_age=60)
    assert len(upstream.requests) == 2


@pytest.mark.parametrize("code", ["verification_cooldown", "verification_send_limit"])
def test_gifqs_resend_cooldown_is_its_own_fact(code: str):
    client = make_client(
        Upstream(
            error(429, code),
        )
    )
    with pytest.raises(ResendCooldown) as caught:
        client.send_code(TOKEN)
    assert caught.value.retry_after > 0


def test_any_other_429_on_send_is_a_plain_rate_limit():
    client = make_client(Upstream(error(429, "rate_limited")))
    with pytest.raises(RateLimited) as caught:
        client.send_code(TOKEN)
    assert not isinstance(caught.value, ResendCooldown)


def _entry(name: str, category: str, country: str) -> tuple[Brand, Product]:
    brand = Brand(slug=name.lower(), name=name, logo_url=None, categories=(category,),
                  description="", terms="", instructions="")  # fmt: skip
    product = Product(id=f"p_{name}", country=country, currency="EUR", min_face_value=Decimal(1),
                      max_face_value=Decimal(100), denominations=None)  # fmt: skip
    return brand, product


def test_the_unfiltered_list_is_every_brand_sorted_by_name_and_filters_narrow_it():
    index = CatalogIndex([_entry("Zeta", "books", "DE"), _entry("alpha", "games", "FR")])
    assert [b.name for b, _ in index.search("", "", "")] == ["alpha", "Zeta"]
    assert [b.name for b, _ in index.search("ZE", "", "")] == ["Zeta"]
    assert [b.name for b, _ in index.search("", "games", "")] == ["alpha"]
    assert [b.name for b, _ in index.search("", "", "DE")] == ["Zeta"]
    assert index.search("a", "books", "FR") == []
