"""`python -m redeem.demo`: prints working links, embeds one on another site, stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.support.processes import ROOT, free_port, http_ok, spawn, stop_group


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    ports = {name: free_port() for name in ("DEMO_APP_PORT", "DEMO_GIFQ_PORT", "DEMO_HOST_PORT")}
    out = tmp_path_factory.mktemp("demo") / "out.txt"
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "PYTHONUNBUFFERED": "1"}
    env.pop("REDEEM_DEMO", None)
    with out.open("wb") as sink:
        process = spawn(
            [sys.executable, "-m", "redeem.demo"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 40
    while "Ctrl+C to stop" not in out.read_text():
        assert process.poll() is None, out.read_text()
        assert time.monotonic() < deadline, out.read_text()
        time.sleep(0.1)
    yield process, ports, out
    # TERM, as Ctrl+C: the demo stops its children itself. A SIGKILL would orphan them.
    stop_group(process, timeout=30)


def test_the_demo_prints_each_demo_link_with_its_label(demo):
    _, ports, out = demo
    text = out.read_text()
    links = re.findall(rf"http://127\.0\.0\.1:{ports['DEMO_APP_PORT']}/r/[A-Za-z0-9_-]{{43}}", text)
    assert len(links) >= 3
    assert "branded campaign" in text
    assert f"http://localhost:{ports['DEMO_HOST_PORT']}/" in text
    assert f"http://127.0.0.1:{ports['DEMO_GIFQ_PORT']}/sandbox/outbox" in text
    assert "SECRET_KEY" not in text
    assert all(http_ok(link) for link in links[:2])


def test_the_front_page_lists_the_demo_links(demo):
    _, ports, out = demo
    printed = set(re.findall(r"http://127\.0\.0\.1:\d+/r/[A-Za-z0-9_-]{43}", out.read_text()))
    with urllib.request.urlopen(f"http://127.0.0.1:{ports['DEMO_APP_PORT']}/") as response:
        page = response.read().decode()
    listed = set(re.findall(r'href="(http://127\.0\.0\.1:\d+/r/[A-Za-z0-9_-]{43})"', page))
    assert printed and listed == printed


def test_the_host_page_embeds_a_branded_link_from_another_site(demo):
    _, ports, _ = demo
    with urllib.request.urlopen(f"http://localhost:{ports['DEMO_HOST_PORT']}/") as response:
        page = response.read().decode()
    frame = re.search(r'<iframe src="([^"]+)" title="[^"]+" allow="clipboard-write">', page)
    assert frame, page
    assert frame.group(1).startswith(f"http://127.0.0.1:{ports['DEMO_APP_PORT']}/r/")

    with urllib.request.urlopen(frame.group(1)) as response:
        policy = response.headers["Content-Security-Policy"]
    ancestors = re.search(r"frame-ancestors ([^;]+)", policy)
    assert ancestors and f"http://localhost:{ports['DEMO_HOST_PORT']}" in ancestors.group(1)


def test_the_embedded_page_renders_inside_the_host_page(demo, page):
    # pytest-playwright's page, launched as tests/conftest.py says (Debian's Chromium).
    _, ports, _ = demo
    page.goto(f"http://localhost:{ports['DEMO_HOST_PORT']}/")
    heading = page.frame_locator("iframe").locator("h1")
    heading.wait_for(timeout=10_000)
    assert heading.inner_text().strip()


def test_ctrl_c_stops_the_demo_and_every_child(demo):
    process, ports, out = demo
    process.send_signal(signal.SIGINT)
    assert process.wait(30) == 0, out.read_text()
    for name, port in ports.items():
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"{name} {port} still open"
    assert "Traceback" not in out.read_text()
