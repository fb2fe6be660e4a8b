"""Daily quotas: exact splits that add up to the plan, to the kopeck."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_core.planning.calendar import Period, WeekdayCalendar, WorkSchedule, working_days
from kpi_core.planning.quotas import (
    COUNT_QUANTUM,
    MONEY_QUANTUM,
    InvalidWeight,
    Member,
    NegativePlan,
    NoWorkingDays,
    OffQuantum,
    apportion,
    catch_up,
    round_to_quantum,
    split_evenly,
    split_plan,
    spread,
)

APRIL = Period.month(2025, 4)
APRIL_DAYS = tuple(working_days(APRIL.start, APRIL.end, WorkSchedule(WeekdayCalendar())))
D = Decimal


def test_seed_example_ten_managers_ten_million_22_days() -> None:
    quota = split_evenly(D(10_000_000), 10, APRIL_DAYS)
    person = quota.people[0]
    assert len(APRIL_DAYS) == 22
    assert person.total == D("1000000.00")
    assert person.daily == D("45454.55")
    assert person.daily_exact == Fraction(1_000_000, 22)
    amounts = [item.amount for item in person.schedule]
    assert amounts == [D("45454.55")] * 12 + [D("45454.54")] * 10
    assert sum(amounts) == D(1_000_000)
    assert quota.daily == D("454545.46")  # rounded up: 22 days of it reach the plan
    # The team's days are even too (454,545.4545... a day): 120 extra kopecks over 22 days.
    team = [item.amount for item in quota.schedule]
    assert team == [D("454545.46")] * 10 + [D("454545.45")] * 12
    assert sum(team) == D(10_000_000)
    assert all(p.total == D(1_000_000) for p in quota.people)
    assert all(sum(a.amount for a in p.schedule) == D(1_000_000) for p in quota.people)


def test_a_teams_days_stay_even_for_counts() -> None:
    # 300 calls, 10 people, 22 days: 30 calls each, 1.36 a day. If every person made their
    # 8 extra calls on the same first 8 days the team would make 20 calls a day, then 10.
    quota = split_evenly(D(300), 10, APRIL_DAYS, COUNT_QUANTUM)
    team = [item.amount for item in quota.schedule]
    assert team == [D(14)] * 14 + [D(13)] * 8
    assert quota.daily == D(14)  # 13.64 rounded half up
    first, second = (tuple(a.amount for a in p.schedule) for p in quota.people[:2])
    assert first == (D(2),) * 8 + (D(1),) * 14  # the first person: extras on the first days
    assert second == (D(1),) * 8 + (D(2),) * 8 + (D(1),) * 6  # the next one continues
    assert all(sum(a.amount for a in p.schedule) == 30 for p in quota.people)


def test_amounts_keep_the_quantum_exponent() -> None:
    assert [str(a) for a in spread(D(1), 4)] == ["0.25", "0.25", "0.25", "0.25"]
    assert [str(a) for a in spread(D(0), 2)] == ["0.00", "0.00"]
    assert [str(a) for a in spread(D(10), 3, COUNT_QUANTUM)] == ["4", "3", "3"]


def test_apportion_gives_leftovers_to_largest_remainders_then_earliest() -> None:
    # Exact shares 1/6 of 100 = 16.67 and 5/6 = 83.33 (in whole units): 16.666.. and 83.333..
    assert apportion(D(100), [1, 5], COUNT_QUANTUM) == [D(17), D(83)]
    # Equal remainders: the earliest wins.
    assert apportion(D(2), [1, 1, 1], COUNT_QUANTUM) == [D(1), D(1), D(0)]
    assert apportion(D("0.05"), [1, 1], MONEY_QUANTUM) == [D("0.03"), D("0.02")]
    assert apportion(D(7), [0, 1], COUNT_QUANTUM) == [D(0), D(7)]


def test_weights_split_the_plan_proportionally() -> None:
    members = [
        Member("senior", APRIL_DAYS, D("1.5")),
        Member("junior", APRIL_DAYS, D(1)),
    ]
    quota = split_plan(D(250_000), members)
    assert quota.person("senior").total == D(150_000)
    assert quota.person("junior").total == D(100_000)
    assert quota.person("senior").daily == D("6818.19")  # 150,000 / 22, rounded up


def test_joining_mid_month_prorates_by_own_working_days() -> None:
    late = tuple(d for d in APRIL_DAYS if d >= date(2025, 4, 14))  # 13 working days
    members = [Member("anna", APRIL_DAYS), Member("boris", late)]
    quota = split_plan(D(350_000), members)
    # Shares ∝ 22 and 13 days: the same daily rate for both (350,000 / 35 = 10,000).
    assert quota.person("anna").total == D(220_000)
    assert quota.person("boris").total == D(130_000)
    assert quota.person("anna").daily == quota.person("boris").daily == D(10_000)
    assert quota.person("boris").amount_on(date(2025, 4, 7)) == 0
    assert quota.amount_on(date(2025, 4, 7)) == D(10_000)
    assert quota.amount_on(date(2025, 4, 14)) == D(20_000)
    assert quota.working_days == APRIL_DAYS


def test_days_off_keep_the_daily_rate() -> None:
    vacation = {date(2025, 4, 21), date(2025, 4, 22)}
    schedule = WorkSchedule(WeekdayCalendar(), days_off=frozenset(vacation))
    members = [
        Member.from_schedule(1, APRIL, WorkSchedule(WeekdayCalendar())),
        Member.from_schedule(2, APRIL, schedule),
    ]
    quota = split_plan(D(420_000), members)
    assert [len(p.working_days) for p in quota.people] == [22, 20]
    assert [p.total for p in quota.people] == [D(220_000), D(200_000)]
    assert quota.people[1].amount_on(date(2025, 4, 21)) == 0


def test_counts_are_whole_units() -> None:
    quota = split_evenly(D(100), 3, APRIL_DAYS[:5], COUNT_QUANTUM)
    assert [p.total for p in quota.people] == [D(34), D(33), D(33)]
    assert [a.amount for a in quota.people[0].schedule] == [D(7), D(7), D(7), D(7), D(6)]
    assert quota.people[0].daily == D(7)  # 100 / 15 = 6.67 rounded half up


def test_a_person_with_no_days_gets_nothing() -> None:
    quota = split_plan(D(1000), [Member("a", APRIL_DAYS[:2]), Member("b", ())])
    assert quota.person("a").total == D(1000)
    assert quota.person("b").total == 0
    assert quota.person("b").daily == 0
    assert quota.person("b").schedule == ()


def test_zero_plan_and_no_days_is_fine() -> None:
    quota = split_plan(D(0), [Member("a", ())])
    assert quota.people[0].total == 0
    assert quota.schedule == ()


def test_errors_are_domain_errors_with_messages() -> None:
    with pytest.raises(NegativePlan) as negative:
        split_evenly(D(-1), 1, APRIL_DAYS)
    assert "negative" in negative.value.message.msgid
    with pytest.raises(OffQuantum):
        split_evenly(D("100.005"), 1, APRIL_DAYS)
    with pytest.raises(OffQuantum) as counted:
        split_evenly(D("10.5"), 1, APRIL_DAYS, COUNT_QUANTUM)
    assert "whole number" in counted.value.message.msgid
    with pytest.raises(NoWorkingDays):
        split_evenly(D(100), 2, ())
    with pytest.raises(InvalidWeight):
        split_plan(D(100), [Member("a", APRIL_DAYS, D(-1))])
    with pytest.raises(InvalidWeight):
        apportion(D(100), [1, -1])
    with pytest.raises(ValueError, match="unique"):
        split_plan(D(100), [Member("a", APRIL_DAYS), Member("a", APRIL_DAYS)])
    with pytest.raises(ValueError, match="quantum"):
        spread(D(1), 2, D(0))


def test_round_to_quantum_is_half_up() -> None:
    assert round_to_quantum(Fraction(1_000_000, 22)) == D("45454.55")
    assert round_to_quantum(D("0.005")) == D("0.01")
    assert round_to_quantum(D("0.0049")) == D("0.00")
    assert round_to_quantum(D("-0.005")) == D("-0.01")
    assert round_to_quantum(Fraction(5, 2), COUNT_QUANTUM) == D(3)


# -- catch-up ---------------------------------------------------------------------------------
def test_catch_up_worked_example_today_logged() -> None:
    # 1,000,000 for April; 500,000 done by the evening of Tuesday 15 April (logged).
    result = catch_up(
        D(1_000_000), D(500_000), [Member("me", APRIL_DAYS)], date(2025, 4, 15), today_logged=True
    )
    assert result.remaining == D("500000.00")
    assert len(result.remaining_days) == 11
    assert result.remaining_days[0] == date(2025, 4, 16)
    assert result.per_day == D("45454.55")
    assert result.quota is not None
    amounts = [a.amount for a in result.quota.people[0].schedule]
    assert amounts == [D("45454.55")] * 6 + [D("45454.54")] * 5
    assert sum(amounts) == D(500_000)
    assert not result.reached


def test_catch_up_today_not_yet_logged_counts_today() -> None:
    result = catch_up(
        D(1_000_000), D(500_000), [Member("me", APRIL_DAYS)], date(2025, 4, 15), today_logged=False
    )
    assert len(result.remaining_days) == 12
    assert result.remaining_days[0] == date(2025, 4, 15)
    assert result.per_day == D("41666.67")
    assert result.quota is not None
    amounts = [a.amount for a in result.quota.people[0].schedule]
    assert amounts == [D("41666.67")] * 8 + [D("41666.66")] * 4
    assert sum(amounts) == D(500_000)


def test_catch_up_for_a_team_splits_per_person() -> None:
    members = [Member(n, APRIL_DAYS) for n in range(1, 11)]
    result = catch_up(D(10_000_000), D(4_500_000), members, date(2025, 4, 15), today_logged=True)
    assert result.quota is not None
    assert result.per_day == D(500_000)
    assert all(p.daily == D(50_000) for p in result.quota.people)


def test_catch_up_rounds_an_odd_remainder_up_to_the_quantum() -> None:
    result = catch_up(
        D(100), D("99.995"), [Member("me", APRIL_DAYS)], date(2025, 4, 1), today_logged=True
    )
    assert result.remaining == D("0.01")


def test_catch_up_when_the_target_is_reached() -> None:
    result = catch_up(
        D(1000), D(1200), [Member("me", APRIL_DAYS)], date(2025, 4, 10), today_logged=True
    )
    assert result.reached
    assert result.remaining == 0
    assert result.surplus == D(200)
    assert result.quota is not None
    assert all(a.amount == 0 for a in result.quota.schedule)


def test_catch_up_after_the_last_day() -> None:
    result = catch_up(
        D(1000), D(400), [Member("me", APRIL_DAYS)], date(2025, 4, 30), today_logged=True
    )
    assert result.remaining == D(600)
    assert result.quota is None
    assert result.per_day is None
    assert result.per_day_exact is None
    assert result.remaining_days == ()


# -- properties -------------------------------------------------------------------------------
_START = date(2025, 1, 6)


@st.composite
def _team(draw: st.DrawFn) -> tuple[Decimal, list[Member], Decimal]:
    quantum = draw(st.sampled_from([MONEY_QUANTUM, COUNT_QUANTUM]))
    units = draw(st.integers(min_value=0, max_value=10**12))
    plan = units * quantum
    people = draw(st.integers(min_value=1, max_value=6))
    members = []
    for n in range(people):
        offsets = draw(st.sets(st.integers(min_value=0, max_value=40), max_size=31))
        weight = draw(st.decimals(min_value=0, max_value=5, places=2))
        members.append(
            Member(n, tuple(_START + timedelta(days=o) for o in sorted(offsets)), weight)
        )
    if units and not any(m.working_days and m.weight for m in members):
        members.append(Member("anchor", (_START,), D(1)))
    return plan, members, quantum


@settings(max_examples=150, deadline=None)
@given(_team())
def test_split_always_adds_up_exactly(team: tuple[Decimal, list[Member], Decimal]) -> None:
    plan, members, quantum = team
    quota = split_plan(plan, members, quantum)
    assert sum((p.total for p in quota.people), D(0)) == plan
    assert sum((a.amount for a in quota.schedule), D(0)) == plan
    weighted = sum(Fraction(m.weight) * len(m.working_days) for m in members)
    for member, person in zip(members, quota.people, strict=True):
        amounts = [a.amount for a in person.schedule]
        assert sum(amounts, D(0)) == person.total
        assert all(a >= 0 and a % quantum == 0 for a in amounts)
        if amounts:
            assert max(amounts) - min(amounts) <= quantum
        share = Fraction(member.weight) * len(member.working_days)
        exact = Fraction(plan) * share / weighted if weighted else Fraction(0)
        assert abs(Fraction(person.total) - exact) < Fraction(quantum)


@settings(max_examples=100, deadline=None)
@given(
    units=st.integers(min_value=0, max_value=10**9),
    people=st.integers(min_value=1, max_value=12),
    days=st.integers(min_value=1, max_value=23),
    quantum=st.sampled_from([MONEY_QUANTUM, COUNT_QUANTUM]),
)
def test_an_even_team_split_keeps_the_teams_days_within_one_quantum(
    units: int, people: int, days: int, quantum: Decimal
) -> None:
    plan = units * quantum
    quota = split_evenly(plan, people, APRIL_DAYS[:days], quantum)
    team = [item.amount for item in quota.schedule]
    assert sum(team, D(0)) == plan
    assert max(team) - min(team) <= quantum
    first = [a.amount for a in quota.people[0].schedule]
    assert first == sorted(first, reverse=True)  # the first person's extras come first


@settings(max_examples=150, deadline=None)
@given(
    total=st.integers(min_value=0, max_value=10**9),
    days=st.integers(min_value=1, max_value=40),
)
def test_spread_is_even_to_one_quantum(total: int, days: int) -> None:
    amount = D(total) / 100
    parts = spread(amount, days)
    assert sum(parts) == amount
    assert max(parts) - min(parts) <= MONEY_QUANTUM
    assert min(parts) >= 0


@settings(max_examples=100, deadline=None)
@given(
    target=st.integers(min_value=0, max_value=10**8),
    done=st.integers(min_value=0, max_value=10**8),
    offset=st.integers(min_value=-3, max_value=33),
    logged=st.booleans(),
)
def test_catch_up_adds_up_to_what_is_missing(
    target: int, done: int, offset: int, logged: bool
) -> None:
    today = APRIL.start + timedelta(days=offset)
    result = catch_up(
        D(target),
        D(done),
        [Member(1, APRIL_DAYS), Member(2, APRIL_DAYS[5:])],
        today,
        today_logged=logged,
    )
    assert result.remaining == max(D(target - done), D(0))
    assert all(d > today or (d == today and not logged) for d in result.remaining_days)
    if result.quota is not None:
        assert sum(a.amount for a in result.quota.schedule) == result.remaining
        assert all(a.amount >= 0 for a in result.quota.schedule)
