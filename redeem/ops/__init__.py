"""Operations: request ids, JSON logs, health, readiness and metrics."""

from __future__ import annotations

from flask import Flask
from flask.logging import default_handler

from redeem.extensions import KEY as STATE_KEY
from redeem.ops.logs import configure_logging
from redeem.ops.metrics import observe_gifq, record_failure, record_step
from redeem.ops.request_id import assign_request_id, echo_request_id
from redeem.ops.views import bp

__all__ = ["observe_gifq", "record_failure", "record_step", "register_ops"]


def register_ops(app: Flask) -> None:
    configure_logging(app.config.get("LOG_LEVEL", "INFO"))
    # Our JSON handler on the root logger replaces Flask's plain-text one.
    app.logger.removeHandler(default_handler)

    # As the app's first URL value preprocessor it runs before every blueprint's
    # preprocessors and before_request hooks, any of which may abort (a malformed token is
    # a 404 before a view runs), so their logs and error pages carry the id too.
    app.url_value_preprocessors.setdefault(None, []).insert(0, assign_request_id)
    app.after_request(echo_request_id)

    # Probes and scrapes come from a few addresses every few seconds; counting them
    # against a per-IP limit would fail readiness exactly when traffic is high.
    state = app.extensions.get(STATE_KEY)  # None for an app without the journey (tests)
    if state is not None:
        state.limiter.exempt(bp)
    app.register_blueprint(bp)

    if state is not None and observe_gifq not in state.gifq.observers:
        state.gifq.observers.append(observe_gifq)
