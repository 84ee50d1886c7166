"""A card saved to disk: one self-contained HTML file.

Everything is inline (styles, the barcode as SVG) and nothing is fetched when it opens:
no script, no image, no font, no logo (the brand's logo would be a request to GIFQ's asset
host each time the file is opened, telling it when and where). The file carries its own
Content-Security-Policy in a meta tag, ``default-src 'none'`` with the one stylesheet
allowed by hash, so even a browser that would fetch something cannot.

It holds the card's secrets, so the response that carries it is ``no-store`` and an
attachment; the page that offers it says to keep the file private.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask_babel import get_locale

from redeem.cards.barcode import Drawing, draw
from redeem.gifq.models import Brand, Redemption
from redeem.i18n.locale import direction, html_lang

_SLUG_RE = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class SavedCopy:
    html: str
    filename: str


def style_hash(css: str) -> str:
    digest = hashlib.sha256(css.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def filename(brand_name: str, redemption: Redemption) -> str:
    """ASCII only, so every browser keeps it as sent: "lantern-grocer-50-eur.html"."""
    slug = _SLUG_RE.sub("-", brand_name.lower()).strip("-")[:40] or "gift-card"
    value = _SLUG_RE.sub("-", f"{redemption.face_value.normalize():f}").strip("-")
    return f"{slug}-{value}-{redemption.currency.lower()}.html"


def saved_copy(
    *, redemption: Redemption, brand: Brand | None, sender: str, today: date
) -> SavedCopy:
    """The card as one HTML file, in the request's language."""
    details = redemption.details
    assert details is not None, "only a completed card can be saved"
    brand_name = brand.name if brand else redemption.brand_slug
    drawing: Drawing | None = draw(details.barcode)
    css = render_template("cards/saved-card.css").strip()
    locale = str(get_locale())
    html = render_template(
        "cards/saved-card.html",
        html_lang=html_lang(locale),
        dir=direction(locale),
        css=css,
        style_hash=style_hash(css),
        brand_name=brand_name,
        sender=sender,
        redemption=redemption,
        fields=details.present(),
        drawing=drawing,
        instructions=brand.instructions if brand else "",
        terms=brand.terms if brand else "",
        saved_on=today,
    )
    return SavedCopy(html=html, filename=filename(brand_name, redemption))
