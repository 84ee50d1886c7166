#!/usr/bin/env bash
# The demo: fake GIFQ, the app and a merchant page embedding it, all on this machine.
#   bash scripts/demo.sh        (ports: DEMO_APP_PORT=8000 DEMO_GIFQ_PORT=8001 DEMO_HOST_PORT=8002)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_venv
pip_install '.[fake]'  # the fake GIFQ server draws its logos with Pillow
compile_translations
exec "$VENV/bin/python" -m redeem.demo
