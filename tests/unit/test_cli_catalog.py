"""``kpi-coach kpis``: the catalog on the command line."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

import pytest

from bot import cli, cli_catalog
from kpi_core.advice.catalog import all_kpis
from kpi_core.advice.profile import Role
from kpi_core.advice.recommend import kpis_for_role


def _own_parser_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="kpi-coach")
    cli_catalog.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def run(argv: Sequence[str]) -> int:
    """Run through ``bot.cli.main``; while a sibling subcommand module is still being written,
    through this module's own ``register`` on a fresh parser."""
    try:
        cli.build_parser()
    except ModuleNotFoundError as exc:
        if exc.name == "bot.cli_catalog" or exc.name not in cli.SUBCOMMAND_MODULES:
            raise
        return _own_parser_main(argv)
    return cli.main(list(argv))


def test_subcommand_is_registered_in_the_cli() -> None:
    assert "bot.cli_catalog" in cli.SUBCOMMAND_MODULES


def test_lists_every_kpi_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["kpis", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert f"{len(all_kpis())} KPIs" in out
    for kpi in all_kpis():
        assert f"[{kpi.id}]" in out
    assert "Customer acquisition cost (CAC)  [customer_acquisition_cost]" in out
    assert "Formula: (marketing spend + sales costs) ÷ new customers" in out
    assert "Unit: money; lower is better; over a period: calculated on the period's totals" in out
    assert "Benchmark: good 5:1, exceptional 10:1" in out
    assert "Benchmark: example norm 80%" in out
    assert "Benchmark: example norm 15 minutes" in out
    assert "Logged daily: yes; kind: a lever you move every day" in out


def test_russian_output_for_a_role(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["kpis", "--role", "sales_manager", "--lang", "ru"]) == 0
    out = capsys.readouterr().out
    assert "KPI для роли «Менеджер по продажам»" in out
    n = len(kpis_for_role(Role.SALES_MANAGER))
    assert f"{n} показател" in out
    assert "Холодные звонки  [cold_calls]" in out
    assert "Конверсия из лида в квалифицированный лид  [lead_to_qualified]" in out
    assert "Формула: квалифицированные лиды ÷ лиды" in out
    assert "Ориентир: норма из примера 80\u00a0%" in out
    assert "Нужные данные: CRM или система заказов или ручной подсчёт" in out
    assert "Вносится ежедневно: да" in out
    # a marketer's KPI is not a sales manager's
    assert "[leads]" not in out
    assert "[marketing_roi]" not in out


def test_json_is_one_object_with_self_explaining_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["kpis", "--json", "--role", "marketer", "--lang", "en"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["role"] == "marketer"
    assert data["language"] == "en"
    ids = [k["id"] for k in data["kpis"]]
    assert data["kpi_count"] == len(ids) == len(kpis_for_role(Role.MARKETER))
    assert "closed_deals" not in ids
    roi = next(k for k in data["kpis"] if k["id"] == "marketing_roi")
    assert roi == {
        "id": "marketing_roi",
        "area": "marketing",
        "name": "Marketing ROI",
        "short_name": "ROI",
        "description": roi["description"],
        "formula": "revenue from marketing ÷ marketing spend",
        "formula_inputs": [
            {
                "metric_id": "marketing_revenue",
                "name": "revenue from marketing",
                "unit": "money",
                "any_of_sources": ["crm", "web_analytics"],
            },
            {
                "metric_id": "marketing_spend",
                "name": "marketing spend",
                "unit": "money",
                "any_of_sources": ["ad_accounts", "accounting"],
            },
        ],
        "unit": "ratio",
        "better": "higher",
        "period_aggregation": "ratio_of_sums",
        "controlled_by": ["marketer", "head", "owner"],
        "data_needed_each_group_any_source": [
            ["crm", "web_analytics"],
            ["ad_accounts", "accounting"],
        ],
        "loggable_daily": False,
        "leading_indicator": False,
        "benchmarks": [{"level": "good", "value": "5"}, {"level": "exceptional", "value": "10"}],
        "benchmark_note": roi["benchmark_note"],
        "quick_logging_aliases": ["roi", "romi", "marketing roi", "roi маркетинга", "окупаемость"],
    }
    assert roi["benchmark_note"].startswith("5:1 is a good marketing ROI")


def test_json_in_russian_keeps_ids_and_translates_texts(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["kpis", "--json", "--lang", "ru"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["role"] is None
    assert data["kpi_count"] == len(all_kpis())
    ql = next(k for k in data["kpis"] if k["id"] == "lead_to_qualified")
    assert ql["name"] == "Конверсия из лида в квалифицированный лид"
    assert ql["benchmarks"] == [{"level": "example_norm", "value": "0.8"}]
    assert ql["period_aggregation"] == "ratio_of_sums"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_unknown_role_lists_the_valid_ones_and_exits_2(
    lang: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["kpis", "--role", "boss", "--lang", lang]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    for role in Role:
        assert role.value in captured.err
    assert "boss" in captured.err
    if lang == "ru":
        assert "неизвестная роль" in captured.err
        assert "marketer (Маркетолог)" in captured.err
    else:
        assert "unknown role" in captured.err
        assert "owner (Business owner)" in captured.err


def test_role_is_case_insensitive(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["kpis", "--role", "Owner", "--lang", "en"]) == 0
    assert "[gross_margin]" in capsys.readouterr().out


def test_bad_language_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        run(["kpis", "--lang", "de"])
    assert exc.value.code == 2
    assert "--lang" in capsys.readouterr().err
