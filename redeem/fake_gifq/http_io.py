"""Reading requests and writing responses, shared by the fake's blueprints (merchant,
recipient, sandbox): JSON bodies with exact decimals, JSON answers, pages, ETags."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from flask import Response, current_app, request

from redeem.fake_gifq.errors import malformed
from redeem.fake_gifq.platform import paginate


def base_url() -> str:
    return request.host_url.rstrip("/")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def read_json(*, required: bool = True) -> Any:
    """The body as JSON with decimals kept exact; an empty optional body is ``{}``."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise malformed("the body must be JSON")
        return {}
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant)
    except ValueError:
        raise malformed("the body is not valid JSON") from None


def respond(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = current_app.response_class(
        current_app.json.dumps(data), status=status, mimetype="application/json"
    )
    if headers:
        response.headers.update(headers)
    return response


def respond_page(items: Sequence[Any], render: Any) -> Response:
    chunk, headers = paginate(items, request.args)
    return respond([render(item) for item in chunk], headers=headers)


def respond_cacheable(data: Any) -> Response:
    """200 with a strong ETag, or 304 when the client already holds this exact body."""
    body = current_app.json.dumps(data)
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        # The body changes with the verification header, and it may hold card codes.
        "Vary": "X-Verification-Token",
        "Cache-Control": "private, no-cache",
    }
    wanted = request.headers.get("If-None-Match", "")
    if etag in {tag.strip() for tag in wanted.split(",")} or wanted.strip() == "*":
        response = current_app.response_class(status=304)
        response.headers.update(headers)
        return response
    response = current_app.response_class(body, status=200, mimetype="application/json")
    response.headers.update(headers)
    return response
