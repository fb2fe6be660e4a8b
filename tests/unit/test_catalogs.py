"""Both catalogs are complete and Russian plurals come out right."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import resolve_language, translator

ROOT = Path(__file__).resolve().parents[2]


def _catalog(lang: str):  # type: ignore[no-untyped-def]
    with (ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def test_catalog_check_passes() -> None:
    """No untranslated or fuzzy entries, placeholders match, plural forms present, nothing
    missing."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "i18n.py"), "check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_russian_catalog_has_three_plural_forms_for_every_plural_entry() -> None:
    catalog = _catalog("ru")
    assert catalog.num_plurals == 3
    plurals = [m for m in catalog if m.id and isinstance(m.id, tuple | list)]
    assert plurals, "the bot speaks about counts, so the catalog must have plural entries"
    for msg in plurals:
        assert len(msg.string) == 3, msg.id
        assert all(msg.string), msg.id


@pytest.mark.parametrize(
    ("n", "form"),
    [(1, 0), (2, 1), (5, 2), (11, 2), (21, 0), (22, 1), (0, 2), (12, 2), (101, 0), (111, 2)],
)
def test_russian_plural_rule_picks_the_right_form(n: int, form: int) -> None:
    """1 день, 2 дня, 5 дней, 11 дней, 21 день, 22 дня — through the compiled catalog."""
    t = translator("ru")
    catalog = _catalog("ru")
    msg = next(m for m in catalog if m.id and isinstance(m.id, tuple | list))
    singular, plural = msg.id[0], msg.id[1]
    translated = t.ngettext(singular, plural, n)
    assert translated == msg.string[form]


def test_english_falls_back_to_source_text_and_languages_resolve() -> None:
    assert translator("en")._("a string nobody translated") == "a string nobody translated"
    assert resolve_language("ru-RU") == "ru"
    assert resolve_language("en-GB") == "en"
    assert resolve_language("de", default="ru") == "ru"
    assert resolve_language(None) == "en"
