"""Parsing GIFQ's payout JSON at the boundary: money, eligibility, and contract errors."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from redeem.gifq.errors import ContractError
from redeem.gifq.models import PayoutStatus, RedemptionStatus, is_token
from redeem.gifq.parsing import parse_json, parse_payout, parse_product, parse_redemption
from tests.support import gifq_mock

TOKEN = "tok_" + "a" * 39


def product_json(**overrides: Any) -> dict[str, Any]:
    return {
        "id": "p_1",
        "country": "DE",
        "currency": "EUR",
        "min_face_value": 5,
        "max_face_value": 500,
        "denominations": None,
        **overrides,
    }


# Every field the contract has, on top of the client tests' minimal payout and redemption.
FULL_PAYOUT: dict[str, Any] = {
    "token": TOKEN,
    "recipient": {"name": "Alice", "email_hint": "a***@example.com", "locale": "de"},
    "expires_at": "2026-12-26T00:00:00Z",
    "verification": {"verified": False, "code_sent_at": None, "resend_available_at": None},
    "campaign": {
        "id": "c1",
        "sender_name": "Acme Rewards",
        "headline": "You've received a gift, Alice!",
        "body": "Claim your €50.00 gift card below.",
        "branding": {"primary_color": "#0B5FFF", "embed_origins": ["https://acme.example"]},
    },
    "catalog": [
        {
            "brand": {"slug": "northwind-books", "name": "Northwind Books", "categories": []},
            "products": [product_json()],
        }
    ],
}
COMPLETED: dict[str, Any] = {
    "status": "completed",
    "face_value": 50,
    "created_at": "2026-01-01T10:00:00Z",
    "completed_at": "2026-01-01T10:00:05Z",
    "expires_at": "2027-12-26",
    "failure_message": None,
    "details": {"code": "NW-1234", "pin": "9876"},
}


def payout_json(**overrides: Any) -> dict[str, Any]:
    return gifq_mock.payout_json(**{**copy.deepcopy(FULL_PAYOUT), **overrides})


def redemption_json(**overrides: Any) -> dict[str, Any]:
    return gifq_mock.redemption_json(**{**copy.deepcopy(COMPLETED), **overrides})


def test_a_full_payout_parses_into_models():
    payout = parse_payout(payout_json())

    assert payout.status is PayoutStatus.PENDING
    assert payout.amount == Decimal("50")
    assert payout.recipient.locale == "de"
    assert payout.campaign.branding.embed_origins == ("https://acme.example",)
    assert payout.expires_at is not None and payout.expires_at.tzinfo is not None


def test_a_float_amount_of_0_1_becomes_exactly_decimal_0_1():
    payout = parse_payout(payout_json(amount=0.1, balance=0.1))

    assert payout.amount == Decimal("0.1")
    assert isinstance(payout.balance, Decimal)
    assert str(payout.balance) == "0.1"


def test_money_from_json_text_keeps_its_decimal_places():
    payout = parse_json(b'{"amount": 12.30}')

    assert parse_payout(payout_json(amount=payout["amount"])).amount == Decimal("12.3")


@pytest.mark.parametrize("amount", [-1, "abc", True, None, [], float("inf")])
def test_an_amount_that_is_not_a_non_negative_number_is_a_contract_error(amount):
    with pytest.raises(ContractError):
        parse_payout(payout_json(amount=amount))


def test_a_product_with_a_range_accepts_amounts_inside_it_only():
    product = parse_product(product_json(min_face_value=5, max_face_value=100))

    assert product.accepts(Decimal("5"), "EUR")
    assert product.accepts(Decimal("100"), "EUR")
    assert not product.accepts(Decimal("100.01"), "EUR")
    assert not product.accepts(Decimal("4.99"), "EUR")


def test_a_product_with_denominations_accepts_exactly_those_amounts():
    product = parse_product(product_json(denominations=[10, 25, 50.5]))

    assert product.denominations == (Decimal("10"), Decimal("25"), Decimal("50.5"))
    assert product.accepts(Decimal("25"), "EUR")
    assert product.accepts(Decimal("50.50"), "EUR")
    assert not product.accepts(Decimal("30"), "EUR")


def test_a_product_in_another_currency_is_never_eligible():
    assert not parse_product(product_json()).accepts(Decimal("50"), "USD")


def test_the_eligible_catalog_lists_each_brand_once_with_its_first_fitting_product():
    catalog = [
        {
            "brand": {"slug": "a", "name": "A"},
            "products": [
                product_json(id="p_small", max_face_value=20),
                product_json(id="p_fits"),
                product_json(id="p_also"),
            ],
        },
        {"brand": {"slug": "b", "name": "B"}, "products": [product_json(denominations=[10])]},
    ]
    payout = parse_payout(payout_json(catalog=catalog))

    assert [(b.slug, p.id) for b, p in payout.eligible_catalog()] == [("a", "p_fits")]


def test_an_unknown_payout_status_is_a_contract_error():
    with pytest.raises(ContractError, match="unknown payout status"):
        parse_payout(payout_json(status="frozen"))


def test_an_unknown_redemption_status_is_a_contract_error():
    with pytest.raises(ContractError):
        parse_redemption(redemption_json(status="lost"))


@pytest.mark.parametrize("field", ["token", "status", "amount", "currency", "campaign"])
def test_a_payout_missing_a_required_field_is_a_contract_error(field):
    body = payout_json()
    del body[field]

    with pytest.raises(ContractError):
        parse_payout(body)


@pytest.mark.parametrize("body", [None, [], "payout", 42])
def test_a_payout_that_is_not_an_object_is_a_contract_error(body):
    with pytest.raises(ContractError):
        parse_payout(body)


def test_a_catalog_entry_missing_its_products_is_a_contract_error():
    with pytest.raises(ContractError):
        parse_payout(payout_json(catalog=[{"brand": {"slug": "a", "name": "A"}}]))


def test_a_branding_field_of_the_wrong_type_is_dropped_not_fatal():
    body = payout_json()
    body["campaign"] = copy.deepcopy(body["campaign"])
    body["campaign"]["branding"] = {"primary_color": 12, "embed_origins": "https://x.example"}

    branding = parse_payout(body).campaign.branding

    assert branding.primary_color is None
    assert branding.embed_origins == ()


def test_a_completed_redemption_shows_only_the_detail_fields_gifq_returned():
    redemption = parse_redemption(redemption_json())

    assert redemption.status is RedemptionStatus.COMPLETED
    assert redemption.details is not None
    assert redemption.details.present() == [("code", "NW-1234"), ("pin", "9876")]


def test_a_redemption_without_details_has_none():
    assert parse_redemption(redemption_json(details=None)).details is None


def test_a_bad_timestamp_is_a_contract_error():
    with pytest.raises(ContractError):
        parse_payout(payout_json(expires_at="next tuesday"))


@pytest.mark.parametrize(
    "body", [b"", b"   ", b"{", b"<html></html>", b'{"amount": NaN}', b"[" * 100_000]
)
def test_a_body_that_is_not_json_is_a_contract_error(body):
    with pytest.raises(ContractError):
        parse_json(body)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("A" * 43, True), ("a-b_" + "c" * 39, True), ("A" * 42, False), ("A" * 42 + "/", False)],
)
def test_only_43_url_safe_characters_make_a_token(value, expected):
    assert is_token(value) is expected
