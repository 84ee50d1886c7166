"""The fake GIFQ server as a Flask app: ``create_app(**options)`` is a list of named steps."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import Flask, Response, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from redeem.fake_gifq.clock import Clock
from redeem.fake_gifq.errors import ApiError, malformed
from redeem.fake_gifq.platform import Faults, RateLimiter, paginate, rate_limited
from redeem.fake_gifq.store import Store
from redeem.fake_gifq.wire import FaultInjector


@dataclass
class FakeState:
    store: Store
    faults: Faults
    limiter: RateLimiter
    api_token: str
    rate_limit: int
    seed_options: dict[str, Any] = field(default_factory=dict)


def _no_decimals(o: Any) -> Any:
    # Flask would quietly turn a Decimal into a string; GIFQ sends numbers. Fail loudly.
    raise TypeError(f"{type(o).__name__} must be rendered before it reaches JSON")


class StrictJSONProvider(DefaultJSONProvider):
    default = staticmethod(_no_decimals)
    sort_keys = False
    compact = True


def create_app(
    *,
    api_token: str | None = None,
    rate_limit: int = 10,
    redeem_base: str = "http://127.0.0.1:8000",
    embed_origins: Sequence[str] = (),
    seed: bool = True,
) -> Flask:
    app = Flask(__name__)
    app.json = StrictJSONProvider(app)
    state = FakeState(
        store=Store(clock=Clock(), redeem_base=redeem_base, embed_origins=list(embed_origins)),
        faults=Faults(),
        limiter=RateLimiter(rate_limit),
        api_token=api_token or f"gifq_sandbox_{secrets.token_urlsafe(24)}",
        rate_limit=rate_limit,
    )
    app.extensions["fake_gifq"] = state
    register_rate_limit(app)
    register_blueprints(app)
    register_error_handlers(app)
    app.wsgi_app = FaultInjector(app.wsgi_app, state.faults)  # type: ignore[method-assign]
    if seed:
        from redeem.fake_gifq.seed import seed_store

        seed_store(state.store)
    return app


def register_rate_limit(app: Flask) -> None:
    @app.before_request
    def throttle() -> None:
        # The sandbox and the logo assets are the fake's own, not GIFQ's API: never limited.
        if not request.path.startswith("/api"):
            return
        state = fake_state()
        token = request.headers.get("X-Api-Token")
        key = (
            f"token:{token}" if token and token == state.api_token else f"ip:{request.remote_addr}"
        )
        retry_after = state.limiter.check(key)
        if retry_after is not None:
            raise rate_limited(retry_after)


def register_blueprints(app: Flask) -> None:
    from redeem.fake_gifq.merchant import merchant
    from redeem.fake_gifq.recipient import recipient
    from redeem.fake_gifq.sandbox import assets, sandbox

    app.register_blueprint(recipient)
    app.register_blueprint(merchant)
    app.register_blueprint(sandbox)
    app.register_blueprint(assets)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        response = respond(error.body(), error.status)
        response.headers.update(error.headers)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        code = (error.name or "error").lower().replace(" ", "_")
        return respond(
            {"message": error.description or error.name, "status": "error", "code": code},
            error.code or 500,
        )


# --- helpers the blueprints share --------------------------------------------------------


def fake_state() -> FakeState:
    state: FakeState = current_app.extensions["fake_gifq"]
    return state


def base_url() -> str:
    return request.host_url.rstrip("/")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def read_json(*, required: bool = True) -> Any:
    """The body as JSON with decimals kept exact; an empty optional body is ``{}``."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise malformed("the body must be JSON")
        return {}
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant)
    except ValueError:
        raise malformed("the body is not valid JSON") from None


def respond(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = current_app.response_class(
        current_app.json.dumps(data), status=status, mimetype="application/json"
    )
    if headers:
        response.headers.update(headers)
    return response


def respond_page(items: Sequence[Any], render: Any) -> Response:
    chunk, headers = paginate(items, request.args)
    return respond([render(item) for item in chunk], headers=headers)


def respond_cacheable(data: Any) -> Response:
    """200 with a strong ETag, or 304 when the client already holds this exact body."""
    body = current_app.json.dumps(data)
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        # The body changes with the verification header, and it may hold card codes.
        "Vary": "X-Verification-Token",
        "Cache-Control": "private, no-cache",
    }
    wanted = request.headers.get("If-None-Match", "")
    if etag in {tag.strip() for tag in wanted.split(",")} or wanted.strip() == "*":
        response = current_app.response_class(status=304)
        response.headers.update(headers)
        return response
    response = current_app.response_class(body, status=200, mimetype="application/json")
    response.headers.update(headers)
    return response
