"""``kpi-coach kpis``: print the KPI catalog, readable or as JSON.

    kpi-coach kpis                      # every KPI, in the operator's language
    kpi-coach kpis --role marketer --lang ru
    kpi-coach kpis --json               # one JSON object, for scripts

``--role`` lists the KPIs the recommendation table considers for that role (what the role can
move by its own work), in catalog order.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from decimal import Decimal
from typing import TypeAlias

from bot.i18n import SUPPORTED_LANGUAGES, Translator, resolve_language, translator
from kpi_core.advice.catalog import (
    Area,
    Kpi,
    Unit,
    aggregation_label,
    all_kpis,
    area_label,
    benchmark_label,
    direction_label,
    unit_label,
)
from kpi_core.advice.profile import Controller, DataSource, Role, label
from kpi_core.advice.recommend import kpis_for_role, sources_message

JSONValue: TypeAlias = str | int | bool | list["JSONValue"] | dict[str, "JSONValue"] | None
"""What ``json.dumps`` writes here (numbers as strings: exact decimals)."""
JSONObject: TypeAlias = dict[str, JSONValue]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``kpis`` subcommand."""
    parser = subparsers.add_parser(
        "kpis",
        help="list the KPI catalog",
        description=(
            "List the KPI catalog: name, formula, unit, which way is better, who controls it, "
            "the data it needs, whether it is logged daily, and benchmarks where sound ones exist."
        ),
    )
    parser.add_argument(
        "--role",
        metavar="ROLE",
        help="only the KPIs for this role: " + ", ".join(r.value for r in Role),
    )
    parser.add_argument(
        "--lang",
        choices=SUPPORTED_LANGUAGES,
        help="language of the output (default: DEFAULT_LANGUAGE or LANG, else English)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=kpis_command)


def _default_language() -> str:
    for name in ("DEFAULT_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return resolve_language(value)
    return "en"


def kpis_command(args: argparse.Namespace) -> int:
    """Print the catalog (or one role's part of it); exit 2 on an unknown role."""
    t = translator(args.lang or _default_language())
    role: Role | None = None
    if args.role is not None:
        try:
            role = Role(args.role.strip().lower())
        except ValueError:
            valid = ", ".join(f"{r.value} ({t.render(label(r))})" for r in Role)
            print(
                t._("kpi-coach kpis: unknown role “{role}”. Valid roles: {roles}.").format(
                    role=args.role, roles=valid
                ),
                file=sys.stderr,
            )
            return 2
    kpis = kpis_for_role(role) if role is not None else all_kpis()
    if args.json:
        print(json.dumps(catalog_json(kpis, t, role), ensure_ascii=False, indent=2))
    else:
        print(catalog_text(kpis, t, role))
    return 0


def _decimal(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _benchmark_value(kpi: Kpi, value: Decimal, t: Translator) -> str:
    if kpi.unit is Unit.PERCENT:
        return t.percent(value)
    if kpi.unit is Unit.RATIO:
        return f"{t.number(value)}:1"
    if kpi.unit is Unit.MINUTES:
        n = int(value)
        return t.ngettext("{n} minute", "{n} minutes", n).format(n=t.number(value))
    return t.number(value)


def _yes_no(flag: bool, t: Translator) -> str:
    return t.pgettext("answer", "yes") if flag else t.pgettext("answer", "no")


def catalog_text(kpis: tuple[Kpi, ...], t: Translator, role: Role | None = None) -> str:
    """The catalog as readable text in ``t``'s language, grouped by area."""
    lines: list[str] = []
    if role is not None:
        lines.append(t._("KPIs for the role “{role}”").format(role=t.render(label(role))))
        lines.append("")
    n = len(kpis)
    lines.append(t.ngettext("{n} KPI", "{n} KPIs", n).format(n=t.number(n)))
    for area in Area:
        group = [k for k in kpis if k.area is area]
        if not group:
            continue
        lines += ["", f"== {t.render(area_label(area))} =="]
        for kpi in group:
            lines += [
                "",
                f"{t.render(kpi.name_message)}  [{kpi.id}]",
                f"  {t.render(kpi.description_message)}",
            ]
            lines.append(
                "  " + t._("Formula: {formula}").format(formula=t.render(kpi.formula_message))
            )
            lines.append(
                "  "
                + t._("Unit: {unit}; {direction}; over a period: {aggregation}").format(
                    unit=t.render(unit_label(kpi.unit)),
                    direction=t.render(direction_label(kpi.direction)),
                    aggregation=t.render(aggregation_label(kpi.aggregation)),
                )
            )
            controllers = ", ".join(
                t.render(label(c)) for c in sorted(kpi.controlled_by, key=list(Controller).index)
            )
            lines.append("  " + t._("Controlled by: {controllers}").format(controllers=controllers))
            lines.append(
                "  "
                + t._("Data needed: {sources}").format(
                    sources=t.render(sources_message(kpi.requires))
                )
            )
            kind = t._("a lever you move every day") if kpi.leading else t._("a result")
            lines.append(
                "  "
                + t._("Logged daily: {daily}; kind: {kind}").format(
                    daily=_yes_no(kpi.loggable_daily, t), kind=kind
                )
            )
            if kpi.benchmarks:
                levels = ", ".join(
                    f"{t.render(benchmark_label(b.kind))} {_benchmark_value(kpi, b.value, t)}"
                    for b in kpi.benchmarks
                )
                lines.append("  " + t._("Benchmark: {levels}").format(levels=levels))
                if kpi.benchmark_message is not None:
                    lines.append(f"    {t.render(kpi.benchmark_message)}")
            lines.append(
                "  " + t._("Quick logging words: {aliases}").format(aliases=", ".join(kpi.aliases))
            )
    return "\n".join(lines)


def catalog_json(kpis: tuple[Kpi, ...], t: Translator, role: Role | None = None) -> JSONObject:
    """The catalog as one JSON-ready object with self-explaining keys.

    Texts are in ``t``'s language; enum values are the stable ids stored in the database.
    Numbers are strings (exact decimals); percentages are fractions ("0.8" is 80 %).
    """
    return {
        "language": t.language,
        "role": role.value if role is not None else None,
        "kpi_count": len(kpis),
        "kpis": [_kpi_json(k, t) for k in kpis],
    }


def _kpi_json(kpi: Kpi, t: Translator) -> JSONObject:
    return {
        "id": kpi.id,
        "area": kpi.area.value,
        "name": t.render(kpi.name_message),
        "short_name": t.render(kpi.short_message),
        "description": t.render(kpi.description_message),
        "formula": t.render(kpi.formula_message),
        "formula_inputs": [
            {
                "metric_id": m.id,
                "name": t.render(m.name_message),
                "unit": m.unit.value,
                "any_of_sources": [s.value for s in DataSource if s in m.sources],
            }
            for m in kpi.inputs
        ],
        "unit": kpi.unit.value,
        "better": kpi.direction.value,
        "period_aggregation": kpi.aggregation.value,
        "controlled_by": [c.value for c in sorted(kpi.controlled_by, key=list(Controller).index)],
        "data_needed_each_group_any_source": [
            [s.value for s in DataSource if s in group] for group in kpi.requires
        ],
        "loggable_daily": kpi.loggable_daily,
        "leading_indicator": kpi.leading,
        "benchmarks": [{"level": b.kind.value, "value": _decimal(b.value)} for b in kpi.benchmarks],
        "benchmark_note": t.render(kpi.benchmark_message) if kpi.benchmark_message else None,
        "quick_logging_aliases": list(kpi.aliases),
    }
