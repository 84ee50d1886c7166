"""Compiled message catalogs (.mo) that are always there and always current.

A `.mo` file is a build artifact (gitignored). Without one, Flask-Babel quietly falls back to
the English msgids, and a page under `<html lang="de">` speaks English. So the app makes
sure at start (`ready`) that every supported language has a catalog at least as new as its
`.po`: compiled in place when the code directory is writable, otherwise into a private
directory of our own (CATALOG_CACHE_DIR, by default under the system's temp directory),
which Flask-Babel is then pointed at. When neither works, the app refuses to start in one
line: a page must never claim one language and speak another.

`bash scripts/i18n.sh compile`, the test and demo scripts and the image build compile them
too; this module is what the app and the test suite's session fixture use.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
# The language the msgids are written in needs no catalog to be right.
SOURCE_LOCALE = "en"


class CatalogsUnavailable(RuntimeError):
    """No current catalog for a supported language, and none could be made."""


def stale(po: Path, mo: Path | None = None) -> bool:
    mo = po.with_suffix(".mo") if mo is None else mo
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


def _catalog(directory: Path, locale: str) -> Path:
    return directory / locale / "LC_MESSAGES" / "messages.mo"


def _write(po: Path, mo: Path) -> None:
    with po.open("rb") as source:
        catalog = read_po(source, locale=po.parent.parent.name)
    mo.parent.mkdir(parents=True, exist_ok=True)
    # A file of our own then an atomic rename: workers starting together never read half a
    # catalog, nor write into each other's.
    fd, partial = tempfile.mkstemp(prefix=".messages-", suffix=".partial", dir=mo.parent)
    try:
        with os.fdopen(fd, "wb") as target:
            # Fuzzy entries are left out, as `pybabel compile` does: a guess is never shown.
            write_mo(target, catalog, use_fuzzy=False)
        os.replace(partial, mo)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def compile_catalogs(
    directory: Path, *, force: bool = False, into: Path | None = None
) -> list[Path]:
    """Compile every <locale>/LC_MESSAGES/messages.po under ``directory`` whose .mo (in
    ``into``, default ``directory``) is missing or older; return the .po files compiled."""
    target = directory if into is None else into
    done = []
    for po in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo = _catalog(target, po.parent.parent.name)
        if force or stale(po, mo):
            _write(po, mo)
            done.append(po)
    return done


def _current(directory: Path, source: Path, locales: Iterable[str]) -> list[str]:
    """The locales without a current catalog in ``directory`` (compared with ``source``)."""
    missing = []
    for locale in locales:
        po = source / locale / "LC_MESSAGES" / "messages.po"
        mo = _catalog(directory, locale)
        if stale(po, mo) if po.exists() else not mo.exists():
            missing.append(locale)
    return missing


def private_directory(directory: Path) -> Path:
    """Make ``directory`` ours alone, or refuse: catalogs are code, and a shared temp
    directory is somewhere anyone could have put a catalog of their own first."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = directory.stat()
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise PermissionError(f"{directory} is not private to this user")
    return directory


def default_cache_dir(source: Path) -> Path:
    # One folder per checkout, so two checkouts on one machine never share catalogs.
    import hashlib

    tag = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"gifq-redeem-{os.getuid()}" / f"catalogs-{tag}"


def ready(source: Path, locales: Iterable[str], cache_dir: Path | None = None) -> Path:
    """The directory Flask-Babel should read, with a current catalog for every locale."""
    wanted = [locale for locale in locales if locale != SOURCE_LOCALE]
    if not _current(source, source, wanted):
        return source
    try:
        compile_catalogs(source)
    except OSError as exc:  # a read-only code directory (an image, a package)
        problem = exc
    else:
        _complete(source, source, wanted)
        return source
    cache = cache_dir or default_cache_dir(source)
    try:
        private_directory(cache)
        if _current(cache, source, wanted):
            compile_catalogs(source, into=cache)
            for locale in wanted:  # shipped compiled without a .po: use it as it is
                shipped = _catalog(source, locale)
                if shipped.exists() and not _catalog(cache, locale).exists():
                    _catalog(cache, locale).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(shipped, _catalog(cache, locale))
    except OSError as exc:
        raise CatalogsUnavailable(
            f"translations: cannot compile the catalogs in {source} ({_reason(problem)}) "
            f"nor in {cache} ({_reason(exc)}): run `bash scripts/i18n.sh compile`, or set "
            "CATALOG_CACHE_DIR to a writable directory"
        ) from exc
    _complete(cache, source, wanted)
    return cache


def _complete(directory: Path, source: Path, locales: list[str]) -> None:
    missing = _current(directory, source, locales)
    if missing:
        raise CatalogsUnavailable(
            f"translations: no catalog for {', '.join(missing)} in {source}: "
            "the translations folder is incomplete (restore it from the repository)"
        )


def _reason(exc: OSError) -> str:
    return exc.strerror.lower() if exc.strerror else type(exc).__name__


def directory_for(config: Mapping[str, Any]) -> Path:
    """Where Flask-Babel reads the catalogs for this configuration; ConfigError if nowhere."""
    from redeem.config import ConfigError
    from redeem.i18n.locale import SUPPORTED

    source = ROOT / "translations"
    cache = config.get("CATALOG_CACHE_DIR")
    try:
        return ready(source, SUPPORTED, Path(cache) if cache else None)
    except CatalogsUnavailable as exc:
        raise ConfigError(str(exc)) from exc
