"""The recipient's pages. Endpoints are named for pages: redeem.landing, redeem.code, ..."""

from redeem.web import home, views  # noqa: F401  (routes register on import)
from redeem.web.blueprint import bp

__all__ = ["bp"]
