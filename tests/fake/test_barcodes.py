"""The fake issues a barcode of each contract format (CONTRACT §1), as docs/openapi.yaml says."""

from __future__ import annotations

import pytest
import yaml
import zint

from tests.fake.test_openapi import DOC_PATH, check
from tests.support.fake import BARCODE_BRANDS, TILL_NUMBER_BRAND, FakeGifq


def issue(fake: FakeGifq, slug: str, currency: str = "EUR") -> tuple[dict, str, str]:
    token, _ = fake.create_payout(currency=currency, campaign="plain", email=f"{slug}@example.com")
    grant = fake.verify(token)
    created = fake.redeem(token, grant, fake.product_id(token, slug), 50).json()
    fake.advance(1)
    return fake.wait_for_redemption(token, grant, created["id"]), token, grant


@pytest.mark.parametrize(("slug", "fmt"), BARCODE_BRANDS.items())
def test_each_barcode_brand_issues_its_format(fake: FakeGifq, slug, fmt):
    done, _, _ = issue(fake, slug)

    assert done["status"] == "completed"
    barcode = done["details"]["barcode"]
    assert barcode["format"] == fmt and barcode["value"]
    if slug == TILL_NUMBER_BRAND:
        assert barcode["value"] != done["details"]["code"] and barcode["value"].isdigit()
    else:
        assert barcode["value"] == done["details"]["code"]


def test_the_ean13_brand_issues_numbers_with_a_valid_check_digit(fake: FakeGifq):
    done, _, _ = issue(fake, "lantern-grocer")
    value = done["details"]["barcode"]["value"]
    assert len(value) == 13 and value.isdigit()
    # libzint is the outside witness: it accepts this number and refuses the same number
    # with any other last digit.
    ean_encode(value)
    wrong = value[:12] + str((int(value[12]) + 1) % 10)
    with pytest.raises(RuntimeError, match="check digit"):
        ean_encode(wrong)


def ean_encode(value: str) -> None:
    symbol = zint.Symbol()
    symbol.symbology = zint.Symbology.EANX
    symbol.encode(value)


def test_brands_without_a_barcode_send_it_as_null(fake: FakeGifq):
    done, _, _ = issue(fake, "northwind-books")
    assert "barcode" in done["details"] and done["details"]["barcode"] is None


def test_barcode_brands_sell_in_every_main_currency_and_take_50(fake: FakeGifq):
    for currency in ("EUR", "USD", "GBP"):
        token, _ = fake.create_payout(currency=currency, campaign="plain")
        slugs = {e["brand"]["slug"] for e in fake.payout(token)["catalog"]}
        assert set(BARCODE_BRANDS) <= slugs


def test_a_payout_with_every_barcode_matches_the_document(fake: FakeGifq):
    doc = yaml.safe_load(DOC_PATH.read_text(encoding="utf-8"))
    token, _ = fake.create_payout(amount=300, campaign="plain", email="all-codes@example.com")
    grant = fake.verify(token)
    for slug in BARCODE_BRANDS:
        assert fake.redeem(token, grant, fake.product_id(token, slug), 50).status_code == 202
    fake.advance(1)
    response = fake.recipient(
        "GET", f"/api/payouts/{token}", headers={"X-Verification-Token": grant}
    )
    formats = {r["details"]["barcode"]["format"] for r in response.json()["redemptions"]}
    assert formats == set(BARCODE_BRANDS.values())
    check(doc, "/api/payouts/{token}", "GET", response)
