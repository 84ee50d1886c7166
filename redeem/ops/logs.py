"""One JSON object per log line, with the request id and nothing a recipient could be traced by."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from flask import g, has_request_context

from redeem.ops.redact import REDACTED, is_secret_field, redact_text, redact_value

# Attributes every LogRecord has; anything else came in through `extra=` and is logged
# as its own field.
_RECORD_ATTRS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
    | {"message", "asctime", "request_id", "taskName"}
)


def current_request_id() -> str | None:
    if has_request_context():
        request_id: str | None = g.get("request_id")
        return request_id
    return None


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, default=str, ensure_ascii=False)


class RedactFilter(logging.Filter):
    """Rewrites the record in place, so every handler after it sees the redacted text."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage())
        record.args = None
        for key in list(vars(record)):
            if key in _RECORD_ATTRS or key.startswith("_"):
                continue
            value = getattr(record, key)
            setattr(record, key, REDACTED if is_secret_field(key) else redact_value(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
            # The formatter would otherwise re-render the traceback from exc_info, unredacted.
            record.exc_info = None
        return True


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Looks up sys.stderr on every write, so test capture and gunicorn's redirection work."""

    _redeem_json: bool  # marks our handler on the root logger (see configure_logging)

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def json_handler() -> logging.Handler:
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactFilter())
    handler._redeem_json = True
    return handler


def configure_logging(level: str) -> None:
    """Idempotent: create_app runs once per test, and handlers must not pile up."""
    root = logging.getLogger()
    if not any(getattr(h, "_redeem_json", False) for h in root.handlers):
        root.addHandler(json_handler())
    root.setLevel(level.upper())
