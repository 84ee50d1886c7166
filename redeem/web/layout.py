"""Rendering a page with everything the layout needs: theme, language, framing, step name.

All of it comes from the page table entry and the request context; a view passes only what
its own template shows.
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, render_template
from flask_babel import get_locale

from redeem.branding.campaign_text import fill
from redeem.branding.theme import allowed_logo
from redeem.i18n.locale import NATIVE_NAMES, SUPPORTED, direction, html_lang
from redeem.journey.pages import Page
from redeem.security.csrf import flow_token, start_token
from redeem.web.links import new_tab_url, switch_url
from redeem.web.request_context import RequestContext, current


def _form_errors(form: Any) -> list[tuple[str, str]]:
    if form is None:
        return []
    return [(field.id, str(message)) for field in form for message in field.errors]


def _csrf_token(ctx: RequestContext) -> str:
    if ctx.flow is not None:
        return flow_token(ctx.flow)
    return start_token(ctx.token_key) if ctx.token_key else ""


def render_page(page: Page, **context: Any) -> tuple[str, int]:
    ctx = current()
    locale = str(get_locale())
    context.setdefault("notice", page.notice)
    if ctx.flow is not None:
        context.setdefault("balance", ctx.flow.balance)
    html = render_template(
        page.template,
        step=page.step,
        locale=locale,
        html_lang=html_lang(locale),
        dir=direction(locale),
        languages=[(code, NATIVE_NAMES[code], switch_url(code)) for code in SUPPORTED],
        theme=ctx.theme,
        campaign=ctx.campaign,
        embedded=ctx.embedded,
        frame_ancestors=ctx.frame_ancestors,
        new_tab_url=new_tab_url(),
        csrf_token=_csrf_token(ctx),
        flow=ctx.flow,
        now=time.time(),
        is_error=page.template.startswith("errors/"),
        fill=fill,
        allowed_image=lambda url: allowed_logo(
            url, tuple(current_app.config.get("ASSET_ORIGINS", ()))
        ),
        errors=_form_errors(context.get("form")),
        redeemed=context.pop("redeemed", None),
        **context,
    )
    return html, page.status
