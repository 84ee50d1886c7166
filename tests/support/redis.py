"""A throwaway redis-server on a free port, for tests of shared flows, limits and readiness.

    server = start_redis()
    app = start_app(fake.url, REDIS_URL=server.url, WEB_CONCURRENCY="2")
    server.stop()   # Redis outage

A missing binary skips the test on a developer's machine, but fails it in CI (CI=true),
where scripts/test.sh installs redis-server and a skip would hide a broken setup.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from tests.support.processes import free_port, missing_tool, spawn, stop_group


@dataclass
class RedisProcess:
    url: str
    port: int
    popen: subprocess.Popen[bytes]
    directory: Path
    argv: list[str] | None = None

    def running(self) -> bool:
        return self.popen.poll() is None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1)

    def resume(self, timeout: float = 10.0) -> None:
        """Start again on the same port and directory after ``halt``: with ``durable``, every
        key comes back from the append-only file, as after an operator's restart."""
        assert self.argv is not None and not self.running()
        self.popen = spawn(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _wait_for(self, timeout)

    def halt(self) -> None:
        """Stop the server (SIGTERM: a clean shutdown that writes its append-only file) but
        keep its directory, for ``resume``."""
        stop_group(self.popen)

    def stop(self) -> None:
        stop_group(self.popen)
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> RedisProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def redis_binary() -> str:
    found = shutil.which("redis-server")
    return found or missing_tool("redis-server is not installed (scripts/test.sh installs it)")


def start_redis(timeout: float = 10.0, *, durable: bool = False) -> RedisProcess:
    """``durable``: an append-only file, so a restart keeps every flow (deploy/compose.yaml)."""
    binary = redis_binary()
    port = free_port()
    directory = Path(tempfile.mkdtemp(prefix="redis-"))
    # No persistence by default: a test's data dies with the process, nothing goes to disk.
    persistence = ["--appendonly", "yes", "--appendfsync", "everysec"] if durable else [
        "--appendonly", "no"]  # fmt: skip
    argv = [
        binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", *persistence,
        "--dir", str(directory), "--loglevel", "warning",
    ]  # fmt: skip
    popen = spawn(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = RedisProcess(f"redis://127.0.0.1:{port}/0", port, popen, directory, argv)
    _wait_for(server, timeout)
    return server


def _wait_for(server: RedisProcess, timeout: float) -> None:
    client = server.client()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.running():
            popen = server.popen
            stderr = popen.stderr.read().decode() if popen.stderr else ""
            server.stop()
            raise RuntimeError(f"redis-server exited with {popen.returncode}: {stderr}")
        try:
            if client.ping():
                return
        except redis.ConnectionError:
            time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"redis-server not answering on port {server.port} after {timeout} s")
