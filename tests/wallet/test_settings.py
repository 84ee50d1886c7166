from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from redeem.config import ConfigError
from redeem.wallet.settings import APPLE_SETTINGS, GOOGLE_SETTINGS, from_env
from tests.support.wallet_pki import WalletPki, _cert, _key, _pem_cert, _pem_key


def test_no_wallet_settings_means_both_wallets_are_off() -> None:
    settings = from_env({})
    assert settings.apple is None
    assert settings.google is None


def test_complete_settings_switch_each_wallet_on(pki: WalletPki) -> None:
    settings = from_env({**pki.apple_env(), **pki.google_env()})
    assert settings.apple is not None
    assert settings.apple.pass_type_id == "pass.example.redeem.giftcard"
    assert settings.google is not None
    assert settings.google.issuer_id == "3388000000012345678"


@pytest.mark.parametrize("missing", APPLE_SETTINGS)
def test_apple_with_one_setting_missing_refuses_to_start_naming_it(
    pki: WalletPki, missing: str
) -> None:
    env = {k: v for k, v in pki.apple_env().items() if k != missing}
    with pytest.raises(ConfigError, match=f"Apple Wallet is half set up: {missing} missing"):
        from_env(env)


@pytest.mark.parametrize("missing", GOOGLE_SETTINGS)
def test_google_with_one_setting_missing_refuses_to_start_naming_it(
    pki: WalletPki, missing: str
) -> None:
    env = {k: v for k, v in pki.google_env().items() if k != missing}
    with pytest.raises(ConfigError, match=f"Google Wallet is half set up: {missing} missing"):
        from_env(env)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("APPLE_PASS_TYPE_ID", "com.example.card", "APPLE_PASS_TYPE_ID must look like"),
        ("APPLE_PASS_TEAM_ID", "abc", "APPLE_PASS_TEAM_ID must be"),
        ("APPLE_PASS_CERT_FILE", "/nonexistent/pass.pem", "APPLE_PASS_CERT_FILE cannot be read"),
        ("APPLE_PASS_KEY_FILE", "/nonexistent/pass.key", "APPLE_PASS_KEY_FILE cannot be read"),
    ],
)
def test_apple_with_a_bad_value_refuses_to_start_in_one_line(
    pki: WalletPki, name: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        from_env({**pki.apple_env(), name: value})
    assert "\n" not in str(caught.value)


def test_a_key_that_is_not_the_certificates_is_refused(pki: WalletPki, tmp_path: Path) -> None:
    other = tmp_path / "other.key"
    other.write_bytes(_pem_key(_key()))
    with pytest.raises(ConfigError, match="does not belong to APPLE_PASS_CERT_FILE"):
        from_env({**pki.apple_env(), "APPLE_PASS_KEY_FILE": str(other)})


def test_a_wwdr_that_did_not_issue_the_pass_certificate_is_refused(
    pki: WalletPki, tmp_path: Path
) -> None:
    stranger_key = _key()
    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(
        _pem_cert(_cert("Someone Else", stranger_key, "Someone Else", stranger_key, True))
    )
    with pytest.raises(
        ConfigError, match="APPLE_PASS_WWDR_FILE is not the certificate that issued"
    ):
        from_env({**pki.apple_env(), "APPLE_PASS_WWDR_FILE": str(stranger)})


def test_an_expired_pass_certificate_is_refused(pki: WalletPki, tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    key = _key()
    now = dt.datetime.now(dt.UTC)
    expired = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([]))
        .issuer_name(x509.Name([]))
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=10))
        .not_valid_after(now - dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / "expired.pem"
    path.write_bytes(_pem_cert(expired))
    with pytest.raises(ConfigError, match="APPLE_PASS_CERT_FILE expired on"):
        from_env({**pki.apple_env(), "APPLE_PASS_CERT_FILE": str(path)})


def test_google_refuses_a_key_that_cannot_sign_rs256(pki: WalletPki, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization

    ec_key = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "ec.key"
    path.write_bytes(
        ec_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(ConfigError, match="GOOGLE_WALLET_KEY_FILE must be an RSA key"):
        from_env({**pki.google_env(), "GOOGLE_WALLET_KEY_FILE": str(path)})


def test_google_refuses_a_malformed_issuer_id(pki: WalletPki) -> None:
    with pytest.raises(ConfigError, match="GOOGLE_WALLET_ISSUER_ID must be"):
        from_env({**pki.google_env(), "GOOGLE_WALLET_ISSUER_ID": "issuer-one"})


def test_google_accepts_the_json_key_file_google_cloud_hands_out(
    pki: WalletPki, tmp_path: Path
) -> None:
    import json

    path = tmp_path / "service-account.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "client_email": pki.google_env()["GOOGLE_WALLET_SERVICE_ACCOUNT_EMAIL"],
                "private_key": pki.google_key.read_text(),
            }
        )
    )
    google = from_env({**pki.google_env(), "GOOGLE_WALLET_KEY_FILE": str(path)}).google
    assert google is not None
    assert google.key.public_key().public_numbers() == pki.google_public.public_numbers()


def test_google_refuses_a_json_key_of_another_service_account(
    pki: WalletPki, tmp_path: Path
) -> None:
    import json

    path = tmp_path / "service-account.json"
    path.write_text(
        json.dumps(
            {
                "client_email": "other@x.iam.gserviceaccount.com",
                "private_key": pki.google_key.read_text(),
            }
        )
    )
    with pytest.raises(ConfigError, match=r"belongs to other@x\.iam\.gserviceaccount\.com"):
        from_env({**pki.google_env(), "GOOGLE_WALLET_KEY_FILE": str(path)})


def test_the_app_holds_its_wallet_settings_and_refuses_half_a_wallet(pki: WalletPki) -> None:
    from redeem import create_app
    from redeem.extensions import state_of

    base = {"TESTING": True, "GIFQ_API_BASE": "http://127.0.0.1:9"}
    off = state_of(create_app(base)).wallet
    assert off.apple is None and off.google is None
    on = state_of(create_app({**base, **pki.apple_env(), **pki.google_env()})).wallet
    assert on.apple is not None and on.google is not None
    half = {k: v for k, v in pki.apple_env().items() if k != "APPLE_PASS_KEY_FILE"}
    with pytest.raises(ConfigError, match="APPLE_PASS_KEY_FILE missing"):
        create_app({**base, **half})


def test_gunicorn_refuses_half_a_wallet_in_one_line(pki: WalletPki) -> None:
    from tests.integration.test_ops_guard import run_gunicorn

    result = run_gunicorn(GOOGLE_WALLET_ISSUER_ID="3388000000012345678")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if "Google Wallet is half set up" in line]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
