"""Rendering a page with everything the layout needs: theme, language, framing, step name."""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, g, render_template
from flask_babel import get_locale

from redeem.branding.campaign_text import fill
from redeem.branding.theme import DEFAULT_THEME, allowed_logo
from redeem.i18n.locale import NATIVE_NAMES, SUPPORTED, direction, html_lang
from redeem.journey.pages import Page
from redeem.security.csrf import flow_token, start_token
from redeem.web.links import new_tab_url, switch_url


def _form_errors(form: Any) -> list[tuple[str, str]]:
    if form is None:
        return []
    return [(field.id, str(message)) for field in form for message in field.errors]


def render_page(page: Page, **context: Any) -> tuple[str, int]:
    locale = str(get_locale())
    flow = context.pop("flow", None) or getattr(g, "flow", None)
    g.step = page.step
    context.setdefault("notice", None)
    error = page.template.startswith("errors/")
    html = render_template(
        page.template,
        step=page.step,
        locale=locale,
        html_lang=html_lang(locale),
        dir=direction(locale),
        languages=[(code, NATIVE_NAMES[code], switch_url(code)) for code in SUPPORTED],
        theme=getattr(g, "theme", DEFAULT_THEME),
        campaign=getattr(g, "campaign", None),
        embedded=context.pop("embedded", None) or getattr(g, "embedded", False),
        frame_ancestors=getattr(g, "frame_ancestors", ()),
        new_tab_url=new_tab_url(),
        csrf_token=flow_token(flow)
        if flow is not None
        else (start_token(g.token_key) if getattr(g, "token_key", None) else ""),
        flow=flow,
        now=time.time(),
        is_error=error,
        fill=fill,
        allowed_image=lambda url: allowed_logo(
            url, tuple(current_app.config.get("ASSET_ORIGINS", ()))
        ),
        errors=_form_errors(context.get("form")),
        redeemed=context.pop("redeemed", None),
        **context,
    )
    return html, page.status
