"""Prometheus counters for the journey and GIFQ latency. Labels never identify a recipient.

Under gunicorn each worker is a process with its own counters. Set
PROMETHEUS_MULTIPROC_DIR (an empty, writable directory) before the app is imported and
prometheus-client writes them to files there, which /metrics sums across workers;
gunicorn.conf.py empties the directory at start. Without it, each scrape sees one worker.
"""

from __future__ import annotations

import os
import re

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

JOURNEY_STEPS = ("link_opened", "code_sent", "code_verified", "brand_chosen", "card_shown")

# The *_created series (a timestamp per label set) double the output and tell Prometheus
# nothing it does not know from a counter reset; this switch is process-wide.
disable_created_metrics()  # type: ignore[no-untyped-call]  # prometheus_client: unannotated

# Our own registry, not the global default: no process/platform collectors that would
# differ per worker, and nothing another library registers leaks into /metrics.
REGISTRY = CollectorRegistry(auto_describe=True)

JOURNEY = Counter(
    "redeem_journey_steps",
    "Recipients reaching each step of the redemption journey.",
    ["step"],
    registry=REGISTRY,
)
FAILURES = Counter(
    "redeem_failures",
    "Journeys that ended on an error page, by kind (expired, not_found, unavailable...).",
    ["kind"],
    registry=REGISTRY,
)
GIFQ_SECONDS = Histogram(
    "redeem_gifq_request_seconds",
    "Time spent on each GIFQ API call, by endpoint name and HTTP status (or error kind).",
    ["endpoint", "status"],
    registry=REGISTRY,
    # Spread up to GIFQ_DEADLINE (8 s): beyond it the client has already given up.
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0),
)

for _step in JOURNEY_STEPS:
    JOURNEY.labels(step=_step)

# Label values are chosen by code, but a caller passing user input by mistake must not
# create unbounded series or put a token into a label: anything unexpected becomes "other".
_LABEL_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")


def _label(value: object) -> str:
    text = str(value).lower()
    return text if _LABEL_RE.fullmatch(text) else "other"


def record_step(name: str) -> None:
    if name not in JOURNEY_STEPS:
        raise ValueError(f"unknown journey step {name!r}; add it to JOURNEY_STEPS")
    JOURNEY.labels(step=name).inc()


def record_failure(kind: str) -> None:
    FAILURES.labels(kind=_label(kind)).inc()


def observe_gifq(endpoint: str, status: int | str, seconds: float) -> None:
    status_label = str(status) if isinstance(status, int) else _label(status)
    GIFQ_SECONDS.labels(endpoint=_label(endpoint), status=status_label).observe(seconds)


def render() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)
