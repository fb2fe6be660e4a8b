"""``kpi-coach quota`` and ``kpi-coach funnel`` end to end (argv in, text or JSON out)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pytest

import bot.cli
import bot.cli_calc

NBSP = "\u00a0"
SEED = ["quota", "--plan", "10000000", "--people", "10", "--month", "2025-04", "--country", "RU"]


def _entry_point() -> Callable[[Sequence[str] | None], int]:
    """``bot.cli.main``, the real entry point, once every subcommand module exists.

    While other modules listed in ``bot.cli.SUBCOMMAND_MODULES`` are still being written, fall
    back to this module's own parser (same ``register`` and handlers).
    """
    try:
        bot.cli.build_parser()
    except ImportError:
        return bot.cli_calc.main
    return bot.cli.main


main = _entry_point()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = _run(capsys, *argv, "--json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert isinstance(result, dict)
    return result


def _sum(rows: list[dict[str, Any]], key: str) -> Decimal:
    return sum((Decimal(r[key]) for r in rows), Decimal(0))


# -- quota ------------------------------------------------------------------------------------
def test_seed_example_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, *SEED, "--lang", "en")
    assert (code, err) == (0, "")
    assert "Working days:" in out
    assert "22 (production calendar of Russia" in out
    assert "Daily quota per person:   ₽45,454.55" in out
    assert "Daily quota for the team: ₽454,545.46" in out  # rounded up, as the first day
    assert "Tue 1 Apr" in out
    lines = out.splitlines()
    assert "Date          Person 1         Team" in lines
    total = next(line for line in lines if line.startswith("Total"))
    assert total.split() == ["Total", "₽1,000,000", "₽10,000,000"]
    # The first person's leftover kopecks come first; the team's days stay even.
    assert "Tue 1 Apr   ₽45,454.55  ₽454,545.46" in out
    assert "Wed 30 Apr  ₽45,454.54  ₽454,545.45" in out
    assert "the team's daily totals stay even" in out


def test_seed_example_in_russian(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, *SEED, "--lang", "ru")
    assert code == 0
    assert f"Дневная норма на человека: 45{NBSP}454,55{NBSP}₽" in out
    assert "Рабочих дней:" in out
    assert "производственный календарь: Россия" in out
    assert f"10{NBSP}000{NBSP}000{NBSP}₽" in out


def test_seed_example_as_json_adds_up_exactly(capsys: pytest.CaptureFixture[str]) -> None:
    result = _json(capsys, *SEED)
    assert result["command"] == "quota"
    assert result["working_days"] == 22
    assert result["working_days_source"] == "calendar"
    assert result["daily_quota_per_person"] == "45454.55"
    assert result["daily_quota_team"] == "454545.46"  # rounded up: 22 days reach the plan
    assert result["currency"] == "RUB"
    assert result["period"] == {"from": "2025-04-01", "to": "2025-04-30"}
    schedule = result["schedule"]
    assert len(schedule) == 22
    assert schedule[0] == {
        "day": 1,
        "date": "2025-04-01",
        "person_1": "45454.55",
        "per_person_min": "45454.54",
        "per_person_max": "45454.55",
        "team": "454545.46",
    }
    assert schedule[-1]["person_1"] == "45454.54"
    assert _sum(schedule, "team") == Decimal(10_000_000)
    assert _sum(schedule, "person_1") == Decimal(1_000_000)
    assert {r["team"] for r in schedule} == {"454545.45", "454545.46"}  # even to the kopeck
    assert result["plan_per_person"] == ["1000000.00"] * 10
    assert result["daily_quota_per_person_unrounded"] == "45454.5455"


def test_plan_as_people_type_it(capsys: pytest.CaptureFixture[str]) -> None:
    plain = _json(capsys, *SEED)
    for text, lang in (
        ("10 млн", "ru"),
        ("10 000 000 ₽", "ru"),
        ("10m", "en"),
        ("10,000,000", "en"),
    ):
        argv = [*SEED[:1], "--plan", text, *SEED[3:], "--lang", lang]
        assert _json(capsys, *argv)["schedule"] == plain["schedule"]


def test_catch_up_and_pace(capsys: pytest.CaptureFixture[str]) -> None:
    result = _json(
        capsys,
        *SEED,
        "--done",
        "4,5 млн",
        "--today",
        "2025-04-15",
        "--logged-today",
        "--lang",
        "ru",
    )
    catch = result["catch_up"]
    assert catch["today"] == "2025-04-15"
    assert catch["today_logged"] is True
    assert catch["remaining"] == "5500000.00"
    assert catch["remaining_working_days"] == 11
    assert catch["need_per_day_per_person"] == "50000.00"
    assert catch["need_per_day_team"] == "500000.00"
    assert catch["schedule"][0]["date"] == "2025-04-16"
    assert _sum(catch["schedule"], "team") == Decimal(5_500_000)
    pace = result["progress"]
    assert pace == {
        "elapsed_working_days": 11,
        "expected_to_date": "5000000.00",
        "gap": "-500000.00",
        "pace": "0.9000",
        "completion": "0.4500",
        "projected_total": "9000000.00",
        "status": "behind",
    }


def test_catch_up_text_before_logging_today(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "quota",
        "--plan",
        "1000000",
        "--month",
        "2025-04",
        "--done",
        "500000",
        "--today",
        "2025-04-15",
        "--lang",
        "en",
    )
    assert code == 0
    assert "Working days left:         12" in out
    assert "Need per day per person:   ₽41,666.67" in out
    assert "Status:" in out


def test_target_already_reached(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "quota",
        "--plan",
        "100",
        "--month",
        "2025-04",
        "--done",
        "120",
        "--today",
        "2025-04-20",
        "--lang",
        "en",
    )
    assert code == 0
    assert "The target is reached. Surplus: ₽20." in out


def test_working_days_override(capsys: pytest.CaptureFixture[str]) -> None:
    result = _json(capsys, "quota", "--plan", "100", "--people", "3", "--working-days", "3")
    assert result["working_days_source"] == "override"
    assert result["period"] is None
    assert [r["date"] for r in result["schedule"]] == [None, None, None]
    assert result["plan_per_person"] == ["33.34", "33.33", "33.33"]
    assert _sum(result["schedule"], "team") == Decimal(100)
    assert result["daily_quota_per_person"] == "11.12"  # 33.34 / 3 rounded up, as day 1
    assert result["working_weekdays"] is None  # not used: the days were given
    assert {r["team"] for r in result["schedule"]} == {"33.33", "33.34"}


def test_a_count_plan_shows_the_daily_range_not_a_rounded_down_quota(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # 300 calls, 10 people, 22 days: 1.36 calls a day each. "1 a day" would leave 80 calls
    # unplanned; the schedule has 1 or 2, and the team makes 13 or 14 every day.
    argv = ["quota", "--plan", "300", "--count", "--people", "10", "--month", "2025-04"]
    code, out, _ = _run(capsys, *argv, "--lang", "ru")
    assert code == 0
    assert "Дневная норма на человека: 1–2 (в среднем 1,36)" in out
    assert "Дневная норма команды:     13–14 (в среднем 13,64)" in out
    assert "Сотрудников:               10" in out
    result = _json(capsys, *argv)
    assert [r["team"] for r in result["schedule"]] == ["14"] * 14 + ["13"] * 8
    assert {(r["per_person_min"], r["per_person_max"]) for r in result["schedule"]} == {("1", "2")}
    assert _sum(result["schedule"], "person_1") == 30


def test_custom_weekdays_and_range(capsys: pytest.CaptureFixture[str]) -> None:
    result = _json(
        capsys,
        "quota",
        "--plan",
        "130",
        "--count",
        "--from",
        "2025-10-27",
        "--to",
        "2025-11-08",
        "--weekdays",
        "1-6",
    )
    # Mon-Sat from 27 Oct to 8 Nov, without 3 and 4 November: 11 - 2 + ... = 10 working days.
    assert result["working_days"] == 10
    assert result["unit"] == "count"
    assert result["currency"] is None
    assert result["working_weekdays"] == [1, 2, 3, 4, 5, 6]
    assert [r["person_1"] for r in result["schedule"]] == ["13"] * 10
    dates = [r["date"] for r in result["schedule"]]
    assert "2025-11-01" in dates
    assert "2025-11-03" not in dates


def test_baseline_warning(capsys: pytest.CaptureFixture[str]) -> None:
    result = _json(capsys, *SEED, "--baseline", "6 000 000")
    assert result["achievability"]["realistic"] is False
    assert result["achievability"]["concerns"] == ["growth_too_high"]
    code, out, _ = _run(capsys, *SEED, "--baseline", "6 000 000", "--lang", "en")
    assert code == 0
    assert "Consider at most ₽7,800,000." in out


# -- funnel -----------------------------------------------------------------------------------
FUNNEL = [
    "funnel", "--revenue", "10000000", "--avg-deal", "45000", "--people", "10",
    "--month", "2025-04", "--rate", "call_to_meeting=0.2", "--rate", "proposal_to_deal=50%",
    "--rate", "meeting_to_proposal=0.5",
]  # fmt: skip


def test_funnel_json(capsys: pytest.CaptureFixture[str]) -> None:
    result = _json(capsys, *FUNNEL)
    assert result["working_days"] == 22
    assert result["overall_conversion"] == "0.05"
    assert [c["from"] for c in result["conversions"]] == ["call", "meeting", "proposal"]
    calls, *_, deals = result["stages"]
    assert calls == {
        "stage": "call",
        "needed": 4445,
        "needed_unrounded": "4444.4444",
        "per_person": 445,
        "per_day_average": "202.1",
        "per_person_per_day_average": "20.3",
    }
    # 222.2 deals over 22 days for 10 people: 1.01 a day each, shown as 1.1, not as 2 (which
    # would add up to 440 deals).
    assert deals["needed"] == 223
    assert deals["per_person_per_day_average"] == "1.1"
    assert deals["per_day_average"] == "10.2"


def test_funnel_text_in_russian(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, *FUNNEL, "--lang", "ru")
    assert code == 0
    assert "Обратная воронка" in out
    rows = {line.split(" ")[0]: line.split() for line in out.splitlines() if line}
    assert rows["Звонки"][-3:] == ["445", "202,1", "20,3"]  # per person, per day, per person a day
    assert rows["Сделки"][-4:] == ["223", "23", "10,2", "1,1"]
    assert "Конверсия в следующий этап" in out
    assert "значения в день — средние, округлённые вверх до десятых" in out
    calls_line = next(line for line in out.splitlines() if line.startswith("Звонки"))
    assert f"4{NBSP}445" in calls_line


def test_funnel_from_a_target_count(capsys: pytest.CaptureFixture[str]) -> None:
    result = _json(capsys, "funnel", "--target", "80", "--rate", "lead->ql=80%")
    assert [(s["stage"], s["needed"]) for s in result["stages"]] == [("lead", 100), ("ql", 80)]
    assert result["working_days"] is None


# -- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["quota", "--plan", "-5", "--month", "2025-04"], "A negative number is not allowed"),
        (["quota", "--plan", "5", "--month", "2025-13"], "“2025-13” is not a month"),
        (["quota", "--plan", "5", "--month", "April"], "use YYYY-MM"),
        (["quota", "--plan", "abc", "--month", "2025-04"], "doesn't look like a number"),
        (["quota", "--plan", "1e6", "--month", "2025-04"], "Exponents"),
        (["quota", "--plan", "12%", "--month", "2025-04"], "not a percentage"),
        (["quota", "--plan", "5"], "Give the period"),
        (["quota", "--plan", "5", "--month", "2025-04", "--country", "XX"], "Unknown country code"),
        (["quota", "--plan", "5", "--month", "2025-04", "--people", "0"], "at least 1"),
        (["quota", "--plan", "5", "--month", "2025-04", "--people", "2.5"], "whole number"),
        (["quota", "--plan", "5", "--month", "2025-04", "--weekdays", "0-8"], "Monday (1)"),
        (["quota", "--plan", "5", "--month", "2025-04", "--done", "1"], "--done and --today"),
        (["quota", "--plan", "5", "--month", "2025-04", "--from", "2025-04-01"], "not both"),
        (["quota", "--plan", "5", "--from", "2025-04-01"], "go together"),
        (["quota", "--plan", "5", "--from", "2025-04-31", "--to", "2025-05-01"], "not a date"),
        (
            ["quota", "--plan", "5", "--from", "2025-05-01", "--to", "2025-04-01"],
            "start on or before",
        ),
        (
            ["quota", "--plan", "$5", "--currency", "RUB", "--month", "2025-04"],
            "different currencies",
        ),
        (["quota", "--plan", "5.5555", "--month", "2025-04"], "too many decimal places"),
        (["quota", "--plan", "5", "--from", "2025-05-03", "--to", "2025-05-04"], "no working days"),
        (
            ["funnel", "--revenue", "100", "--avg-deal", "10", "--rate", "a_to_b=1.5"],
            "at most 1 (100%)",
        ),
        (
            ["funnel", "--revenue", "100", "--avg-deal", "10", "--rate", "a_b=0.5"],
            "not a conversion",
        ),
        (["funnel", "--revenue", "100", "--avg-deal", "10"], "at least one --rate"),
        (["funnel", "--revenue", "100", "--rate", "a_to_b=0.5"], "Give --revenue and --avg-deal"),
        (["funnel", "--revenue", "0", "--avg-deal", "10", "--rate", "a_to_b=0.5"], "revenue plan"),
        (["funnel", "--target", "5", "--rate", "a_to_b=0.5", "--rate", "c_to_d=0.5"], "one chain"),
        (["funnel", "--target", "2.5", "--rate", "a_to_b=0.5"], "2.5 is not a whole number"),
        (
            [
                "quota",
                "--plan",
                "100",
                "--month",
                "2025-04",
                "--done",
                "5.5555",
                "--today",
                "2025-04-10",
            ],
            "5.5555 has too many decimal places: round it to 0.01.",
        ),
        (
            [
                "quota",
                "--plan",
                "10",
                "--count",
                "--month",
                "2025-04",
                "--done",
                "1.5",
                "--today",
                "2025-04-10",
            ],
            "1.5 is not a whole number",
        ),
        (
            ["quota", "--plan", "5", "--month", "2025-04", "--people", "1001"],
            "1,001 is too many here: the most is 1,000.",
        ),
        (["quota", "--plan", "5", "--working-days", "400"], "the most is 366"),
        (["quota", "--plan", "5", "--working-days", "0"], "at least 1"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    code, out, err = _run(capsys, *argv, "--lang", "en")
    assert code == 2
    assert out == ""
    assert err.startswith(f"kpi-coach {argv[0]}: ")
    assert expected in err


def test_errors_are_translated(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "quota", "--plan", "1.000", "--month", "2025-04", "--lang", "ru")
    assert code == 2
    assert "«1.000» можно понять двояко" in err
    code, _, err = _run(capsys, "quota", "--plan", "5", "--month", "2025-13", "--lang", "ru")
    assert code == 2
    assert "не месяц" in err
    # A number in a Russian sentence has a decimal comma and every digit the user typed.
    code, _, err = _run(capsys, "quota", "--plan", "45,4551", "--month", "2025-04", "--lang", "ru")
    assert code == 2
    assert "В числе 45,4551 слишком много знаков после запятой: округлите до 0,01." in err
    code, _, err = _run(
        capsys, "funnel", "--target", "5", "--rate", "call_to_deal=1,5", "--lang", "ru"
    )
    assert code == 2
    assert "получено 1,5." in err
    code, _, err = _run(
        capsys, "quota", "--plan", "5", "--from", "2025-01-01", "--to", "2026-06-01", "--lang", "ru"
    )
    assert code == 2
    assert "не длиннее 366 дней" in err


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(
    ("plan", "readings"),
    [
        ("1,000", (f"1{NBSP}000 or 1", f"1{NBSP}000 или 1")),
        ("45.455", (f"45{NBSP}455 or 45.455", f"45{NBSP}455 или 45,455")),
    ],
)
def test_an_ambiguous_amount_is_refused_whatever_the_language(
    capsys: pytest.CaptureFixture[str], language: str, plan: str, readings: tuple[str, str]
) -> None:
    """The README promises it: ``--plan 1,000 --lang ru`` used to plan 1 ₽ (and ``--lang en``
    1000): a command line means the same whatever the output language."""
    code, out, err = _run(
        capsys, "quota", "--plan", plan, "--working-days", "10", "--lang", language
    )
    assert (code, out) == (2, "")
    english, russian = readings
    assert (english if language == "en" else russian) in err
    # ... and says how to write each reading so that it is read as meant.
    assert ("write " if language == "en" else "напишите ") in err


def test_unambiguous_amounts_read_the_same_in_both_languages(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for plan, expected in (("1000", "1000"), ("1 000", "1000"), ("1,000,000", "1000000"),
                           ("45 455,50", "45455.50"), ("1,5 млн", "1500000"), ("1.5k", "1500")):
        for language in ("en", "ru"):
            result = _json(capsys, "quota", "--plan", plan, "--working-days", "10",
                           "--lang", language)
            assert result["plan"] == expected, (plan, language)


@pytest.mark.parametrize("plan", ["99999999999999999999999999999", "9" * 38, "1000000000000000.01"])
@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_plan_beyond_what_any_kpi_holds_exits_2_without_a_traceback(
    capsys: pytest.CaptureFixture[str], plan: str, language: str
) -> None:
    code, out, err = _run(capsys, "quota", "--plan", plan, "--month", "2025-04", "--lang", language)
    assert (code, out) == (2, "")
    assert err.startswith("kpi-coach quota: ")
    assert "Traceback" not in err
    assert ("too large" if language == "en" else "Слишком большое число") in err
    for other in ("--done", "--baseline"):
        code, _, err = _run(capsys, "quota", "--plan", "100", "--month", "2025-04", other, plan,
                            "--today", "2025-04-10", "--lang", language)
        assert code == 2
        assert "Traceback" not in err


def test_the_largest_plan_is_computed_and_shown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "quota", "--plan", "1000000000000000", "--people", "7",
                          "--month", "2025-04", "--lang", "ru")
    assert (code, err) == (0, "")
    assert f"1{NBSP}000{NBSP}000{NBSP}000{NBSP}000{NBSP}000{NBSP}₽" in out


def test_argparse_errors_still_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["quota", "--month", "2025-04"])
    assert caught.value.code == 2
    assert "--plan" in capsys.readouterr().err
