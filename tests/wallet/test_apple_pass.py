"""The .pkpass unzips to exactly the expected files, its manifest and signature hold, and
pass.json carries every issued value and nothing else. openssl is the outside witness for
the PKCS #7 signature."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from redeem.i18n.locale import SUPPORTED
from redeem.wallet.apple import build_pkpass, lproj
from redeem.wallet.card import WalletCard
from redeem.wallet.settings import AppleCredentials, from_env
from tests.support.wallet_pki import WalletPki, openssl_verify, unzip
from tests.wallet.conftest import ISSUED, a_card

LANGUAGE_FILES = {f"{lproj(locale)}/pass.strings" for locale in SUPPORTED}


@pytest.fixture(scope="module")
def credentials(pki: WalletPki) -> AppleCredentials:
    apple = from_env(pki.apple_env()).apple
    assert apple is not None
    return apple


@pytest.fixture
def pass_files(
    credentials: AppleCredentials, wallet_labels: dict[str, dict[str, str]]
) -> dict[str, bytes]:
    """The files of a freshly built pass for the default card, by name."""
    return unzip(build_pkpass(a_card(), credentials, wallet_labels))


def pass_of(
    card: WalletCard, credentials: AppleCredentials, labels: dict[str, dict[str, str]]
) -> Any:
    return json.loads(unzip(build_pkpass(card, credentials, labels))["pass.json"])


def strings(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(strings(v) for v in value)) if value else set()
    return {value} if isinstance(value, str) else set()


def test_the_pass_holds_exactly_the_expected_files(pass_files: dict[str, bytes]) -> None:
    assert (
        set(pass_files)
        == {
            "pass.json",
            "manifest.json",
            "signature",
            "icon.png",
            "icon@2x.png",
            "icon@3x.png",
        }
        | LANGUAGE_FILES
    )


def test_a_png_logo_is_included_and_anything_else_is_not(
    credentials: AppleCredentials, wallet_labels: dict[str, dict[str, str]]
) -> None:
    png = bytes.fromhex("89504e470d0a1a0a") + b"rest-of-a-png"
    assert "logo.png" in unzip(build_pkpass(a_card(), credentials, wallet_labels, png))
    html = b"<html>not a logo</html>"
    assert "logo.png" not in unzip(build_pkpass(a_card(), credentials, wallet_labels, html))


def test_every_file_is_in_the_manifest_with_its_sha1(pass_files: dict[str, bytes]) -> None:
    manifest = json.loads(pass_files["manifest.json"])
    assert set(manifest) == set(pass_files) - {"manifest.json", "signature"}
    for name, digest in manifest.items():
        assert hashlib.sha1(pass_files[name]).hexdigest() == digest, name


def test_the_signature_verifies_against_the_test_chain_with_openssl(
    pass_files: dict[str, bytes],
    pki: WalletPki,
    tmp_path: Path,
) -> None:
    result = openssl_verify(pass_files, pki, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr
    # The intermediate travels inside the signature: only the root was given to openssl.
    certs = subprocess.run(
        ["openssl", "pkcs7", "-inform", "DER", "-print_certs", "-noout"],
        input=pass_files["signature"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "Test WWDR Intermediate" in certs


def test_a_changed_manifest_fails_verification(
    pass_files: dict[str, bytes],
    pki: WalletPki,
    tmp_path: Path,
) -> None:
    pass_files["manifest.json"] = pass_files["manifest.json"].replace(b"pass.json", b"pass.jsoN")
    assert openssl_verify(pass_files, pki, tmp_path).returncode != 0


def test_pass_json_holds_every_issued_value_and_nothing_else(
    credentials: AppleCredentials, wallet_labels: dict[str, dict[str, str]]
) -> None:
    card = a_card()
    body = pass_of(card, credentials, wallet_labels)
    english = wallet_labels["en"]
    fields = {f["key"]: f for group in body["storeCard"].values() for f in group}
    for name, value in ISSUED.items():
        assert fields[name]["value"] == value
    assert [f["key"] for f in body["storeCard"]["secondaryFields"]] == ["code", "pin"]
    assert [f["key"] for f in body["storeCard"]["backFields"]][:2] == [
        "link",
        "link_challenge_code",
    ]
    assert fields["value"]["value"] == 25.5 and fields["value"]["currencyCode"] == "EUR"
    assert body["expirationDate"] == "2027-12-31T23:59:59-12:00"
    assert body["barcodes"] == [
        {
            "format": "PKBarcodeFormatQR",
            "message": "9912345678901",
            "messageEncoding": "iso-8859-1",
            "altText": "9912345678901",
        }
    ]
    allowed = (
        set(ISSUED.values())
        | set(english.values())
        | {
            "pass.example.redeem.giftcard",
            "TEST123456",
            "GIFQ Redeem Test",
            "red_5f2c9a1b",
            "Acme Books",
            "EUR",
            "9912345678901",
            "PKBarcodeFormatQR",
            "iso-8859-1",
            "2027-12-31T23:59:59-12:00",
            "PKDateStyleMedium",
            "Show the code at the till.",
            "Not exchangeable for cash.",
            "rgb(26, 77, 143)",
            "rgb(255, 255, 255)",
            "rgb(221, 232, 245)",
        }
        | set(ISSUED)
        | {"value", "expires", "instructions", "terms"}
    )
    assert strings(body) <= allowed, strings(body) - allowed


def test_a_format_wallet_cannot_draw_leaves_the_code_as_a_field(
    credentials: AppleCredentials, wallet_labels: dict[str, dict[str, str]]
) -> None:
    for fmt in ("ean13", "datamatrix", "unknown-format"):
        body = pass_of(a_card(barcode_format=fmt), credentials, wallet_labels)
        assert "barcodes" not in body
        assert body["storeCard"]["secondaryFields"][0]["value"] == ISSUED["code"]


@pytest.mark.parametrize(
    ("fmt", "apple"),
    [
        ("code128", "PKBarcodeFormatCode128"),
        ("pdf417", "PKBarcodeFormatPDF417"),
        ("aztec", "PKBarcodeFormatAztec"),
    ],
)
def test_wallets_own_symbologies_are_kept(
    credentials: AppleCredentials, wallet_labels: dict[str, dict[str, str]], fmt: str, apple: str
) -> None:
    body = pass_of(a_card(barcode_format=fmt), credentials, wallet_labels)
    assert body["barcodes"][0]["format"] == apple


def test_a_card_with_only_a_link_has_no_code_fields(
    credentials: AppleCredentials, wallet_labels: dict[str, dict[str, str]]
) -> None:
    card = a_card(
        fields=(("link", ISSUED["link"]),), barcode_format=None, barcode_value=None, expires_on=None
    )
    body = pass_of(card, credentials, wallet_labels)
    assert body["storeCard"]["secondaryFields"] == []
    assert body["storeCard"]["backFields"][0]["value"] == ISSUED["link"]
    assert "expirationDate" not in body and "barcodes" not in body


def test_labels_are_localized_for_every_language(pass_files: dict[str, bytes]) -> None:
    german = pass_files["de.lproj/pass.strings"].decode("utf-16")
    assert '"Value" = "Wert";' in german
    arabic = pass_files["ar.lproj/pass.strings"].decode("utf-16")
    assert '"Code" = "' in arabic and '"Code" = "Code";' not in arabic
    assert "zh-Hans.lproj/pass.strings" in pass_files and "pt-BR.lproj/pass.strings" in pass_files


def test_the_icon_is_a_real_png_of_the_asked_size(pass_files: dict[str, bytes]) -> None:
    from PIL import Image  # Pillow is a test dependency; the app draws its icon without it

    for name, size in (("icon.png", 29), ("icon@2x.png", 58), ("icon@3x.png", 87)):
        image = Image.open(io.BytesIO(pass_files[name]))
        image.load()
        assert image.size == (size, size)
        assert image.getpixel((0, 0)) == (0x1A, 0x4D, 0x8F)
        assert image.getpixel((size // 2, size // 2)) == (255, 255, 255)
