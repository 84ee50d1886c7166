"""The fake GIFQ server as a Flask app: ``create_app(**options)`` is a list of named steps."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from flask import Flask, Response, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from redeem.fake_gifq.clock import Clock
from redeem.fake_gifq.errors import ApiError
from redeem.fake_gifq.http_io import respond
from redeem.fake_gifq.logos import require_pillow
from redeem.fake_gifq.merchant import merchant
from redeem.fake_gifq.platform import Faults, RateLimiter, rate_limited
from redeem.fake_gifq.recipient import recipient
from redeem.fake_gifq.sandbox import assets, sandbox
from redeem.fake_gifq.seed import seed_store
from redeem.fake_gifq.state import FakeState, fake_state
from redeem.fake_gifq.store import Store
from redeem.fake_gifq.wire import FaultInjector


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
    require_pillow()
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
