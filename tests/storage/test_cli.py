"""``kpi-coach db upgrade | downgrade | current`` against the database from the settings."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.storage import cli


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="kpi-coach")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    code: int = args.handler(args)
    return code


@pytest.fixture(autouse=True)
def _clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No .env from the developer's checkout, no inherited DATABASE_URL.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))


def test_upgrade_current_downgrade_on_the_default_sqlite_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("db", "current") == 0
    assert capsys.readouterr().out.strip().endswith(": empty (base)")
    assert run("db", "upgrade") == 0
    assert capsys.readouterr().out.strip().endswith(": 0006 (head)")
    assert (tmp_path / "data" / "kpi_coach.sqlite3").is_file()
    assert run("db", "downgrade", "base") == 0
    assert capsys.readouterr().out.strip().endswith(": empty (base)")
    assert run("db", "upgrade", "0002") == 0
    assert run("db", "downgrade") == 0  # default: one step back
    assert capsys.readouterr().out.strip().endswith(": 0001")


def test_unknown_revision_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("db", "upgrade", "nope") == 1
    err = capsys.readouterr().err
    assert "kpi-coach db upgrade" in err
    assert "nope" in err


def test_action_is_required() -> None:
    with pytest.raises(SystemExit) as exit_info:
        run("db")
    assert exit_info.value.code == 2


@pytest.mark.postgres
def test_database_url_from_the_environment_with_the_password_hidden(
    fresh_url: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = fresh_url("postgres").replace("postgres@", "postgres:s3cret@", 1)  # trust auth
    monkeypatch.setenv("DATABASE_URL", url)
    assert run("db", "upgrade") == 0
    out = capsys.readouterr().out
    assert "0006 (head)" in out
    assert "postgresql://postgres:***@127.0.0.1" in out
    assert "s3cret" not in out
