"""The recipients' blueprint. Endpoints are named for pages: redeem.landing, redeem.code, ...

Its own module, so the views import it without importing the package that imports them."""

from flask import Blueprint

from redeem.web.request_context import load

bp = Blueprint("redeem", __name__)
# Before any limit, precondition or view: what the URL names (redeem/web/request_context.py).
bp.url_value_preprocessor(load)
