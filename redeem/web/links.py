"""Links back to "this page": the language switch and "Open in a new tab".

They are built from the endpoint and its arguments, never copied from the request path:
`GET /%5Cevil.example/%2e%2e` once gave a 404 page whose links were `/\\evil.example/..?lang=…`,
which browsers read as `//evil.example/…` (issue 12, item 3). An error page with no route of
its own (a path we do not serve, a flow that is gone) links to `/`; an error page on a route
(an expired link, a busy landing page) keeps its own page, rebuilt from the route.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import request, url_for
from werkzeug.routing import BuildError

from redeem.web.request_context import current


def _this_page() -> str | None:
    """This page's path, rebuilt from its route, or None when it has none to rebuild."""
    rule = request.url_rule
    if rule is None or request.endpoint is None or "GET" not in (rule.methods or ()):
        return None
    values: dict[str, Any] = dict(request.view_args or {})
    if "flow_id" in rule.arguments:
        flow = current().flow
        if flow is None:
            return None
        values["flow_id"] = flow.id  # the flow's current id (it rotates at verification)
    try:
        return url_for(request.endpoint, **values)
    except BuildError:
        return None


def _query(drop: tuple[str, ...]) -> list[tuple[str, str]]:
    if request.method != "GET":
        return []
    return [(k, v) for k, v in request.args.items(multi=True) if k not in drop]


def switch_url(locale: str) -> str:
    """The same step in another language; GET pages keep their query."""
    flow = current().flow
    if request.method != "GET" and flow is not None:
        # A form that came back with errors: the GET page of the step the flow is at.
        step = "redeem.brands" if flow.verified else "redeem.code"
        return url_for(step, flow_id=flow.id, lang=locale)
    path = _this_page()
    if path is None:
        return "/?" + urlencode({"lang": locale})
    return path + "?" + urlencode([*_query(("lang",)), ("lang", locale)])


def new_tab_url() -> str:
    """Where "Open in a new tab" goes: this same step, top-level, without `embed=1`.

    A flow's pages send the new tab to the landing page instead: the flow is bound to the
    frame's (partitioned) cookie, and its URL must never act as a bearer link in a top-level
    window (issue 12, item 1). The recipient asks for a new code there.
    """
    flow = current().flow
    if flow is not None:
        return url_for("redeem.landing", token=flow.token)
    path = _this_page()
    if path is None:
        return "/"
    query = _query(("embed",))
    return path + (f"?{urlencode(query)}" if query else "")
