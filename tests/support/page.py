"""Parsed HTML for view tests, with the invariants every page must keep checked on the way in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        parts = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text())
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def iter(self):  # type: ignore[no-untyped-def]
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        return [
            n
            for n in self.iter()
            if (tag is None or n.tag == tag)
            and all(n.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def find(self, tag: str | None = None, **attrs: str) -> Node | None:
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def by_id(self, ident: str) -> Node | None:
        return self.find(id=ident)


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    return builder.root


def check_invariants(doc: Node, csp: str | None) -> None:
    """What every page keeps: one h1, a title that starts with it, unique ids, nonced scripts."""
    h1s = doc.find_all("h1")
    assert len(h1s) == 1, f"expected exactly one h1, found {len(h1s)}"
    title = doc.find("title")
    assert title is not None and title.text(), "page has no title"
    heading = h1s[0].text()
    # A page with form errors starts its title with "Error:" in its own language.
    has_errors = doc.find("div", **{"class": "error-summary"}) is not None
    titled = title.text().startswith(heading[:40]) or (has_errors and heading[:40] in title.text())
    assert titled, (title.text(), heading)
    ids = [n.attrs["id"] for n in doc.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids)), f"duplicate ids: {sorted(i for i in ids if ids.count(i) > 1)}"
    html = doc.find("html")
    assert html is not None and html.attrs.get("lang") and html.attrs.get("dir") in ("ltr", "rtl")
    nonce = re.search(r"'nonce-([^']+)'", csp or "")
    for script in doc.find_all("script"):
        if script.attrs.get("type") == "application/json":
            continue
        assert nonce and script.attrs.get("nonce") == nonce.group(1), (
            "a script without the CSP nonce"
        )
    for form in doc.find_all("form"):
        assert form.attrs.get("action"), "a form without an action"
    for control in doc.find_all("input") + doc.find_all("select"):
        if control.attrs.get("type") in ("hidden", "submit"):
            continue
        ident = control.attrs.get("id")
        assert ident and doc.find("label", **{"for": ident}), f"control {ident!r} has no label"
