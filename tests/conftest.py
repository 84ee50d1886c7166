"""Fixtures every layer shares: the fake GIFQ process, the app (in-process or under gunicorn),
parsed pages for view tests, and Playwright pointed at Debian's Chromium."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.driver import Browser, Journey
from tests.support.fake import FakeGifq
from tests.support.processes import (
    AppProcess,
    adopt_orphans,
    leftover_children,
    start_app,
    stop_group_or_process,
)

# Playwright's own browser download is impossible on these machines; Debian's chromium works.
# Elsewhere, unset CHROMIUM_PATH and run `playwright install chromium`.
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""
# Keep Chromium off the network: only loopback names resolve.
RESOLVER = (
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE *.localhost, "
    "EXCLUDE 127.0.0.1"
)


def pytest_configure(config: pytest.Config) -> None:
    # Orphaned grandchildren (a demo's fake after the demo died) become ours, so the check
    # below still sees them.
    adopt_orphans()


@pytest.hookimpl(trylast=True)  # after the runner's own hook has torn down session fixtures
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Fail the run if any process a test started is still alive once every fixture is done:
    a leaked fake GIFQ, gunicorn or redis-server would outlive the suite."""
    left = leftover_children()
    if not left:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_sep("=", "child processes left running", red=True)
        for line in left:
            reporter.write_line(f"  {line}")
    for line in left:
        stop_group_or_process(int(line.split()[0]))
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    args = {**browser_type_launch_args, "args": [RESOLVER]}
    if CHROMIUM:
        args["executable_path"] = CHROMIUM
    return args


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Every layer renders with current catalogs: .mo files are build artifacts, made here
    when missing or older than their .po (scripts/test.sh compiles them too)."""
    from pathlib import Path

    from redeem.i18n.catalogs import compile_catalogs

    compile_catalogs(Path(__file__).resolve().parent.parent / "translations")


@pytest.fixture(scope="session")
def fake() -> Iterator[FakeGifq]:
    with FakeGifq(rate_limit=0) as server:
        server.top_up()  # one session creates hundreds of payouts; GIFQ's 5,000 would run out
        yield server


@pytest.fixture(scope="session")
def live_app(fake: FakeGifq) -> Iterator[AppProcess]:
    """The real app under gunicorn, pointed at the fake. Rate limits off: tests share one IP."""
    process = start_app(fake.base_url, RATELIMIT_ENABLED="false", LOG_LEVEL="DEBUG")
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="session")
def app(fake: FakeGifq):  # type: ignore[no-untyped-def]
    from redeem import create_app

    return create_app(app_settings(fake))


def app_settings(fake: FakeGifq, **more: Any) -> dict[str, Any]:
    """The in-process app's settings against the fake, with ``more`` on top."""
    return {
        "TESTING": True,
        "GIFQ_API_BASE": fake.base_url,
        "SECRET_KEY": secrets.token_hex(32),
        "RATELIMIT_ENABLED": False,
        "ASSET_ORIGINS": (fake.base_url,),
        **more,
    }


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def pages(client: Any) -> Browser:
    """The Flask test client as a browser without JavaScript; every HTML page it gets has
    its invariants checked (tests/support/page.py)."""
    return Browser.flask(client, check=True)


@pytest.fixture
def journey(pages: Browser, fake: FakeGifq) -> Callable[..., Journey]:
    """A recipient's journey through `pages` (see tests/support/driver.py)."""

    def start(token: str | None = None, *, lang: str | None = None, **payout: Any) -> Journey:
        """For this token, or for a new payout made with ``payout`` (fake.create_payout's
        arguments: amount, currency, campaign, locale, email, name); ``lang`` goes on every
        GET, as the language links do."""
        if token is None:
            token, _ = fake.create_payout(**payout)
        elif payout:
            raise TypeError(f"a payout's arguments {sorted(payout)} with a token of its own")
        return Journey(pages, token, code_of=fake.code_for, lang=lang)

    return start
