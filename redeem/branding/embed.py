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


def frame_ancestors(campaign_origins: tuple[str, ...], global_origins: tuple[str, ...]) -> tuple[str, ...]:
    allowed: list[str] = []
    for raw in (*campaign_origins, *global_origins):
        origin = valid_origin(raw)
        if origin is None:
            log.warning("dropped an embed origin that is not a strict https origin", extra={"origin": raw[:100] if isinstance(raw, str) else None})
        elif origin not in allowed:
            allowed.append(origin)
    return tuple(allowed)
