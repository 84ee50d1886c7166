"""The suite fails when a test leaves a process running (tests/conftest.py's session-finish
check), and stops that process; a test that stops what it started passes.

Each case runs a small pytest session of its own, in a subprocess, with the same two hooks."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.processes import ROOT

CONFTEST = "from tests.conftest import pytest_configure, pytest_sessionfinish  # noqa: F401\n"
# Writes its pid where the outer test can find it, then sleeps.
SLEEPER = "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(120)"
LEAKS = {
    "a child it never stopped": f"""
import subprocess, sys
def test_starts_a_sleeper(tmp_path):
    subprocess.Popen([sys.executable, "-c", {SLEEPER!r}, {{pid_file!r}}])
""",
    # What a SIGKILL of the demo did: its parent is gone, the grandchild lives on.
    "an orphaned grandchild": f"""
import subprocess, sys
def test_orphans_a_sleeper():
    script = "import subprocess, sys; subprocess.Popen(sys.argv[1:])"
    subprocess.run([sys.executable, "-c", script, sys.executable, "-c", {SLEEPER!r},
                    {{pid_file!r}}], check=True)
""",
}
STOPPED = f"""
import sys, time
from pathlib import Path
from tests.support.processes import spawn, stop_group
def test_starts_and_stops_a_sleeper():
    popen = spawn([sys.executable, "-c", {SLEEPER!r}, {{pid_file!r}}])
    while not Path({{pid_file!r}}).exists():
        time.sleep(0.05)
    assert stop_group(popen) != 0
"""


def run_session(tmp_path: Path, test_source: str) -> tuple[subprocess.CompletedProcess[str], int]:
    pid_file = tmp_path / "sleeper.pid"
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_case.py").write_text(test_source.format(pid_file=str(pid_file)))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return done, int(pid_file.read_text())


def gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stat = Path(f"/proc/{pid}/stat")
        if not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("case", LEAKS, ids=list(LEAKS))
def test_a_process_left_running_fails_the_run_and_is_stopped(tmp_path: Path, case: str) -> None:
    done, pid = run_session(tmp_path, LEAKS[case])
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "1 passed" in output  # the test itself passed: only the check failed the run
    assert "child processes left running" in output, output
    assert f"  {pid} " in output and "time.sleep(120)" in output, output
    assert gone(pid), f"the leftover {pid} was not stopped"


def assert_clean_run(done: subprocess.CompletedProcess[str]) -> None:
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "child processes left running" not in output


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_a_process_stopped_by_its_test_passes_the_check(tmp_path: Path) -> None:
    done, pid = run_session(tmp_path, STOPPED)
    assert_clean_run(done)
    assert gone(pid, timeout=0.5)


SPAWNS = """
import multiprocessing, os
def write_pid(path):
    open(path, "w").write(str(os.getpid()))
def test_spawns_a_worker_and_joins_it():
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()  # starts multiprocessing's resource tracker, which outlives the test
    worker = context.Process(target=write_pid, args=({pid_file!r},))
    worker.start()
    worker.join(30)
    queue.close()
    assert worker.exitcode == 0
"""


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_multiprocessings_own_resource_tracker_is_not_a_leftover(tmp_path: Path) -> None:
    """Python ends its resource tracker itself at exit, after our check: not a leak."""
    done, _ = run_session(tmp_path, SPAWNS)
    assert_clean_run(done)
