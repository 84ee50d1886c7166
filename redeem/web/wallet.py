"""Wallet passes for the card on show (docs/wallet.md): the `.pkpass` download and the
"Add to Google Wallet" link. Neither exists unless the operator gave that wallet's
credentials; both answer only where the card page itself would (a verified, bound flow)."""

from __future__ import annotations

from functools import cache

from flask import abort, current_app, request, url_for
from werkzeug.wrappers import Response

from redeem.extensions import state
from redeem.gifq.models import Brand, Redemption
from redeem.wallet import apple, google, labels
from redeem.wallet.card import WalletCard, from_issued
from redeem.web.blueprint import bp
from redeem.web.cards import shown_card
from redeem.web.preconditions import VERIFIED, go, needs
from redeem.web.request_context import current


@bp.get("/f/<flow_id>/card/wallet.pkpass")
@needs(VERIFIED)
def apple_pass() -> Response:
    credentials = state().wallet.apple
    if credentials is None:
        abort(404)
    shown = shown_card()
    card = _card(shown.redemption, shown.brand) if shown.redemption else None
    if card is None:
        return go(shown.next)
    logo = state().logos.png(card.logo_url) if card.logo_url else None
    body = apple.build_pkpass(card, credentials, _labels(), logo)
    return Response(
        body,
        mimetype=apple.MEDIA_TYPE,
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": 'attachment; filename="gift-card.pkpass"',
        },
    )


@bp.app_template_global()
def wallet_offer(redemption: Redemption | None, brand: Brand | None) -> dict[str, str | None]:
    """What the wallet buttons component needs: a URL per wallet that is on, else None."""
    wallets = state().wallet
    offer: dict[str, str | None] = {"apple_url": None, "google_url": None}
    flow = current().flow
    card = _card(redemption, brand) if redemption else None
    if card is None or flow is None:
        return offer
    if wallets.apple:
        offer["apple_url"] = url_for("redeem.apple_pass", flow_id=flow.id, card=card.serial)
    if wallets.google:
        origin = request.host_url.rstrip("/")
        offer["google_url"] = google.save_url(card, wallets.google, _labels(), (origin,))
    return offer


def _card(redemption: Redemption, brand: Brand | None) -> WalletCard | None:
    ctx = current()
    sender = ctx.campaign.sender_name if ctx.campaign else ""
    return from_issued(redemption, brand, sender, ctx.theme, current_app.config["ASSET_ORIGINS"])


@cache
def _labels() -> dict[str, dict[str, str]]:
    # The catalogs do not change while the process runs.
    return labels.localized()
