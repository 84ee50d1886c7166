"""The Save to Google Wallet JWT verifies with the test public key (checked with
cryptography's RSA verify, not by the library that signed it) and carries the issued card."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from redeem.wallet.google import SAVE_URL, save_url
from redeem.wallet.settings import GoogleCredentials, from_env
from tests.support.wallet_pki import ISSUER_ID, SERVICE_ACCOUNT, WalletPki
from tests.wallet.conftest import ISSUED, a_card

ORIGINS = ("https://redeem.example",)


@pytest.fixture(scope="module")
def credentials(pki: WalletPki) -> GoogleCredentials:
    google = from_env(pki.google_env()).google
    assert google is not None
    return google


def b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def decoded(url: str, pki: WalletPki) -> tuple[dict[str, Any], dict[str, Any]]:
    assert url.startswith(SAVE_URL)
    token = url.removeprefix(SAVE_URL)
    header, payload, signature = token.split(".")
    pki.google_public.verify(
        b64(signature), f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    return json.loads(b64(header)), json.loads(b64(payload))


def test_the_jwt_is_rs256_signed_by_the_service_account_key(
    credentials: GoogleCredentials, wallet_labels: dict[str, dict[str, str]], pki: WalletPki
) -> None:
    header, claims = decoded(
        save_url(a_card(), credentials, wallet_labels, ORIGINS, now=1_800_000_000), pki
    )
    assert header["alg"] == "RS256"
    assert claims["iss"] == SERVICE_ACCOUNT
    assert claims["aud"] == "google"
    assert claims["typ"] == "savetowallet"
    assert claims["iat"] == 1_800_000_000
    assert claims["origins"] == list(ORIGINS)
    # And PyJWT agrees, with the audience checked.
    token = save_url(a_card(), credentials, wallet_labels, ORIGINS).removeprefix(SAVE_URL)
    assert (
        jwt.decode(token, pki.google_public, algorithms=["RS256"], audience="google")["typ"]
        == "savetowallet"
    )


def test_a_jwt_signed_by_another_key_does_not_verify(
    wallet_labels: dict[str, dict[str, str]], pki: WalletPki
) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import rsa

    stranger = GoogleCredentials(ISSUER_ID, SERVICE_ACCOUNT, rsa.generate_private_key(65537, 2048))
    with pytest.raises(InvalidSignature):
        decoded(save_url(a_card(), stranger, wallet_labels, ORIGINS), pki)


def test_the_object_matches_the_issued_card(
    credentials: GoogleCredentials, wallet_labels: dict[str, dict[str, str]], pki: WalletPki
) -> None:
    _, claims = decoded(save_url(a_card(), credentials, wallet_labels, ORIGINS), pki)
    (cls,) = claims["payload"]["giftCardClasses"]
    (obj,) = claims["payload"]["giftCardObjects"]
    assert cls["id"] == f"{ISSUER_ID}.redeem-acme-books"
    assert cls["merchantName"] == "Acme Books"
    assert cls["issuerName"] == "Example Corp"
    assert cls["hexBackgroundColor"] == "#1A4D8F"
    assert (
        cls["programLogo"]["sourceUri"]["uri"] == "https://assets.gifq.example/logos/acme-books.png"
    )
    assert obj["id"] == f"{ISSUER_ID}.red_5f2c9a1b"
    assert obj["classId"] == cls["id"]
    assert obj["state"] == "ACTIVE"
    assert obj["cardNumber"] == ISSUED["code"]
    assert obj["pin"] == ISSUED["pin"]
    assert obj["balance"] == {"micros": 25_500_000, "currencyCode": "EUR"}
    assert obj["barcode"] == {
        "type": "QR_CODE",
        "value": "9912345678901",
        "alternateText": "9912345678901",
    }
    assert obj["validTimeInterval"] == {"end": {"date": "2027-12-31T23:59:59-12:00"}}
    assert obj["linksModuleData"]["uris"][0]["uri"] == ISSUED["link"]
    modules = {m["id"]: m["body"] for m in obj["textModulesData"]}
    assert modules == {
        "link_challenge_code": ISSUED["link_challenge_code"],
        "serial": ISSUED["serial"],
        "security_code": ISSUED["security_code"],
        "instructions": "Show the code at the till.",
        "terms": "Not exchangeable for cash.",
    }


def test_labels_are_localized(
    credentials: GoogleCredentials, wallet_labels: dict[str, dict[str, str]], pki: WalletPki
) -> None:
    _, claims = decoded(save_url(a_card(), credentials, wallet_labels, ORIGINS), pki)
    (cls,) = claims["payload"]["giftCardClasses"]
    translated = {t["language"]: t["value"] for t in cls["localizedPinLabel"]["translatedValues"]}
    assert cls["localizedPinLabel"]["defaultValue"] == {"language": "en", "value": "PIN"}
    assert set(translated) == {
        "de",
        "fr",
        "es",
        "it",
        "nl",
        "pt-BR",
        "pl",
        "et",
        "ar",
        "ja",
        "zh-Hans",
    }


@pytest.mark.parametrize(
    ("fmt", "google"),
    [
        ("ean13", "EAN_13"),
        ("datamatrix", "DATA_MATRIX"),
        ("code128", "CODE_128"),
        ("pdf417", "PDF_417"),
        ("aztec", "AZTEC"),
    ],
)
def test_every_gifq_format_maps_to_googles(
    credentials: GoogleCredentials,
    wallet_labels: dict[str, dict[str, str]],
    pki: WalletPki,
    fmt: str,
    google: str,
) -> None:
    _, claims = decoded(
        save_url(a_card(barcode_format=fmt), credentials, wallet_labels, ORIGINS), pki
    )
    assert claims["payload"]["giftCardObjects"][0]["barcode"]["type"] == google


def test_an_unknown_format_and_an_http_logo_are_left_out(
    credentials: GoogleCredentials, wallet_labels: dict[str, dict[str, str]], pki: WalletPki
) -> None:
    card = a_card(barcode_format="hologram", logo_url="http://127.0.0.1:8001/logo.png")
    _, claims = decoded(save_url(card, credentials, wallet_labels, ORIGINS), pki)
    assert "barcode" not in claims["payload"]["giftCardObjects"][0]
    assert "programLogo" not in claims["payload"]["giftCardClasses"][0]


def test_a_card_without_a_code_uses_its_serial_as_the_card_number(
    credentials: GoogleCredentials, wallet_labels: dict[str, dict[str, str]], pki: WalletPki
) -> None:
    card = a_card(fields=(("serial", "SN-1"), ("security_code", "S-2")))
    _, claims = decoded(save_url(card, credentials, wallet_labels, ORIGINS), pki)
    obj = claims["payload"]["giftCardObjects"][0]
    assert obj["cardNumber"] == "SN-1"
    assert "pin" not in obj
    assert {m["id"] for m in obj["textModulesData"]} == {"security_code", "instructions", "terms"}
