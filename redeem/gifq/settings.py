"""How the client reaches GIFQ: base URL, timeouts, body and pool limits.

Defaults live in one place, ``redeem.config.GIFQ_DEFAULTS``; a config that leaves a value
out gets the same default the environment would.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from redeem.config import GIFQ_DEFAULTS


def setting(config: Mapping[str, Any], name: str) -> Any:
    """A GIFQ_* value from the app's config, else its one default."""
    value = config.get(name)
    return GIFQ_DEFAULTS[name] if value is None else value


@dataclass(frozen=True, slots=True)
class Settings:
    base_url: str | None
    connect_timeout: float
    read_timeout: float
    write_timeout: float
    pool_timeout: float
    deadline: float
    max_body: int
    max_connections: int
    transport: httpx.BaseTransport | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        base = config.get("GIFQ_API_BASE") or None
        if base is not None:
            url = httpx.URL(base)
            if url.scheme not in ("http", "https") or not url.host:
                raise ValueError("GIFQ_API_BASE must be an http(s) URL")
            base = str(base).rstrip("/")
        return cls(
            base_url=base,
            connect_timeout=float(setting(config, "GIFQ_CONNECT_TIMEOUT")),
            read_timeout=float(setting(config, "GIFQ_READ_TIMEOUT")),
            write_timeout=float(setting(config, "GIFQ_WRITE_TIMEOUT")),
            pool_timeout=float(setting(config, "GIFQ_POOL_TIMEOUT")),
            deadline=float(setting(config, "GIFQ_DEADLINE")),
            max_body=int(setting(config, "GIFQ_MAX_BODY")),
            max_connections=int(setting(config, "GIFQ_MAX_CONNECTIONS")),
            transport=config.get("GIFQ_TRANSPORT"),
        )
