"""The recipient's pages. Endpoints are named for pages: redeem.landing, redeem.code, ..."""

from flask import Blueprint

bp = Blueprint("redeem", __name__)

from redeem.web import home, views  # noqa: E402,F401  (routes register on import)
