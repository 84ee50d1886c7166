"""gunicorn runs threaded workers whose timeout outlasts the whole GIFQ deadline, so a slow
GIFQ becomes our branded 504 page, never a killed worker and a bare 502 from the proxy."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from redeem.config import from_env

CONFIG = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
RENDERING = 2.0  # rendering a page after the last GIFQ answer, generously


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> dict:
    for name in (
        "GUNICORN_THREADS",
        "WEB_CONCURRENCY",
        "GUNICORN_TIMEOUT",
        "GUNICORN_GRACEFUL_TIMEOUT",
        "PROMETHEUS_MULTIPROC_DIR",
        "GIFQ_DEADLINE",
        "REDIS_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WEB_CONCURRENCY", "")  # the file publishes its worker count here
    return runpy.run_path(str(CONFIG))


def test_workers_are_threaded(settings):
    assert settings["worker_class"] == "gthread"
    assert settings["threads"] >= 4


def test_one_process_without_redis_and_two_with_it(monkeypatch: pytest.MonkeyPatch, settings):
    # Without Redis, flows and limits live in one process: a second would split them.
    assert settings["workers"] == 1
    monkeypatch.setenv("WEB_CONCURRENCY", "")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert runpy.run_path(str(CONFIG))["workers"] == 2


def test_the_worker_timeout_outlasts_the_gifq_deadline(settings):
    deadline = from_env({})["GIFQ_DEADLINE"]
    # Processing runs at most two GIFQ calls in a row (re-read, then the redemption again).
    assert settings["timeout"] > 2 * deadline + RENDERING
    assert settings["graceful_timeout"] > deadline + RENDERING


def test_the_access_log_is_ours(settings):
    assert settings["logger_class"] == "redeem.ops.gunicorn_logging.JsonLogger"
