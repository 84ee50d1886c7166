#!/usr/bin/env bash
# Everything the tests need, then ruff, mypy and pytest. Arguments go to pytest:
#   bash scripts/test.sh                  # the whole suite
#   bash scripts/test.sh tests/unit -x    # a part of it
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
started=$SECONDS

# --- system packages: apt runs only when something is missing -------------------------
need=()
need_norec=()
# CHROMIUM_PATH points the e2e tests at a browser; Debian's chromium is the default.
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then need+=(chromium); fi
command -v redis-server >/dev/null 2>&1 || need_norec+=(redis-server)
command -v caddy >/dev/null 2>&1 || need_norec+=(caddy)  # tests/deploy: the real proxy
# Noto covers the Arabic, CJK and Devanagari locales; without it those pages render as boxes.
for font in fonts-noto-core fonts-noto-cjk; do
    dpkg-query -W -f='${Status}' "$font" 2>/dev/null | grep -q 'install ok installed' \
        || need_norec+=("$font")
done
command -v java >/dev/null 2>&1 || need_norec+=(default-jre-headless)  # vnu, the HTML validator
command -v npm >/dev/null 2>&1 || need_norec+=(nodejs npm)
# The WebKit layer (tests/webkit): WebKitGTK's WebDriver and MiniBrowser, a virtual X server
# for it, xclip to read what a copy button put on the X clipboard, openssl for a test certificate.
# (Mesa's software GL, which WebKitGTK only recommends, draws its pages on Xvfb.)
[ -x /usr/bin/WebKitWebDriver ] || need_norec+=(webkit2gtk-driver libgl1-mesa-dri)
command -v Xvfb >/dev/null 2>&1 || need_norec+=(xvfb)
command -v xclip >/dev/null 2>&1 || need_norec+=(xclip)
command -v openssl >/dev/null 2>&1 || need_norec+=(openssl)  # a throwaway certificate for https
if [ "${#need[@]}" -gt 0 ]; then apt_install "${need[@]}"; fi
if [ "${#need_norec[@]}" -gt 0 ]; then apt_install --no-install-recommends "${need_norec[@]}"; fi

# --- Python and npm dependencies, pinned ------------------------------------------------
ensure_venv
pip_install '.[test]'

lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ "$(cat node_modules/.installed 2>/dev/null)" != "$lock_hash" ]; then
    say "npm ci"
    # --ignore-scripts: vnu-jar's postinstall would download a JDK; the system java is used.
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
    echo "$lock_hash" >node_modules/.installed
fi

compile_translations

# --- browser ----------------------------------------------------------------------------
if [ -z "${CHROMIUM_PATH:-}" ] && [ -x /usr/bin/chromium ]; then
    export CHROMIUM_PATH=/usr/bin/chromium
fi
if [ -n "${CHROMIUM_PATH:-}" ]; then
    say "e2e browser: $CHROMIUM_PATH (elsewhere: '.venv/bin/playwright install chromium', CHROMIUM_PATH unset)"
else
    say "no chromium found: run '.venv/bin/playwright install chromium' (not needed on Debian)"
fi

if [ -x /usr/bin/WebKitWebDriver ]; then
    say "WebKit layer: /usr/bin/WebKitWebDriver under Xvfb (Selenium is given the path; it downloads nothing)"
fi

say "setup took $((SECONDS - started)) s"

# --- checks -----------------------------------------------------------------------------
say "ruff check"
"$VENV/bin/ruff" check .

say "mypy --strict redeem"
"$VENV/bin/mypy"  # strict, files and per-library settings: [tool.mypy] in pyproject.toml

say "pytest $*"
# `python -m pytest` puts the repository root on sys.path, so `tests.support` imports.
status=0
"$VENV/bin/python" -m pytest "$@" || status=$?
say "done in $((SECONDS - started)) s (pytest exit $status)"
exit "$status"
