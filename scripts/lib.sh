# Shared by scripts/demo.sh and scripts/test.sh: sourced, not run.
# Installs only what is missing, so a second run on the same machine takes seconds.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Root runs apt-get itself; anyone else needs sudo.
as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root to run: $* (install sudo, or run this as root)"
    fi
}

APT_UPDATED=0
apt_install() {
    # usage: apt_install [--no-install-recommends] pkg...
    command -v apt-get >/dev/null 2>&1 \
        || die "missing system packages and no apt-get to install them: install ${*/--no-install-recommends/} by hand"
    if [ "$APT_UPDATED" = 0 ]; then
        say "apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        APT_UPDATED=1
    fi
    say "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

pick_python() {
    local candidate
    for candidate in ${PYTHON:-} python3 python3.11 python3.12 python3.13; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
    die "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)"
}

ensure_venv() {
    if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import pip' 2>/dev/null; then
        return
    fi
    local python version
    python="$(pick_python)"
    # Debian and Ubuntu ship venv without ensurepip; it comes in python3-venv.
    if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
        version="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
        if [ "$python" = python3 ]; then apt_install python3-venv; else apt_install "python$version-venv"; fi
    fi
    rm -rf "$VENV"  # a half-made venv (from a failed earlier attempt) would be reused forever
    say "creating .venv with $python"
    "$python" -m venv "$VENV"
}

# usage: pip_install '.'  or  pip_install '.[test]'
pip_install() {
    local target="$1" stamp want
    stamp="$VENV/.installed-$(printf '%s' "$target" | tr -c 'a-z' '_')"
    want="$(cat "$ROOT/requirements.lock" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return
    fi
    say "pip install -c requirements.lock -e '$target'"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
        -c "$ROOT/requirements.lock" -e "$ROOT/$target"
    echo "$want" >"$stamp"
}

compile_translations() {
    if compgen -G "$ROOT/translations/*/LC_MESSAGES/*.po" >/dev/null; then
        "$VENV/bin/pybabel" -q compile -d "$ROOT/translations"
    fi
}
