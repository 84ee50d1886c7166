#!/usr/bin/env bash
# Translations, one entry point:
#   bash scripts/i18n.sh extract    # the code's strings → translations/messages.pot
#   bash scripts/i18n.sh update     # extract, then merge into every locale's messages.po
#   bash scripts/i18n.sh compile    # every .po → .mo (build artifacts, gitignored)
#   bash scripts/i18n.sh check      # .pot matches the code; every locale complete, none fuzzy
#   bash scripts/i18n.sh init xx    # start a new language (then add it to SUPPORTED)
# Adding a string: wrap it, run `update`, translate the new empty msgstr in each .po, run `check`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYBABEL="${PYBABEL:-$ROOT/.venv/bin/pybabel}"
# POT may point elsewhere: the catalog test extracts into a scratch file and compares.
POT="${POT:-translations/messages.pot}"

extract() {
    # -k: the lazy forms are not default keywords; without them form labels go missing.
    # --add-comments: a `{# Translators: ... #}` or `# Translators:` comment reaches the .po.
    "$PYBABEL" -q extract -F babel.cfg -o "$POT" \
        -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 \
        --add-comments=Translators: --sort-by-file --no-wrap \
        --project=gifq-redeem --copyright-holder=GIFQ --msgid-bugs-address=i18n@gifq.example \
        .
}

case "${1:-}" in
    extract)
        extract
        echo "$(grep -c '^msgid "' "$POT") messages in $POT (one is the header)"
        ;;
    update)
        extract
        # No fuzzy matching: a changed sentence shows up empty, so a translator looks at it,
        # instead of a near-miss guess that a test would reject anyway.
        "$PYBABEL" -q update -i "$POT" -d translations --no-fuzzy-matching --ignore-obsolete --no-wrap
        ;;
    compile)
        "$PYBABEL" -q compile -d translations --statistics
        ;;
    check)
        exec "$ROOT/.venv/bin/python" -m pytest -q -p no:cacheprovider tests/i18n/test_catalogs.py
        ;;
    init)
        [ -n "${2:-}" ] || { echo "usage: $0 init LOCALE  (e.g. sv, pt_PT, zh_Hant)" >&2; exit 2; }
        extract
        "$PYBABEL" init -i "$POT" -d translations -l "$2" --no-wrap
        ;;
    *)
        sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
        exit 2
        ;;
esac
