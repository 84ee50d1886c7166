"""Every page state passes the Nu HTML checker (vnu-jar from npm, run by the system Java).

The HTML checked is what the server sent for each state (not the DOM after our script ran),
in both languages; all files go to one JVM start, which is most of the cost.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.a11y.sweep import Sweep
from tests.support.processes import ROOT, missing_tool

pytestmark = pytest.mark.e2e

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _vnu() -> list[str]:
    java = shutil.which("java")
    if java and VNU_JAR.is_file():
        return [java, "-jar", str(VNU_JAR)]
    missing_tool("needs java and vnu-jar: `npm ci --ignore-scripts` (scripts/test.sh does both)")


def test_every_page_state_is_valid_html(swept: Sweep, tmp_path: Path) -> None:
    files = []
    for (state, lang), visit in swept.visits.items():
        path = tmp_path / f"{state}-{lang}.html"
        path.write_text(visit.html, encoding="utf-8")
        files.append(str(path))
    assert len(files) >= 30
    done = subprocess.run(
        [*_vnu(), "--errors-only", "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    messages = json.loads(done.stdout)["messages"]
    errors = [
        f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['message']}"
        f" [{m.get('extract', '').strip()[:80]}]"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]
    assert errors == [], "\n".join(errors)
    assert done.returncode == 0, done.stderr
