"""Which origins may frame a campaign's pages: the campaign's own list plus EMBED_ORIGINS.

Each origin is checked strictly before it goes into the CSP header, because a value like
`https://a.example; script-src *` would otherwise rewrite our policy. Anything else is
dropped and logged.

Two rules protect recipients from campaign data that is well-formed but far too wide:
- a wildcard whose remainder is a public suffix (`https://*.co.uk`, `https://*.github.io`)
  would let anyone who can register a name there frame us. The Public Suffix List comes from
  the `publicsuffixlist` package's bundled copy (never fetched at run time): update the
  package to update the list;
- plain-http loopback origins are for the demo and tests, where GIFQ itself is the fake on
  loopback; against a real GIFQ they are dropped.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

LOOPBACK = ("localhost", "127.0.0.1", "[::1]")
# Keeps the CSP header well under proxies' header size limits.
MAX_ORIGINS = 40
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOST = rf"(?:\*\.)?{_LABEL}(?:\.{_LABEL})*"
_ORIGIN = re.compile(rf"(?P<scheme>https?)://(?P<host>{_HOST}|\[::1\])(?::(?P<port>[0-9]{{1,5}}))?")


@functools.cache
def _suffixes() -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()  # the bundled list: loaded once per process, no network


def is_public_suffix(domain: str) -> bool:
    """`co.uk`, `github.io`, `com`, and any unknown TLD (the list's default `*` rule)."""
    return bool(_suffixes().is_public(domain))


def loopback_gifq(gifq_base: str | None) -> bool:
    return (urlsplit(gifq_base or "").hostname or "") in {"localhost", "127.0.0.1", "::1"}


def valid_origin(value: str, *, gifq_base: str | None = None) -> str | None:
    """The origin in canonical form, or None when it may not frame us.

    ``gifq_base``: GIFQ's API base; plain-http loopback origins count only when it is on
    loopback too (the demo and the tests run the fake there).
    """
    if not isinstance(value, str) or len(value) > 253:
        return None
    match = _ORIGIN.fullmatch(value.strip().lower())
    if match is None:
        return None
    host, port = match["host"], match["port"]
    if port is not None and not 0 < int(port) < 65536:
        return None
    if match["scheme"] == "http" and (host not in LOOPBACK or not loopback_gifq(gifq_base)):
        return None
    if host.startswith("*.") and is_public_suffix(host[2:]):
        return None  # `*.com`, `*.co.uk`, `*.github.io`: anyone could register a framer there
    return f"{match['scheme']}://{host}" + (f":{port}" if port else "")


def frame_ancestors(
    campaign_origins: tuple[str, ...],
    global_origins: tuple[str, ...],
    *,
    gifq_base: str | None = None,
) -> tuple[str, ...]:
    """The global list (operators' own sites), then the campaign's: checked, deduplicated."""
    allowed: list[str] = []
    for raw in (*global_origins, *campaign_origins):
        origin = valid_origin(raw, gifq_base=gifq_base)
        if origin is None:
            # Never echo a huge or hostile value into the logs whole.
            shown = raw[:100] if isinstance(raw, str) else type(raw).__name__
            log.warning(
                "dropped an embed origin: not a strict https origin under a registrable domain",
                extra={"origin": shown},
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
