"""``kpi-coach console``: the whole questionnaire from piped input, over a real database."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.cli import build_parser
from bot.console import Console
from bot.storage import prepare_database, uow_factory
from tests.fakes import ManualClock

NBSP = "\u00a0"
ROOT = Path(__file__).resolve().parents[2]

RUSSIAN_SCRIPT = """\
1
1
2
2
готово
1,7
2
10
пропустить
1
3
01.04.2025 – 30.04.2025
десять миллионов
10 000 000
пропустить
готово
2
2
18:30
сохранить
"""


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = prepare_database(f"sqlite:///{tmp_path / 'console.sqlite3'}")
    yield engine
    engine.dispose()


def run(engine: Engine, script: str, language: str = "ru") -> str:
    clock = ManualClock(datetime(2025, 4, 10, 6, 0, tzinfo=UTC))
    out = io.StringIO()
    console = Console(uow_factory(engine, clock), clock, 0, language, out)
    assert console.run(io.StringIO(script)) == 0
    return out.getvalue()


def test_the_whole_questionnaire_runs_from_piped_input(engine: Engine) -> None:
    output = run(engine, RUSSIAN_SCRIPT)
    assert "Шаг 1 из " in output
    assert "  1) Собственник бизнеса" in output
    assert "✓ CRM или система заказов" not in output  # "1,7" ticks and finishes in one go
    assert "Шаг 8 из " in output  # calls, then skipped
    assert "⚠️" in output  # "десять миллионов" is not a number ...
    assert output.count("Какой план продаж на 1–30 апреля 2025\u202fг.?") == 2  # ... asked again
    assert "Вот что я предлагаю отслеживать" in output
    assert f"Норма в день: 45{NBSP}454,55{NBSP}₽ на человека" in output
    assert "Готово! Сохранил" in output
    with uow_factory(engine)() as uow:
        user = uow.users.by_telegram_id(0)
        assert user is not None
        assert user.onboarded
        assert user.language == "ru"
        assert user.id is not None
        assert uow.assignments.for_user(user.id)


def test_multi_select_one_at_a_time_and_commands(engine: Engine) -> None:
    output = run(engine, "1\n1\n2\n2\n3\ndone\nback\n/cancel\n/start\n", language="en")
    assert "✓ More sales" in output
    assert "✓ Bigger deals" in output
    assert "Where can you get the numbers from?" in output
    assert "Cancelled." in output
    assert output.count("Step 1 of") == 1  # /start after /cancel carries on
    assert "Welcome back! Let's continue where we stopped." in output


def test_buttons_of_one_row_share_a_line_and_a_redraw_drops_an_old_error(engine: Engine) -> None:
    output = run(engine, "1\n1\n2\nне знаю\n99\n", language="ru")
    assert "  1) Сайт и мессенджеры   2) Телефон" in output  # two columns, as in Telegram
    last = output.rsplit("Варианта с таким номером нет.", 1)[1]
    assert "⚠️" not in last  # the step again, without the error of "не знаю"
    assert "Что хотите улучшить" in last


def test_the_review_keeps_remove_next_to_its_kpi_and_lists_in_lower_case(engine: Engine) -> None:
    output = run(engine, RUSSIAN_SCRIPT + "/today\n/log\n", language="ru")
    assert "1) 🔄 Новые клиенты   2) ✖" in output
    assert "Ваши показатели: выручка, " in output
    assert "📋 Сегодня, четверг, 10 апреля" in output  # /today, as in Telegram
    # The console logs results too (issue 8): /log shows the KPI buttons and the quick form.
    assert "Какой результат внести за сегодня?" in output


def test_a_number_with_no_option_at_a_time_question_is_the_time(engine: Engine) -> None:
    script = "3\n1\n1\n1,2\ndone\n1\n1\n300000\nskip\ndone\n2\n2\n7\nсохранить\n"
    output = run(engine, script, language="ru")
    assert "Варианта с таким номером нет." not in output
    assert "а в 19:00 напомню внести результаты" in output  # "7" in the evening


def test_unknown_numbers_and_commands_are_explained(engine: Engine) -> None:
    output = run(engine, "99\n/frobnicate\n/help\n", language="en")
    assert "There is no option with that number." in output
    assert "Unknown command." in output
    assert "Options are numbered" in output


def test_the_cli_subcommand_exits_0_at_the_end_of_input(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "DEFAULT_LANGUAGE", "DATA_DIR")}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", "--lang", "en",
         "--database-url", f"sqlite:///{tmp_path / 'cli.sqlite3'}"],
        input="2\n1\n2\n2\ndone\ndone\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Step 1 of" in result.stdout
    assert "How many people share the plan?" in result.stdout  # head of sales → team size


def test_the_parser_knows_the_console() -> None:
    args = build_parser().parse_args(["console", "--lang", "ru", "--database-url", "sqlite://"])
    assert (args.lang, args.database_url, args.user_id) == ("ru", "sqlite://", 0)
    assert callable(args.handler)


def test_typed_numbers_are_numbers_and_options_are_chosen_with_a_hash(engine: Engine) -> None:
    # Issue 8: "2,5" at the head count was option 2, "9,500,000" (the prompt's own example
    # format) was "no option with that number".
    output = run(engine, "2\n1\n2\n2\ndone\ndone\n2,5\n10\n#1\nback\n#6\n1\n1\n9,500,000\n",
                 language="en")
    assert "⚠️ Send a whole number, like 2." in output
    assert "There is no option with that number." not in output
    assert "How much did you sell in the previous period" in output  # 9,500,000 was taken
    # "#1" chose 20 calls; "back" came back from the country to the calls, "#6" skipped them.
    assert output.count("About how many calls does one salesperson make") == 2
    with uow_factory(engine)() as uow:
        user = uow.users.by_telegram_id(0)
        assert user is not None
        conversation = uow.conversations.get(0, user.id or 0)
    assert conversation is not None
    answers = conversation.data["q"]["answers"]
    assert (answers["team_size"], answers["calls"]) == (10, None)
    assert answers["plan"] == {"amount": "9500000", "currency": "RUB"}


def test_a_full_day_in_the_console(engine: Engine) -> None:
    script = RUSSIAN_SCRIPT + (
        "выручка 120 000, звонки 35\n"   # "звонки" is not among the KPIs: nothing is saved
        "выручка 120 000\n/today\n/digest\n/report\n/report month\nпривет\n/log\n#1\n50 000\n"
    )
    output = run(engine, script)
    assert output.startswith("KPI Coach в терминале.")
    assert "Ничего не сохранил: часть сообщения я не понял." in output
    assert f"✅ Сохранено за сегодня:\n• Выручка: 120{NBSP}000{NBSP}₽" in output
    assert "📋 Сегодня, четверг, 10 апреля" in output
    assert "☀️ Доброе утро! Четверг, 10 апреля" in output  # the digest that would be sent
    # Set up today: no week or month of theirs is over yet (the reports are in
    # tests/services/test_reports.py).
    assert output.count("Отчёта для вас пока нет: он подводит итоги прошлой недели (месяца)") == 2
    assert "В этом сообщении я не нашёл результатов, которые можно внести." in output
    assert "Какой результат внести за сегодня?" in output
    assert f"Выручка: 50{NBSP}000{NBSP}₽ (было 120{NBSP}000{NBSP}₽)" in output


def test_input_from_a_file_is_echoed_so_the_output_reads_as_a_transcript(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import argparse

    from bot.console import run_console

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    args = argparse.Namespace(lang="en", database_url=f"sqlite:///{tmp_path / 'c.sqlite3'}",
                              user_id=0)
    out = io.StringIO()
    assert run_console(args, stdin=io.StringIO("1\n/help\n"), stdout=out) == 0
    text = out.getvalue()
    assert "› 1\n" in text
    assert "› /help\n" in text
    assert text.index("› 1\n") < text.index("What kind of business is it?")
