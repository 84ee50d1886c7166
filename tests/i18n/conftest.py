"""Shared by the translation tests: where the catalogs live and how to read them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from redeem.i18n.locale import SUPPORTED

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


@pytest.fixture(scope="session", params=SUPPORTED)
def locale(request: pytest.FixtureRequest) -> str:
    return request.param


class Walk:
    """The in-process app driven through its forms, as a browser without JavaScript would."""

    def __init__(self, pages: Any, fake: Any) -> None:
        self.pages, self.fake = pages, fake
        self.token = ""
        self.flow_url = ""

    def csrf(self) -> str:
        match = re.search(r'name="csrf" value="([^"]+)"', self.pages.last.get_data(as_text=True))
        assert match, "no csrf field on the page"
        return match.group(1)

    def land(self, token: str, query: str = "", **kw: Any) -> Any:
        self.token = token
        return self.pages.get(f"/r/{token}{query}", **kw)

    def start(self, **kw: Any) -> str:
        """Press "Email me a code" on the landing page just shown; return the flow's base URL."""
        html = self.pages.last.get_data(as_text=True)
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html))
        response = self.pages.post(f"/r/{self.token}", fields, **kw)
        self.flow_url = response.headers["Location"].removesuffix("/code")
        self.pages.get(self.flow_url + "/code", **kw)
        return self.flow_url

    def enter_code(self, code: str | None = None, status: int = 303, **kw: Any) -> Any:
        code = code or self.fake.latest_code(self.fake.email_of(self.token))
        response = self.pages.post(
            self.flow_url + "/code", {"csrf": self.csrf(), "code": code}, status=status, **kw
        )
        if status == 303:
            self.flow_url = response.headers["Location"].rsplit("/", 1)[0]
        return response


@pytest.fixture
def walk(pages: Any, fake: Any) -> Walk:
    return Walk(pages, fake)
