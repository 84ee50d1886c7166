"""The in-process app driven through its forms, as a browser without JavaScript would."""

from __future__ import annotations

import re
from typing import Any

from tests.support.fake import FakeGifq


class Walk:
    def __init__(self, pages: Any, fake: FakeGifq) -> None:
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
        """Enter a code (by default the one just emailed); a right one moves to the new flow id."""
        code = code if code is not None else self.fake.latest_code(self.fake.email_of(self.token))
        response = self.pages.post(
            self.flow_url + "/code", {"csrf": self.csrf(), "code": code}, status=status, **kw
        )
        if status == 303:
            self.flow_url = response.headers["Location"].rsplit("/", 1)[0]
        return response

    def verified(self, token: str) -> str:
        self.land(token)
        self.start()
        self.enter_code()
        return self.flow_url

    def redeem(self, slug: str) -> Any:
        self.pages.get(f"{self.flow_url}/brands/{slug}/confirm")
        return self.pages.post(f"{self.flow_url}/brands/{slug}/confirm", {"csrf": self.csrf()})
