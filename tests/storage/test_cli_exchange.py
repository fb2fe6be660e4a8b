"""``kpi-coach export`` and ``kpi-coach import`` on the bot's own database."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import load_settings
from bot.storage import make_engine, upgrade
from bot.storage.uow import uow_factory
from tests.exchange_world import ANNA, BORIS, build_team, log_history, snapshot
from tests.fakes import ManualClock


def _point_at(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / name))


def test_export_then_import_from_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.exchange_world import NOW

    clock = ManualClock(NOW)
    worlds = {}
    for name in ("source", "target"):
        _point_at(tmp_path, name, monkeypatch)
        engine = make_engine(load_settings(_env_file=None).resolved_database_url())
        upgrade(engine)
        new_uow = uow_factory(engine, clock)
        ids = build_team(new_uow)
        if name == "source":
            log_history(new_uow, ids)
        worlds[name] = (engine, new_uow, ids)
    _point_at(tmp_path, "source", monkeypatch)
    assert main(["export", "--user", str(ANNA), "--team", "--format", "csv",
                 "--out", str(tmp_path / "team.csv")]) == 0
    assert "(70 rows)" in capsys.readouterr().out
    assert main(["export", "--user", str(BORIS), "--team"]) == 1
    assert "Only the team's owner or an admin" in capsys.readouterr().err
    _point_at(tmp_path, "target", monkeypatch)
    assert main(["import", str(tmp_path / "team.csv"), "--user", str(ANNA), "--yes"]) == 0
    assert "70 строк можно взять" in capsys.readouterr().out  # Anna speaks Russian
    source_engine, source, source_ids = worlds["source"]
    target_engine, target, target_ids = worlds["target"]
    got = snapshot(target, target_ids)
    want = snapshot(source, source_ids)
    source_engine.dispose()
    target_engine.dispose()
    # The terminal's clock is the system's: only entered_at of the file is kept, so equal.
    assert got == want
