"""Which lane of the GIFQ request budget this request's calls use (redeem/gifq/budget.py).

Verified flows and the POSTs that move a journey forward (send a code, check it, redeem)
get the reserved lane; everything else (the landing page any address can ask for, an
unverified flow's pages, probes) gets the open lane, which fails fast when it is full.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, request

from redeem.gifq.budget import OPEN, RESERVED, use_lane


def reset_lane(exc: BaseException | None = None) -> None:
    # A request refused before its before_request hooks ran must not inherit the last lane.
    use_lane(RESERVED)


def register_lanes(app: Flask, *, verified: Callable[[], bool]) -> None:
    """``verified``: whether this request belongs to a verified flow (the app's request
    context says; before_request runs after the URL value preprocessors that load it)."""

    def choose_lane() -> None:
        use_lane(RESERVED if request.method == "POST" or verified() else OPEN)

    app.before_request(choose_lane)
    app.teardown_request(reset_lane)
