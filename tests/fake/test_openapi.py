"""docs/openapi.yaml describes what the fake really answers: each case is validated live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.support.fake import FakeGifq

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
DOC_URI = "urn:gifq-openapi"


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return yaml.safe_load(DOC_PATH.read_text(encoding="utf-8"))


def _deref(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def check(doc: dict[str, Any], path: str, method: str, response: httpx.Response) -> None:
    """Validate a real response against the schema the document gives for it."""
    status = str(response.status_code)
    documented = doc["paths"][path][method.lower()]["responses"].get(status)
    assert documented is not None, f"{method} {path} {status} is undocumented"
    if "$ref" in documented:
        where = documented["$ref"]
        documented = _deref(doc, documented)
    else:
        where = _pointer("paths", path, method.lower(), "responses", status)
    if "content" not in documented:
        assert response.content == b""
        return
    registry = Registry().with_resource(
        DOC_URI, Resource.from_contents(doc, default_specification=DRAFT202012)
    )
    # Point at the schema inside the document, so its own "#/components/..." refs resolve.
    schema_at = where + "/" + _pointer("content", "application/json", "schema")[2:]
    validator = Draft202012Validator(
        {"$ref": DOC_URI + schema_at},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errors = sorted(validator.iter_errors(response.json()), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_the_openapi_document_is_valid_3_1(doc):
    assert doc["openapi"] == "3.1.0"
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_payout_responses_match_the_document(fake: FakeGifq, doc):
    path = "/api/payouts/{token}"
    for payout in fake.demo()["payouts"]:
        check(doc, path, "GET", fake.recipient("GET", f"/api/payouts/{payout['token']}"))
    check(doc, path, "GET", fake.recipient("GET", "/api/payouts/" + "x" * 43))
    token = fake.demo_token("completed")
    grant = fake.verify(token)
    check(doc, path, "GET", fake.recipient("GET", f"/api/payouts/{token}",
                                           headers={"X-Verification-Token": grant}))  # fmt: skip
    etag = fake.recipient("GET", f"/api/payouts/{token}").headers["ETag"]
    check(doc, path, "GET", fake.recipient("GET", f"/api/payouts/{token}",
                                           headers={"If-None-Match": etag}))  # fmt: skip


def test_verification_responses_match_the_document(fake: FakeGifq, doc):
    token = fake.demo_token("pending")
    send = "/api/payouts/{token}/verification"
    confirm = "/api/payouts/{token}/verification/confirm"
    check(doc, send, "POST", fake.send_code(token))
    check(doc, send, "POST", fake.send_code(token))  # 429 cooldown
    code = fake.latest_code("alice@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    check(doc, confirm, "POST", fake.confirm(token, wrong))  # 422 code_invalid
    check(doc, confirm, "POST", fake.confirm(token, "12"))  # 422 validation_failed
    check(doc, confirm, "POST", fake.confirm(token, code))  # 200
    check(doc, confirm, "POST", fake.confirm(token, code))  # 422 code_expired


def test_a_locked_payout_answers_423_as_documented(fake: FakeGifq, doc):
    token = fake.demo_token("pending")
    for _ in range(4):
        fake.send_code(token)
        wrong = f"{(int(fake.latest_code('alice@example.com')) + 1) % 1_000_000:06d}"
        for _ in range(5):
            last = fake.confirm(token, wrong)
        fake.advance(31)
    check(doc, "/api/payouts/{token}/verification/confirm", "POST", last)
    check(doc, "/api/payouts/{token}/verification", "POST", fake.send_code(token))


def test_redemption_responses_match_the_document(fake: FakeGifq, doc):
    path = "/api/payouts/{token}/redemptions"
    token, _ = fake.create_payout(email="schema@example.com")
    product = fake.product_id(token, "omni-store")
    check(doc, path, "POST", fake.redeem(token, None, product, 50))  # 401
    grant = fake.verify(token)
    check(doc, path, "POST", fake.redeem(token, grant, product, 500))  # 422
    created = fake.redeem(token, grant, product, 50, reference="schema")
    check(doc, path, "POST", created)  # 202
    fake.advance(1)
    fake.wait_for_redemption(token, grant, created.json()["id"])
    check(doc, path, "POST", fake.redeem(token, grant, product, 50, reference="schema"))
    check(doc, "/api/payouts/{token}", "GET", fake.recipient(
        "GET", f"/api/payouts/{token}", headers={"X-Verification-Token": grant}))  # fmt: skip


def test_sandbox_responses_match_the_document(fake: FakeGifq, doc):
    fake.send_code(fake.demo_token("pending"))
    check(doc, "/sandbox/health", "GET", fake.client.get("/sandbox/health"))
    check(doc, "/sandbox/outbox", "GET", fake.client.get("/sandbox/outbox"))
    check(doc, "/sandbox/demo", "GET", fake.client.get("/sandbox/demo"))
    check(doc, "/sandbox/faults", "POST", fake.client.post("/sandbox/faults", json={"mode": "x"}))
    check(doc, "/sandbox/faults", "POST",
          fake.client.post("/sandbox/faults", json={"mode": "latency", "seconds": 0}))  # fmt: skip
    check(doc, "/sandbox/faults", "GET", fake.client.get("/sandbox/faults"))
    check(doc, "/sandbox/faults", "DELETE", fake.client.delete("/sandbox/faults"))
    check(doc, "/sandbox/clock", "GET", fake.client.get("/sandbox/clock"))
    check(doc, "/sandbox/clock", "POST",
          fake.client.post("/sandbox/clock", json={"advance_seconds": 1}))  # fmt: skip
    check(doc, "/sandbox/scale-campaign", "POST",
          fake.client.post("/sandbox/scale-campaign", json={"brands": 3}))  # fmt: skip
    check(doc, "/sandbox/wallet", "POST",
          fake.client.post("/sandbox/wallet", json={"currency": "EUR", "amount": 5}))  # fmt: skip
    check(doc, "/sandbox/wallet", "POST",
          fake.client.post("/sandbox/wallet", json={"currency": "JPY", "amount": 5}))  # fmt: skip
    check(doc, "/sandbox/reset", "POST", fake.client.post("/sandbox/reset"))


def test_error_responses_match_the_document(fake: FakeGifq, doc):
    fake.fault("rate_limit", path_prefix="/api/payouts")
    check(doc, "/api/payouts/{token}", "GET",
          fake.recipient("GET", f"/api/payouts/{fake.demo_token('pending')}"))  # fmt: skip
    check(doc, "/assets/logos/{slug}.png", "GET", fake.client.get("/assets/logos/nope.png"))


def test_the_check_catches_a_response_that_drifts_from_the_document(fake: FakeGifq, doc):
    body = fake.payout(fake.demo_token("pending"))
    body["amount"] = "50"  # money as a string instead of a number
    drifted = httpx.Response(200, json=body)

    with pytest.raises(AssertionError, match="amount"):
        check(doc, "/api/payouts/{token}", "GET", drifted)
