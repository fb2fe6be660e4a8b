#!/usr/bin/env python3
"""One entry point for a fresh machine: ``python3 dev.py start`` or ``python3 dev.py test``.

It needs only Python 3.11+. It creates ``.venv`` next to this file, installs the pinned
dependencies from ``requirements/`` and the project itself (editable), then either starts the
bot or runs every check CI runs (ruff, mypy, catalog check, pytest). Installs are skipped when
the lock files have not changed since the last successful install.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def _lock_digest(lock: Path) -> str:
    h = hashlib.sha256()
    for path in [*sorted((ROOT / "requirements").glob("*.txt")), ROOT / "pyproject.toml", lock]:
        h.update(path.read_bytes())
    return h.hexdigest()


def ensure_env(dev: bool) -> None:
    """Create the virtual environment and install the locked dependencies when needed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit("KPI Coach needs Python 3.11 or newer; this is " + sys.version.split()[0])
    if not PY.exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    lock = ROOT / "requirements" / ("dev.txt" if dev else "base.txt")
    stamp = VENV / (".installed-dev" if dev else ".installed-base")
    digest = _lock_digest(lock)
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"Installing dependencies from {lock.relative_to(ROOT)} ...", flush=True)
    pip = [str(PY), "-m", "pip", "--disable-pip-version-check", "install", "-q"]
    subprocess.run([*pip, "-r", str(lock)], check=True, cwd=ROOT)
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True, cwd=ROOT)
    stamp.write_text(digest)


def run(cmd: list[str]) -> int:
    print("$ " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "help"
    rest = argv[1:]
    if command == "start":
        ensure_env(dev=False)
        os.execv(str(BIN / "kpi-coach"), [str(BIN / "kpi-coach"), "run", *rest])
    if command == "test":
        ensure_env(dev=True)
        steps = [
            [str(BIN / "ruff"), "check", "."],
            [str(BIN / "mypy")],
            [str(PY), "tools/i18n.py", "check"],
            [str(PY), "-m", "pytest", *rest],
        ]
        for step in steps:
            code = run(step)
            if code != 0:
                return code
        return 0
    if command == "console":
        ensure_env(dev=False)
        os.execv(str(BIN / "kpi-coach"), [str(BIN / "kpi-coach"), "console", *rest])
    print("usage: python3 dev.py start | test [pytest args] | console [--lang ru|en]")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
