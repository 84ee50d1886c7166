"""A flow record as the journey leaves it, for unit tests of its rules and steps (no store)."""

from __future__ import annotations

from typing import Any

from redeem.flow_store.record import Flow, Issued
from tests.support.gifq_mock import TOKEN, VT


def a_flow(*issued: Issued, verified: bool = True, **fields: Any) -> Flow:
    """A flow for ``TOKEN``; ``verified`` means verified with ``VT``, valid far into the future."""
    return Flow(
        id="f" * 32,
        token=TOKEN,
        token_key="k",
        campaign_id="c1",
        root_id="f" * 32,
        created_at=0,
        verified=verified,
        verification_token=VT if verified else None,
        verification_expires_at=4_000_000_000.0,
        issued=list(issued),
        **fields,
    )
