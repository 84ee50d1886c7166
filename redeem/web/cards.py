"""After the card: the till page, "Save this card" and "Remind me before it expires".

Each is a GET inside a verified flow (``@needs(VERIFIED)``, as the card page itself): the
flow id in the URL is the credential, so they need no cookie and work inside the
embedding iframe, and without JavaScript (plain links; the files come as attachments).
They change nothing, at GIFQ or in the flow. ``?card=<redemption id>`` names one of the
payout's cards; without it, the card the card page shows. The drawing, the file and the
calendar are built in redeem/cards/.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from flask import request, url_for
from werkzeug.wrappers import Response

from redeem.cards.barcode import Drawing, draw
from redeem.cards.reminder import reminder
from redeem.cards.saved_copy import saved_copy
from redeem.extensions import gifq
from redeem.gifq.models import Brand, Redemption
from redeem.journey import pages, steps
from redeem.web.blueprint import bp
from redeem.web.layout import render_page
from redeem.web.preconditions import VERIFIED, go, needs
from redeem.web.request_context import add_payout, current

# The code and PIN are what a till types in when it cannot scan; nothing else goes there.
TILL_FIELDS = ("code", "pin")


def card_links(redemption: Redemption, *, drawing: Drawing | None) -> dict[str, str | None]:
    """Where the card page's three actions lead; None for one this card cannot offer."""
    flow = current().flow
    assert flow is not None and redemption.details is not None
    values: dict[str, Any] = {"flow_id": flow.id, "card": redemption.id}
    at_till = drawing is not None or any(getattr(redemption.details, name) for name in TILL_FIELDS)
    return {
        "till_url": url_for("redeem.till", **values) if at_till else None,
        "saved_url": url_for("redeem.saved_card", **values),
        "reminder_url": url_for("redeem.card_reminder", **values)
        if redemption.expires_at
        else None,
    }


def shown_card() -> steps.Card:
    """The card ``?card=`` names, else the one the card page shows (read from GIFQ)."""
    flow = current().flow
    assert flow is not None
    shown = steps.show_card(gifq, flow, request.args.get("card") or None, counted=False)
    add_payout(shown.payout)
    return shown


@bp.get("/f/<flow_id>/card/till")
@needs(VERIFIED)
def till() -> tuple[str, int] | Response:
    shown = shown_card()
    redemption = shown.redemption
    if redemption is None or redemption.details is None:
        return go(shown.next)
    details = redemption.details
    flow = current().flow
    assert flow is not None
    return render_page(
        pages.TILL,
        brand_name=_brand_name(shown.brand, redemption),
        drawing=draw(details.barcode),
        till_fields=[(n, v) for n in TILL_FIELDS if (v := getattr(details, n))],
        card_url=url_for("redeem.card", flow_id=flow.id),
        redemption=redemption,  # for the wallet buttons (redeem/web/wallet.py)
        brand=shown.brand,
    )


@bp.get("/f/<flow_id>/card/saved")
@needs(VERIFIED)
def saved_card() -> Response:
    shown = shown_card()
    if shown.redemption is None or shown.redemption.details is None:
        return go(shown.next)
    campaign = current().campaign
    copy = saved_copy(
        redemption=shown.redemption,
        brand=shown.brand,
        sender=campaign.sender_name if campaign else "",
        today=datetime.now(UTC).date(),
    )
    return _attachment(copy.html.encode("utf-8"), "text/html", copy.filename)


@bp.get("/f/<flow_id>/card/reminder")
@needs(VERIFIED)
def card_reminder() -> Response:
    shown = shown_card()
    redemption = shown.redemption
    if redemption is None or redemption.details is None:
        return go(shown.next)
    made = reminder(
        redemption=redemption,
        brand_name=_brand_name(shown.brand, redemption),
        now=datetime.fromtimestamp(time.time(), UTC),
    )
    if made is None:  # a card without an expiry date: nothing to remind of
        return go(shown.next)
    return _attachment(made.ics, "text/calendar", made.filename)


def _brand_name(brand: Brand | None, redemption: Redemption) -> str:
    return brand.name if brand else redemption.brand_slug


def _attachment(body: bytes, mimetype: str, filename: str) -> Response:
    # An attachment: the browser saves it instead of showing it (a saved card opened from
    # our origin would also be refused its inline style by the page CSP). Cache-Control:
    # no-store, like every page, comes from redeem/security/headers.py.
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
