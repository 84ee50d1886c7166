"""Issue 12, item 7: the staging proxy must not publish the fake GIFQ's /sandbox/*.

The outside witness is Caddy itself: deploy/Caddyfile with deploy/staging/ in its sites/
folder (as deploy/compose.yaml mounts them) runs under the real `caddy` binary on loopback,
in front of the real fake GIFQ process, and is asked for the sandbox the ways a client
might spell it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fake import FakeGifq
from tests.support.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
CADDY = shutil.which("caddy")

pytestmark = pytest.mark.skipif(CADDY is None, reason="caddy is not installed (scripts/test.sh)")


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


@pytest.fixture(scope="module")
def staging_proxy(fake: FakeGifq, tmp_path_factory) -> Iterator[str]:
    proxy_port, site_port = free_port(), free_port()
    folder = tmp_path_factory.mktemp("caddy")
    # The layout compose mounts: /etc/caddy/Caddyfile and /etc/caddy/sites/ = deploy/staging/.
    shutil.copy(ROOT / "deploy" / "Caddyfile", folder / "Caddyfile")
    shutil.copytree(ROOT / "deploy" / "staging", folder / "sites")
    env = {
        **os.environ,
        "GIFQ_FAKE_ADDRESS": f"http://127.0.0.1:{proxy_port}",
        "GIFQ_FAKE_UPSTREAM": fake.base_url.removeprefix("http://"),
        "SITE_ADDRESS": f"http://127.0.0.1:{site_port}",
        "UPSTREAMS": f"127.0.0.1:{free_port()}",
        "CADDY_ADMIN": "off",
        "CADDY_BIND": "127.0.0.1",
        "XDG_DATA_HOME": str(folder),
        "XDG_CONFIG_HOME": str(folder),
        "HOME": str(folder),
    }
    log = (folder / "caddy.log").open("w")
    process = subprocess.Popen(
        [CADDY, "run", "--config", str(folder / "Caddyfile"), "--adapter", "caddyfile"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{proxy_port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                fetch(base + "/")
                break
            except OSError:
                assert process.poll() is None, (folder / "caddy.log").read_text()
                assert time.monotonic() < deadline, "caddy did not start"
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()


def test_the_fake_really_serves_its_sandbox_when_asked_directly(fake):
    status, body = fetch(fake.base_url + "/sandbox/demo")
    assert status == 200 and "payouts" in body  # so a 404 through the proxy means something


@pytest.mark.parametrize(
    "path",
    [
        "/sandbox/demo",
        "/sandbox/outbox",
        "/sandbox",
        "/SANDBOX/demo",
        "/Sandbox/outbox",
        "/%73andbox/demo",
        "/sandbox%2Fdemo",
        "/api/../sandbox/demo",
        "/api/%2e%2e/sandbox/demo",
        "//sandbox/demo",
        "/sandbox/demo?x=1",
        "/./sandbox/demo",
    ],
)
def test_the_staging_proxy_never_serves_the_sandbox(staging_proxy, path):
    status, body = fetch(staging_proxy + path)
    assert status in (400, 404), (path, status, body[:200])
    assert "payouts" not in body and "code" not in body.lower(), (path, body[:200])


def test_the_staging_proxy_still_serves_the_api(staging_proxy, fake):
    token, _ = fake.create_payout(amount=5)
    status, body = fetch(f"{staging_proxy}/api/payouts/{token}")
    assert status == 200, body[:300]
    assert token in body
