"""Wallet buttons on the card page, against the fake: offered only when switched on, the
.pkpass only inside the verified browser's flow, and both carry exactly the issued card."""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from redeem import create_app
from tests.conftest import app_settings
from tests.support.driver import Browser, Journey
from tests.support.fake import FakeGifq
from tests.support.wallet_pki import WalletPki, openssl_verify, unzip
from tests.wallet.test_google_jwt import decoded

BRAND = "parcel-point"  # code + PIN and a PDF417 barcode: both wallets draw it


@pytest.fixture(scope="module")
def wallet_app(fake: FakeGifq, pki: WalletPki):  # type: ignore[no-untyped-def]
    return create_app(app_settings(fake, **pki.apple_env(), **pki.google_env()))


def card_of(app: Any, fake: FakeGifq, slug: str = BRAND) -> tuple[Journey, Any, dict[str, Any]]:
    browser = Browser.flask(app.test_client(), check=True)
    token, _ = fake.create_payout(amount=50)
    journey = Journey(browser, token, code_of=fake.code_for)
    page = journey.redeem(slug)
    (redemption,) = fake.payout(token, fake.verify(token))["redemptions"]
    return journey, page, redemption["details"]


def wallet_links(page: Any) -> dict[str, str]:
    """{"apple"|"google": href} of the wallet buttons, after checking their wording."""
    links = {}
    for a in page.doc.find_all("a", **{"class": "wallet-button"}):
        wallet = "apple" if a.text() == "Add to Apple Wallet" else "google"
        assert a.text().startswith("Add to Google Wallet") or wallet == "apple"
        links[wallet] = a.attrs["href"]
    return links


def test_with_no_credentials_there_is_no_trace_of_either_wallet(app: Any, fake: FakeGifq) -> None:
    journey, page, _ = card_of(app, fake)
    assert "wallet" not in page.text.lower()
    journey.get(f"{journey.flow}/card/wallet.pkpass", status=404)


def test_the_card_page_offers_both_wallets_when_they_are_on(
    wallet_app: Any, fake: FakeGifq
) -> None:
    _, page, _ = card_of(wallet_app, fake)
    links = wallet_links(page)
    assert set(links) == {"apple", "google"}
    assert "/card/wallet.pkpass?card=" in links["apple"]
    assert links["google"].startswith("https://pay.google.com/gp/v/save/")


def test_the_pkpass_is_the_issued_card_signed_and_no_store(
    wallet_app: Any, fake: FakeGifq, pki: WalletPki, tmp_path: Path
) -> None:
    journey, page, details = card_of(wallet_app, fake)
    answer = journey.get(wallet_links(page)["apple"])
    assert answer.mimetype == "application/vnd.apple.pkpass"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="gift-card.pkpass"'
    files = unzip(answer.raw.get_data())
    body = json.loads(files["pass.json"])
    fields = {f["key"]: f["value"] for group in body["storeCard"].values() for f in group}
    assert fields["code"] == details["code"]
    assert fields["pin"] == details["pin"]
    assert body["barcodes"][0]["format"] == "PKBarcodeFormatPDF417"
    assert body["barcodes"][0]["message"] == details["barcode"]["value"]
    assert body["logoText"] == "Parcel Point"
    # The fake's logo sits on an allowed asset origin: it travels inside the pass.
    assert files["logo.png"].startswith(b"\x89PNG")
    verified = openssl_verify(files, pki, tmp_path)
    assert verified.returncode == 0, verified.stderr
    # Nothing of ours or the recipient's: no token, no flow id, no email.
    text = files["pass.json"].decode()
    assert journey.token not in text
    assert journey.flow.rsplit("/", 1)[-1] not in text
    assert "@example.com" not in text


def test_the_google_link_carries_the_issued_card_signed_by_the_service_account(
    wallet_app: Any, fake: FakeGifq, pki: WalletPki
) -> None:
    _, page, details = card_of(wallet_app, fake)
    url = html.unescape(wallet_links(page)["google"])
    _, claims = decoded(url, pki)
    (obj,) = claims["payload"]["giftCardObjects"]
    assert obj["cardNumber"] == details["code"]
    assert obj["pin"] == details["pin"]
    assert obj["barcode"] == {
        "type": "PDF_417",
        "value": details["barcode"]["value"],
        "alternateText": details["barcode"]["value"],
    }
    assert obj["balance"] == {"micros": 50_000_000, "currencyCode": "EUR"}
    assert claims["origins"] == ["http://localhost"]


def test_the_pass_is_never_served_to_another_browser(wallet_app: Any, fake: FakeGifq) -> None:
    _, page, _ = card_of(wallet_app, fake)
    stranger = Browser.flask(wallet_app.test_client())
    answer = stranger.get(wallet_links(page)["apple"], status=None)
    assert answer.status == 403
    assert answer.mimetype == "text/html"
    assert "Ask for a new code" in answer.text


def test_the_pass_is_not_served_before_the_code_is_checked(wallet_app: Any, fake: FakeGifq) -> None:
    browser = Browser.flask(wallet_app.test_client())
    token, _ = fake.create_payout(amount=50)
    journey = Journey(browser, token, code_of=fake.code_for)
    journey.ask_for_code()
    answer = journey.get(f"{journey.flow}/card/wallet.pkpass", status=None)
    assert answer.mimetype != "application/vnd.apple.pkpass"
    assert answer.status in (303, 403, 410)


def test_the_google_jwt_is_in_no_log_line(
    wallet_app: Any, fake: FakeGifq, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        _, page, _ = card_of(wallet_app, fake)
    token = wallet_links(page)["google"].rsplit("/", 1)[-1]
    assert len(token) > 200
    logged = "\n".join(
        f"{r.getMessage()} {json.dumps(r.__dict__, default=str)}" for r in caplog.records
    )
    assert token[:40] not in logged


def test_the_till_page_offers_both_wallets_for_the_same_card(
    wallet_app: Any, fake: FakeGifq
) -> None:
    journey, page, details = card_of(wallet_app, fake)
    till_link = next(
        a.attrs["href"] for a in page.doc.find_all("a") if a.text() == "Show at the till"
    )
    till = journey.get(html.unescape(till_link))
    links = wallet_links(till)
    assert set(links) == {"apple", "google"}
    assert links == wallet_links(page) | {"google": links["google"]}  # same pass URL
    answer = journey.get(html.unescape(links["apple"]))
    body = json.loads(unzip(answer.raw.get_data())["pass.json"])
    assert body["storeCard"]["secondaryFields"][0]["value"] == details["code"]
