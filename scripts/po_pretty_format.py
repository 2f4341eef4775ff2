"""Lays out .po/.pot files as OCA's po-pretty-format does, keeping translations equal to their source.

oca-checks-po's po-pretty-format sorts the entries by msgid and wraps lines at 78
columns, as Odoo's export does, but also empties a translation equal to its source
("Action" = "Action" in French). tests/test_translations.py requires every message
translated, so this keeps such translations and rewrites the layout only. The
content of the files does not change; after regenerating translations, run
`python3 scripts/po_pretty_format.py $(git ls-files '*.po' '*.pot')` (or `make lint`).

Exits 1 when it rewrote a file.
"""

import sys
from pathlib import Path

import polib


def pretty(text):
    catalog = polib.pofile(text)  # wraps at 78 columns
    catalog.sort(key=lambda entry: entry.msgid)
    return str(catalog)


def main(paths):
    changed = False
    for path in map(Path, paths):
        text = path.read_text(encoding="utf-8")
        layout = pretty(text)
        if layout != text:
            path.write_text(layout, encoding="utf-8")
            print(f"rewrote {path}")
            changed = True
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
