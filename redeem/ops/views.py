"""Liveness, readiness and metrics: for the orchestrator and Prometheus, not for recipients."""

from __future__ import annotations

import hmac
import logging

import redis
from flask import Blueprint, Response, abort, current_app, jsonify, request

from redeem.extensions import gifq
from redeem.ops import metrics

log = logging.getLogger(__name__)

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    # Liveness only: never calls GIFQ or Redis, so an upstream outage cannot make the
    # orchestrator restart healthy workers in a loop.
    return Response("ok", mimetype="text/plain", headers={"Cache-Control": "no-store"})


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    checks = {"gifq": _check_gifq()}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _check_redis()
    ready = all(result == "ok" for result in checks.values())
    response = jsonify(status="ready" if ready else "unready", checks=checks)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ready else 503


def _check_gifq() -> str:
    try:
        return "ok" if gifq.ping() else "failed"
    except Exception:
        # A probe must answer, not raise: the reason goes to the log, the verdict to the probe.
        log.warning("readiness: GIFQ ping raised", exc_info=True)
        return "failed"


def _check_redis() -> str:
    try:
        return "ok" if _redis_client().ping() else "failed"
    except redis.RedisError as exc:
        log.warning("readiness: Redis ping failed", extra={"error": type(exc).__name__})
        return "failed"


def _redis_client() -> redis.Redis:
    # Our own client with short timeouts: a probe that hangs is as bad as one that fails.
    client = current_app.extensions.get("ops_redis")
    if client is None:
        client = redis.Redis.from_url(
            current_app.config["REDIS_URL"], socket_connect_timeout=1, socket_timeout=1
        )
        current_app.extensions["ops_redis"] = client
    return client


@bp.get("/metrics")
def metrics_view() -> Response:
    expected = current_app.config.get("METRICS_TOKEN")
    if not expected:
        # Unset token: the endpoint does not exist, rather than being open to everyone.
        abort(404)
    supplied = request.headers.get("Authorization", "")
    if not hmac.compare_digest(supplied.encode(), f"Bearer {expected}".encode()):
        return Response(
            "metrics need a bearer token\n",
            status=401,
            mimetype="text/plain",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"', "Cache-Control": "no-store"},
        )
    return Response(
        metrics.render(),
        mimetype="text/plain; version=0.0.4",
        headers={"Cache-Control": "no-store"},
    )
