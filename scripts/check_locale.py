"""Fails when the Italian catalogue is out of sync with the code.

It extracts the messages of a copy of the source tree with ``makemessages`` and checks that
``locale/it/LC_MESSAGES/django.po`` has exactly those messages, every one translated and none
fuzzy, and that the committed ``django.mo`` holds the same translations as the ``.po``.
Fix with: manage.py makemessages -l it --no-location --no-obsolete (see README), translate,
manage.py compilemessages -l it.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = Path("locale/it/LC_MESSAGES/django.po")
SKIP = {".git", ".venv", "staticfiles", "media", "outbox", "node_modules", ".pytest_cache"}
MAKEMESSAGES = [
    "makemessages",
    "-l",
    "it",
    "--no-location",
    "--no-obsolete",
    "--ignore=.venv",
    "--ignore=staticfiles",
    "--ignore=tests",
]


def key(entry):
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def main():
    problems = []
    if not (ROOT / CATALOGUE).is_file():
        print(f"{CATALOGUE} is missing: run makemessages (see README)")
        return 1
    po = polib.pofile(str(ROOT / CATALOGUE))
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(
            ROOT,
            copy,
            ignore=lambda d, names: [n for n in names if n in SKIP and Path(d) == ROOT],
        )
        subprocess.run(
            [sys.executable, "manage.py", *MAKEMESSAGES],
            cwd=copy,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        extracted = polib.pofile(str(copy / CATALOGUE))

    wanted = {key(e) for e in extracted if not e.obsolete}
    have = {key(e) for e in po if not e.obsolete}
    for missing in sorted(wanted - have, key=str):
        problems.append(f"not in the catalogue: {missing[1]!r}")
    for stale in sorted(have - wanted, key=str):
        problems.append(f"no longer in the code: {stale[1]!r}")
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif not entry.translated():
            problems.append(f"not translated: {entry.msgid!r}")

    mo_path = ROOT / CATALOGUE.with_suffix(".mo")
    if not mo_path.exists():
        problems.append(f"{mo_path.relative_to(ROOT)} is missing: run compilemessages")
    else:
        compiled = {
            key(e): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in polib.mofile(str(mo_path))
        }
        for entry in po.translated_entries():
            if compiled.get(key(entry)) != (
                entry.msgstr,
                tuple(sorted(entry.msgstr_plural.items())),
            ):
                problems.append(f"django.mo is out of date (run compilemessages): {entry.msgid!r}")
                break

    for problem in problems:
        print(problem)
    if problems:
        print(f"The Italian catalogue is out of sync: {len(problems)} problem(s).")
        return 1
    print(f"Italian catalogue complete: {len(po.translated_entries())} messages.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
