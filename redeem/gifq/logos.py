"""Brand logos as bytes, for the one place that must carry an image inside a file: an Apple
Wallet pass (Wallet cannot load a URL). Pages never use this: they link the logo itself.

A logo is fetched once per process and kept (brands rarely change their logo; a restart
forgets). Only from an allowed asset origin (the caller checks), only a PNG, at most 256 KB,
with a short timeout and no redirects, cookies or proxy settings: a slow or odd logo server
costs the pass its logo, never the pass.
"""

from __future__ import annotations

import logging
import threading

import httpx

log = logging.getLogger(__name__)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 256 * 1024
MAX_KEPT = 512
TIMEOUT = httpx.Timeout(2.0, pool=1.0)


class Logos:
    def __init__(self) -> None:
        self._kept: dict[str, bytes | None] = {}
        self._lock = threading.Lock()

    def png(self, url: str) -> bytes | None:
        with self._lock:
            if url in self._kept:
                return self._kept[url]
        data = _fetch(url)
        with self._lock:
            if len(self._kept) >= MAX_KEPT:
                self._kept.clear()
            self._kept[url] = data
        return data

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


def _fetch(url: str) -> bytes | None:
    try:
        with (
            httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False) as client,
            client.stream("GET", url) as response,
        ):
            kind = response.headers.get("content-type", "").split(";")[0].strip()
            if response.status_code != httpx.codes.OK or kind != "image/png":
                log.info("logo not used", extra={"status": response.status_code, "type": kind})
                return None
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    log.info("logo not used: larger than %d bytes", MAX_BYTES)
                    return None
    except httpx.HTTPError as exc:
        log.info("logo not used: %s", type(exc).__name__)
        return None
    return body if body.startswith(PNG_MAGIC) else None
