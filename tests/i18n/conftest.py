"""Shared by the translation tests: where the catalogs live and how to read them."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from redeem.i18n.locale import SUPPORTED

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


@pytest.fixture(scope="session", params=SUPPORTED)
def locale(request: pytest.FixtureRequest) -> str:
    return request.param
