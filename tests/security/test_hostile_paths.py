"""Issue 12, item 3: no link on any page can point off-site, whatever path was asked for.

`GET /%5Cevil.example/%2e%2e` used to answer a 404 page whose language links were
`href="/\\evil.example/..?lang=…"`, which browsers read as `//evil.example/…`. Links are now
built from the endpoint and its arguments (or the query alone), and error pages use `/`.

Every link, form action and "Open in a new tab" link of every page kind is resolved the way
a browser does (a backslash counts as a slash in an http(s) URL) and must stay on our origin.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from tests.security.conftest import SMALL, recipient
from tests.support.page import parse

ORIGIN = "http://localhost"
FRAMED = {"Sec-Fetch-Dest": "iframe"}  # so the "Open in a new tab" link is on every page

HOSTILE = [
    "/%5Cevil.example/%2e%2e",
    "/%5C%5Cevil.example/",
    "/%5Cevil.example%2F..%2F",
    "/%2F%2Fevil.example",
    "/%2F/evil.example",
    "/\\evil.example/..",
    "/%09/evil.example",
    "/r/%5Cevil.example",
    "/r/..%5C..%5Cevil.example",
    "/f/%5Cevil.example/code",
    "/f/%5C%5Cevil.example%2F..%2Fcode/brands",
    "/static/%5Cevil.example",
]


def resolve(page_url: str, href: str) -> Any:
    # WHATWG URL parsing: in special schemes "\" is a path separator, and tabs and newlines
    # are stripped; Python's urljoin knows neither, so apply both first.
    cleaned = href.replace("\\", "/").replace("\t", "").replace("\n", "").replace("\r", "")
    return urlsplit(urljoin(page_url, cleaned))


def assert_links_stay_home(response: Any, asked: str) -> list[str]:
    html = response.get_data(as_text=True)
    doc = parse(html)
    page_url = ORIGIN + asked
    ours = []
    for node in doc.iter():
        for attr in ("href", "action"):
            value = node.attrs.get(attr)
            if value is None or node.tag not in ("a", "form", "link"):
                continue
            if value.startswith("mailto:"):
                continue
            # The card's own brand link is the only off-site link a page may carry.
            if node.attrs.get("data-card-link") is not None:
                continue
            parts = resolve(page_url, value)
            assert f"{parts.scheme}://{parts.netloc}" == ORIGIN, (asked, node.tag, value)
            assert "\\" not in value and not value.startswith("//"), (asked, value)
            ours.append(value)
    return ours


@pytest.mark.parametrize("path", HOSTILE)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_hostile_path_never_yields_an_off_site_link(limited, path, method):
    client = limited.test_client()
    headers = {**FRAMED, "Sec-Fetch-Site": "same-origin"}
    response = client.open(path, method=method, headers=headers)
    assert response.status_code in (400, 403, 404, 405, 410), response.status_code
    links = assert_links_stay_home(response, path)
    assert links, "the error page lost its language links"


@pytest.fixture
def journey_pages(limited, fake) -> dict[str, tuple[str, Any]]:
    """Every kind of page a recipient meets, framed: url → response."""
    client = limited.test_client()
    token, _ = fake.create_payout(amount=SMALL)
    visit = recipient(client, fake, token, headers=FRAMED)
    pages: dict[str, tuple[str, Any]] = {}

    def keep(name: str, url: str, **kw: Any) -> None:
        pages[name] = (url, client.get(url, headers=FRAMED, **kw))

    keep("landing", f"/r/{token}")
    visit.ask_for_code()
    keep("code", f"{visit.flow}/code")
    visit.enter_code()
    flow = visit.flow
    keep("brands", f"{flow}/brands?q=%5Cevil.example&category=%2F%2Fevil")
    keep("brand", f"{flow}/brands/northwind-books")
    keep("confirm", f"{flow}/brands/northwind-books/confirm")
    keep("unknown brand", f"{flow}/brands/%5Cevil.example%2F..")
    keep("unknown brand confirm", f"{flow}/brands/%5C%5Cevil.example/confirm")
    visit.confirm("northwind-books")
    keep("processing", f"{flow}/processing")
    visit.wait_for_card()
    keep("card", f"{flow}/card")
    keep("expired flow", "/f/" + "A" * 32 + "/code")
    keep("unknown link", "/r/" + "B" * 43)
    pages["cross-site post"] = (
        f"/r/{token}",
        client.post(f"/r/{token}", headers={**FRAMED, "Sec-Fetch-Site": "cross-site"}),
    )
    pages["bad csrf"] = (
        f"{flow}/code",
        client.post(f"{flow}/code", data={"csrf": "x"}, headers={**FRAMED, **SAME}),
    )
    pages["too large"] = (
        f"/r/{token}",
        client.post(f"/r/{token}", data={"csrf": "x" * 40_000}, headers={**FRAMED, **SAME}),
    )
    return pages


SAME = {"Sec-Fetch-Site": "same-origin"}


def test_every_page_kinds_links_stay_on_our_origin(journey_pages):
    seen_new_tab = 0
    for name, (url, response) in journey_pages.items():
        assert response.status_code < 500, (name, response.status_code)
        if 300 <= response.status_code < 400:
            continue
        links = assert_links_stay_home(response, url)
        assert links, name
        seen_new_tab += "Open in a new tab" in response.get_data(as_text=True)
    assert seen_new_tab >= 8
