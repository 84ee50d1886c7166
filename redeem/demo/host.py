"""The merchant's page in the demo: another site that embeds a redeem link in an iframe.

Served from http://localhost:PORT while the app is on http://127.0.0.1:PORT, so the two
are different sites, as a real merchant's page and the redeem app would be: cookies,
framing rules and postMessage all behave as they would in production.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Rewards: your gift card (GIFQ Redeem embed demo)</title>
<style nonce="{nonce}">
  body {{ font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 960px; padding: 1rem; }}
  iframe {{ border: 1px solid #767676; width: 100%; height: 760px; }}
  #events {{ font-family: ui-monospace, monospace; font-size: 14px; }}
  nav ul {{ display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; padding: 0; list-style: none; }}
</style>
</head>
<body>
<main>
<h1>Acme Rewards: your gift card</h1>
<p>This page plays the merchant's site. It is served from <code>{host_origin}</code>;
the frame below is the redeem app at <code>{app_origin}</code>, a different site.</p>
<nav aria-label="Demo payouts"><ul>{links}</ul></nav>
<iframe src="{frame_src}" title="Redeem your gift card" allow="clipboard-write"></iframe>
<h2>Messages from the frame</h2>
<p>Events the redeem app posts to this page, accepted only from {app_origin}:</p>
<ol id="events" aria-live="polite"></ol>
</main>
<script nonce="{nonce}">
  const APP_ORIGIN = {app_origin_json};
  const frame = document.querySelector("iframe");
  window.addEventListener("message", (event) => {{
    // Any site can post to any window: only the frame we embedded is listened to.
    if (event.origin !== APP_ORIGIN || event.source !== frame.contentWindow) return;
    const item = document.createElement("li");
    item.textContent = new Date().toLocaleTimeString() + "  " + JSON.stringify(event.data);
    document.getElementById("events").append(item);
  }});
</script>
</body>
</html>
"""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def render_page(payouts: list[dict[str, Any]], chosen: int, host_origin: str) -> tuple[str, str]:
    frame_src = payouts[chosen]["redeem_url"]
    app_origin = _origin(frame_src)
    nonce = secrets.token_urlsafe(16)
    links = "".join(
        f'<li><a href="/?payout={index}"'
        + (' aria-current="page"' if index == chosen else "")
        + f">{html.escape(str(payout.get('label', index)))}</a></li>"
        for index, payout in enumerate(payouts)
    )
    return PAGE.format(
        nonce=nonce,
        host_origin=html.escape(host_origin),
        app_origin=html.escape(app_origin),
        # "<" escaped so a value can never close the script element.
        app_origin_json=json.dumps(app_origin).replace("<", "\\u003c"),
        links=links,
        frame_src=html.escape(frame_src),
    ), nonce


def branded_index(payouts: list[dict[str, Any]]) -> int:
    """The first payout a recipient can still redeem on a branded campaign."""
    for index, payout in enumerate(payouts):
        redeemable = str(payout.get("scenario", "")).startswith("pending")
        if redeemable and "brand" in str(payout.get("label", "")).lower():
            return index
    return 0


def make_handler(payouts: list[dict[str, Any]], host_origin: str) -> type[BaseHTTPRequestHandler]:
    default = branded_index(payouts)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path != "/":
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            raw = parse_qs(parts.query).get("payout", [str(default)])[0]
            chosen = int(raw) if raw.isdigit() and int(raw) < len(payouts) else default
            body, nonce = render_page(payouts, chosen, host_origin)
            frame_origin = _origin(payouts[chosen]["redeem_url"])
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header(
                "Content-Security-Policy",
                f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
                f"frame-src {frame_origin}; base-uri 'none'; form-action 'none'",
            )
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the demo's terminal is for links and errors, not every page view

    return Handler


def serve(payouts: list[dict[str, Any]], port: int) -> ThreadingHTTPServer:
    host_origin = f"http://localhost:{port}"
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(payouts, host_origin))
    threading.Thread(target=server.serve_forever, name="demo-host", daemon=True).start()
    return server
