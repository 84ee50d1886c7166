"""What must never reach a log line: recipient tokens, one-time codes and secrets.

Views should not log these in the first place; this is the defence in depth applied to
every log record and to gunicorn's access log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REDACTED = "<redacted>"

# A payout token is 43 URL-safe characters (32 random bytes, CONTRACT §3). Matching any
# such run, not just ones after /r/, also catches tokens inside GIFQ URLs and error text.
TOKEN_RE = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
# The emailed one-time code is six digits.
# Not inside a longer word: six digits within a hex hash or request id are not a code, and
# redacting them would break the very ids that tie log lines together.
CODE_RE = re.compile(r"(?<![0-9A-Za-z])[0-9]{6}(?![0-9A-Za-z])")
# Whatever follows /r/ in a path is the recipient's link, even if it is malformed.
REDEEM_PATH_RE = re.compile(r"/r/[^/?#\s\"]+")
# A flow id is a bearer credential too: after verification it opens the card page until the
# flow expires, so whoever reads an access log must not be able to replay it.
FLOW_PATH_RE = re.compile(r"/f/[^/?#\s\"]+")

SECRET_FIELDS = frozenset(
    {
        "token",
        "code",
        "password",
        "secret",
        "secret_key",
        "authorization",
        "cookie",
        "set_cookie",
        "api_token",
        "x_api_token",
        "verification_token",
        "x_verification_token",
        "metrics_token",
        "csrf_token",
    }
)


def redact_text(text: str) -> str:
    text = REDEEM_PATH_RE.sub("/r/" + REDACTED, text)
    text = FLOW_PATH_RE.sub("/f/" + REDACTED, text)
    text = TOKEN_RE.sub(REDACTED, text)
    return CODE_RE.sub(REDACTED, text)


def redact_path(path: str) -> str:
    return redact_text(path)


def is_secret_field(name: str) -> bool:
    return name.lower().replace("-", "_") in SECRET_FIELDS


def redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {
            k: REDACTED if is_secret_field(str(k)) else redact_value(v) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    return value
