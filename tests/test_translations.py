"""The French and Polish translations: complete against their template, and faithful to its placeholders.

A translation that loses ``%(name)s``, a ``{{ … }}`` expression or an HTML tag
breaks the message at run time in that language only, which no other test sees.
Files are read with Odoo's own .po reader.
"""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LANGUAGES = ("fr", "pl")
TEMPLATES = sorted(REPO.glob("*/i18n/*.pot"))
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s")
EXPRESSION = re.compile(r"\{\{\s*(.*?)\s*(?:\|\|\|.*?)?\}\}")  # the default after ||| is text, translated
TAG = re.compile(r"</?\w+[^>]*>")


def read(path):
    from odoo.tools.translate import PoFileReader

    with open(path, "rb") as po_file:
        return {entry["src"]: entry["value"] for entry in PoFileReader(po_file)}


def marks(text):
    return sorted(PLACEHOLDER.findall(text)), sorted(EXPRESSION.findall(text)), sorted(TAG.findall(text))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.parent.parent.name)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_its_placeholders(template, language):
    translations = read(template.with_name(f"{language}.po"))
    sources = set(read(template))
    assert sources - set(translations) == set(), "messages of the template left untranslated"
    untranslated = sorted(source for source in sources if not translations[source].strip())
    assert untranslated == []
    broken = [(source, translations[source]) for source in sources if marks(source) != marks(translations[source])]
    assert broken == []
