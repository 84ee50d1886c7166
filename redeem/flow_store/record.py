"""The flow record: where one recipient is in the journey, under an unguessable id.

Money is ``Decimal`` here and everywhere above; it becomes text only in ``to_json``, the
store's boundary, and is parsed back in ``from_json``.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from typing import Any

FLOW_ID_BYTES = 24  # 192 bits: unguessable, and short enough for a URL segment


def new_flow_id() -> str:
    return secrets.token_urlsafe(FLOW_ID_BYTES)


def is_flow_id(value: str) -> bool:
    return len(value) == 32 and all(c.isascii() and (c.isalnum() or c in "-_") for c in value)


@dataclass
class Issued:
    """A redemption this flow asked GIFQ for."""

    reference: str  # the idempotency reference it was sent with ("" when GIFQ's, adopted)
    brand: str
    product_id: str
    face_value: Decimal
    id: str | None = None  # GIFQ's id; None while the POST's outcome is unknown
    failed: bool = False  # GIFQ said it failed: the balance is the recipient's to choose again
    done: bool = False  # GIFQ issued the card
    at: float = 0.0  # when GIFQ answered the POST (epoch seconds)

    @property
    def outcome_unknown(self) -> bool:
        return self.id is None

    @property
    def settled(self) -> bool:
        return self.failed or self.done


@dataclass
class Flow:
    id: str
    token: str
    token_key: str  # HMAC of the token: the only form of it that may reach logs and limiter keys
    campaign_id: str
    root_id: str  # survives id rotation; the idempotency reference is derived from it
    created_at: float
    csrf_secret: str = field(default_factory=lambda: secrets.token_hex(16))
    verified: bool = False
    verification_token: str | None = None
    verification_expires_at: float = 0.0
    locale: str | None = None
    embedded: bool = False
    # "<bound|unbound>:<keyed hash of the binding cookie>" (redeem/security/binding.py)
    binding: str | None = None
    card_until: float = 0.0  # without cookies: until when the card may be shown again
    # Every redemption this flow asked for, oldest first: a split balance holds several.
    issued: list[Issued] = field(default_factory=list)
    notice: str | None = None  # a one-time message for the next page (e.g. fulfilment failed)
    resend_at: float = 0.0  # when GIFQ will accept another code send (epoch seconds)
    # What the pages show about the payout, kept so later steps need no GIFQ call. No secrets.
    amount: Decimal = Decimal(0)
    currency: str = ""
    balance: Decimal = Decimal(0)
    recipient_name: str | None = None
    email_hint: str | None = None
    expires_at: str | None = None

    @property
    def current(self) -> Issued | None:
        """The redemption under way (its outcome unknown or not yet settled), if any."""
        last = self.issued[-1] if self.issued else None
        return last if last is not None and not last.settled else None

    @property
    def last_card(self) -> Issued | None:
        """The card issued last in this flow: the card page shows it."""
        return next((i for i in reversed(self.issued) if i.done), None)

    @property
    def attempt(self) -> int:
        """How many choices have settled: each split gets an idempotency reference of its own."""
        return sum(1 for i in self.issued if i.settled)

    def rotate_id(self) -> str:
        """A new id and CSRF secret (after verification); returns the old id."""
        old, self.id, self.csrf_secret = self.id, new_flow_id(), secrets.token_hex(16)
        return old

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), default=_money_out)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Flow:
        data: dict[str, Any] = json.loads(raw)
        for name in ("amount", "balance"):
            data[name] = Decimal(str(data.get(name) or 0))
        data["issued"] = [_issued_in(i) for i in data.get("issued") or ()]
        _from_before_the_list(data)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def _money_out(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _issued_in(data: dict[str, Any]) -> Issued:
    return Issued(**{**data, "face_value": Decimal(str(data["face_value"]))})


def _from_before_the_list(data: dict[str, Any]) -> None:
    # Flows written before redemptions became a list (they live an hour, so a deploy meets
    # some): a count of settled choices, the card shown last, and the redemption under way
    # (by its id, or the body of a POST never answered).
    if "attempt" not in data:
        return
    settled = int(data.get("attempt") or 0)
    card_id, unknown, rid = (
        data.get("card_id"),
        data.get("redemption_unknown"),
        data.get("redemption_id"),
    )
    issued = [
        Issued("", "", "", Decimal(0), id="", failed=True) for _ in range(settled - bool(card_id))
    ]
    if card_id:
        issued.append(Issued("", "", "", Decimal(0), id=card_id, done=True))
    brand = data.get("redemption_brand") or ""
    if unknown:
        face_value = Decimal(str(unknown["face_value"]))
        issued.append(Issued(unknown["reference"], brand, unknown["product_id"], face_value))
    elif rid:
        issued.append(Issued("", brand, "", Decimal(0), id=rid))
    data["issued"] = issued
