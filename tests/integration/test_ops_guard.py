"""`gunicorn app:app` with an unsafe configuration exits at once, saying why in one line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.processes import ROOT, app_env, free_port


def run_gunicorn(*args: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    environment = app_env("http://127.0.0.1:9", free_port(), **env)
    return subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *args, "app:app"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "tooshort"}, "SECRET_KEY is too short"),
        ({"FLASK_DEBUG": "1"}, "debug mode is on"),
        ({"GIFQ_API_BASE": "http://gifq.example"}, "GIFQ_API_BASE must be https outside loopback"),
        ({"WEB_CONCURRENCY": "2"}, "more than one worker or instance needs REDIS_URL"),
        ({"EMBED_ORIGINS": "http://shop.example"}, "EMBED_ORIGINS entry"),
    ],
)
def test_gunicorn_refuses_an_unsafe_config_in_one_line(env, reason):
    result = run_gunicorn(**env)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if reason in line]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "Booting worker" not in result.stderr


def test_a_worker_count_given_on_the_command_line_is_checked_too():
    result = run_gunicorn("--workers", "3")
    assert result.returncode != 0
    assert "more than one worker or instance needs REDIS_URL" in result.stderr
