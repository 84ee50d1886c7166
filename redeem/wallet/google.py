"""Google Wallet: a "Save to Google Wallet" link for one issued gift card.

The link carries a JWT signed RS256 with the operator's service-account key, holding the card
as a `giftCardObject` and its brand as a `giftCardClass`; Google creates both when the
recipient saves it, so no call to Google's API leaves our servers.
https://developers.google.com/wallet/retail/gift-cards/use-cases/jwt
The JWT is as good as the card: it goes only into the no-store card page, never into one of
our URLs, a log line or a redirect.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import jwt

from redeem.wallet.card import GOOGLE_BARCODES, WalletCard
from redeem.wallet.settings import GoogleCredentials

SAVE_URL = "https://pay.google.com/gp/v/save/"
CARD_NUMBER_FIELDS = ("code", "serial", "link_challenge_code")  # the first one present
TEXT_MODULE_FIELDS = ("link_challenge_code", "serial", "security_code")
ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def save_url(
    card: WalletCard,
    credentials: GoogleCredentials,
    labels: Mapping[str, Mapping[str, str]],
    origins: tuple[str, ...],
    now: float | None = None,
) -> str:
    """Google's save page with the card in a JWT signed by the service account."""
    claims = {
        "iss": credentials.service_account,
        "aud": "google",
        "typ": "savetowallet",
        "iat": int(time.time() if now is None else now),
        "origins": list(origins),
        "payload": {
            "giftCardClasses": [gift_card_class(card, credentials, labels)],
            "giftCardObjects": [gift_card_object(card, credentials, labels)],
        },
    }
    return SAVE_URL + jwt.encode(claims, credentials.key, algorithm="RS256")


def class_id(card: WalletCard, credentials: GoogleCredentials) -> str:
    return f"{credentials.issuer_id}.redeem-{ID_UNSAFE.sub('_', card.brand_slug)}"


def gift_card_class(
    card: WalletCard, credentials: GoogleCredentials, labels: Mapping[str, Mapping[str, str]]
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": class_id(card, credentials),
        "issuerName": card.issuer_name,
        "merchantName": card.brand_name,
        "reviewStatus": "UNDER_REVIEW",
        "hexBackgroundColor": card.colours.background,
        "localizedCardNumberLabel": localized(labels, _card_number_field(card) or "code"),
        "localizedPinLabel": localized(labels, "pin"),
    }
    # Google fetches the logo itself, and only over https.
    if card.logo_url and card.logo_url.startswith("https://"):
        body["programLogo"] = {
            "sourceUri": {"uri": card.logo_url},
            "contentDescription": {"defaultValue": {"language": "en", "value": card.brand_name}},
        }
    return body


def gift_card_object(
    card: WalletCard, credentials: GoogleCredentials, labels: Mapping[str, Mapping[str, str]]
) -> dict[str, Any]:
    number_field = _card_number_field(card)
    body: dict[str, Any] = {
        "id": f"{credentials.issuer_id}.{ID_UNSAFE.sub('_', card.serial)}",
        "classId": class_id(card, credentials),
        "state": "ACTIVE",
        "cardNumber": card.field(number_field) if number_field else card.serial,
        "balance": {"micros": _micros(card.face_value), "currencyCode": card.currency},
    }
    if pin := card.field("pin"):
        body["pin"] = pin
    symbology = GOOGLE_BARCODES.get(card.barcode_format or "")
    if symbology and card.barcode_value:
        body["barcode"] = {
            "type": symbology,
            "value": card.barcode_value,
            "alternateText": card.barcode_value,
        }
    if card.expires_on:
        body["validTimeInterval"] = {
            "end": {"date": f"{card.expires_on.isoformat()}T23:59:59-12:00"}
        }
    link = card.field("link")
    if link and link.startswith("https://"):
        body["linksModuleData"] = {
            "uris": [
                {
                    "id": "link",
                    "uri": link,
                    "description": labels["en"]["link"],
                    "localizedDescription": localized(labels, "link"),
                }
            ]
        }
    modules = [
        (key, value)
        for key in TEXT_MODULE_FIELDS
        if key != number_field and (value := card.field(key))
    ]
    modules += [
        (k, v) for k, v in (("instructions", card.instructions), ("terms", card.terms)) if v
    ]
    if modules:
        body["textModulesData"] = [
            {
                "id": key,
                "header": labels["en"][key],
                "body": value,
                "localizedHeader": localized(labels, key),
            }
            for key, value in modules
        ]
    return body


def localized(labels: Mapping[str, Mapping[str, str]], key: str) -> dict[str, Any]:
    return {
        "defaultValue": {"language": "en", "value": labels["en"][key]},
        "translatedValues": [
            {"language": locale.replace("_", "-"), "value": texts[key]}
            for locale, texts in labels.items()
            if locale != "en"
        ],
    }


def _card_number_field(card: WalletCard) -> str | None:
    return next((key for key in CARD_NUMBER_FIELDS if card.field(key)), None)


def _micros(amount: Decimal) -> int:
    return int(amount * 1_000_000)
