"""Real app and fake-GIFQ processes on free loopback ports, for integration and e2e tests.

    fake = start_fake()
    app = start_app(fake.url, METRICS_TOKEN="...")
    ...
    app.stop(); fake.stop()

Both capture stdout and stderr into a file; `.logs()` returns what was written so far.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Settings a developer's shell might carry that would change what a test is testing.
_SCRUBBED_ENV = (
    "REDEEM_DEMO",
    "FLASK_DEBUG",
    "REDIS_URL",
    "METRICS_TOKEN",
    "PROMETHEUS_MULTIPROC_DIR",
    "WEB_CONCURRENCY",
    "INSTANCES",
    "BIND",
    "PORT",
    "EMBED_ORIGINS",
    "ASSET_ORIGINS",
    "PROXY_HOPS",
    "GUNICORN_CMD_ARGS",
    "RATELIMIT_ENABLED",
    "LOG_LEVEL",
    "ACCESS_LOG",
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Process:
    name: str
    url: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    _log_file: object = field(repr=False, default=None)

    def logs(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def running(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 10.0) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout)
        if self._log_file is not None:
            self._log_file.close()  # type: ignore[attr-defined]
            self._log_file = None
        return self.popen.returncode

    def __enter__(self) -> Process:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class AppProcess(Process):
    pass


@dataclass
class FakeProcess(Process):
    token: str = ""


def _spawn(
    name: str, argv: list[str], env: dict[str, str], cwd: Path = ROOT
) -> tuple[subprocess.Popen[bytes], Path, object]:
    fd, log_name = tempfile.mkstemp(prefix=f"{name}-", suffix=".log")
    os.close(fd)
    log_path = Path(log_name)
    log_file = log_path.open("wb")
    popen = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    return popen, log_path, log_file


def _wait_until(process: Process, ready, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.running():
            code = process.stop()
            raise RuntimeError(
                f"{process.name} exited with {code} before it was ready:\n{process.logs()}"
            )
        if ready():
            return
        time.sleep(0.05)
    process.stop()
    raise RuntimeError(f"{process.name} not ready after {timeout} s:\n{process.logs()}")


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def app_env(gifq_base: str, port: int, **env: str | None) -> dict[str, str]:
    """The environment start_app uses; `NAME=None` removes a variable."""
    result = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    result.update(
        GIFQ_API_BASE=gifq_base,
        SECRET_KEY=secrets.token_hex(32),
        BIND=f"127.0.0.1:{port}",
        # One worker unless a test brings Redis: the production guard refuses more without it.
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="4",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    for key, value in env.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = str(value)
    return result


def start_app(gifq_base: str, *, timeout: float = 30.0, **env: str | None) -> AppProcess:
    """`gunicorn -c gunicorn.conf.py app:app` on a free port, production guard and all."""
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app"]
    popen, log_path, log_file = _spawn("app", argv, app_env(gifq_base, port, **env))
    process = AppProcess("app", f"http://127.0.0.1:{port}", popen, log_path, log_file)
    _wait_until(process, lambda: http_ok(process.url + "/healthz"), timeout)
    return process


def start_server(
    name: str,
    argv: list[str],
    env: dict[str, str],
    url: str,
    *,
    cwd: Path = ROOT,
    ready_path: str = "/healthz",
    timeout: float = 30.0,
) -> AppProcess:
    """Any server command (flask run, gunicorn, caddy) that is ready when ``url + ready_path``
    answers 200."""  # fmt: skip
    popen, log_path, log_file = _spawn(name, argv, env, cwd)
    process = AppProcess(name, url, popen, log_path, log_file)
    _wait_until(process, lambda: http_ok(url + ready_path), timeout)
    return process


_FAKE_TOKEN_RE = re.compile(r"sandbox token: (\S+)")


def start_fake(*options: str, timeout: float = 30.0) -> FakeProcess:
    """`python -m redeem.fake_gifq` on a free port; extra CLI options pass through."""
    port = free_port()
    argv = [
        sys.executable, "-m", "redeem.fake_gifq", "--host", "127.0.0.1", "--port", str(port),
        *options,
    ]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    popen, log_path, log_file = _spawn("fake-gifq", argv, env)
    process = FakeProcess("fake-gifq", f"http://127.0.0.1:{port}", popen, log_path, log_file)
    _wait_until(process, lambda: "GIFQ fake listening" in process.logs(), timeout)
    match = _FAKE_TOKEN_RE.search(process.logs())
    process.token = match.group(1) if match else ""
    return process


def closed_port_url() -> str:
    """A loopback URL nothing listens on: GIFQ 'down' without waiting for a timeout."""
    return f"http://127.0.0.1:{free_port()}"


@contextlib.contextmanager
def running_app(gifq_base: str, **env: str | None):
    process = start_app(gifq_base, **env)
    try:
        yield process
    finally:
        process.stop()
