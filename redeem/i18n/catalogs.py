"""Compiling the message catalogs (.po → .mo) without shelling out to pybabel.

Compiled catalogs are build artifacts (gitignored). `bash scripts/i18n.sh compile`, the test
and demo scripts, and the test suite's session fixture all produce them; this module is what
the fixture uses, so a fresh checkout's `pytest` never renders English by accident.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def stale(po: Path) -> bool:
    mo = po.with_suffix(".mo")
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


def compile_catalogs(directory: Path, *, force: bool = False) -> list[Path]:
    """Compile every translations/<locale>/LC_MESSAGES/messages.po that changed; return them."""
    done = []
    for po in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        if not force and not stale(po):
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        # Fuzzy entries are left out, as `pybabel compile` does: a guess is never shown.
        mo = po.with_suffix(".mo")
        partial = mo.with_name("messages.partial.mo")  # gitignored like any .mo
        with partial.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=False)
        partial.replace(mo)  # atomic: a running app never reads half a catalog
        done.append(po)
    return done
