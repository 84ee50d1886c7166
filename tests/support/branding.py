"""Change a seeded campaign for one test and put it back afterwards, so tests sharing the
session's fake GIFQ never see each other's branding.

    with campaign_changed(fake, "branded", branding={"primary_color": "#FFFF00"}):
        ...
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support.fake import FakeGifq

TEXT_FIELDS = ("sender_name", "headline", "body")


@contextmanager
def campaign_changed(fake: FakeGifq, campaign: str, **changes: Any) -> Iterator[dict[str, Any]]:
    path = f"/api/campaigns/{fake.campaign_id(campaign)}"
    before = fake.merchant("GET", path).json()
    answer = fake.set_campaign(campaign, **changes)
    assert answer.status_code == 200, answer.text
    try:
        yield answer.json()
    finally:
        restore = {name: before[name] for name in TEXT_FIELDS}
        restore["branding"] = dict(before["branding"])
        restored = fake.set_campaign(campaign, **restore)
        assert restored.status_code == 200, restored.text
