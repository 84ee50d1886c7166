"""The front page: what this service is, and in the demo, the demo links."""

from __future__ import annotations

from flask import current_app

from redeem.flow.states import Page
from redeem.journey import bp
from redeem.journey.render import render_page


@bp.get("/")
def home() -> tuple[str, int]:
    demo_links = current_app.config.get("DEMO_LINKS", ())
    return render_page(Page("home.html", 200, "home"), demo_links=demo_links)
