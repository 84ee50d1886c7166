"""GIFQ Redeem: the page a gift-card recipient lands on."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from redeem import config as settings

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=None,  # served by redeem/static_files.py: fingerprinted and gzipped
    )
    load_config(app, config)
    register_proxy_fix(app)
    register_extensions(app)
    register_templates(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_operations(app)
    return app


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    app.config.update(settings.from_env())
    app.config.update(overrides or {})
    if app.config.get("DEMO") and not app.config.get("SECRET_KEY"):
        import secrets

        app.config["SECRET_KEY"] = secrets.token_hex(32)  # the demo only; production must set one
    settings.check(app.config)
    # Flask's defaults already hold MAX_CONTENT_LENGTH = None, so setdefault would never apply.
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = 16 * 1024
    # Compiled here when missing or stale (redeem/i18n/catalogs.py), or the start is refused.
    from redeem.i18n.catalogs import directory_for

    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(directory_for(app.config))


def register_proxy_fix(app: Flask) -> None:
    hops = app.config["PROXY_HOPS"]
    if hops:
        # Trust exactly as many X-Forwarded-* entries as there are proxies we run: one more and a
        # client could pick its own IP, and with it escape every per-IP rate limit.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    from redeem import extensions
    from redeem.security.lanes import register_lanes
    from redeem.web.request_context import in_verified_flow, select_locale

    extensions.babel.init_app(app, locale_selector=select_locale)
    extensions.init_app(app)
    register_lanes(app, verified=in_verified_flow)


def register_templates(app: Flask) -> None:
    from redeem.i18n.formatting import register_all
    from redeem.static_files import register_static

    app.jinja_env.undefined = __import__("jinja2").StrictUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    register_all(app)
    register_static(app)


def register_blueprints(app: Flask) -> None:
    from redeem.extensions import state_of
    from redeem.security.limits import apply_limits
    from redeem.web import bp
    from redeem.web.limits import LIMITS

    app.register_blueprint(bp)
    apply_limits(app, state_of(app).limiter, LIMITS)


def register_error_handlers(app: Flask) -> None:
    from redeem.web.error_pages import register

    register(app)


def register_security_headers(app: Flask) -> None:
    from redeem.security.headers import register_security_headers as register
    from redeem.web.request_context import current

    # Which sites may frame a page is the campaign's to say: the request context knows it.
    register(app, frame_ancestors=lambda: current().frame_ancestors)


def register_operations(app: Flask) -> None:
    from redeem.ops import register_ops

    register_ops(app)
