"""The recipient's pages over HTTP; endpoints are named for pages: redeem.landing, ..."""

from flask import Blueprint

from redeem.web.request_context import load

bp = Blueprint("redeem", __name__)
bp.url_value_preprocessor(load)

from redeem.web import home, views  # noqa: E402,F401  (routes register on import)
