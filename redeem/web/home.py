"""The front page: what this service is, and in the demo, the demo links."""

from __future__ import annotations

from flask import current_app

from redeem.journey import pages
from redeem.web.blueprint import bp
from redeem.web.layout import render_page


@bp.get("/")
def home() -> tuple[str, int]:
    demo_links = current_app.config.get("DEMO_LINKS", ())
    return render_page(pages.HOME, demo_links=demo_links)
