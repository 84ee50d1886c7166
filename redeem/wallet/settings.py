"""Wallet credentials from the environment: all of a wallet's settings, or none of them.

An operator who holds Apple's or Google's credentials switches that wallet on by setting them;
one who does not sees no trace of it. Partial or broken settings refuse start-up in one line
that names what is wrong, like the rest of `redeem.config`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from redeem.config import ConfigError

APPLE_SETTINGS = (
    "APPLE_PASS_TYPE_ID",
    "APPLE_PASS_TEAM_ID",
    "APPLE_PASS_CERT_FILE",
    "APPLE_PASS_KEY_FILE",
    "APPLE_PASS_WWDR_FILE",
    "APPLE_PASS_ORGANIZATION",
)
GOOGLE_SETTINGS = (
    "GOOGLE_WALLET_ISSUER_ID",
    "GOOGLE_WALLET_SERVICE_ACCOUNT_EMAIL",
    "GOOGLE_WALLET_KEY_FILE",
)
PASS_TYPE_ID = re.compile(r"pass\.[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
TEAM_ID = re.compile(r"[A-Z0-9]{10}")
ISSUER_ID = re.compile(r"[0-9]{10,25}")
SERVICE_ACCOUNT = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# The settings with a fixed shape, and what the error says they must be.
SHAPES = {
    "APPLE_PASS_TYPE_ID": (PASS_TYPE_ID, "look like pass.com.example.giftcard"),
    "APPLE_PASS_TEAM_ID": (TEAM_ID, "be Apple's 10-character team identifier"),
    "GOOGLE_WALLET_ISSUER_ID": (ISSUER_ID, "be the issuer's number from the console"),
    "GOOGLE_WALLET_SERVICE_ACCOUNT_EMAIL": (SERVICE_ACCOUNT, "be the service account's email"),
}
MIN_RSA_BITS = 2048

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class AppleCredentials:
    pass_type_id: str
    team_id: str
    certificate: x509.Certificate
    key: SigningKey
    wwdr: x509.Certificate  # Apple's intermediate: goes into the signature beside ours
    organization: str


@dataclass(frozen=True)
class GoogleCredentials:
    issuer_id: str
    service_account: str
    key: rsa.RSAPrivateKey


@dataclass(frozen=True)
class WalletSettings:
    apple: AppleCredentials | None
    google: GoogleCredentials | None


def from_env(env: Mapping[str, str]) -> WalletSettings:
    return WalletSettings(apple=_apple(env), google=_google(env))


def _given(env: Mapping[str, str], names: tuple[str, ...], wallet: str) -> dict[str, str] | None:
    """All of a wallet's settings or none; those in ``SHAPES`` must match their pattern."""
    values = {name: (env.get(name) or "").strip() for name in names}
    missing = [name for name, value in values.items() if not value]
    if len(missing) == len(names):
        return None
    if missing:
        raise ConfigError(
            f"{wallet} is half set up: {', '.join(missing)} missing "
            f"(set all of {', '.join(names)}, or none to leave {wallet} off)"
        )
    for name, (pattern, must) in SHAPES.items():
        if name in values and not pattern.fullmatch(values[name]):
            raise ConfigError(f"{name} must {must}")
    return values


def _read(name: str, path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{name} cannot be read: {path} ({exc.strerror})") from exc


def _certificate(name: str, path: str) -> x509.Certificate:
    try:
        cert = x509.load_pem_x509_certificate(_read(name, path))
    except ValueError as exc:
        raise ConfigError(f"{name} is not a PEM certificate: {path}") from exc
    if cert.not_valid_after_utc <= datetime.now(UTC):
        raise ConfigError(f"{name} expired on {cert.not_valid_after_utc:%Y-%m-%d}: {path}")
    return cert


def _private_key(name: str, path: str, pem: bytes | None = None) -> SigningKey:
    """An unencrypted PEM key from the file (or from ``pem``, taken out of that file)."""
    try:
        key = serialization.load_pem_private_key(pem or _read(name, path), password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{name} holds no unencrypted PEM private key: {path}") from exc
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ConfigError(f"{name} must be an RSA or EC key: {path}")
    return key


def _same_public_key(cert: x509.Certificate, key: SigningKey) -> bool:
    der = serialization.Encoding.DER
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    return cert.public_key().public_bytes(der, spki) == key.public_key().public_bytes(der, spki)


def _apple(env: Mapping[str, str]) -> AppleCredentials | None:
    given = _given(env, APPLE_SETTINGS, "Apple Wallet")
    if given is None:
        return None
    cert = _certificate("APPLE_PASS_CERT_FILE", given["APPLE_PASS_CERT_FILE"])
    key = _private_key("APPLE_PASS_KEY_FILE", given["APPLE_PASS_KEY_FILE"])
    if not _same_public_key(cert, key):
        raise ConfigError("APPLE_PASS_KEY_FILE does not belong to APPLE_PASS_CERT_FILE")
    wwdr = _certificate("APPLE_PASS_WWDR_FILE", given["APPLE_PASS_WWDR_FILE"])
    if cert.issuer != wwdr.subject:
        raise ConfigError(
            "APPLE_PASS_WWDR_FILE is not the certificate that issued APPLE_PASS_CERT_FILE "
            "(download the matching Apple WWDR intermediate)"
        )
    return AppleCredentials(
        pass_type_id=given["APPLE_PASS_TYPE_ID"],
        team_id=given["APPLE_PASS_TEAM_ID"],
        certificate=cert,
        key=key,
        wwdr=wwdr,
        organization=given["APPLE_PASS_ORGANIZATION"],
    )


def _google_key(path: str, email: str) -> SigningKey:
    """A PEM key, or the JSON key file Google Cloud hands out (its private_key and client_email)."""
    name = "GOOGLE_WALLET_KEY_FILE"
    raw = _read(name, path)
    if not raw.lstrip().startswith(b"{"):
        return _private_key(name, path, raw)
    try:
        document = json.loads(raw)
        pem, owner = document["private_key"].encode(), document["client_email"]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{name} is JSON but not a service-account key file: {path}") from exc
    if owner != email:
        raise ConfigError(
            f"{name} belongs to {owner}, not GOOGLE_WALLET_SERVICE_ACCOUNT_EMAIL ({email})"
        )
    return _private_key(name, path, pem)


def _google(env: Mapping[str, str]) -> GoogleCredentials | None:
    given = _given(env, GOOGLE_SETTINGS, "Google Wallet")
    if given is None:
        return None
    key = _google_key(given["GOOGLE_WALLET_KEY_FILE"], given["GOOGLE_WALLET_SERVICE_ACCOUNT_EMAIL"])
    # Google signs "Save to Google Wallet" JWTs with RS256 only.
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < MIN_RSA_BITS:
        raise ConfigError(
            f"GOOGLE_WALLET_KEY_FILE must be an RSA key of at least {MIN_RSA_BITS} bits "
            "(the service account's key)"
        )
    return GoogleCredentials(
        issuer_id=given["GOOGLE_WALLET_ISSUER_ID"],
        service_account=given["GOOGLE_WALLET_SERVICE_ACCOUNT_EMAIL"],
        key=key,
    )
