"""Every page's first view stays under 50 KB on the wire, from our own origin only.

Measured in Chromium with the cache off (so each load is a first view), from CDP's
`encodedDataLength`: the bytes actually received, headers included. HTML, CSS, JavaScript
and fonts count; images do not (they are lazy-loaded and sized, see below), nor do the
requests the page's script makes after load (status polling, live brand filtering).
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.a11y.sweep import Request, Sweep, Visit

pytestmark = pytest.mark.e2e

BUDGET = 50 * 1024
COUNTED = {"Document", "Stylesheet", "Script", "Font"}


def first_view(visit: Visit) -> list[Request]:
    """The requests of the page itself: after a form post, only those of the answer page."""
    documents = [i for i, r in enumerate(visit.requests) if r.kind == "Document"]
    return visit.requests[documents[-1] :]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_first_view_is_at_most_50_kb_from_our_own_origin(swept: Sweep, state_visit: Visit) -> None:
    visit, state, lang = state_visit, state_visit.state, state_visit.lang
    requests = first_view(visit)
    assert all(r.finished for r in requests if r.kind in COUNTED), [r.url for r in requests]
    counted = {r.url: r.transferred for r in requests if r.kind in COUNTED}
    total = sum(counted.values())
    assert {r.kind for r in requests if r.kind in COUNTED} >= {"Document", "Stylesheet", "Script"}
    assert total <= BUDGET, f"{state} [{lang}]: {total} bytes > {BUDGET}: {counted}"
    app = _origin(swept.app_url)
    for r in requests:
        # Images may come from GIFQ's asset host (brand and campaign logos, allowed by the
        # CSP's img-src); everything else only from us. No fonts, analytics or CDNs.
        allowed = {app, *swept.asset_origins} if r.kind == "Image" else {app}
        assert _origin(r.url) in allowed, f"{state} [{lang}] fetched {r.kind} {r.url}"


def test_scripts_never_block_rendering_and_images_are_sized_and_lazy(state_visit: Visit) -> None:
    visit = state_visit
    external = [s for s in visit.scripts if s["src"]]
    assert external, "the page's script is missing"
    for script in visit.scripts:
        if script["type"] == "application/json":
            continue  # data, never executed
        assert script["src"] and (script["defer"] or script["async"]), script
    for image in visit.images:
        assert image["width"] and image["height"], image  # no layout shift when it arrives
        # The campaign logo sits in the masthead, above the fold: loading it lazily would only
        # delay the largest paint. Every other image waits until it is near the viewport.
        if not image["masthead"]:
            assert image["loading"] == "lazy", image


def test_static_files_are_served_gzipped_and_fingerprinted(swept: Sweep) -> None:
    visit = swept.visit("landing", "en")
    statics = [r for r in first_view(visit) if r.kind in ("Stylesheet", "Script")]
    assert len(statics) == 2
    for r in statics:
        assert r.headers.get("content-encoding") == "gzip", r.url
        assert "immutable" in r.headers.get("cache-control", ""), r.url
        # The version in the URL is the content's hash: a changed file gets a new URL.
        body = httpx.get(r.url.split("?")[0], headers={"Accept-Encoding": "identity"}).content
        assert parse_qs(urlsplit(r.url).query)["v"] == [hashlib.sha256(body).hexdigest()[:12]]
