"""Started the documented way from a checkout with no compiled catalogs, the app speaks the
language it claims: it compiles them at start (in place, or in a private directory when the
code directory is read-only), or refuses to start in one line when it can do neither.

Real processes on free ports, against the fake: `flask --app app run` and `gunicorn app:app`
from a copy of the checkout without any .mo file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.processes import ROOT, app_env, free_port, start_server

# What a fresh clone holds for the app to run (tests, docs and scripts play no part).
RUNTIME = ("app.py", "gunicorn.conf.py", "redeem", "templates", "static", "translations")
GERMAN_BUTTON = "Code per E-Mail senden"
ENGLISH_BUTTON = "Email me a code"
# Without CAP_DAC_OVERRIDE even root obeys file modes, so a read-only folder is read-only.
AS_NON_OVERRIDING_ROOT = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def fresh_copy(into: Path) -> Path:
    checkout = into / "checkout"
    checkout.mkdir()
    for name in RUNTIME:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, checkout / name, ignore=shutil.ignore_patterns("*.mo", "__pycache__")
            )
        else:
            shutil.copy2(source, checkout / name)
    assert not list(checkout.rglob("*.mo"))
    return checkout


def read_only(path: Path) -> None:
    for entry in [path, *path.rglob("*")]:
        if not entry.is_symlink():
            entry.chmod(0o555 if entry.is_dir() else 0o444)


def writable(path: Path) -> None:
    for entry in [path, *path.rglob("*")]:
        if not entry.is_symlink():
            entry.chmod(0o755 if entry.is_dir() else 0o644)


def command(server: str, port: int, *, confined: bool) -> list[str]:
    argv = {
        "flask": [sys.executable, "-m", "flask", "--app", "app", "run",
                  "--host", "127.0.0.1", "--port", str(port)],
        # gunicorn reads ./gunicorn.conf.py on its own, as `gunicorn app:app` does.
        "gunicorn": [sys.executable, "-m", "gunicorn", "app:app"],
    }[server]  # fmt: skip
    if confined and os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("setpriv (util-linux) is needed to drop root's file-mode override")
        return [*AS_NON_OVERRIDING_ROOT, *argv]
    return argv


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    writable(tmp_path)  # so pytest can delete it


def landing_text(url: str) -> str:
    page = httpx.get(url, timeout=10)
    assert page.status_code == 200, page.text[:300]
    return page.text


@pytest.mark.parametrize("server", ["flask", "gunicorn"])
@pytest.mark.parametrize("code_directory", ["writable", "read-only"])
def test_a_fresh_checkout_renders_german_for_a_german_recipient(
    fake, scratch: Path, server: str, code_directory: str
):
    checkout = fresh_copy(scratch)
    cache = scratch / "cache"
    confined = code_directory == "read-only"
    if confined:
        read_only(checkout)
    port = free_port()
    env = app_env(fake.base_url, port, CATALOG_CACHE_DIR=str(cache))
    app = start_server(
        server, command(server, port, confined=confined), env,
        f"http://127.0.0.1:{port}", cwd=checkout,
    )  # fmt: skip
    try:
        html = landing_text(f"{app.url}/r/{fake.demo_token('pending-de')}")
    finally:
        app.stop()
    assert re.search(r'<html[^>]* lang="de"', html)
    assert GERMAN_BUTTON in html
    assert ENGLISH_BUTTON not in html
    in_checkout = sorted(p.relative_to(checkout) for p in checkout.rglob("*.mo"))
    in_cache = sorted(p.relative_to(cache) for p in cache.rglob("*.mo")) if cache.exists() else []
    compiled = Path("de/LC_MESSAGES/messages.mo")
    if confined:
        assert in_checkout == []
        assert compiled in in_cache
        assert oct(cache.stat().st_mode & 0o777) == "0o700"
    else:
        assert compiled in [p.relative_to("translations") for p in in_checkout]
        assert in_cache == []


def refused(argv: list[str], checkout: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv, cwd=checkout, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_gunicorn_refuses_in_one_line_when_catalogs_can_be_compiled_nowhere(fake, scratch: Path):
    checkout = fresh_copy(scratch)
    nowhere = scratch / "locked"
    nowhere.mkdir()
    read_only(checkout)
    read_only(nowhere)
    port = free_port()
    env = app_env(fake.base_url, port, CATALOG_CACHE_DIR=str(nowhere / "catalogs"))
    result = refused(command("gunicorn", port, confined=True), checkout, env)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if "translations: cannot compile" in line]
    assert len(lines) == 1, result.stderr
    assert "CATALOG_CACHE_DIR" in lines[0]
    assert "Traceback" not in result.stderr
    assert "Booting worker" not in result.stderr


def test_gunicorn_refuses_in_one_line_when_a_language_has_no_catalog(fake, scratch: Path):
    checkout = fresh_copy(scratch)
    shutil.rmtree(checkout / "translations" / "de")
    port = free_port()
    result = refused(command("gunicorn", port, confined=False), checkout,
                     app_env(fake.base_url, port))  # fmt: skip
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if "no catalog for de" in line]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_a_catalog_older_than_its_po_is_compiled_again(scratch: Path):
    from redeem.i18n.catalogs import ready

    source = fresh_copy(scratch) / "translations"
    assert ready(source, ["de"], scratch / "cache") == source
    mo = source / "de" / "LC_MESSAGES" / "messages.mo"
    po = mo.with_suffix(".po")
    os.utime(mo, (po.stat().st_mtime - 60, po.stat().st_mtime - 60))
    ready(source, ["de"], scratch / "cache")
    assert mo.stat().st_mtime >= po.stat().st_mtime


def test_a_cache_directory_others_may_write_to_is_never_used(scratch: Path):
    from redeem.i18n.catalogs import private_directory

    shared = scratch / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # anyone could have put a catalog of their own in it first
    with pytest.raises(PermissionError, match="not private"):
        private_directory(shared)
    mine = private_directory(scratch / "mine")
    assert oct(mine.stat().st_mode & 0o777) == "0o700"
