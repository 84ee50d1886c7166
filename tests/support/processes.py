"""Real app and fake-GIFQ processes on free loopback ports, for integration and e2e tests.

    fake = start_fake()
    app = start_app(fake.url, METRICS_TOKEN="...")
    ...
    app.stop(); fake.stop()

Both capture stdout and stderr into a file; `.logs()` returns what was written so far.

Every process a test starts goes through `spawn`: it leads a process group of its own, and
`stop_group` ends the whole group (TERM, then KILL after a timeout), so gunicorn's workers or
the demo's children never outlive the test. `leftover_children` is what the session-finish
check in tests/conftest.py uses to fail a run that leaves any child process behind.
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
from typing import Any, NoReturn

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


def missing_tool(reason: str) -> NoReturn:
    """A tool a test needs is not installed: a skip on a developer's machine, but a failure
    in CI (CI=true), where scripts/test.sh installs it and a skip would hide a broken setup."""
    import pytest

    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spawn(argv: list[str], **kw: Any) -> subprocess.Popen[Any]:
    """`subprocess.Popen`, leading a new process group (Ctrl+C in the terminal reaches only
    pytest, whose fixtures then stop each group in order)."""
    return subprocess.Popen(argv, process_group=0, **kw)


def stop_group(popen: subprocess.Popen[Any], timeout: float = 10.0) -> int:
    """TERM the process's group (as Ctrl+C would reach it); after ``timeout``, KILL what is
    left of it and of every other descendant it had (the demo starts its children in sessions
    of their own, and stops them itself on TERM). Returns the leader's exit code."""
    family = descendants(popen.pid)
    _signal(popen.pid, set(), signal.SIGTERM)
    if not _gone(popen, family, time.monotonic() + timeout):
        _signal(popen.pid, family, signal.SIGKILL)
        _gone(popen, family, time.monotonic() + timeout)
    return popen.wait(timeout)


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (Linux /proc; empty elsewhere)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children_of(todo.pop()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def children_of(pid: int) -> set[int]:
    """The direct children of ``pid``, from every one of its threads (Linux /proc)."""
    found: set[int] = set()
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found.update(int(child) for child in listing.read_text().split())
    return found


def describe(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return f"{pid} (gone)"
    return f"{pid} {' '.join(a.decode(errors='replace') for a in argv if a)[:200]}"


def is_interpreter_helper(pid: int) -> bool:
    """multiprocessing's resource tracker: Python starts it for a test that uses a spawn
    context, and it ends with this interpreter, after any check of ours can run."""
    return "multiprocessing.resource_tracker" in describe(pid)


def is_zombie(pid: int) -> bool:
    try:
        # /proc/<pid>/stat: "pid (comm) state ..."; comm may hold spaces and parentheses.
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def adopt_orphans() -> bool:
    """Make this process the reaper of its orphaned descendants (Linux PR_SET_CHILD_SUBREAPER),
    so a grandchild whose parent died (the demo's fake after a SIGKILL of the demo) becomes
    our child and `leftover_children` still sees it. False where that is not possible."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(36, 1, 0, 0, 0) == 0)  # 36 = PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def leftover_children(grace: float = 5.0) -> list[str]:
    """This process's children still alive after ``grace`` seconds, described; zombies are
    reaped on the way (their owners are gone by now)."""
    deadline = time.monotonic() + grace
    while True:
        alive = set()
        for pid in children_of(os.getpid()):
            if is_zombie(pid):
                _reap(pid)
            elif not is_interpreter_helper(pid):
                alive.add(pid)
        if not alive or time.monotonic() > deadline:
            return [describe(pid) for pid in sorted(alive)]
        time.sleep(0.1)


def stop_group_or_process(pid: int, timeout: float = 5.0) -> None:
    """End a process we hold no Popen for (a leftover found at the end): its group if it
    leads one, else itself; TERM, then KILL after ``timeout``."""
    for signum in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if os.getpgid(pid) == pid:
                os.killpg(pid, signum)
            else:
                os.kill(pid, signum)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _reap(pid)
            if not Path(f"/proc/{pid}").exists():
                return
            time.sleep(0.05)


def _signal(pgid: int, family: set[int], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)
    for member in family:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(member, signum)


def _gone(popen: subprocess.Popen[Any], family: set[int], deadline: float) -> bool:
    """Wait until the leader has exited and nothing of its group or family is left."""
    while True:
        # Only once the leader is reaped (poll) may its group's adopted orphans be reaped too:
        # waitpid(-group) first could take the leader's exit status from Popen.
        if popen.poll() is not None:
            _reap(-popen.pid)
            for member in family:
                _reap(member)
            try:
                os.killpg(popen.pid, 0)
            except ProcessLookupError:
                if not any(Path(f"/proc/{m}").exists() and not is_zombie(m) for m in family):
                    return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def _reap(pid: int) -> None:
    """Collect our exited children: ``pid``, or every one in group ``-pid`` (orphans we adopted)."""
    with contextlib.suppress(ChildProcessError, OSError):
        while os.waitpid(pid, os.WNOHANG)[0]:
            pass


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
        stop_group(self.popen, timeout)
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
    popen = spawn(argv, cwd=cwd, env=env, stdout=log_file, stderr=subprocess.STDOUT)
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
