"""The recipient's pages over HTTP; endpoints are named for pages: redeem.landing, ..."""

from redeem.web import cards, home, views, wallet  # noqa: F401  (routes register on import)
from redeem.web.blueprint import bp

__all__ = ["bp"]
