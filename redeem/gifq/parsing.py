"""GIFQ's JSON into the models of redeem/gifq/models.py, checked once at the boundary.

A missing field, a wrong type or an unknown status raises ``ContractError``: a template
never meets a ``KeyError`` and secrets are never shown from a half-valid answer.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from redeem.gifq.errors import ContractError
from redeem.gifq.models import (
    DETAIL_FIELDS,
    Barcode,
    BarcodeFormat,
    Brand,
    Branding,
    Campaign,
    CardDetails,
    CatalogEntry,
    CodeSent,
    Payout,
    PayoutStatus,
    Product,
    Recipient,
    Redemption,
    RedemptionStatus,
    Verification,
    VerificationGrant,
)

T = TypeVar("T")


def _req(obj: Any, key: str, kind: type | tuple[type, ...]) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise ContractError(f"missing field {key!r}")
    value = obj[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ContractError(f"field {key!r} has the wrong type")
    return value


def _opt(obj: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ContractError(f"field {key!r} has the wrong type")
    return value


def parse_money(value: Any, field: str = "amount") -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ContractError(f"field {field!r} is not a number")
    try:
        # str() first: a JSON float like 0.1 must become Decimal("0.1"), not its binary expansion.
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ContractError(f"field {field!r} is not a number") from exc
    if not amount.is_finite() or amount < 0:
        raise ContractError(f"field {field!r} is out of range")
    return amount


def parse_datetime(value: Any, field: str) -> datetime | None:
    parsed = _iso(value, field, lambda v: datetime.fromisoformat(v.replace("Z", "+00:00")))
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _parse_date(value: Any, field: str) -> date | None:
    return _iso(value, field, lambda v: date.fromisoformat(v[:10]), "date")


def _iso(value: Any, field: str, parse: Callable[[str], T], what: str = "timestamp") -> T | None:
    """An ISO 8601 string parsed, None for null; anything else is a contract error."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ContractError(f"field {field!r} is not a {what}")
    try:
        return parse(value)
    except ValueError as exc:
        raise ContractError(f"field {field!r} is not a {what}") from exc


def _enum(cls: type[enum.StrEnum], value: Any, field: str) -> Any:
    try:
        return cls(value)
    except ValueError as exc:
        raise ContractError(f"unknown {field} {value!r}") from exc


def _str_tuple(obj: dict[str, Any], key: str) -> tuple[str, ...]:
    value = obj.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ContractError(f"field {key!r} is not a list of strings")
    return tuple(value)


def parse_branding(obj: Any) -> Branding:
    if obj is None:
        return Branding()
    if not isinstance(obj, dict):
        raise ContractError("branding is not an object")

    # Branding is campaign-supplied and optional: a field of the wrong type is dropped, not fatal.
    def text(key: str) -> str | None:
        value = obj.get(key)
        return value if isinstance(value, str) else None

    origins = obj.get("embed_origins")
    return Branding(
        logo_url=text("logo_url"),
        primary_color=text("primary_color"),
        accent_color=text("accent_color"),
        background_color=text("background_color"),
        text_color=text("text_color"),
        font_family=text("font_family"),
        support_email=text("support_email"),
        default_locale=text("default_locale"),
        embed_origins=tuple(o for o in origins if isinstance(o, str))
        if isinstance(origins, list)
        else (),
    )


def parse_campaign(obj: Any) -> Campaign:
    return Campaign(
        id=_req(obj, "id", str),
        sender_name=_opt(obj, "sender_name", str) or "",
        headline=_opt(obj, "headline", str) or "",
        body=_opt(obj, "body", str) or "",
        branding=parse_branding(obj.get("branding")),
    )


def parse_product(obj: Any) -> Product:
    denoms = obj.get("denominations") if isinstance(obj, dict) else None
    if denoms is not None and not isinstance(denoms, list):
        raise ContractError("denominations is not a list")
    return Product(
        id=_req(obj, "id", str),
        country=_req(obj, "country", str),
        currency=_req(obj, "currency", str),
        min_face_value=None
        if obj.get("min_face_value") is None
        else parse_money(obj["min_face_value"], "min_face_value"),
        max_face_value=None
        if obj.get("max_face_value") is None
        else parse_money(obj["max_face_value"], "max_face_value"),
        denominations=None
        if denoms is None
        else tuple(parse_money(d, "denominations") for d in denoms),
    )


def parse_brand(obj: Any) -> Brand:
    return Brand(
        slug=_req(obj, "slug", str),
        name=_req(obj, "name", str),
        logo_url=_opt(obj, "logo_url", str),
        categories=_str_tuple(obj, "categories"),
        description=_opt(obj, "description", str) or "",
        terms=_opt(obj, "terms", str) or "",
        instructions=_opt(obj, "instructions", str) or "",
    )


def parse_barcode(obj: Any) -> Barcode | None:
    # Lenient on purpose: the barcode is an extra beside the code, and a format GIFQ adds
    # later, or a malformed barcode, must still show the card (without a barcode).
    if obj is None:
        return None
    if not isinstance(obj, dict):
        return Barcode(None, "", "barcode is not an object")
    value, declared = obj.get("value"), obj.get("format")
    if not isinstance(value, str) or not value:
        return Barcode(None, "", "barcode has no value")
    if isinstance(declared, str) and declared in {f.value for f in BarcodeFormat}:
        return Barcode(BarcodeFormat(declared), value)
    shown = declared[:40] if isinstance(declared, str) else type(declared).__name__
    return Barcode(None, value, f"unknown barcode format {shown!r}")


def parse_details(obj: Any) -> CardDetails | None:
    if obj is None:
        return None
    if not isinstance(obj, dict):
        raise ContractError("details is not an object")
    return CardDetails(
        **{f: _opt(obj, f, str) for f in DETAIL_FIELDS}, barcode=parse_barcode(obj.get("barcode"))
    )


def parse_redemption(obj: Any) -> Redemption:
    return Redemption(
        id=_req(obj, "id", str),
        status=_enum(RedemptionStatus, _req(obj, "status", str), "redemption status"),
        brand_slug=_req(obj, "brand_slug", str),
        product_id=_req(obj, "product_id", str),
        face_value=parse_money(_req(obj, "face_value", (int, float, str)), "face_value"),
        currency=_req(obj, "currency", str),
        created_at=parse_datetime(obj.get("created_at"), "created_at"),
        completed_at=parse_datetime(obj.get("completed_at"), "completed_at"),
        expires_at=_parse_date(obj.get("expires_at"), "expires_at"),
        failure_message=_opt(obj, "failure_message", str),
        details=parse_details(obj.get("details")),
    )


def parse_payout(obj: Any) -> Payout:
    if not isinstance(obj, dict):
        raise ContractError("payout is not an object")
    recipient = _req(obj, "recipient", dict)
    verification = obj.get("verification") or {}
    if not isinstance(verification, dict):
        raise ContractError("verification is not an object")
    catalog = obj.get("catalog") or []
    redemptions = obj.get("redemptions") or []
    if not isinstance(catalog, list) or not isinstance(redemptions, list):
        raise ContractError("catalog and redemptions must be lists")
    return Payout(
        token=_req(obj, "token", str),
        status=_enum(PayoutStatus, _req(obj, "status", str), "payout status"),
        amount=parse_money(_req(obj, "amount", (int, float, str))),
        currency=_req(obj, "currency", str),
        balance=parse_money(_req(obj, "balance", (int, float, str)), "balance"),
        recipient=Recipient(
            name=_opt(recipient, "name", str),
            email_hint=_opt(recipient, "email_hint", str),
            locale=_opt(recipient, "locale", str),
        ),
        expires_at=parse_datetime(obj.get("expires_at"), "expires_at"),
        verification=Verification(
            verified=bool(verification.get("verified", False)),
            code_sent_at=parse_datetime(verification.get("code_sent_at"), "code_sent_at"),
            resend_available_at=parse_datetime(
                verification.get("resend_available_at"), "resend_available_at"
            ),
        ),
        campaign=parse_campaign(_req(obj, "campaign", dict)),
        catalog=tuple(
            CatalogEntry(
                brand=parse_brand(_req(e, "brand", dict)),
                products=tuple(parse_product(p) for p in _req(e, "products", list)),
            )
            for e in catalog
        ),
        redemptions=tuple(parse_redemption(r) for r in redemptions),
    )


def parse_code_sent(obj: Any) -> CodeSent:
    sent = parse_datetime(_req(obj, "code_sent_at", str), "code_sent_at")
    again = parse_datetime(_req(obj, "resend_available_at", str), "resend_available_at")
    assert sent is not None and again is not None
    return CodeSent(code_sent_at=sent, resend_available_at=again)


def parse_grant(obj: Any) -> VerificationGrant:
    expires = parse_datetime(_req(obj, "expires_at", str), "expires_at")
    assert expires is not None
    return VerificationGrant(
        verification_token=_req(obj, "verification_token", str), expires_at=expires
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(body: bytes) -> Any:
    """A JSON body as Python values; numbers stay int/float here and become Decimal above."""
    if not body.strip():
        raise ContractError("GIFQ answered an empty body")
    try:
        # NaN and Infinity are not JSON; Python would otherwise accept them as floats.
        return json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ContractError("GIFQ answered malformed JSON") from exc
