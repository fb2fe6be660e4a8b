"""``kpi-coach chart``: the /progress picture into a file, from the bot's database."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from matplotlib.image import imread

from bot.cli import main
from tests.unit.test_console import RUSSIAN_SCRIPT, run


@pytest.fixture
def database(tmp_path: Path) -> str:
    from bot.storage import prepare_database

    url = f"sqlite:///{tmp_path / 'chart.sqlite3'}"
    engine = prepare_database(url)
    try:
        run(engine, RUSSIAN_SCRIPT + "выручка 120 000\n")  # set up on 10 April 2025, then log
    finally:
        engine.dispose()
    return url


def test_chart_writes_the_persons_png(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "progress.png"
    code = main(["chart", "--user", "0", "--date", "2025-04-10", "--lang", "en",
                 "--database-url", database, "--out", str(out)])
    assert code == 0
    assert capsys.readouterr().out.strip() == str(out)
    image = imread(io.BytesIO(out.read_bytes()), format="png")
    assert image.shape[:2] == (800, 1200)
    assert image[..., :3].std() > 0.05


def test_chart_says_why_there_is_nothing_to_draw(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "none.png"
    code = main(["chart", "--user", "0", "--date", "2025-06-10", "--lang", "ru",
                 "--database-url", database, "--out", str(out)])
    assert code == 1
    assert not out.exists()
    assert capsys.readouterr().err.strip() == (
        "На сегодня плана пока нет: задайте его командой /plan.")


def test_a_solo_owner_may_ask_for_the_team_chart_a_stranger_may_not(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "team.png"
    assert main(["chart", "--user", "0", "--team", "--date", "2025-04-10",
                 "--database-url", database, "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    assert main(["chart", "--user", "5", "--team", "--lang", "en",
                 "--database-url", database, "--out", str(tmp_path / "x.png")]) == 1
    assert "Send /start" in capsys.readouterr().err


def test_the_console_saves_the_png_and_prints_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.storage import prepare_database

    monkeypatch.chdir(tmp_path)
    engine = prepare_database(f"sqlite:///{tmp_path / 'console.sqlite3'}")
    try:
        output = run(engine, RUSSIAN_SCRIPT + "выручка 120 000\n/progress\n")
    finally:
        engine.dispose()
    saved = tmp_path / "progress-2025-04-10.png"
    assert f"Ваш прогресс по 1 показателю: сохранено в {saved}" in output
    assert saved.read_bytes().startswith(b"\x89PNG")
