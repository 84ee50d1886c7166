"""Drive a real fake-GIFQ process over HTTP, the way the frontend will meet it.

    with FakeGifq(rate_limit=0) as fake:
        token, url = fake.create_payout(amount=50, currency="EUR", campaign="branded")
        grant = fake.verify(token)                      # send code, read outbox, confirm
        product = fake.product_id(token, "northwind-books")
        redemption = fake.redeem(token, grant, product, 50).json()
        fake.wait_for_redemption(token, grant, redemption["id"])
        fake.fault("error", path_prefix="/api/payouts", status=503)
        fake.advance(600)                               # move the fake's clock
        fake.reset()                                    # back to the seed, new tokens

It starts ``python -m redeem.fake_gifq --port 0`` and reads the two lines the fake prints
(base URL, sandbox token). Nothing here imports the fake or the frontend: only HTTP.

Campaigns are named by key ("plain", "branded", "paused", "draft") or by id; demo payouts
by scenario ("pending", "pending-plain", "pending-gbp", "pending-de", "paused-campaign",
"completed", "expired", "cancelled", "split", "split-started", "barcodes",
"barcode-completed"). See docs/gifq-contract.md
for the seed.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from tests.support.processes import spawn, stop_group

ROOT = Path(__file__).resolve().parents[2]
# The seed's brands for each of the contract's six field sets, and what each one issues.
FIELD_SETS = {
    "northwind-books": {"code"},
    "prepaid-plus": {"code", "pin"},
    "linkly": {"link"},
    "gatehouse-games": {"link", "link_challenge_code"},
    "serial-travel": {"serial", "security_code"},
    "omni-store": {"code", "pin", "serial", "security_code", "link"},
}
# The seed's barcode brands (issue 14): the format each one's cards carry. Metro Pharmacy's
# till scans a number of its own, not the printed code.
BARCODE_BRANDS = {
    "lantern-grocer": "ean13",
    "metro-pharmacy": "code128",
    "kite-coffee": "qr",
    "parcel-point": "pdf417",
    "aurora-cinemas": "aztec",
    "bolt-hardware": "datamatrix",
}
TILL_NUMBER_BRAND = "metro-pharmacy"
FIXED_BRANDS = (
    "northwind-books",
    "prepaid-plus",
    "linkly",
    "gatehouse-games",
    "serial-travel",
    "omni-store",
    "failing-florist",
    "slow-cinema",
)


class FakeGifq:
    def __init__(
        self,
        *,
        rate_limit: int = 0,
        api_token: str | None = None,
        redeem_base: str | None = None,
        embed_origins: tuple[str, ...] = (),
        extra_args: tuple[str, ...] = (),
        start_timeout: float = 20.0,
    ) -> None:
        args = ["--rate-limit", str(rate_limit)]
        if api_token:
            args += ["--api-token", api_token]
        if redeem_base:
            args += ["--redeem-base", redeem_base]
        for origin in embed_origins:
            args += ["--embed-origin", origin]
        self._args = [*args, *extra_args]
        self._start_timeout = start_timeout
        self._process: subprocess.Popen[str] | None = None
        # Kept open for the helper's lifetime so logs() still works after stop().
        self._stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
        self.base_url = ""
        self.api_token = ""
        self.http: httpx.Client | None = None

    # --- life cycle ----------------------------------------------------------------------

    def start(self) -> FakeGifq:
        argv = [sys.executable, "-m", "redeem.fake_gifq", "--host", "127.0.0.1", "--port", "0"]
        self._process = spawn(
            [*argv, *self._args],
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        lines: queue.Queue[str] = queue.Queue()
        stdout = self._process.stdout
        assert stdout is not None
        # A reader thread, so a fake that never prints cannot block the test forever.
        threading.Thread(target=lambda: [lines.put(line) for line in stdout], daemon=True).start()
        deadline = time.monotonic() + self._start_timeout
        while not (self.base_url and self.api_token):
            try:
                line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                raise RuntimeError(f"fake GIFQ did not start:\n{self.logs()}") from None
            if line.startswith("GIFQ fake listening on "):
                self.base_url = line.split()[-1]
            elif line.startswith("sandbox token: "):
                self.api_token = line.split()[-1]
        self.http = httpx.Client(base_url=self.base_url, timeout=10.0)
        self._wait_ready(deadline)
        return self

    def _wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            try:
                if self.client.get("/sandbox/health").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"fake GIFQ never became healthy:\n{self.logs()}")

    def stop(self) -> None:
        if self.http is not None:
            self.http.close()
            self.http = None
        if self._process is not None:
            stop_group(self._process, timeout=5)

    def logs(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read()

    def __enter__(self) -> FakeGifq:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def client(self) -> httpx.Client:
        assert self.http is not None, "start() the fake first"
        return self.http

    # --- raw calls -----------------------------------------------------------------------

    def merchant(self, method: str, path: str, **kw: Any) -> httpx.Response:
        """A merchant call: ``X-Api-Token`` added."""
        headers = {"X-Api-Token": self.api_token, **kw.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kw)

    def recipient(self, method: str, path: str, **kw: Any) -> httpx.Response:
        """A recipient call: no API token, as the redeem page would send it."""
        return self.client.request(method, path, **kw)

    # --- seed ----------------------------------------------------------------------------

    def demo(self) -> dict[str, Any]:
        return self.client.get("/sandbox/demo").json()

    def demo_token(self, scenario: str) -> str:
        return next(p["token"] for p in self.demo()["payouts"] if p["scenario"] == scenario)

    def campaign_id(self, campaign: str) -> str:
        """A campaign id from its seed key ("plain", "branded", "paused", "draft") or id."""
        for entry in self.demo()["campaigns"]:
            if campaign in (entry["key"], entry["id"]):
                return str(entry["id"])
        raise KeyError(f"no campaign {campaign!r}")

    # --- merchant helpers ----------------------------------------------------------------

    def order(
        self,
        campaign: str,
        wallet_currency: str,
        recipients: list[dict[str, Any]],
        *,
        expires_in_days: int = 30,
        **extra: Any,
    ) -> httpx.Response:
        """POST a payout order (the raw answer): ``recipients`` as the API takes them."""
        body = {
            "campaign_id": self.campaign_id(campaign),
            "wallet_currency": wallet_currency,
            "recipients": recipients,
            "expires_in_days": expires_in_days,
            **extra,
        }
        return self.merchant("POST", "/api/payout-orders", json=body)

    def create_payout(
        self,
        amount: int | str | Decimal = 50,
        currency: str = "EUR",
        campaign: str = "branded",
        locale: str | None = None,
        email: str | None = None,
        name: str | None = "Alice",
        expires_in_days: int = 30,
    ) -> tuple[str, str]:
        """Dispatch a one-recipient payout order; return (token, redeem_url)."""
        recipient: dict[str, Any] = {
            "email": email or f"r-{uuid.uuid4().hex[:10]}@example.com",
            "amount": _number(amount),
            "currency": currency,
        }
        if name is not None:
            recipient["name"] = name
        if locale is not None:
            recipient["locale"] = locale
        order = self.order(campaign, currency, [recipient], expires_in_days=expires_in_days)
        assert order.status_code == 202, order.text
        listed = self.merchant(
            "GET", "/api/payouts", params={"payout_order_id": order.json()["id"]}
        )
        item = listed.json()[0]
        return item["token"], item["redeem_url"]

    def payouts_for(self, token: str) -> dict[str, Any]:
        """The merchant's view of one payout: status, balance, redemptions, balance movements."""
        items = self.merchant("GET", "/api/payouts", params={"token": token}).json()
        assert len(items) == 1, items
        return dict(items[0])

    def balances(self) -> dict[str, Decimal]:
        rows = self.merchant("GET", "/api/balances").json()
        return {row["currency"]: Decimal(str(row["amount"])) for row in rows}

    def set_campaign(self, campaign: str, **changes: Any) -> httpx.Response:
        return self.merchant("PATCH", f"/api/campaigns/{self.campaign_id(campaign)}", json=changes)

    # --- recipient helpers ---------------------------------------------------------------

    def payout(self, token: str, grant: str | None = None) -> dict[str, Any]:
        headers = {"X-Verification-Token": grant} if grant else {}
        response = self.recipient("GET", f"/api/payouts/{token}", headers=headers)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def email_of(self, token: str) -> str:
        return str(self.payouts_for(token)["recipient"]["email"])

    def code_for(self, token: str) -> str:
        """The newest one-time code emailed to this payout's recipient."""
        return self.latest_code(self.email_of(token))

    def send_code(self, token: str) -> httpx.Response:
        return self.recipient("POST", f"/api/payouts/{token}/verification")

    def confirm(self, token: str, code: str) -> httpx.Response:
        return self.recipient(
            "POST", f"/api/payouts/{token}/verification/confirm", json={"code": code}
        )

    def verify(self, token: str) -> str:
        """Send a code, read it from the outbox, confirm it; return the verification token."""
        sent = self.send_code(token)
        assert sent.status_code == 202, sent.text
        confirmed = self.confirm(token, self.latest_code(self.email_of(token)))
        assert confirmed.status_code == 200, confirmed.text
        return str(confirmed.json()["verification_token"])

    def product_id(self, token: str, brand_slug: str) -> str:
        payout = self.payout(token)
        entry = next(e for e in payout["catalog"] if e["brand"]["slug"] == brand_slug)
        return str(entry["products"][0]["id"])

    def redeem(
        self,
        token: str,
        grant: str | None,
        product_id: str,
        face_value: int | str | Decimal,
        reference: str | None = None,
    ) -> httpx.Response:
        headers = {"X-Verification-Token": grant} if grant else {}
        body = {
            "product_id": product_id,
            "face_value": _number(face_value),
            "reference": reference or uuid.uuid4().hex,
        }
        return self.recipient(
            "POST", f"/api/payouts/{token}/redemptions", json=body, headers=headers
        )

    def wait_for_redemption(
        self, token: str, grant: str, redemption_id: str, timeout: float = 10.0
    ) -> dict[str, Any]:
        """Poll until the redemption is completed or failed; return it (with details)."""
        deadline = time.monotonic() + timeout
        while True:
            payout = self.payout(token, grant)
            found = next(r for r in payout["redemptions"] if r["id"] == redemption_id)
            if found["status"] != "processing":
                return dict(found)
            if time.monotonic() > deadline:
                raise AssertionError(f"redemption {redemption_id} still processing")
            time.sleep(0.1)

    # --- sandbox -------------------------------------------------------------------------

    def outbox(self, to: str | None = None) -> list[dict[str, Any]]:
        params = {"to": to} if to else {}
        return list(self.client.get("/sandbox/outbox", params=params).json())

    def latest_code(self, email: str) -> str:
        """The newest one-time code emailed to this address."""
        for message in self.outbox(email):
            if message["kind"] == "verification_code":
                return str(message["code"])
        raise AssertionError(f"no verification code was sent to {email}")

    def fault(self, mode: str, *, path_prefix: str = "/api", count: int = 1, **kw: Any) -> dict:
        """Make the next ``count`` matching calls misbehave (kw: status, seconds, method)."""
        body = {"mode": mode, "path_prefix": path_prefix, "count": count, **kw}
        response = self.client.post("/sandbox/faults", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def clear_faults(self) -> None:
        self.client.delete("/sandbox/faults").raise_for_status()

    def top_up(self, amount: int = 1_000_000) -> None:
        for currency in ("EUR", "USD", "GBP"):
            answer = self.client.post(
                "/sandbox/wallet", json={"currency": currency, "amount": amount}
            )
            assert answer.status_code == 200, answer.text

    def advance(self, seconds: float) -> None:
        self.client.post("/sandbox/clock", json={"advance_seconds": seconds}).raise_for_status()

    def reset(self) -> None:
        self.client.post("/sandbox/reset").raise_for_status()

    def scale_campaign(self, brands: int = 5000, currency: str = "EUR", amount: int = 50) -> dict:
        body = {"brands": brands, "currency": currency, "amount": amount}
        response = self.client.post("/sandbox/scale-campaign", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())


def _number(value: int | str | Decimal) -> int | float:
    # JSON has no decimal type; a two-decimal float prints back exactly (see the fake's money).
    amount = Decimal(str(value))
    return int(amount) if amount == amount.to_integral_value() else float(amount)
