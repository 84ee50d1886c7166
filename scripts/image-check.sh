#!/usr/bin/env bash
# Build the container image and run it here, then check what it is and what it serves:
#   bash scripts/image-check.sh
#
# Docker Hub is out of reach here, so the Dockerfile's BASE_IMAGE is a Debian bookworm made
# with debootstrap (Python 3.11 + venv), kept as a buildah image and reused while its recipe
# and the ISO week are unchanged. buildah builds with `--isolation chroot` and the vfs
# storage driver, and `buildah run --isolation chroot` starts the image's own command on the
# host's network, against the fake GIFQ started from this checkout on loopback.
#
# Checks: /healthz answers; a German recipient's landing page is in German; the server runs
# as uid 10001; it cannot write the code directory; the image holds no tests, no fake
# server, no demo and no compilers, and does hold compiled catalogs; SIGTERM drains and
# stops it. Prints the image size. Exits non-zero if any check fails.
# Removes what it made (container, image, processes), except the cached base image.
#
#   IMAGE_CHECK_MIRROR=http://deb.debian.org/debian   where debootstrap downloads from
#   IMAGE_CHECK_REBUILD_BASE=1                         make the base again even if cached
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
started=$SECONDS

# --- tools: apt runs only when something is missing -------------------------------------
need=()
command -v buildah >/dev/null 2>&1 || need+=(buildah)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v ss >/dev/null 2>&1 || need+=(iproute2)
if [ "${#need[@]}" -gt 0 ]; then apt_install --no-install-recommends "${need[@]}"; fi
[ "$(id -u)" = 0 ] || die "image-check needs root (debootstrap, and buildah's chroot isolation)"
ensure_venv
pip_install '.[test]'  # the fake GIFQ and the checks below run from the checkout's venv

bah() { buildah --storage-driver vfs "$@"; }

failures=0
pass() { printf '  \033[32mok\033[0m   %s\n' "$*" >&2; }
fail() { printf '  \033[31mFAIL\033[0m %s\n' "$*" >&2; failures=$((failures + 1)); }

work="$(mktemp -d /var/tmp/image-check.XXXXXX)"
tag="localhost/gifq-redeem-check:$$"
ctr=""
fake_pid=""
run_pid=""
cleanup() {
    set +e
    [ -n "$run_pid" ] && kill -TERM "$run_pid" 2>/dev/null && wait "$run_pid" 2>/dev/null
    [ -n "$fake_pid" ] && kill -TERM "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
    [ -n "$ctr" ] && bah rm "$ctr" >/dev/null 2>&1
    bah rmi -f "$tag" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

# --- the base: Debian bookworm, Python 3.11 and venv --------------------------------------
MIRROR="${IMAGE_CHECK_MIRROR:-http://deb.debian.org/debian}"
BASE_PACKAGES="python3,python3-venv,ca-certificates"

make_base() {  # usage: make_base IMAGE-NAME
    local rootfs="$work/rootfs" new mnt
    say "debootstrap bookworm ($BASE_PACKAGES) from $MIRROR"
    debootstrap --variant=minbase --include="$BASE_PACKAGES" bookworm "$rootfs" "$MIRROR" \
        >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
    # What a slim image leaves out: package caches, lists, docs, man pages, translations.
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
        "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
        "$rootfs"/usr/share/locale/*
    # This host reaches package registries through a TLS-inspecting egress whose CA is in
    # its trust store: give the base the same trust, so pip inside the build can reach PyPI.
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
        cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
        chroot "$rootfs" update-ca-certificates >/dev/null 2>&1
        printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$rootfs/etc/pip.conf"
    fi
    new="$(bah from scratch)"
    mnt="$(bah mount "$new")"
    cp -a "$rootfs/." "$mnt/"
    bah umount "$new" >/dev/null
    bah config --env LANG=C.UTF-8 --cmd '["python3"]' "$new"
    bah commit --quiet --rm "$new" "$1" >/dev/null
    rm -rf "$rootfs"
}

# The cache key: the recipe above, the mirror, the trusted CAs, and the ISO week (so a
# cached base picks up Debian's security updates at least weekly).
base_key="$(
    {
        declare -f make_base
        echo "$MIRROR $BASE_PACKAGES"
        cat /usr/local/share/ca-certificates/*.crt 2>/dev/null || true
        date -u +%G-W%V
    } | sha256sum | cut -c1-12
)"
base="localhost/gifq-redeem-base:bookworm-$base_key"
exec 9>/var/tmp/gifq-redeem-image-base.lock
flock 9  # two runs at once share one base instead of making it twice
if [ -n "${IMAGE_CHECK_REBUILD_BASE:-}" ] || ! bah inspect --type image "$base" >/dev/null 2>&1; then
    t0=$SECONDS
    bah rmi -f "$base" >/dev/null 2>&1 || true
    make_base "$base"
    say "base $base made in $((SECONDS - t0)) s"
    # Older bases (another week or recipe) are no longer wanted.
    for old in $(bah images --format '{{.Name}}:{{.Tag}}' | grep '^localhost/gifq-redeem-base:' || true); do
        [ "$old" = "$base" ] || bah rmi -f "$old" >/dev/null 2>&1 || true
    done
else
    say "base $base (cached)"
fi
flock -u 9

# --- the image ----------------------------------------------------------------------------
t0=$SECONDS
say "buildah build --build-arg BASE_IMAGE=$base -t $tag"
bah build --isolation chroot --format docker --quiet \
    --build-arg BASE_IMAGE="$base" -t "$tag" -f Dockerfile . >"$work/build.log" 2>&1 \
    || { tail -40 "$work/build.log" >&2; die "image build failed"; }
say "image built in $((SECONDS - t0)) s"
size="$(bah images --format '{{.Size}}' "$tag" | head -1)"
base_size="$(bah images --format '{{.Size}}' "$base" | head -1)"

ctr="$(bah from --pull=false --quiet "$tag")"
mnt="$(bah mount "$ctr")"
# The image's own command, as its configuration says (CMD, no ENTRYPOINT).
bah inspect --type image "$tag" >"$work/inspect.json"
mapfile -t cmd < <("$VENV/bin/python" -c '
import json, sys
config = json.load(open(sys.argv[1]))["Docker"]["config"]
print("\n".join((config.get("Entrypoint") or []) + (config.get("Cmd") or [])))
' "$work/inspect.json")
[ "${#cmd[@]}" -gt 0 ] || die "the image has no command"
image_user="$("$VENV/bin/python" -c '
import json, sys; print(json.load(open(sys.argv[1]))["Docker"]["config"].get("User", ""))
' "$work/inspect.json")"

say "what the image holds"
# Every file the image holds is in the container's root: look at it from the host.
found="$(cd "$mnt" && find . \( -path ./proc -o -path ./sys -o -path ./dev \) -prune -o \
    \( -path '*/redeem/fake_gifq' -o -path '*/redeem/demo' -o -path './app/tests' \
       -o -path './app/*/test_*.py' -o -path './app/*conftest.py' -o -path './app/bench' \) -print)"
if [ -z "$found" ]; then pass "no tests, no fake GIFQ server, no demo"; else fail "found: $found"; fi
compilers="$(cd "$mnt" && find ./usr/bin ./usr/local/bin ./bin ./opt/venv/bin \
    \( -name gcc -o -name 'gcc-[0-9]*' -o -name cc -o -name 'c++' -o -name 'g++*' -o -name 'clang*' \
       -o -name 'x86_64-linux-gnu-gcc*' -o -name tcc -o -name ld \) 2>/dev/null || true)"
if [ -z "$compilers" ]; then pass "no compilers (gcc, cc, c++, clang, ld)"; else fail "compilers: $compilers"; fi
po_count="$(find translations -name messages.po | wc -l)"
mo_count="$(find "$mnt/app/translations" -name messages.mo | wc -l)"
if [ "$po_count" -gt 0 ] && [ "$mo_count" = "$po_count" ]; then
    pass "compiled catalogs: $mo_count of $po_count locales"
else
    fail "compiled catalogs: $mo_count .mo for $po_count .po"
fi
if [ "$image_user" = 10001 ]; then pass "image USER is 10001"; else fail "image USER is '$image_user'"; fi
bah umount "$ctr" >/dev/null

# --- run it --------------------------------------------------------------------------------
app_port="$("$VENV/bin/python" -c 'from tests.support.processes import free_port; print(free_port())')"
fake_port="$("$VENV/bin/python" -c 'from tests.support.processes import free_port; print(free_port())')"
PYTHONUNBUFFERED=1 "$VENV/bin/python" -m redeem.fake_gifq --host 127.0.0.1 --port "$fake_port" \
    --redeem-base "http://127.0.0.1:$app_port" >"$work/fake.log" 2>&1 &
fake_pid=$!

# Production settings, loopback GIFQ (the guard allows http there). The metrics directory
# gets its own name: /dev/shm is the host's under chroot isolation.
say "buildah run --isolation chroot: ${cmd[*]}"
bah run --isolation chroot \
    --env GIFQ_API_BASE="http://127.0.0.1:$fake_port" \
    --env SECRET_KEY="$("$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(32))')" \
    --env BIND="127.0.0.1:$app_port" \
    --env PROMETHEUS_MULTIPROC_DIR="/dev/shm/redeem-image-check-$$" \
    "$ctr" -- "${cmd[@]}" >"$work/app.log" 2>&1 &
run_pid=$!

say "what it serves"
if "$VENV/bin/python" - "$work/fake.log" "http://127.0.0.1:$fake_port" "http://127.0.0.1:$app_port" <<'PY'
import html, json, re, sys, time, urllib.request
from pathlib import Path

from babel.messages.pofile import read_po


fake_log, fake_url, app_url = sys.argv[1:]
failed = 0


def report(ok, what):
    global failed
    print(("  \033[32mok\033[0m   " if ok else "  \033[31mFAIL\033[0m ") + what, file=sys.stderr)
    failed += not ok


def get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode()


deadline = time.monotonic() + 60
token = ""
while time.monotonic() < deadline:
    match = re.search(r"sandbox token: (\S+)", Path(fake_log).read_text())
    if match:
        token = match.group(1)
        try:
            status, body = get(app_url + "/healthz")
            break
        except OSError:
            pass
    time.sleep(0.2)
else:
    report(False, "/healthz did not answer within 60 s")
    sys.exit(1)
report(status == 200 and body == "ok", f"/healthz answers {status} {body!r}")

def merchant(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        fake_url + path, data=data, method=method,
        headers={"X-Api-Token": token, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


demo = json.loads(get(fake_url + "/sandbox/demo")[1])
campaign = next(c["id"] for c in demo["campaigns"] if c["key"] == "branded")


def landing(locale):
    order = merchant("POST", "/api/payout-orders", {
        "campaign_id": campaign, "wallet_currency": "EUR", "expires_in_days": 30,
        "recipients": [{"email": f"image-check-{locale}@example.com", "amount": 50,
                        "currency": "EUR", "name": "Alice", "locale": locale}],
    })
    payout = merchant("GET", f"/api/payouts?payout_order_id={order['id']}")[0]
    # No Accept-Language: the payout's locale alone decides.
    return get(f"{app_url}/r/{payout['token']}")


def texts(page):
    """The page's text nodes, whitespace-normalised: a sentence must be one, not a fragment."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    nodes = (html.unescape(re.sub(r"\s+", " ", node)).strip() for node in re.split(r"<[^>]+>", body))
    return {node for node in nodes if node}


status_en, page_en = landing("en")
status_de, page_de = landing("de")
report(status_de == 200 and re.search(r'<html[^>]*\blang="de"', page_de) is not None,
       f"German recipient's landing: {status_de}, <html lang=\"de\">")
with open("translations/de/LC_MESSAGES/messages.po", "rb") as po:
    catalog = read_po(po)
en_nodes, de_nodes = texts(page_en), texts(page_de)
# Every catalog sentence the English landing shows must appear translated on the German one.
shown = [m for m in catalog if isinstance(m.id, str) and m.string and m.string != m.id
         and m.id in en_nodes]
missing = [m.id for m in shown if m.string not in de_nodes or m.id in de_nodes]
report(len(shown) >= 3 and not missing,
       f"landing in German: {len(shown) - len(missing)} of {len(shown)} sentences translated"
       + (f"; not translated: {missing[:3]}" if missing else ""))
sys.exit(1 if failed else 0)
PY
then :; else failures=$((failures + 1)); fi

# The server's processes, as the host sees them: whoever holds the listening socket.
pids="$(ss -ltnpH "sport = :$app_port" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u || true)"
uids=""
for pid in $pids; do
    uids="$uids $(awk '/^Uid:/ {print $2 "/" $3}' "/proc/$pid/status")"
done
if [ -n "$pids" ] && ! tr ' ' '\n' <<<"$uids" | grep -v '^$' | grep -qv '^10001/10001$'; then
    pass "server runs as uid 10001 (real/effective per process:$uids)"
else
    fail "server processes ${pids:-none} run as:${uids:- nothing}"
fi

rss=""
for pid in $pids; do rss="$rss $(awk '/^VmRSS:/ {print int($2 / 1024)}' "/proc/$pid/status")"; done
say "server memory after two landings, RSS in MB per process (gunicorn master and worker):$rss"

# As the image's user, inside the image: nothing under /app or /opt/venv may be written.
if bah run --isolation chroot "$ctr" -- python -c '
import os, sys
writable = [os.path.join(d, n) for top in ("/app", "/opt/venv")
            for d, dirs, files in os.walk(top) for n in [".", *files] if os.access(os.path.join(d, n), os.W_OK)]
try:
    open("/app/app.py", "a").close()
    writable.append("/app/app.py (opened for append)")
except PermissionError:
    pass
try:
    open("/app/image-check-probe", "w").close()
    writable.append("/app/image-check-probe (created)")
except PermissionError:
    pass
print(f"uid {os.getuid()}, writable: {writable[:5]}")
sys.exit(1 if writable or os.getuid() != 10001 else 0)
' >"$work/writable.log" 2>&1; then
    pass "code directory not writable by the app user ($(cat "$work/writable.log"))"
else
    fail "code directory writable: $(cat "$work/writable.log")"
fi
if bah run --isolation chroot "$ctr" -- sh -c 'command -v gcc || command -v cc || command -v c++' >/dev/null 2>&1; then
    fail "a compiler is on the image's PATH"
else
    pass "gcc/cc/c++ not on PATH"
fi
if bah run --isolation chroot "$ctr" -- python -c 'import redeem.fake_gifq' >/dev/null 2>&1; then
    fail "redeem.fake_gifq imports inside the image"
else
    pass "redeem.fake_gifq does not import"
fi

# SIGTERM to gunicorn's master: it drains and exits 0 within its graceful timeout (15 s).
master="$(for pid in $pids; do ppid="$(awk '/^PPid:/ {print $2}' "/proc/$pid/status")"; \
    grep -qx "$ppid" <<<"$pids" || echo "$pid"; done | head -1)"
if [ -n "$master" ]; then
    t0=$SECONDS
    kill -TERM "$master"
    status=0
    timeout 25 tail --pid="$master" -f /dev/null || status=$?
    if [ "$status" = 0 ] && wait "$run_pid"; then
        pass "SIGTERM: gunicorn stopped cleanly in $((SECONDS - t0)) s"
    else
        fail "SIGTERM: gunicorn did not stop cleanly"
    fi
    run_pid=""
fi
rm -rf "/dev/shm/redeem-image-check-$$"

say "image size: $size (its base: $base_size, $base)"
if [ "$failures" -gt 0 ]; then
    say "app log (last 30 lines):"
    tail -30 "$work/app.log" >&2
    say "image check FAILED: $failures check(s) in $((SECONDS - started)) s"
    exit 1
fi
say "image check passed in $((SECONDS - started)) s"
