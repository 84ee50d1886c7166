from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.fake import FakeGifq


class Journey:
    """Walk the in-process app through its forms, as a browser without JavaScript would."""

    def __init__(self, pages: Any, fake: FakeGifq) -> None:
        self.pages, self.fake = pages, fake
        self.token = ""
        self.flow_url = ""

    def csrf(self) -> str:
        match = re.search(r'name="csrf" value="([^"]+)"', self.pages.last.get_data(as_text=True))
        assert match, "no csrf field on the page"
        return match.group(1)

    def land(self, token: str, **kw: Any):  # type: ignore[no-untyped-def]
        self.token = token
        return self.pages.get(f"/r/{token}", **kw)

    def ask_for_code(self) -> str:
        response = self.pages.post(f"/r/{self.token}", {"csrf": self.csrf()})
        self.flow_url = response.headers["Location"].removesuffix("/code")
        self.pages.get(self.flow_url + "/code")
        return self.flow_url

    def enter(self, code: str, status: int = 303):  # type: ignore[no-untyped-def]
        response = self.pages.post(
            self.flow_url + "/code", {"csrf": self.csrf(), "code": code}, status=status
        )
        if status == 303:
            self.flow_url = response.headers["Location"].rsplit("/", 1)[0]
        return response

    def verified(self, token: str) -> str:
        self.land(token)
        self.ask_for_code()
        self.enter(self.fake.latest_code(self.fake.email_of(token)))
        return self.flow_url

    def redeem(self, slug: str):  # type: ignore[no-untyped-def]
        self.pages.get(f"{self.flow_url}/brands/{slug}/confirm")
        return self.pages.post(f"{self.flow_url}/brands/{slug}/confirm", {"csrf": self.csrf()})


@pytest.fixture
def journey(pages: Any, fake: FakeGifq) -> Journey:
    return Journey(pages, fake)
