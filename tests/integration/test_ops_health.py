"""Liveness, readiness and request ids on the real app under gunicorn."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.processes import closed_port_url, start_app
from tests.support.redis import start_redis


class _AnyAnswer(BaseHTTPRequestHandler):
    """Stands in for GIFQ where only 'does it answer HTTP' matters (the readiness ping)."""

    def do_GET(self) -> None:
        body = b'{"error": {"code": "not_found", "message": "stub"}}'
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def gifq_stub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AnyAnswer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def app_with_gifq_down():
    app = start_app(closed_port_url())
    yield app
    app.stop()


@pytest.fixture(scope="module")
def app_with_gifq_up(gifq_stub):
    app = start_app(gifq_stub)
    yield app
    app.stop()


def test_liveness_answers_ok_while_gifq_is_down(app_with_gifq_down):
    status, headers, body = get(app_with_gifq_down.url + "/healthz")
    assert (status, body) == (200, b"ok")
    assert headers["Cache-Control"] == "no-store"


def test_readiness_fails_naming_gifq_while_gifq_is_down(app_with_gifq_down):
    status, _, body = get(app_with_gifq_down.url + "/readyz")
    assert status == 503
    assert json.loads(body) == {"status": "unready", "checks": {"gifq": "failed"}}


def test_readiness_passes_when_gifq_answers(app_with_gifq_up):
    status, _, body = get(app_with_gifq_up.url + "/readyz")
    assert status == 200
    assert json.loads(body) == {"status": "ready", "checks": {"gifq": "ok"}}


def test_a_well_formed_incoming_request_id_is_echoed(app_with_gifq_up):
    _, headers, _ = get(app_with_gifq_up.url + "/healthz", {"X-Request-Id": "proxy-id-1234"})
    assert headers["X-Request-Id"] == "proxy-id-1234"


@pytest.mark.parametrize(
    "incoming", ["short", "has spaces in it", "x" * 65, 'quote"and;semicolon', ""]
)
def test_a_malformed_incoming_request_id_is_replaced_by_a_fresh_one(app_with_gifq_up, incoming):
    _, headers, _ = get(app_with_gifq_up.url + "/healthz", {"X-Request-Id": incoming})
    assert headers["X-Request-Id"] != incoming
    assert len(headers["X-Request-Id"]) == 32


def test_error_pages_carry_the_request_id_too(app_with_gifq_down):
    status, headers, _ = get(
        app_with_gifq_down.url + "/no-such-page", {"X-Request-Id": "err-page-42"}
    )
    assert status == 404
    assert headers["X-Request-Id"] == "err-page-42"


def test_readiness_fails_naming_redis_when_redis_stops(gifq_stub):
    redis_server = start_redis()
    app = start_app(gifq_stub, REDIS_URL=redis_server.url, WEB_CONCURRENCY="2")
    try:
        status, _, body = get(app.url + "/readyz")
        assert status == 200
        assert json.loads(body)["checks"] == {"gifq": "ok", "redis": "ok"}

        redis_server.stop()
        status, _, body = get(app.url + "/readyz")
        assert status == 503
        assert json.loads(body) == {
            "status": "unready",
            "checks": {"gifq": "ok", "redis": "failed"},
        }
        # Liveness stays up: restarting workers would not bring Redis back.
        assert get(app.url + "/healthz")[0] == 200
    finally:
        app.stop()
        redis_server.stop()


def test_probes_are_not_rate_limited(app_with_gifq_up):
    started = time.monotonic()
    statuses = {get(app_with_gifq_up.url + "/healthz")[0] for _ in range(150)}
    assert statuses == {200}, f"150 probes in {time.monotonic() - started:.1f} s"
