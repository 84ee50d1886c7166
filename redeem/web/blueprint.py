"""The recipients' blueprint. Endpoints are named for pages: redeem.landing, redeem.code, ...

Its own module, so the views import it without importing the package that imports them."""

from flask import Blueprint

bp = Blueprint("redeem", __name__)
