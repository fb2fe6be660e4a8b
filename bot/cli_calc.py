"""``kpi-coach quota`` and ``kpi-coach funnel``: the plan maths from the command line.

    kpi-coach quota --plan 10000000 --people 10 --month 2025-04 --country RU
    kpi-coach quota --plan "10 млн" --people 10 --month 2025-04 --lang ru
    kpi-coach quota --plan 1000000 --month 2025-04 --done 450000 --today 2025-04-15 --logged-today
    kpi-coach quota --plan 300 --count --from 2025-04-07 --to 2025-04-18 --weekdays 1-6
    kpi-coach funnel --revenue 10000000 --avg-deal 45000 --people 10 --month 2025-04 \\
        --rate call_to_meeting=0.2 --rate meeting_to_proposal=50% --rate proposal_to_deal=0.5

``--json`` prints one JSON object (decimals as strings); otherwise an aligned table in the
chosen language. In the schedule, ``person_1`` is the first person's amount and
``per_person_min``/``per_person_max`` the range over everyone: the leftover kopecks (or calls)
of a plan that does not divide evenly fall on different days for different people, so that
the team's daily totals stay even (see :mod:`kpi_core.planning.quotas`); ``plan_per_person``
lists every person's total. In the funnel, totals are whole units rounded up, and per-day
figures are averages rounded up to one decimal place (1.1 deals a day, not 2). Amounts go through
:mod:`kpi_core.parsing.numbers`, so ``"10 млн"``, ``"45 455,50"`` and ``"1.5k"`` work; an
ambiguous amount (``1,000``, ``1.000``) is refused whatever ``--lang`` says, and so is one beyond
:data:`kpi_core.parsing.numbers.MAX_VALUE`. Bad input prints a translated message on stderr and
exits with 2.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from math import ceil, floor
from typing import Any

from bot.calendars import HolidaysCalendarProvider, country_name
from bot.i18n import SUPPORTED_LANGUAGES, Translator, resolve_language, translator
from kpi_core.errors import DomainError
from kpi_core.messages import N_, NN_, Message
from kpi_core.model import DEFAULT_WORKING_WEEKDAYS
from kpi_core.parsing.numbers import (
    ParsedNumber,
    PercentNotAllowed,
    exact_decimal,
    parse_amount,
    parse_number,
    parse_rate,
)
from kpi_core.planning.achievability import Assessment, assess_target
from kpi_core.planning.calendar import InvalidWeekdays, Period, WorkSchedule, working_days
from kpi_core.planning.funnel import (
    Conversion,
    Funnel,
    InvalidFunnelValue,
    StageNeed,
    revenue_funnel,
    reverse_funnel,
)
from kpi_core.planning.funnel import stage_label as funnel_stage_label
from kpi_core.planning.quotas import (
    COUNT_QUANTUM,
    MONEY_QUANTUM,
    CatchUp,
    Member,
    OffQuantum,
    TeamQuota,
    catch_up,
    round_to_quantum,
    split_evenly,
)
from kpi_core.tracking.progress import Progress, progress

__all__ = ["build_parser", "funnel_command", "main", "quota_command", "register"]

MAX_PERIOD_DAYS = 366
MAX_PEOPLE = 1_000
"""A per-person schedule for more people than this is not what the calculator is for."""
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_RATE = re.compile(r"\s*(?P<source>[^=]+?)\s*(?:_to_|->|→|>)\s*(?P<target>[^=]+?)\s*=(?P<rate>.*)")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_READING: str | None = None
"""The number convention of amounts on the command line: none. A script means the same
whatever ``--lang`` says, so ``1,000`` and ``1.000`` are refused as ambiguous (the message
gives both readings and how to write each), never read as 1000 in one language and 1 in the
other; ``1000``, ``1 000``, ``1,000,000``, ``45 455,50`` and ``1,5`` read the same in both."""


class UsageError(DomainError):
    """A command-line argument the operator can fix; ``message`` says how."""


def _usage(msgid: str, **params: object) -> UsageError:
    return UsageError(Message(msgid, params))


# -- registration --------------------------------------------------------------------------------
def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``quota`` and ``funnel`` subcommands."""
    quota = subparsers.add_parser(
        "quota",
        help="daily quotas from a plan over working days",
        description=(
            "Split a plan over people and working days (from the country's production "
            "calendar) so that the daily amounts add up exactly to the plan; with --done and "
            "--today, what each remaining day needs and how the pace looks."
        ),
    )
    quota.add_argument("--plan", required=True, help='the period plan: 10000000, "10 млн", 1.5m')
    quota.add_argument(
        "--count", action="store_true", help="the plan is a count (calls, deals), not money"
    )
    quota.add_argument(
        "--currency", metavar="CODE", help="ISO currency code (default: from the plan, else RUB)"
    )
    quota.add_argument(
        "--baseline",
        metavar="AMOUNT",
        help="last period's actual: warn when the plan looks unrealistic",
    )
    quota.add_argument("--done", metavar="AMOUNT", help="the team's result so far (needs --today)")
    quota.add_argument("--today", metavar="YYYY-MM-DD", help="the date of --done")
    quota.add_argument(
        "--logged-today", action="store_true", help="--done already includes today's result"
    )
    _add_common(quota)
    quota.set_defaults(handler=quota_command)

    funnel = subparsers.add_parser(
        "funnel",
        help="reverse funnel: the activity a revenue plan needs",
        description=(
            "Work back from a revenue plan (or a target count of the last stage) through the "
            "conversion rates to the calls, meetings, proposals... needed, per period, per "
            "working day and per person, rounded up."
        ),
    )
    funnel.add_argument("--revenue", help='the revenue plan: 10000000, "10 млн"')
    funnel.add_argument("--avg-deal", metavar="AMOUNT", help="average deal size")
    funnel.add_argument(
        "--target", metavar="COUNT", help="instead of revenue: how many of the last stage"
    )
    funnel.add_argument(
        "--rate",
        action="append",
        default=[],
        metavar="FROM_to_TO=RATE",
        help="a conversion, repeatable: call_to_meeting=0.2, meeting_to_proposal=50%%",
    )
    funnel.add_argument(
        "--currency", metavar="CODE", help="ISO currency code (default: from the revenue, else RUB)"
    )
    _add_common(funnel)
    funnel.set_defaults(handler=funnel_command)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--people", default="1", help="head count (default 1)")
    parser.add_argument("--month", metavar="YYYY-MM", help="the period: a calendar month")
    parser.add_argument(
        "--from", dest="date_from", metavar="YYYY-MM-DD", help="the period's first day"
    )
    parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="the period's last day")
    parser.add_argument(
        "--country", default="RU", help="production calendar, ISO code (default RU)"
    )
    parser.add_argument(
        "--weekdays", metavar="SPEC", help="working weekdays, 1=Monday: 1-5 (default), 1-6, 1,3,5"
    )
    parser.add_argument(
        "--working-days", metavar="N", help="use N working days instead of the calendar"
    )
    parser.add_argument(
        "--lang", choices=SUPPORTED_LANGUAGES, help="output language (default: LANG, else English)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def build_parser() -> argparse.ArgumentParser:
    """A parser with only this module's subcommands (``bot.cli.main`` is the real entry point)."""
    parser = argparse.ArgumentParser(prog="kpi-coach")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``quota`` or ``funnel`` alone (for tests and debugging)."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


# -- shared argument handling --------------------------------------------------------------------
def _default_language() -> str:
    for name in ("DEFAULT_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return resolve_language(value)
    return "en"


@dataclass(frozen=True, slots=True)
class _Days:
    """The working days the plan is spread over."""

    count: int
    dates: tuple[date, ...] | None  # None when --working-days overrides the calendar
    period: Period | None
    country: str | None
    weekdays: frozenset[int]


def _run(args: argparse.Namespace, body: Callable[[Translator], dict[str, Any] | str]) -> int:
    t = translator(args.lang or _default_language())
    try:
        result = body(t)
    except DomainError as error:
        print(f"kpi-coach {args.command}: {t.render(error.message)}", file=sys.stderr)
        return 2
    if isinstance(result, dict):
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(result)
    return 0


def _whole(text: str, msgid: str, limit: int) -> int:
    value = text.strip()
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise InvalidFunnelValue(msgid, text)
    if int(value) > limit:
        # "must be at least 1" would be a puzzling answer to --people 5000.
        raise _usage(
            N_("{value} is too many here: the most is {limit}."), value=int(value), limit=limit
        )
    return int(value)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _usage(
            N_("“{value}” is not a date: use YYYY-MM-DD, like 2025-04-01."), value=text
        ) from None


def _period(args: argparse.Namespace) -> Period | None:
    if args.month and (args.date_from or args.date_to):
        raise _usage(N_("Give either --month or --from and --to, not both."))
    if args.month:
        match = _MONTH.fullmatch(args.month.strip())
        if not match or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 2200:
            raise _usage(
                N_("“{value}” is not a month: use YYYY-MM, like 2025-04."), value=args.month
            )
        return Period.month(int(match[1]), int(match[2]))
    if args.date_from or args.date_to:
        if not (args.date_from and args.date_to):
            raise _usage(N_("--from and --to go together: give both dates."))
        period = Period(_day(args.date_from), _day(args.date_to))
        if len(period) > MAX_PERIOD_DAYS:
            singular, plural = NN_(
                "A period can be at most {count} day long.",
                "A period can be at most {count} days long.",
            )
            raise UsageError(Message(singular, plural=plural, count=MAX_PERIOD_DAYS))
        return period
    return None


def _weekdays(spec: str | None) -> frozenset[int]:
    if spec is None:
        return DEFAULT_WORKING_WEEKDAYS
    days: set[int] = set()
    for part in spec.replace(" ", "").split(","):
        match = re.fullmatch(r"([1-7])(?:-([1-7]))?", part)
        if not match:
            raise InvalidWeekdays()
        first, last = int(match[1]), int(match[2] or match[1])
        if last < first:
            raise InvalidWeekdays()
        days.update(range(first - 1, last))
    return frozenset(days)


def _days(args: argparse.Namespace) -> _Days:
    period = _period(args)
    weekdays = _weekdays(args.weekdays)
    if args.working_days is not None:
        count = _whole(args.working_days, InvalidFunnelValue.DAYS, MAX_PERIOD_DAYS)
        return _Days(count, None, period, None, weekdays)
    if period is None:
        raise _usage(
            N_("Give the period: --month YYYY-MM, or --from and --to, or --working-days N.")
        )
    code = args.country.strip().upper()
    try:
        calendar = HolidaysCalendarProvider().for_country(code)
    except KeyError:
        raise _usage(
            N_("Unknown country code “{code}”: use a two-letter code like RU, KZ or US."),
            code=args.country,
        ) from None
    days = tuple(working_days(period.start, period.end, WorkSchedule(calendar, weekdays)))
    return _Days(len(days), days, period, code, weekdays)


def _currency(code: str | None, *parsed: str | None) -> str:
    named = {c for c in parsed if c}
    if code is not None:
        if not _CURRENCY.fullmatch(code.strip()):
            raise _usage(
                N_("“{value}” is not a currency code: use three letters, like RUB or USD."),
                value=code,
            )
        named.add(code.strip().upper())
    if len(named) > 1:
        raise _usage(
            N_("The amounts name different currencies: {currencies}."),
            currencies=", ".join(sorted(named)),
        )
    return named.pop() if named else "RUB"


def _amount_arg(text: str, language: str | None) -> ParsedNumber:
    parsed = parse_number(text, language)
    if parsed.percent:
        raise PercentNotAllowed()
    return parsed


def _dec(value: Decimal) -> str:
    return format(value, "f")


def _ratio(value: Fraction, places: int = 4) -> str:
    return _dec(round_to_quantum(value, Decimal(1).scaleb(-places)).normalize())


def _table(rows: Sequence[Sequence[str]], right: Sequence[bool]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(width) if align else cell.ljust(width)
            for cell, width, align in zip(row, widths, right, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def _pairs(pairs: Sequence[tuple[str, str]]) -> list[str]:
    width = max(len(label) for label, _ in pairs) + 1
    return [f"{(label + ':').ljust(width)} {value}" for label, value in pairs]


def _period_text(t: Translator, days: _Days) -> str:
    if days.period is None:
        return t._("no dates")
    return t.period(days.period.start, days.period.end)


def _days_source(t: Translator, days: _Days) -> str:
    if days.dates is None:
        return t._("given with --working-days")
    assert days.country is not None
    weekdays = ", ".join(t.date(date(2024, 1, 1 + d), "EEE") for d in sorted(days.weekdays))
    return t._("production calendar of {country}; working weekdays: {weekdays}").format(
        country=country_name(days.country, t.language), weekdays=weekdays
    )


# -- quota ---------------------------------------------------------------------------------------
def quota_command(args: argparse.Namespace) -> int:
    """Print the daily quotas (and the catch-up when --done is given); 2 on bad input."""
    return _run(args, lambda t: _quota(args, t))


@dataclass(frozen=True, slots=True)
class _Split:
    """The plan split per person and per day, with or without dates."""

    quantum: Decimal
    per_person_daily: Decimal
    per_person_daily_exact: Fraction
    team_daily: Decimal
    team_daily_exact: Fraction
    person_totals: tuple[Decimal, ...]
    rows: tuple[_Row, ...]

    @property
    def everyone_alike(self) -> bool:
        """True when every person has the same amount on every day."""
        return all(row.low == row.high for row in self.rows)


@dataclass(frozen=True, slots=True)
class _Row:
    """One day of a schedule."""

    day: date | None  # None when --working-days replaced the calendar
    first: Decimal  # the first person's amount
    low: Decimal  # the smallest amount anyone has that day
    high: Decimal  # the largest
    team: Decimal


# Stand-in dates for --working-days N: the split needs dates, the output shows day numbers.
_NO_DATE = date(2000, 1, 3)


def _split(plan: Decimal, people: int, days: _Days, quantum: Decimal) -> _Split:
    dates = days.dates
    if dates is None:
        dates = tuple(_NO_DATE + timedelta(days=n) for n in range(days.count))
    return _from_quota(split_evenly(plan, people, dates, quantum), dated=days.dates is not None)


def _from_quota(quota: TeamQuota, *, dated: bool = True) -> _Split:
    by_day: dict[date, list[Decimal]] = {}
    for person in quota.people:
        for item in person.schedule:
            by_day.setdefault(item.day, []).append(item.amount)
    first = {item.day: item.amount for item in quota.people[0].schedule}
    return _Split(
        quantum=quota.quantum,
        per_person_daily=quota.people[0].daily,
        per_person_daily_exact=quota.people[0].daily_exact,
        team_daily=quota.daily,
        team_daily_exact=quota.daily_exact,
        person_totals=tuple(p.total for p in quota.people),
        rows=tuple(
            _Row(
                item.day if dated else None,
                first.get(item.day, Decimal(0)),
                min(by_day[item.day]),
                max(by_day[item.day]),
                item.amount,
            )
            for item in quota.schedule
        ),
    )


@dataclass(frozen=True, slots=True)
class _Status:
    today: date
    today_logged: bool
    catch: CatchUp
    progress: Progress
    split: _Split | None


def _quota(args: argparse.Namespace, t: Translator) -> dict[str, Any] | str:
    lang = _READING
    parsed = _amount_arg(args.plan, lang)
    plan = parsed.value
    quantum = COUNT_QUANTUM if args.count else MONEY_QUANTUM
    people = _whole(args.people, InvalidFunnelValue.PEOPLE, MAX_PEOPLE)
    days = _days(args)
    baseline = _amount_arg(args.baseline, lang) if args.baseline is not None else None
    done = _amount_arg(args.done, lang) if args.done is not None else None
    if done is not None and done.value % quantum:
        # 999,999.999 done would show as 1,000,000 next to "0.01 still to do".
        raise OffQuantum(done.value, quantum)
    named = [n.currency for n in (parsed, baseline, done) if n is not None]
    currency = None if args.count else _currency(args.currency, *named)
    split = _split(plan, people, days, quantum)
    status = _status(args, plan, done.value if done else None, people, days, quantum)
    check = assess_target(plan, baseline=baseline.value, currency=currency) if baseline else None
    if args.json:
        return _quota_json(plan, currency, people, days, split, status, check)
    return _quota_text(t, plan, currency, people, days, split, status, check)


def _status(
    args: argparse.Namespace,
    plan: Decimal,
    done: Decimal | None,
    people: int,
    days: _Days,
    quantum: Decimal,
) -> _Status | None:
    if done is None and args.today is None:
        return None
    if done is None or args.today is None:
        raise _usage(N_("--done and --today go together: give both."))
    if days.dates is None:
        raise _usage(
            N_("--done needs real dates: use --month or --from and --to without --working-days.")
        )
    today = _day(args.today)
    members = [Member(n, days.dates) for n in range(1, people + 1)]
    logged = bool(args.logged_today)
    catch = catch_up(plan, done, members, today, today_logged=logged, quantum=quantum)
    pace = progress(plan, done, days.dates, today, today_logged=logged, quantum=quantum)
    split = _from_quota(catch.quota) if catch.quota else None
    return _Status(today, logged, catch, pace, split)


def _amount(t: Translator, value: Decimal, currency: str | None) -> str:
    return t.money(value, currency) if currency else t.number(value)


def _quota_json(
    plan: Decimal,
    currency: str | None,
    people: int,
    days: _Days,
    split: _Split,
    status: _Status | None,
    check: Assessment | None,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "command": "quota",
        "plan": _dec(plan),
        "unit": "count" if currency is None else "money",
        "currency": currency,
        "people": people,
        "period": None
        if days.period is None
        else {"from": days.period.start.isoformat(), "to": days.period.end.isoformat()},
        "country": days.country,
        "working_weekdays": None if days.dates is None else sorted(d + 1 for d in days.weekdays),
        "working_days_source": "calendar" if days.dates is not None else "override",
        "working_days": days.count,
        "daily_quota_per_person": _dec(split.per_person_daily),
        "daily_quota_per_person_unrounded": _ratio(split.per_person_daily_exact),
        "daily_quota_team": _dec(split.team_daily),
        "daily_quota_team_unrounded": _ratio(split.team_daily_exact),
        "plan_per_person": [_dec(v) for v in split.person_totals],
        "schedule": _schedule_json(split),
    }
    if status is not None:
        catch, pace = status.catch, status.progress
        result["catch_up"] = {
            "today": status.today.isoformat(),
            "today_logged": status.today_logged,
            "done": _dec(catch.done),
            "remaining": _dec(catch.remaining),
            "surplus": _dec(catch.surplus),
            "target_reached": catch.reached,
            "remaining_working_days": len(catch.remaining_days),
            "need_per_day_per_person": None
            if status.split is None
            else _dec(status.split.per_person_daily),
            "need_per_day_team": None if status.split is None else _dec(status.split.team_daily),
            "schedule": [] if status.split is None else _schedule_json(status.split),
        }
        result["progress"] = {
            "elapsed_working_days": pace.elapsed_days,
            "expected_to_date": _dec(pace.expected),
            "gap": _dec(pace.gap),
            "pace": None if pace.pace is None else _dec(pace.pace),
            "completion": None if pace.completion is None else _dec(pace.completion),
            "projected_total": None if pace.projected is None else _dec(pace.projected),
            "status": pace.status.value,
        }
    if check is not None:
        result["achievability"] = {
            "realistic": check.realistic,
            "baseline": None if check.baseline is None else _dec(check.baseline),
            "growth_factor": None if check.growth_factor is None else _dec(check.growth_factor),
            "max_growth": _dec(check.max_growth),
            "concerns": [f.concern.value for f in check.findings],
        }
    return result


def _schedule_json(split: _Split) -> list[dict[str, Any]]:
    return [
        {
            "day": n,
            "date": None if row.day is None else row.day.isoformat(),
            "person_1": _dec(row.first),
            "per_person_min": _dec(row.low),
            "per_person_max": _dec(row.high),
            "team": _dec(row.team),
        }
        for n, row in enumerate(split.rows, start=1)
    ]


def _quota_text(
    t: Translator,
    plan: Decimal,
    currency: str | None,
    people: int,
    days: _Days,
    split: _Split,
    status: _Status | None,
    check: Assessment | None,
) -> str:
    def amount(value: Decimal) -> str:
        return _amount(t, value, currency)

    lines = [t._("Daily quota"), ""]
    pairs = [
        (t._("Plan"), amount(plan)),
        (t.pgettext("head count", "People"), t.number(people)),
        (t._("Period"), _period_text(t, days)),
        (t._("Working days"), f"{t.number(days.count)} ({_days_source(t, days)})"),
        (
            t._("Daily quota per person"),
            _daily(t, split.per_person_daily, split.per_person_daily_exact, split, amount),
        ),
        (
            t._("Daily quota for the team"),
            _daily(t, split.team_daily, split.team_daily_exact, split, amount),
        ),
        (t._("Plan per person"), _person_totals(t, split, amount)),
    ]
    lines += _pairs(pairs)
    lines += ["", *_schedule_table(t, split, amount)]
    if status is not None:
        lines += ["", *_status_text(t, status, amount)]
    if check is not None:
        lines += ["", *(t.render(m) for m in check.messages)] if check.messages else []
    return "\n".join(lines)


def _daily(
    t: Translator,
    rounded: Decimal,
    exact: Fraction,
    split: _Split,
    amount: Callable[[Decimal], str],
) -> str:
    """The headline daily amount; for counts that do not divide evenly, the whole range.

    "1" calls a day for 30 calls over 22 days would leave 8 calls unplanned: show "1–2 (1.36
    on average)" instead.
    """
    if split.quantum != COUNT_QUANTUM or exact.denominator == 1:
        return amount(rounded)
    return t._("{low}–{high} (on average {average})").format(
        low=t.number(floor(exact)),
        high=t.number(ceil(exact)),
        average=t.number(round_to_quantum(exact, MONEY_QUANTUM)),
    )


def _person_totals(t: Translator, split: _Split, amount: Callable[[Decimal], str]) -> str:
    counts: dict[Decimal, int] = {}
    for total in split.person_totals:
        counts[total] = counts.get(total, 0) + 1
    if len(counts) == 1:
        return amount(split.person_totals[0])
    parts = [
        t.ngettext("{amount} for {count} person", "{amount} for {count} people", n).format(
            amount=amount(value), count=t.number(n)
        )
        for value, n in sorted(counts.items(), reverse=True)
    ]
    return "; ".join(parts)


def _schedule_table(t: Translator, split: _Split, amount: Callable[[Decimal], str]) -> list[str]:
    alike = split.everyone_alike
    person = t._("Per person") if alike else t._("Person 1")
    rows = [[t._("Date"), person, t._("Team")]]
    for n, row in enumerate(split.rows, start=1):
        label = (
            t.date(row.day, "EEE d MMM")
            if row.day
            else t._("Day {number}").format(number=t.number(n))
        )
        rows.append([label, amount(row.first), amount(row.team)])
    total_person = sum((Fraction(r.first) for r in split.rows), Fraction(0))
    total_team = sum((Fraction(r.team) for r in split.rows), Fraction(0))
    rows.append(
        [t._("Total"), amount(exact_decimal(total_person)), amount(exact_decimal(total_team))]
    )
    lines = _table(rows, [False, True, True])
    if not alike:
        note = (
            t._(
                "The plan does not divide evenly: the leftover units fall on different days for"
                " different people, so the team's daily totals stay even. Every person's days add"
                " up to their plan."
            )
            if split.quantum == COUNT_QUANTUM
            else t._(
                "The plan does not divide evenly: the leftover cents fall on different days for"
                " different people, so the team's daily totals stay even. Every person's days add"
                " up to their plan."
            )
        )
        lines += ["", note]
    return lines


def _status_text(t: Translator, status: _Status, amount: Callable[[Decimal], str]) -> list[str]:
    catch, pace = status.catch, status.progress
    left = len(catch.remaining_days)
    lines = [t._("Catch-up"), ""]
    pairs = [
        (t._("Done"), amount(catch.done)),
        (t._("Expected by now"), amount(pace.expected)),
        (t._("Pace"), "—" if pace.pace is None else t.percent(pace.pace, 1)),
        (t._("Complete"), "—" if pace.completion is None else t.percent(pace.completion, 1)),
        (t._("Forecast for the period"), "—" if pace.projected is None else amount(pace.projected)),
        (t._("Status"), _status_label(t, pace)),
        (t._("Still to do"), amount(catch.remaining)),
        (t._("Working days left"), t.number(left)),
    ]
    if status.split is not None and not catch.reached:
        need = status.split
        pairs += [
            (
                t._("Need per day per person"),
                _daily(t, need.per_person_daily, need.per_person_daily_exact, need, amount),
            ),
            (
                t._("Need per day for the team"),
                _daily(t, need.team_daily, need.team_daily_exact, need, amount),
            ),
        ]
    lines += _pairs(pairs)
    if catch.reached:
        lines += [
            "",
            t._("The target is reached. Surplus: {amount}.").format(amount=amount(catch.surplus)),
        ]
    elif status.split is None:
        lines += [
            "",
            t._(
                "No working days are left in the period; the target was missed by {amount}."
            ).format(amount=amount(catch.remaining)),
        ]
    else:
        lines += ["", *_schedule_table(t, status.split, amount)]
    return lines


def _status_label(t: Translator, pace: Progress) -> str:
    labels = {
        "ahead": t.pgettext("pace status", "ahead of pace"),
        "on_track": t.pgettext("pace status", "on track"),
        "behind": t.pgettext("pace status", "behind pace"),
        "critical": t.pgettext("pace status", "far behind pace"),
    }
    return labels[pace.status.value]


# -- funnel --------------------------------------------------------------------------------------
def funnel_command(args: argparse.Namespace) -> int:
    """Print the reverse funnel; 2 on bad input."""
    return _run(args, lambda t: _funnel(args, t))


def _conversions(specs: Sequence[str], lang: str | None) -> list[Conversion]:
    if not specs:
        raise _usage(N_("Give at least one --rate, like --rate call_to_meeting=0.2."))
    result = []
    for spec in specs:
        match = _RATE.fullmatch(spec)
        if not match:
            raise _usage(
                N_(
                    "“{value}” is not a conversion: use FROM_to_TO=RATE, like call_to_meeting=0.2 "
                    "or call_to_meeting=20%."
                ),
                value=spec,
            )
        source, target = match["source"].lower(), match["target"].lower()
        result.append(Conversion(source, target, parse_rate(match["rate"], lang)))
    return result


def _funnel(args: argparse.Namespace, t: Translator) -> dict[str, Any] | str:
    lang = _READING
    if args.target is not None and (args.revenue is not None or args.avg_deal is not None):
        raise _usage(N_("Give either --revenue with --avg-deal, or --target, not both."))
    if args.target is None and (args.revenue is None or args.avg_deal is None):
        raise _usage(N_("Give --revenue and --avg-deal (or --target, a count of the last stage)."))
    people = _whole(args.people, InvalidFunnelValue.PEOPLE, MAX_PEOPLE)
    days = (
        _days(args) if (args.working_days or args.month or args.date_from or args.date_to) else None
    )
    if days is not None and days.count == 0:
        raise _usage(N_("There are no working days in this period."))
    conversions = _conversions(args.rate, lang)
    currency: str | None = None
    if args.target is not None:
        target = parse_amount(args.target, lang)
        if target % 1:
            raise OffQuantum(target, COUNT_QUANTUM)
        funnel = reverse_funnel(
            target,
            conversions,
            people=people,
            working_days=days.count if days else None,
        )
    else:
        revenue = _amount_arg(args.revenue, lang)
        avg_deal = _amount_arg(args.avg_deal, lang)
        currency = _currency(args.currency, revenue.currency, avg_deal.currency)
        funnel = revenue_funnel(
            revenue.value,
            avg_deal.value,
            conversions,
            people=people,
            working_days=days.count if days else None,
        )
    if args.json:
        return _funnel_json(funnel, currency, days)
    return _funnel_text(t, funnel, currency, days)


def _funnel_json(funnel: Funnel, currency: str | None, days: _Days | None) -> dict[str, Any]:
    return {
        "command": "funnel",
        "revenue": None if funnel.revenue is None else _dec(funnel.revenue),
        "avg_deal": None if funnel.avg_deal is None else _dec(funnel.avg_deal),
        "currency": currency,
        "people": funnel.people,
        "period": None
        if days is None or days.period is None
        else {"from": days.period.start.isoformat(), "to": days.period.end.isoformat()},
        "country": None if days is None else days.country,
        "working_days": funnel.working_days,
        "overall_conversion": _ratio(funnel.overall_rate, 6),
        "conversions": [
            {"from": c.source, "to": c.target, "rate": _dec(c.rate)} for c in funnel.conversions
        ],
        "stages": [
            {
                "stage": s.stage,
                "needed": s.total,
                "needed_unrounded": _ratio(s.exact, 4),
                "per_person": s.per_person,
                "per_day_average": _average(funnel, s, per_person=False),
                "per_person_per_day_average": _average(funnel, s, per_person=True),
            }
            for s in funnel.stages
        ],
    }


def _per_day(funnel: Funnel, need: StageNeed, *, per_person: bool) -> Decimal | None:
    """The average need per working day (and person), rounded up to one decimal place.

    Rounding a daily average up to a whole unit distorts the small stages: 223 deals over
    22 days for 10 people is 1.01 a day each, and "2 deals a day" would mean 440.
    """
    if funnel.working_days is None:
        return None
    exact = need.exact / funnel.working_days / (funnel.people if per_person else 1)
    return exact_decimal(Fraction(ceil(exact * 10), 10), -1).normalize()


def _average(funnel: Funnel, need: StageNeed, *, per_person: bool) -> str | None:
    value = _per_day(funnel, need, per_person=per_person)
    return None if value is None else _dec(value)


def _stage_name(t: Translator, stage: str) -> str:
    label = funnel_stage_label(stage)
    return t.render(label) if isinstance(label, Message) else label


def _funnel_text(t: Translator, funnel: Funnel, currency: str | None, days: _Days | None) -> str:
    lines = [t._("Reverse funnel"), ""]
    pairs: list[tuple[str, str]] = []
    if funnel.revenue is not None and funnel.avg_deal is not None:
        money = currency or "RUB"
        pairs += [
            (t._("Revenue plan"), t.money(funnel.revenue, money)),
            (t._("Average deal"), t.money(funnel.avg_deal, money)),
        ]
    pairs.append((t.pgettext("head count", "People"), t.number(funnel.people)))
    if days is not None:
        pairs += [
            (t._("Period"), _period_text(t, days)),
            (t._("Working days"), f"{t.number(days.count)} ({_days_source(t, days)})"),
        ]
    overall = round_to_quantum(funnel.overall_rate, Decimal("0.0001"))
    pairs.append((t._("Overall conversion"), t.percent(overall, 2)))
    lines += _pairs(pairs)
    header = [
        t._("Stage"),
        t._("Conversion to the next stage"),
        t._("For the period"),
        t._("Per person"),
    ]
    if funnel.working_days is not None:
        header += [t._("Per day"), t._("Per person per day")]
    rows = [header]
    rates = [t.percent(c.rate, 1) for c in funnel.conversions] + ["—"]
    for need, rate in zip(funnel.stages, rates, strict=True):
        row = [_stage_name(t, need.stage), rate, t.number(need.total), t.number(need.per_person)]
        day = _per_day(funnel, need, per_person=False)
        person_day = _per_day(funnel, need, per_person=True)
        if day is not None and person_day is not None:
            row += [t.number(day), t.number(person_day)]
        rows.append(row)
    lines += ["", *_table(rows, [False] + [True] * (len(header) - 1))]
    note = (
        t._(
            "Totals are rounded up to whole units; per-day figures are averages, rounded up to"
            " one decimal place."
        )
        if funnel.working_days is not None
        else t._("Totals are rounded up to whole units.")
    )
    lines += ["", note]
    return "\n".join(lines)
