"""Whole journeys at DEBUG under gunicorn: every line is JSON with a request id, the payout
appears only as its keyed hash, and no secret a recipient handles reaches any log line."""

from __future__ import annotations

import html
import json
import re
import secrets
import time
from collections.abc import Iterator

import httpx
import pytest

from redeem.security.keyed_hashes import KeyedHashes
from tests.support.driver import Browser, Journey
from tests.support.fake import FIELD_SETS, FakeGifq
from tests.support.processes import AppProcess, start_app

SECRET_KEY = secrets.token_hex(32)
# Every kind of card detail: code, pin, link, link challenge code, serial, security code.
BRANDS = tuple(FIELD_SETS)
VALUE_RE = re.compile(r'id="value-([a-z_]+)"[^>]*>(.*?)</', re.S)


@pytest.fixture(scope="module")
def server(fake: FakeGifq) -> Iterator[AppProcess]:
    process = start_app(
        fake.base_url, LOG_LEVEL="DEBUG", RATELIMIT_ENABLED="false", SECRET_KEY=SECRET_KEY
    )
    try:
        yield process
    finally:
        process.stop()


def journey(web: Browser, fake: FakeGifq, brand: str) -> dict[str, str]:
    """Open → send code → a wrong code → the right code → choose → card; returns what was secret."""
    token, link = fake.create_payout(amount=25)  # every brand takes 25
    secrets_seen = {"token": token, "link": link}
    walk = Journey(web, token, code_of=fake.code_for)
    walk.ask_for_code()
    code = walk.latest_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    secrets_seen |= {"one-time code": code, "wrong code": wrong, "flow id": walk.flow.split("/")[2]}
    walk.enter_code(wrong, status=400)
    walk.enter_code(code)
    secrets_seen["verified flow id"] = walk.flow.split("/")[2]
    walk.get(f"{walk.flow}/brands?q={brand[:4]}")
    walk.choose(brand)
    card = walk.wait_for_card()
    for field, value in VALUE_RE.findall(card.text):
        secrets_seen[field] = html.unescape(value.strip())
    return secrets_seen


def test_no_secret_from_whole_journeys_reaches_the_logs(server, fake):
    seen: list[dict[str, str]] = []
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for brand in BRANDS:
            seen.append(journey(Browser.http(http), fake, brand))
    fields = {name for found in seen for name in found}
    assert {"code", "pin", "link", "link_challenge_code", "serial", "security_code"} <= fields
    time.sleep(0.5)  # gunicorn writes the last access lines after the responses have gone
    logs = server.logs()
    assert "DEBUG" in logs, "the app was not logging at DEBUG"
    for found in seen:
        for name, value in found.items():
            # As a whole word: a 4-digit security code may well occur inside a request id.
            found_in_logs = re.search(rf"(?<![0-9A-Za-z]){re.escape(value)}(?![0-9A-Za-z])", logs)
            assert value and not found_in_logs, f"the {name} reached the logs"


def test_log_lines_are_json_with_a_request_id_and_name_the_payout_by_its_hash(server, fake):
    with httpx.Client(base_url=server.url, timeout=30) as http:
        found = journey(Browser.http(http), fake, "northwind-books")
    hashed = KeyedHashes(SECRET_KEY).token_key(found["token"])[:12]
    lines = [json.loads(line) for line in server.logs().splitlines() if line.strip()]
    assert all({"ts", "level", "logger", "msg", "request_id"} <= entry.keys() for entry in lines)
    mine = [entry for entry in lines if hashed in entry["msg"]]
    assert mine, "no line names the payout by its hash"
    assert all(entry["request_id"] for entry in mine)
