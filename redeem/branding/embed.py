"""Which origins may frame a campaign's pages: the campaign's own list plus EMBED_ORIGINS.

Each origin is checked strictly before it goes into the CSP header, because a value like
`https://a.example; script-src *` would otherwise rewrite our policy. Anything else is
dropped and logged.
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

LOOPBACK = ("localhost", "127.0.0.1", "[::1]")
# Keeps the CSP header well under proxies' header size limits.
MAX_ORIGINS = 40
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOST = rf"(?:\*\.)?{_LABEL}(?:\.{_LABEL})*"
_ORIGIN = re.compile(rf"(?P<scheme>https?)://(?P<host>{_HOST}|\[::1\])(?::(?P<port>[0-9]{{1,5}}))?")


def valid_origin(value: str) -> str | None:
    """The origin in canonical form, or None when it may not frame us."""
    if not isinstance(value, str) or len(value) > 253:
        return None
    match = _ORIGIN.fullmatch(value.strip().lower())
    if match is None:
        return None
    host, port = match["host"], match["port"]
    if port is not None and not 0 < int(port) < 65536:
        return None
    if match["scheme"] == "http" and host not in LOOPBACK:
        return None
    if host.startswith("*.") and host.count(".") < 2:
        return None  # `*.com` would let every site frame us
    return f"{match['scheme']}://{host}" + (f":{port}" if port else "")


def frame_ancestors(
    campaign_origins: tuple[str, ...], global_origins: tuple[str, ...]
) -> tuple[str, ...]:
    """The global list (operators' own sites), then the campaign's: checked, deduplicated."""
    allowed: list[str] = []
    for raw in (*global_origins, *campaign_origins):
        origin = valid_origin(raw)
        if origin is None:
            # Never echo a huge or hostile value into the logs whole.
            shown = raw[:100] if isinstance(raw, str) else type(raw).__name__
            log.warning(
                "dropped an embed origin that is not a strict https origin", extra={"origin": shown}
            )
        elif origin not in allowed:
            if len(allowed) == MAX_ORIGINS:
                log.warning("dropped embed origins beyond the first %d", MAX_ORIGINS)
                break
            allowed.append(origin)
    return tuple(allowed)


def framed(flow_embedded: bool = False) -> bool:
    """Is this request for a page inside a frame?

    Fetch metadata says so exactly (`Sec-Fetch-Dest: iframe`), so "Open in a new tab" shows
    the full layout even for a flow that began embedded. Without it (old browsers, fetches),
    the `embed=1` the frame's URL or form carried decides, as remembered by the flow.
    """
    from flask import request

    dest = request.headers.get("Sec-Fetch-Dest")
    if dest is not None and dest != "empty":
        return dest in ("iframe", "frame")
    from werkzeug.exceptions import HTTPException

    try:
        return request.values.get("embed") == "1" or flow_embedded
    except HTTPException:  # the body was refused (413): its error page must still render
        return request.args.get("embed") == "1" or flow_embedded


def new_tab_url() -> str:
    """Where "Open in a new tab" goes: this same step, top-level, without `embed=1`.

    Pages rendered by a POST (a form back with errors) have a GET page at the same path.
    """
    from urllib.parse import urlencode

    from flask import request

    if request.method != "GET":
        return request.path
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "embed"]
    return request.path + (f"?{urlencode(args)}" if args else "")
