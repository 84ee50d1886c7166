"""The one error shape every fake endpoint answers with."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An HTTP error with GIFQ's body: ``{"message", "status": "error", "code", ...extra}``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"message": self.message, "status": "error", "code": self.code, **self.extra}


def invalid(message: str, **extra: Any) -> ApiError:
    """A request that parsed but says something GIFQ will not do (422)."""
    return ApiError(422, "validation_failed", message, **extra)


def malformed(message: str) -> ApiError:
    return ApiError(400, "bad_request", message)
