"""gunicorn's error and access logs as JSON lines, with recipient tokens taken out of paths.

gunicorn.conf.py names this class as `logger_class`. The stock access log would write the
raw request line (`%(r)s`), and the path of a redeem link *is* the recipient's token.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import MutableMapping
from typing import Any

from gunicorn import glogging

from redeem.ops.logs import JsonFormatter, RedactFilter
from redeem.ops.redact import redact_path
from redeem.ops.request_id import HEADER


class JsonLogger(glogging.Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())
                if not any(isinstance(f, RedactFilter) for f in handler.filters):
                    handler.addFilter(RedactFilter())

    def access(
        self, resp: Any, req: Any, environ: MutableMapping[str, Any], request_time: Any
    ) -> None:
        if not self.access_log_enabled:
            return
        status = str(resp.status).split(None, 1)[0]
        method = environ.get("REQUEST_METHOD", "-")
        # PATH_INFO without the query string: queries carry nothing we need in a log line.
        path = redact_path(environ.get("PATH_INFO", "-"))
        fields = {
            "method": method,
            "path": path,
            "status": int(status) if status.isdigit() else status,
            "duration_ms": round(_seconds(request_time) * 1000, 1),
            "bytes": getattr(resp, "sent", None),
            "remote_addr": environ.get("REMOTE_ADDR", "-"),
            "request_id": _response_header(resp, HEADER),
        }
        self.access_log.info("%s %s %s", method, path, status, extra=fields)


def _seconds(request_time: dt.timedelta) -> float:
    return request_time.total_seconds()


def _response_header(resp: Any, name: str) -> str | None:
    wanted = name.lower()
    for key, value in getattr(resp, "headers", None) or []:
        if key.lower() == wanted:
            return str(value)
    return None
