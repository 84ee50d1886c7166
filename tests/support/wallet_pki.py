"""A throwaway CA, Apple-style pass certificate and Google service-account key, made per run.

Nothing secret is committed: every key here is generated when a test asks for it.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

PASS_TYPE_ID = "pass.example.redeem.giftcard"
TEAM_ID = "TEST123456"
ISSUER_ID = "3388000000012345678"
SERVICE_ACCOUNT = "wallet-test@redeem-test.iam.gserviceaccount.com"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _cert(
    subject: str,
    key: rsa.RSAPrivateKey,
    issuer: str,
    issuer_key: rsa.RSAPrivateKey,
    ca: bool,
    days: int = 30,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@dataclass
class WalletPki:
    folder: Path
    root: Path
    wwdr: Path
    pass_cert: Path
    pass_key: Path
    google_key: Path
    google_public: rsa.RSAPublicKey

    def apple_env(self) -> dict[str, str]:
        return {
            "APPLE_PASS_TYPE_ID": PASS_TYPE_ID,
            "APPLE_PASS_TEAM_ID": TEAM_ID,
            "APPLE_PASS_CERT_FILE": str(self.pass_cert),
            "APPLE_PASS_KEY_FILE": str(self.pass_key),
            "APPLE_PASS_WWDR_FILE": str(self.wwdr),
            "APPLE_PASS_ORGANIZATION": "GIFQ Redeem Test",
        }

    def google_env(self) -> dict[str, str]:
        return {
            "GOOGLE_WALLET_ISSUER_ID": ISSUER_ID,
            "GOOGLE_WALLET_SERVICE_ACCOUNT_EMAIL": SERVICE_ACCOUNT,
            "GOOGLE_WALLET_KEY_FILE": str(self.google_key),
        }


def make_pki(folder: Path) -> WalletPki:
    root_key, wwdr_key, pass_key, google_key = _key(), _key(), _key(), _key()
    root = _cert("Test Root CA", root_key, "Test Root CA", root_key, ca=True)
    wwdr = _cert("Test WWDR Intermediate", wwdr_key, "Test Root CA", root_key, ca=True)
    leaf = _cert(
        f"Pass Type ID: {PASS_TYPE_ID}", pass_key, "Test WWDR Intermediate", wwdr_key, False
    )
    paths = {
        "root": (folder / "root.pem", _pem_cert(root)),
        "wwdr": (folder / "wwdr.pem", _pem_cert(wwdr)),
        "pass_cert": (folder / "pass.pem", _pem_cert(leaf)),
        "pass_key": (folder / "pass.key", _pem_key(pass_key)),
        "google_key": (folder / "google.key", _pem_key(google_key)),
    }
    for path, data in paths.values():
        path.write_bytes(data)
    return WalletPki(
        folder=folder,
        google_public=google_key.public_key(),
        **{name: path for name, (path, _) in paths.items()},
    )


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def openssl_verify(
    files: dict[str, bytes], pki: WalletPki, folder: Path
) -> subprocess.CompletedProcess[str]:
    """openssl, the outside witness, checks a pass's detached signature over its manifest
    against the test root alone (the intermediate must travel inside the signature)."""
    (folder / "manifest.json").write_bytes(files["manifest.json"])
    (folder / "signature").write_bytes(files["signature"])
    command = [
        *("openssl", "cms", "-verify", "-binary", "-inform", "DER"),
        *("-purpose", "any", "-out", "/dev/null"),
    ]
    return subprocess.run(
        [
            *command,
            "-in",
            str(folder / "signature"),
            "-content",
            str(folder / "manifest.json"),
            "-CAfile",
            str(pki.root),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
