"""Apple Wallet: a signed `.pkpass` (a `storeCard`) for one issued gift card.

The bundle is a zip of `pass.json`, images, one `pass.strings` per language, `manifest.json`
(every other file's SHA-1) and `signature`, a detached PKCS #7 signature over the manifest by
the pass certificate, with Apple's WWDR intermediate inside it and the signing time as a signed
attribute, as the PassKit package format asks. Nothing else goes in: no recipient, no link
token, no flow id; only what GIFQ issued for this card.
https://developer.apple.com/documentation/walletpasses/building-a-pass
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zipfile
import zlib
from collections.abc import Mapping
from datetime import date
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from redeem.wallet.card import APPLE_BARCODES, WalletCard
from redeem.wallet.settings import AppleCredentials

MEDIA_TYPE = "application/vnd.apple.pkpass"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FRONT_FIELDS = ("code", "pin")  # the two a till asks for; the rest sit below or on the back
AUXILIARY_FIELDS = ("serial", "security_code")
BACK_FIELDS = ("link", "link_challenge_code")


def build_pkpass(
    card: WalletCard,
    credentials: AppleCredentials,
    labels: Mapping[str, Mapping[str, str]],
    logo_png: bytes | None = None,
) -> bytes:
    """The `.pkpass` bytes. `labels` is {locale: {label key: text}} with an "en" entry."""
    files: dict[str, bytes] = {
        "pass.json": _json(pass_json(card, credentials, labels["en"])),
        "icon.png": icon_png(card.colours.background, card.colours.foreground, 29),
        "icon@2x.png": icon_png(card.colours.background, card.colours.foreground, 58),
        "icon@3x.png": icon_png(card.colours.background, card.colours.foreground, 87),
    }
    if logo_png and logo_png.startswith(PNG_MAGIC):
        files["logo.png"] = logo_png
    english = labels["en"]
    for locale, texts in labels.items():
        # The English text is the key (pass.json carries it), so a language without a
        # translation still reads sensibly.
        pairs = {english[key]: text for key, text in texts.items() if key in english}
        files[f"{lproj(locale)}/pass.strings"] = strings_file(pairs)
    manifest = _json({name: hashlib.sha1(data).hexdigest() for name, data in files.items()})  # noqa: S324 (the format asks for SHA-1)
    files["manifest.json"] = manifest
    files["signature"] = sign(manifest, credentials)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in files.items():
            bundle.writestr(name, data)
    return out.getvalue()


def pass_json(
    card: WalletCard, credentials: AppleCredentials, english: Mapping[str, str]
) -> dict[str, Any]:
    def field(key: str, value: str, **extra: Any) -> dict[str, Any]:
        return {"key": key, "label": english[key], "value": value, **extra}

    present = dict(card.fields)
    store_card: dict[str, Any] = {
        "primaryFields": [
            {
                "key": "value",
                "label": english["value"],
                "value": float(card.face_value),
                "currencyCode": card.currency,
            }
        ],
        "secondaryFields": [field(k, present[k]) for k in FRONT_FIELDS if k in present],
        "auxiliaryFields": [field(k, present[k]) for k in AUXILIARY_FIELDS if k in present],
        "backFields": [field(k, present[k]) for k in BACK_FIELDS if k in present],
    }
    if card.expires_on:
        store_card["auxiliaryFields"].insert(
            0,
            field("expires", _end_of(card.expires_on), dateStyle="PKDateStyleMedium"),
        )
    for key, text in (("instructions", card.instructions), ("terms", card.terms)):
        if text:
            store_card["backFields"].append(field(key, text))
    body: dict[str, Any] = {
        "formatVersion": 1,
        "passTypeIdentifier": credentials.pass_type_id,
        "teamIdentifier": credentials.team_id,
        "serialNumber": card.serial,
        "organizationName": credentials.organization,
        "description": english["description"],
        "logoText": card.brand_name,
        "foregroundColor": rgb(card.colours.foreground),
        "backgroundColor": rgb(card.colours.background),
        "labelColor": rgb(card.colours.label),
        # A gift card's code is the money: Wallet's share sheet should not pass it on.
        "sharingProhibited": True,
        "storeCard": store_card,
    }
    if card.expires_on:
        body["expirationDate"] = _end_of(card.expires_on)
    symbology = APPLE_BARCODES.get(card.barcode_format or "")
    if symbology and card.barcode_value:
        body["barcodes"] = [
            {
                "format": symbology,
                "message": card.barcode_value,
                "messageEncoding": _encoding(card.barcode_value),
                "altText": card.barcode_value,
            }
        ]
    return body


def sign(manifest: bytes, credentials: AppleCredentials) -> bytes:
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(manifest)
        .add_signer(credentials.certificate, credentials.key, hashes.SHA256())
        .add_certificate(credentials.wwdr)
        .sign(
            serialization.Encoding.DER,
            [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary],
        )
    )


def lproj(locale: str) -> str:
    """Apple names language folders with BCP 47 tags: pt-BR.lproj, zh-Hans.lproj."""
    return f"{locale.replace('_', '-')}.lproj"


def strings_file(pairs: Mapping[str, str]) -> bytes:
    def quote(text: str) -> str:
        escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'

    lines = "".join(f"{quote(key)} = {quote(value)};\n" for key, value in pairs.items())
    # UTF-16 with a byte-order mark: what every version of Wallet reads.
    return lines.encode("utf-16")


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def icon_png(background: str, foreground: str, size: int) -> bytes:
    """A square in the campaign's colour with a ribbon cross: a gift box, drawn without Pillow."""
    bg = bytes.fromhex(background[1:])
    fg = bytes.fromhex(foreground[1:])
    ribbon = range(size * 7 // 16, size * 9 // 16 + 1)
    rows = b"".join(
        b"\x00" + b"".join(fg if x in ribbon or y in ribbon else bg for x in range(size))
        for y in range(size)
    )
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    return (
        PNG_MAGIC
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _end_of(day: date) -> str:
    # A card "valid until" a date is valid through that whole day wherever it is spent:
    # the last moment of the day in the westernmost time zone.
    return f"{day.isoformat()}T23:59:59-12:00"


def _encoding(value: str) -> str:
    try:
        value.encode("iso-8859-1")
    except UnicodeEncodeError:
        return "utf-8"
    return "iso-8859-1"


def _json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True).encode()
