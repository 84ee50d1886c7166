"""`python -m redeem.demo`: the fake GIFQ, the app under gunicorn, and a merchant page.

Ports come from DEMO_APP_PORT (8000), DEMO_GIFQ_PORT (8001) and DEMO_HOST_PORT (8002);
DEMO_VERBOSE=1 shows every log line of the children instead of warnings and errors only.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from redeem.demo import host

ROOT = Path(__file__).resolve().parents[2]
VERBOSE = os.environ.get("DEMO_VERBOSE") == "1"

# Lines the children print on every request or at boot; without DEMO_VERBOSE they are
# dropped so the links stay on screen. Everything else (warnings, errors, tracebacks) shows.
_CHATTER = (
    re.compile(r'"level": "(DEBUG|INFO)"'),
    re.compile(r'"[A-Z]+ \S+ HTTP/[0-9.]+" [1-4][0-9][0-9] '),  # werkzeug access lines
    re.compile(r"^\s*\*\s"),  # werkzeug banner
)


class Child:
    def __init__(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.lines: list[str] = []
        # A new session: Ctrl+C reaches only this runner, which then stops the children
        # in order, instead of each child printing its own KeyboardInterrupt traceback.
        self.popen = subprocess.Popen(  # noqa: S603 - fixed argv
            argv,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            text=True,
            bufsize=1,
        )
        threading.Thread(target=self._pump, name=f"{name}-output", daemon=True).start()

    def _pump(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.append(line)
            if VERBOSE or not any(pattern.search(line) for pattern in _CHATTER):
                sys.stderr.write(f"[{self.name}] {line}")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


class DemoError(RuntimeError):
    pass


def _port(name: str, default: int) -> int:
    raw = os.environ.get(name) or str(default)
    if not raw.isdigit():
        raise DemoError(f"{name} must be a port number, got {raw!r}")
    port = int(raw)
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            raise DemoError(
                f"port {port} is in use: free it or set {name} to another port"
            ) from exc
    return port


def _get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
            return response.read() if response.status == 200 else None
    except (urllib.error.URLError, OSError):
        return None


def _wait(child: Child, url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.alive():
            raise DemoError(f"{child.name} stopped while starting (exit {child.popen.returncode})")
        if _get(url) is not None:
            return
        time.sleep(0.1)
    raise DemoError(f"{child.name} did not answer on {url} within {timeout:.0f} s")


def start(children: list[Child]) -> tuple[list[dict[str, Any]], int, int, int]:
    app_port = _port("DEMO_APP_PORT", 8000)
    gifq_port = _port("DEMO_GIFQ_PORT", 8001)
    host_port = _port("DEMO_HOST_PORT", 8002)
    app_url = f"http://127.0.0.1:{app_port}"
    gifq_url = f"http://127.0.0.1:{gifq_port}"
    host_origin = f"http://localhost:{host_port}"
    base_env = {**os.environ, "PYTHONUNBUFFERED": "1"}

    fake = Child(
        "gifq",
        [
            sys.executable, "-m", "redeem.fake_gifq", "--host", "127.0.0.1",
            "--port", str(gifq_port), "--redeem-base", app_url, "--embed-origin", host_origin,
        ],
        base_env,
    )  # fmt: skip
    children.append(fake)
    _wait(fake, f"{gifq_url}/sandbox/demo")
    raw = _get(f"{gifq_url}/sandbox/demo")
    listing = json.loads(raw) if raw else []
    # {"campaigns": [...], "payouts": [...]}; a bare list is accepted too.
    payouts = listing.get("payouts", []) if isinstance(listing, dict) else listing
    if not payouts:
        raise DemoError(f"the fake GIFQ listed no demo payouts at {gifq_url}/sandbox/demo")

    app_env = {
        **base_env,
        "GIFQ_API_BASE": gifq_url,
        # Made up per run and never printed: sessions simply end when the demo stops.
        "SECRET_KEY": secrets.token_hex(32),
        "REDEEM_DEMO": "1",
        # The front page lists these, so a newcomer can click straight into a journey.
        "DEMO_LINKS": json.dumps([[p.get("label", ""), p["redeem_url"]] for p in payouts]),
        "EMBED_ORIGINS": host_origin,
        "BIND": f"127.0.0.1:{app_port}",
        "WEB_CONCURRENCY": "1",
        "LOG_LEVEL": "DEBUG" if VERBOSE else "WARNING",
    }
    for name in ("REDIS_URL", "FLASK_DEBUG", "PROMETHEUS_MULTIPROC_DIR", "GUNICORN_CMD_ARGS"):
        app_env.pop(name, None)
    app = Child(
        "app",
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app"],
        app_env,
    )
    children.append(app)
    _wait(app, f"{app_url}/healthz")

    return payouts, host_port, app_port, gifq_port


def _interrupt(signum: int, frame: object) -> None:
    # SIGTERM (e.g. from a container runtime) stops the demo as cleanly as Ctrl+C.
    raise KeyboardInterrupt


def main() -> int:
    children: list[Child] = []
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        payouts, host_port, app_port, gifq_port = start(children)
        server = host.serve(payouts, host_port)
        print("\nGIFQ Redeem demo is running.\n\nDemo redeem links:")
        width = max(len(str(p.get("label", ""))) for p in payouts)
        for payout in payouts:
            print(f"  {str(payout.get('label', '')).ljust(width)}  {payout['redeem_url']}")
        print(f"\nEmbedded on another site:  http://localhost:{host_port}/")
        # The fake sends no real email: the one-time codes wait in its outbox, newest first.
        print(f"Emailed codes:             http://127.0.0.1:{gifq_port}/sandbox/outbox")
        print(f"App health:                http://127.0.0.1:{app_port}/healthz")
        print("\nCtrl+C to stop.", flush=True)
        while all(child.alive() for child in children):
            time.sleep(0.5)
        dead = next(child for child in children if not child.alive())
        server.shutdown()
        raise DemoError(f"{dead.name} stopped unexpectedly (exit {dead.popen.returncode})")
    except KeyboardInterrupt:
        print("\nStopping...", file=sys.stderr)
        return 0
    except DemoError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1
    finally:
        for child in reversed(children):
            child.stop()


if __name__ == "__main__":
    sys.exit(main())
