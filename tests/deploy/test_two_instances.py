"""Two app instances behind a real Caddy, one Redis and the fake GIFQ, all on loopback: the
topology of deploy/compose.yaml, run with the same deploy/Caddyfile.

Every request goes through Caddy, which spreads them over both instances (round robin), and
each instance is its own gunicorn with two workers, as in production (PROXY_HOPS=1).
An instance killed with SIGKILL in the middle of journeys, and a Redis restarted in the
middle of one, must cost no recipient their card, a second code or a second redemption;
the fake's own records are the witness.

    .venv/bin/python -m pytest -m deploy      # these tests alone
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.driver import Browser, Journey
from tests.support.fake import FakeGifq
from tests.support.processes import (
    ROOT,
    AppProcess,
    descendants,
    free_port,
    missing_tool,
    start_app,
    start_server,
)
from tests.support.redis import RedisProcess, start_redis

pytestmark = [pytest.mark.deploy, pytest.mark.redis, pytest.mark.timeout(240)]

CADDYFILE = ROOT / "deploy" / "Caddyfile"
BRAND = "northwind-books"
SLOW_BRAND = "slow-cinema"  # GIFQ takes 4 s to issue it: time to kill an instance meanwhile
TITLE_RE = re.compile(r"<title>([^<]*)</title>")


def caddy_binary() -> str:
    found = shutil.which("caddy")
    return found or missing_tool("caddy is not installed (scripts/test.sh installs Debian's caddy)")


@dataclass
class Cluster:
    fake: FakeGifq
    redis: RedisProcess
    instances: list[AppProcess]
    proxy: AppProcess

    @property
    def url(self) -> str:
        return self.proxy.url

    def kill(self, index: int) -> None:
        """SIGKILL an instance, master and workers at once, as a crashed machine would."""
        master = self.instances[index].popen
        for pid in [master.pid, *descendants(master.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        master.wait(10)

    def served(self) -> list[int]:
        """Recipient requests each instance has answered so far, from its own access log
        (Caddy's health checks on /healthz left out)."""
        return [sum(1 for entry in _log_entries(app) if _journey_request(entry))
                for app in self.instances]  # fmt: skip


def _log_entries(app: AppProcess) -> Iterator[dict[str, object]]:
    for line in app.logs().splitlines():
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                yield json.loads(line)


def _journey_request(entry: dict[str, object]) -> bool:
    path = str(entry.get("path", ""))
    return entry.get("logger") == "gunicorn.access" and path.startswith(("/r/", "/f/"))


def start_instance(fake: FakeGifq, redis: RedisProcess, secret_key: str) -> AppProcess:
    # What deploy/compose.yaml gives each instance: one SECRET_KEY (a form signed by one
    # instance is posted to the other), shared Redis, two workers, one proxy hop.
    return start_app(
        fake.base_url,
        SECRET_KEY=secret_key,
        REDIS_URL=redis.url,
        WEB_CONCURRENCY="2",
        INSTANCES="2",
        PROXY_HOPS="1",
    )


def start_caddy(upstreams: list[AppProcess], home: Path) -> AppProcess:
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "SITE_ADDRESS": f"http://127.0.0.1:{port}",
        "UPSTREAMS": " ".join(app.url.removeprefix("http://") for app in upstreams),
        "CADDY_BIND": "127.0.0.1",
        "CADDY_ADMIN": "off",  # its default, localhost:2019, is one port for the whole machine
    }
    argv = [caddy_binary(), "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"]
    return start_server("caddy", argv, env, f"http://127.0.0.1:{port}")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    caddy_binary()
    home = Path(tempfile.mkdtemp(prefix="caddy-"))
    redis = start_redis(durable=True)
    started: list[AppProcess] = []
    try:
        with FakeGifq(rate_limit=0) as fake:
            fake.top_up()
            secret_key = secrets.token_hex(32)
            started += [start_instance(fake, redis, secret_key) for _ in range(2)]
            proxy = start_caddy(started[:2], home)
            started.append(proxy)
            yield Cluster(fake, redis, started[:2], proxy)
    finally:
        for process in reversed(started):
            process.stop()
        redis.stop()
        shutil.rmtree(home, ignore_errors=True)


@dataclass
class Recipient:
    token: str
    journey: Journey
    http: httpx.Client


def recipients(cluster: Cluster, count: int) -> Iterator[Recipient]:
    for _ in range(count):
        token, _ = cluster.fake.create_payout(amount=50, currency="EUR", campaign="branded")
        http = httpx.Client(base_url=cluster.url, timeout=30)
        journey = Journey(Browser.http(http), token, code_of=cluster.fake.code_for)
        yield Recipient(token, journey, http)


def verified(cluster: Cluster, count: int) -> list[Recipient]:
    """Journeys that have landed, asked for a code and entered it: each on its brands page."""
    walked = []
    for recipient in recipients(cluster, count):
        page = recipient.journey.verify()
        assert page.path.endswith("/brands"), page.url
        walked.append(recipient)
    return walked


def assert_redeemed_once_with_one_code(cluster: Cluster, recipient: Recipient) -> None:
    record = cluster.fake.payouts_for(recipient.token)
    assert record["verification"]["codes_sent"] == 1, record["verification"]
    assert len(record["redemptions"]) == 1, record["redemptions"]
    charges = [m for m in record["balance_movements"] if m["kind"] == "charge"]
    assert len(charges) == 1, record["balance_movements"]
    visited = [answer.path for answer in recipient.journey.browser.history]
    # Nobody was sent back to the code step after entering their code.
    first_brands = next(n for n, path in enumerate(visited) if path.endswith("/brands"))
    assert not any(path.endswith("/code") for path in visited[first_brands:]), visited


def test_whole_journeys_are_spread_over_both_instances(cluster: Cluster):
    before = cluster.served()
    walked = verified(cluster, 3)
    for recipient in walked:
        recipient.journey.choose(BRAND)
        card = recipient.journey.wait_for_card()
        assert card.path.endswith("/card")
        assert_redeemed_once_with_one_code(cluster, recipient)
    after = cluster.served()
    spread = [a - b for a, b in zip(after, before, strict=True)]
    # Round robin: each instance answered a fair share of the ~30 requests.
    assert min(spread) >= 8, spread


def test_an_instance_killed_after_the_code_step_costs_nobody_their_card(cluster: Cluster):
    walked = verified(cluster, 3)
    cluster.kill(0)
    for recipient in walked:
        recipient.journey.choose(BRAND)
        card = recipient.journey.wait_for_card()
        assert card.path.endswith("/card")
        assert_redeemed_once_with_one_code(cluster, recipient)


def test_an_instance_killed_between_confirm_and_card_costs_nobody_their_card(cluster: Cluster):
    walked = verified(cluster, 3)
    for recipient in walked:
        processing = recipient.journey.choose(SLOW_BRAND)
        assert processing.path.endswith("/processing"), processing.url
    cluster.kill(1)
    for recipient in walked:
        card = recipient.journey.wait_for_card(timeout=30)
        assert card.path.endswith("/card")
        assert_redeemed_once_with_one_code(cluster, recipient)


def test_a_redis_restart_mid_journey_shows_try_again_then_loses_nothing(cluster: Cluster):
    (recipient,) = verified(cluster, 1)
    landing = recipient.journey.browser.history[0]
    sender = TITLE_RE.search(landing.text).group(1).rsplit(" – ", 1)[1]
    assert sender != "GIFQ"  # the branded campaign names its sender
    brands = recipient.journey.urls["brands"]

    cluster.redis.halt()
    outage = recipient.http.get(f"{brands}/{BRAND}")
    assert outage.status_code == 503
    assert outage.headers["Retry-After"] == "30"
    assert "Please try again in a few minutes." in outage.text
    assert "Traceback" not in outage.text
    # Branded: the campaign's sender, not the plain GIFQ look.
    assert TITLE_RE.search(outage.text).group(1).endswith(f" – {sender}"), outage.text[:400]
    assert cluster.proxy.running() and all(app.running() for app in cluster.instances)

    cluster.redis.resume()
    recipient.journey.choose(BRAND)
    card = recipient.journey.wait_for_card()
    assert card.path.endswith("/card")
    assert_redeemed_once_with_one_code(cluster, recipient)


def test_the_caddyfile_is_the_one_compose_mounts():
    compose = (ROOT / "deploy" / "compose.yaml").read_text()
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in compose
    checked = subprocess.run(
        [caddy_binary(), "validate", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env={"PATH": os.environ.get("PATH", ""), "SITE_ADDRESS": "redeem.example.com",
             "UPSTREAMS": "app1:8000 app2:8000", "CADDY_ADMIN": "off",
             "HOME": tempfile.gettempdir()},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
