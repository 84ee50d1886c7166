"""The committed catalogs match the code, and every language is complete and well formed."""

from __future__ import annotations

import gettext
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale

from redeem.i18n.locale import SUPPORTED
from tests.i18n.conftest import ROOT, TRANSLATIONS, read_catalog

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{\{\s*\w+\s*\}\}")
CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")


def ids(catalog) -> set:  # type: ignore[no-untyped-def]
    return {(m.context, m.id) for m in catalog if m.id}


def placeholders(text: str) -> set[str]:
    return {m.group(0).replace(" ", "") for m in PLACEHOLDER.finditer(text)}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `bash scripts/i18n.sh extract` would write today, into a scratch file."""
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "i18n.sh"), "extract"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "POT": str(out), "PYBABEL": str(pybabel)},
    )
    return out


def test_the_committed_template_lists_exactly_the_messages_in_the_code(extracted: Path) -> None:
    committed = ids(read_catalog(TRANSLATIONS / "messages.pot"))
    current = ids(read_catalog(extracted))
    refresh = "run `bash scripts/i18n.sh update`, then translate what is new"
    assert current - committed == set(), f"strings new in the code: {refresh}"
    assert committed - current == set(), f"strings gone from the code: {refresh}"


def test_every_supported_language_has_a_catalog_and_nothing_else_does() -> None:
    found = {p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}
    assert found == set(SUPPORTED)


def test_every_language_translates_every_message_of_the_template(locale: str) -> None:
    template = ids(read_catalog(TRANSLATIONS / "messages.pot"))
    catalog = read_catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    assert ids(catalog) == template, "run `bash scripts/i18n.sh update`"
    assert not catalog.fuzzy, "the catalog header is marked fuzzy: pybabel would not compile it"
    untranslated, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert untranslated == []
    assert fuzzy == []
    assert list(catalog.obsolete) == []


def test_every_translation_keeps_the_placeholders_of_its_message(locale: str) -> None:
    catalog = read_catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            expected = placeholders(message.id[0]) | placeholders(message.id[1])
            for form in message.string:
                # A plural form may spell its number out ("محاولة واحدة"); nothing else may go.
                needed = expected - {"%(num)d", "%(num)s"}
                if placeholders(form) - expected or needed - placeholders(form):
                    wrong.append((message.id, form))
        elif placeholders(message.string) != placeholders(message.id):
            wrong.append((message.id, message.string))
    assert wrong == []


def test_every_translation_formats_with_the_values_the_code_passes(locale: str) -> None:
    catalog = read_catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        values = {name: 7 if name == "num" else "X" for name in re.findall(r"%\((\w+)\)", msgid)}
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if values:
                text % values  # a stray "%" or a misspelt name raises here
            else:
                assert "%(" not in text


def cldr_categories(locale: str) -> list[str]:
    """The plural categories whole numbers reach in this language, in gettext's order."""
    seen = {Locale.parse(locale).plural_form(n) for n in range(1000)}
    return [c for c in CLDR_ORDER if c in seen]


def test_every_plural_formula_picks_the_form_cldr_names_for_each_number(locale: str) -> None:
    """Babel's own Arabic header orders "many" and "other" the other way round from GNU
    gettext's; the committed header is the GNU one, and this holds it to CLDR."""
    catalog = read_catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    order = cldr_categories(locale)
    assert catalog.num_plurals == len(order)
    formula = gettext.c2py(catalog.plural_expr)
    for n in range(1000):
        assert formula(n) == order.index(Locale.parse(locale).plural_form(n)), n
    for message in catalog:
        if isinstance(message.id, tuple):
            assert len(message.string) == catalog.num_plurals, message.id


def test_the_english_catalog_says_what_the_code_says() -> None:
    catalog = read_catalog(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po", "en")
    for message in catalog:
        if message.id and not isinstance(message.id, tuple):
            assert message.string == message.id


def test_the_product_name_is_never_translated(locale: str) -> None:
    catalog = read_catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    for message in catalog:
        if message.id and not isinstance(message.id, tuple) and "GIFQ" in message.id:
            assert "GIFQ" in message.string, message.id


def test_every_catalog_compiles(tmp_path: Path, locale: str) -> None:
    from babel.messages.mofile import write_mo

    catalog = read_catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    with (tmp_path / "messages.mo").open("wb") as f:
        write_mo(f, catalog)
    with (tmp_path / "messages.mo").open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    assert compiled.gettext("Continue") == catalog.get("Continue").string
