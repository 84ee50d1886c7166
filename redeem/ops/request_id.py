"""A request id per request: taken from the proxy when it sends a sane one, else made here."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Response, g, request

HEADER = "X-Request-Id"
# A proxy's id is trusted only in this shape: nothing that could forge a log line or
# carry a recipient's token (which is 43 characters, and redacted anyway).
INCOMING_RE = re.compile(r"[A-Za-z0-9-]{8,64}")


def assign_request_id(endpoint: str | None = None, values: Any = None) -> None:
    if "request_id" in g:
        return
    incoming = request.headers.get(HEADER, "")
    g.request_id = incoming if INCOMING_RE.fullmatch(incoming) else uuid.uuid4().hex


def echo_request_id(response: Response) -> Response:
    # Also here, for responses made before any hook ran (a request Werkzeug rejected).
    assign_request_id()
    response.headers[HEADER] = g.request_id
    return response
