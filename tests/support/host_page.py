"""A merchant's page on another site, for embedding tests: http://localhost:PORT, while the
app runs on http://127.0.0.1:PORT (different sites, so cookies, frame-ancestors and
postMessage behave as they would between a real merchant and the redeem app).

    with serve_host_page() as host:
        page.goto(host.embedding(app_url))      # an iframe of app_url; messages recorded
        page.evaluate("window.events")          # [{origin, data}, ...]
        page.goto(host.forging(action, fields)) # a form that auto-posts to action
"""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

EMBED = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Merchant</title>
<style>body{{margin:0;font:16px sans-serif}}
iframe{{display:block;width:100%;height:640px;border:0}}</style>
</head><body><h1>Merchant page</h1>
<iframe id="frame" src="{src}" title="Redeem your gift card" allow="clipboard-write"></iframe>
<script>
  window.events = [];
  const frame = document.getElementById("frame");
  window.addEventListener("message", (event) => {{
    const fromFrame = event.source === frame.contentWindow;
    window.events.push({{origin: event.origin, fromFrame: fromFrame, data: event.data}});
    if (event.data && event.data.type === "gifq-redeem:resize") {{
      frame.style.height = event.data.height + "px";
    }}
  }});
</script></body></html>"""

FORGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Forged</title></head>
<body>
<form id="forged" method="post" action="{action}">{fields}</form>
<script>document.getElementById("forged").submit();</script></body></html>"""


@dataclass
class HostPage:
    origin: str

    def embedding(self, src: str) -> str:
        return f"{self.origin}/embed?{urlencode({'src': src})}"

    def forging(self, action: str, fields: dict[str, str]) -> str:
        return f"{self.origin}/forge?{urlencode({'action': action, 'fields': json.dumps(fields)})}"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/embed":
            body = EMBED.format(src=html.escape(query["src"]))
        elif parts.path == "/forge":
            fields = json.loads(query.get("fields", "{}"))
            inputs = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in fields.items()
            )
            body = FORGE.format(action=html.escape(query["action"]), fields=inputs)
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_host_page() -> Iterator[HostPage]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield HostPage(f"http://localhost:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
