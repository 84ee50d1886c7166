"""Over https WebKit keeps the flow's binding cookie at the top level, so a copied flow URL is
refused elsewhere while the recipient's own browser goes on. (Over plain http WebKit keeps
no Secure cookie at all, even on loopback: the rest of this layer runs cookie-less.)

The app runs under gunicorn with a throwaway self-signed certificate; MiniBrowser is told to
accept it (--ignore-tls-errors), as a browser that trusts the site's real certificate would."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.fake import FakeGifq
from tests.support.journey import choose_brand, search_to, verify
from tests.support.processes import ROOT, app_env, free_port, spawn, stop_group
from tests.support.view import SeleniumView

pytestmark = pytest.mark.webkit


@pytest.fixture(scope="module")
def https_app(fake: FakeGifq) -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="tls-"))
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    env = app_env(fake.base_url, port, RATELIMIT_ENABLED="false")
    argv = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app",
            "--certfile", str(cert), "--keyfile", str(key)]  # fmt: skip
    log = (folder / "app.log").open("wb")
    process = spawn(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"https://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", verify=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (folder / "app.log").read_text()
            time.sleep(0.2)
        yield url
    finally:
        stop_group(process)
        log.close()


def test_over_https_a_copied_flow_url_is_refused_while_the_recipients_webkit_goes_on(
    open_webkit: Callable[..., SeleniumView], fake: FakeGifq, https_app: str
) -> None:
    wk = open_webkit(tls_errors_ignored=True)
    token, _ = fake.create_payout()
    wk.open(f"{https_app}/r/{token}")
    verify(wk, fake, token)
    wk.expect_heading("Choose your gift card")
    kept = [c for c in wk.driver.get_cookies() if c["name"].startswith("__Host-redeem-")]
    assert len(kept) == 1 and kept[0]["secure"] and kept[0]["httpOnly"]

    elsewhere = httpx.get(wk.url, verify=False)  # the same URL, another browser, no cookie
    assert elsewhere.status_code == 403
    assert "Choose your gift card" not in elsewhere.text

    search_to(wk, "northwind")
    choose_brand(wk, "northwind-books")
    wk.expect_heading("Your gift card", timeout=20)
