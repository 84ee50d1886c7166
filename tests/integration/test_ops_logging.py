"""Logs are JSON lines with request ids, and never hold a recipient's token or code."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest
from flask import Flask

from redeem.ops import register_ops
from redeem.ops.gunicorn_logging import JsonLogger
from redeem.ops.logs import JsonFormatter, RedactFilter
from tests.support.processes import closed_port_url, start_app

TOKEN = "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5kL7n_-Z"
assert len(TOKEN) == 43


def get(url: str, headers: dict[str, str] | None = None) -> dict[str, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return dict(response.headers)
    except urllib.error.HTTPError as error:
        return dict(error.headers)


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def access_line(app, request_id: str, timeout: float = 5.0) -> dict:
    # gunicorn writes the access line after the response has gone: wait for it.
    deadline = time.monotonic() + timeout
    while True:
        for entry in json_lines(app.logs()):
            if entry["logger"] == "gunicorn.access" and entry["request_id"] == request_id:
                return entry
        assert time.monotonic() < deadline, f"no access line for {request_id}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def app():
    process = start_app(closed_port_url())
    yield process
    process.stop()


def test_the_access_log_shows_redeem_paths_without_the_token(app):
    headers = get(f"{app.url}/r/{TOKEN}?lang=en", {"X-Request-Id": "access-log-test-1"})
    assert headers["X-Request-Id"] == "access-log-test-1"
    line = access_line(app, "access-log-test-1")
    assert TOKEN not in app.logs()
    assert line["path"] == "/r/<redacted>"
    assert line["method"] == "GET"
    assert line["status"] == 503


def test_every_line_the_app_writes_is_a_json_object(app):
    get(f"{app.url}/r/{TOKEN}")
    lines = [line for line in app.logs().splitlines() if line.strip()]
    assert lines
    for line in lines:
        entry = json.loads(line)
        assert {"ts", "level", "logger", "msg", "request_id"} <= entry.keys()


def test_a_malformed_token_in_the_path_is_redacted_too(app):
    get(f"{app.url}/r/not-a-real-token-but-still-private", {"X-Request-Id": "malformed-token-1"})
    access_line(app, "malformed-token-1")
    assert "not-a-real-token-but-still-private" not in app.logs()


# --- the pieces, without processes ------------------------------------------------------


def fake_gunicorn_config(**overrides):
    values = {
        "loglevel": "info",
        "errorlog": "-",
        "accesslog": "-",
        "capture_output": False,
        "syslog": False,
        "disable_redirect_access_to_syslog": False,
        "logconfig_dict": {},
        "logconfig_json": None,
        "logconfig": None,
        "access_log_format": "unused",
    }
    return SimpleNamespace(**{**values, **overrides})


def test_the_gunicorn_access_line_redacts_the_path_and_carries_the_request_id(capsys):
    logger = JsonLogger(fake_gunicorn_config())
    response = SimpleNamespace(
        status="200 OK",
        sent=512,
        headers=[("Content-Type", "text/html"), ("X-Request-Id", "rid-abcdefgh")],
    )
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": f"/r/{TOKEN}/code",
        "QUERY_STRING": "code=123456",
        "RAW_URI": f"/r/{TOKEN}/code?code=123456",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"https://redeem.example/r/{TOKEN}",
    }
    logger.access(response, SimpleNamespace(headers=[]), environ, dt.timedelta(milliseconds=42))

    out = capsys.readouterr().out
    assert TOKEN not in out and "123456" not in out
    entry = json.loads(out)
    assert entry["msg"] == "POST /r/<redacted>/code 200"
    assert entry["path"] == "/r/<redacted>/code"
    assert entry["request_id"] == "rid-abcdefgh"
    assert entry["status"] == 200
    assert entry["duration_ms"] == 42.0


def record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    log_record = logging.LogRecord("redeem.test", logging.INFO, __file__, 1, msg, args, None)
    for key, value in extra.items():
        setattr(log_record, key, value)
    return log_record


def formatted(log_record: logging.LogRecord) -> dict:
    assert RedactFilter().filter(log_record)
    return json.loads(JsonFormatter().format(log_record))


def test_tokens_and_codes_in_a_message_are_redacted():
    entry = formatted(record("payout %s verified with %s", TOKEN, "654321"))
    assert entry["msg"] == "payout <redacted> verified with <redacted>"


def test_secret_fields_are_redacted_whatever_their_value():
    entry = formatted(
        record("sent", code="12", token="short", authorization="Bearer x", attempts_left=2)
    )
    assert entry["code"] == entry["token"] == entry["authorization"] == "<redacted>"
    assert entry["attempts_left"] == 2


def test_nested_extra_fields_are_redacted():
    entry = formatted(record("gifq", response={"url": f"/api/payouts/{TOKEN}", "code": "x"}))
    assert entry["response"] == {"url": "/api/payouts/<redacted>", "code": "<redacted>"}


def test_tracebacks_are_redacted():
    try:
        raise ValueError(f"bad token {TOKEN}")
    except ValueError:
        log_record = logging.LogRecord(
            "redeem.test", logging.ERROR, __file__, 1, "failed", None, __import__("sys").exc_info()
        )
    entry = formatted(log_record)
    assert "ValueError: bad token <redacted>" in entry["exc"]
    assert TOKEN not in json.dumps(entry)


def test_longer_digit_runs_and_other_ids_are_left_alone():
    entry = formatted(record("order 1234567 took 12345 ms, request abcdef12"))
    assert entry["msg"] == "order 1234567 took 12345 ms, request abcdef12"


def test_log_lines_inside_a_request_carry_its_request_id(capsys):
    app = Flask("ops_test")
    register_ops(app)

    @app.get("/r/<token>")
    def landing(token: str) -> str:
        logging.getLogger("redeem.test").warning("opened %s", token)
        return "ok"

    response = app.test_client().get(f"/r/{TOKEN}", headers={"X-Request-Id": "in-request-1"})
    assert response.headers["X-Request-Id"] == "in-request-1"
    entry = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert entry["request_id"] == "in-request-1"
    assert entry["msg"] == "opened <redacted>"
