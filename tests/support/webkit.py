"""WebKit (Safari's engine) for tests: Debian's WebKitGTK MiniBrowser, driven through its
WebDriver (`WebKitWebDriver`, package webkit2gtk-driver) by Selenium, on a private Xvfb.

    with xvfb() as display:
        with webkit(display) as view:         # a SeleniumView on a fresh browser profile
            view.open(url)

Selenium is always given the driver's path, so Selenium Manager never downloads anything.
A missing binary skips the test on a developer's machine and fails it in CI (CI=true).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.processes import (
    descendants,
    free_port,
    missing_tool,
    spawn,
    stop_group,
    stop_group_or_process,
)
from tests.support.view import SeleniumView

WEBDRIVER = "/usr/bin/WebKitWebDriver"
# The browser WebKitWebDriver starts; its folder carries the library's API version.
MINIBROWSERS = sorted(Path("/usr/lib").glob("*/webkit2gtk-*/MiniBrowser"), reverse=True)
DESKTOP = (1280, 800)


def _need(binary: str | None, what: str) -> str:
    if binary and os.access(binary, os.X_OK):
        return binary
    missing_tool(f"{what} is not installed (scripts/test.sh installs webkit2gtk-driver and xvfb)")


@contextmanager
def xvfb() -> Iterator[str]:
    """A private X display; Xvfb picks a free number itself and writes it to a pipe."""
    binary = _need(shutil.which("Xvfb"), "Xvfb")
    read, write = os.pipe()
    process = spawn(
        [binary, "-displayfd", str(write), "-screen", "0", "1600x1200x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        assert number.isdigit(), "Xvfb did not report a display"
        yield f":{number}"
    finally:
        stop_group(process)


@contextmanager
def webkit(
    display: str,
    *,
    cookies: str = "no-third-party",
    features: tuple[str, ...] = (),
    javascript: bool = True,
    tls_errors_ignored: bool = False,
) -> Iterator[SeleniumView]:
    """A fresh MiniBrowser (its own profile: no cookies, no cache) under WebKitWebDriver.

    cookies: MiniBrowser's policy, "no-third-party" (Safari's: cookies in a cross-site frame
    are refused) or "never". features: WebKit feature switches, e.g. "-AsyncClipboardAPI"."""
    from selenium import webdriver
    from selenium.webdriver.webkitgtk.options import Options
    from selenium.webdriver.webkitgtk.service import Service

    driver_binary = _need(WEBDRIVER, "WebKitWebDriver")
    browser = _need(str(MINIBROWSERS[0]) if MINIBROWSERS else None, "WebKitGTK's MiniBrowser")
    options = Options()
    options.binary_location = browser
    for argument in (
        "--automation",
        f"--cookies-policy={cookies}",
        # The only way to a viewport narrower than MiniBrowser's toolbar is a popup window.
        "--javascript-can-open-windows-automatically=true",
        *(f"--features={f}" for f in features),
        *([] if javascript else ["--enable-javascript=false"]),
        *(["--ignore-tls-errors"] if tls_errors_ignored else []),
    ):
        options.add_argument(argument)
    profile = tempfile.mkdtemp(prefix="webkit-")
    log = Path(profile) / "webdriver.log"
    service = Service(
        executable_path=driver_binary,
        port=free_port(),
        log_output=str(log),
        # A private home and cache: nothing carries over from one test's browser to the next.
        env={
            **os.environ,
            "DISPLAY": display,
            "HOME": profile,
            "XDG_CACHE_HOME": f"{profile}/cache",
            "XDG_DATA_HOME": f"{profile}/data",
            "XDG_CONFIG_HOME": f"{profile}/config",
        },
    )
    driver = webdriver.WebKitGTK(options=options, service=service)
    try:
        driver.set_window_size(*DESKTOP)
        yield SeleniumView(driver)
    finally:
        # The driver's MiniBrowser and WebKit's web and network processes are its children;
        # quit() ends the session and the driver, and whatever of them outlived it ends here.
        family = descendants(service.process.pid) if service.process else set()
        driver.quit()
        for pid in family:
            stop_group_or_process(pid)
        shutil.rmtree(profile, ignore_errors=True)
