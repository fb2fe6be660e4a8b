#!/usr/bin/env python3
"""Maintain the gettext catalogs in ``locales/``.

    python tools/i18n.py update   # extract msgids into messages.pot and merge into en/ru .po
    python tools/i18n.py check    # fail if a catalog is incomplete, fuzzy or inconsistent

``update`` keeps existing translations, fills the English catalog with the source text, and
takes Russian translations from any fragment files ``locales/ru/pending/*.po`` (plain
msgid/msgstr entries; a fragment wins over the catalog). Normally there are none: translate in
``locales/ru/LC_MESSAGES/messages.po`` directly.
"""

from __future__ import annotations

import string
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
POT = LOCALES / "messages.pot"
LANGUAGES = ("en", "ru")
KEYWORDS = ["_", "gettext", "ngettext:1,2", "pgettext:1c,2", "npgettext:1c,2,3",
            "N_", "NP_:1c,2", "NN_:1,2", "lazy_gettext"]


def _po(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / "messages.po"


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, sort_output=False, omit_header=False)


def extract(output: Path = POT) -> None:
    cmd = [sys.executable, "-m", "babel.messages.frontend", "extract",
           "-F", str(ROOT / "babel.cfg"),
           "--no-default-keywords", "--add-comments=Translators:", "--sort-by-file",
           "--project=kpi-coach", "--copyright-holder=KPI Coach contributors", "-o", str(output)]
    for k in KEYWORDS:
        cmd += ["-k", k]
    subprocess.run([*cmd, "kpi_core", "bot"], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _fragments() -> dict[object, object]:
    found: dict[object, object] = {}
    for path in sorted((LOCALES / "ru" / "pending").glob("*.po")):
        for msg in _read(path, "ru"):
            if msg.id and msg.string and (not isinstance(msg.string, tuple) or all(msg.string)):
                found[(msg.context, msg.id)] = msg.string
    return found


def update() -> None:
    extract()
    pending = _fragments()
    for lang in LANGUAGES:
        # A fresh template per language: Catalog.update() adds the template's Message objects
        # themselves, so filling English msgstrs would otherwise leak into the Russian catalog.
        template = _read(POT)
        path = _po(lang)
        catalog = _read(path, lang) if path.exists() else Catalog(locale=lang)
        catalog.locale = lang  # type: ignore[assignment]
        catalog.fuzzy = False
        catalog.project = "kpi-coach"
        catalog.version = "0.1"
        catalog.copyright_holder = "KPI Coach contributors"
        catalog.msgid_bugs_address = ""
        catalog.last_translator = "KPI Coach contributors"
        catalog.language_team = "Russian" if lang == "ru" else "English"
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        for msg in catalog:
            if not msg.id:
                continue
            if lang == "en":
                msg.string = msg.id  # English source text is the translation
            elif (msg.context, msg.id) in pending:
                # A fragment in locales/ru/pending/ is the newest word on a translation.
                msg.string = pending[(msg.context, msg.id)]
            msg.flags.discard("fuzzy")
        _write(path, catalog)


def _filled(s: object) -> bool:
    if isinstance(s, tuple | list):
        return all(bool(x) for x in s)
    return bool(s)


_FIELDS = string.Formatter()


def _placeholders(text: str) -> set[str]:
    try:
        return {f for _, f, _, _ in _FIELDS.parse(text) if f}
    except ValueError:
        return {"<unbalanced braces>"}


def check() -> int:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "messages.pot"
        extract(fresh)  # the source code, not a stale messages.pot, says what must be translated
        template_ids = {(m.context, m.id) for m in _read(fresh) if m.id}
    problems: list[str] = []
    for lang in LANGUAGES:
        path = _po(lang)
        if not path.exists():
            problems.append(f"{path}: missing")
            continue
        catalog = _read(path, lang)
        if catalog.fuzzy:
            problems.append(f"{lang}: the catalog header is marked fuzzy")
        nplurals = catalog.num_plurals
        ids = set()
        for msg in catalog:
            if not msg.id:
                continue
            ids.add((msg.context, msg.id))
            where = f"{lang}: {msg.id if isinstance(msg.id, str) else msg.id[0]!r}"
            if msg.fuzzy:
                problems.append(f"{where}: fuzzy")
            if isinstance(msg.id, tuple | list):
                strings = list(msg.string) if isinstance(msg.string, tuple | list) else [msg.string]
                if len(strings) != nplurals or not all(strings):
                    problems.append(f"{where}: needs {nplurals} plural forms")
                expected = _placeholders(msg.id[1]) | _placeholders(msg.id[0])
                for s in strings:
                    if s and not _placeholders(s) <= expected:
                        problems.append(f"{where}: placeholders {_placeholders(s)} vs {expected}")
            else:
                if not msg.string:
                    problems.append(f"{where}: untranslated")
                elif _placeholders(msg.string) != _placeholders(msg.id):
                    problems.append(f"{where}: placeholders {_placeholders(msg.string)} "
                                    f"vs {_placeholders(msg.id)}")
        missing = template_ids - ids
        if missing:
            sample = ", ".join(repr(m[1]) for m in list(missing)[:5])
            problems.append(f"{lang}: {len(missing)} msgids missing "
                            f"(run tools/i18n.py update): {sample}")
    for p in problems:
        print(p)
    print(f"i18n: {len(problems)} problem(s)")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "check"
    if cmd == "update":
        update()
        return check()
    if cmd == "extract":
        extract()
        return 0
    if cmd == "check":
        return check()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
