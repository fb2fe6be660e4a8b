"""What is asked per day reaches the plan: counts round up, money keeps kopecks rounded up,
and the daily quota, the first day's need and today's need are one figure."""

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
    Member,
    catch_up,
    ceil_to_quantum,
    floor_to_quantum,
    split_evenly,
    split_plan,
)
from kpi_core.planning.team import team_daily
from kpi_core.tracking.digest import catch_up_today
from kpi_core.tracking.progress import Direction, progress

D = Decimal
APRIL = Period.month(2025, 4)
APRIL_DAYS = tuple(working_days(APRIL.start, APRIL.end, WorkSchedule(WeekdayCalendar())))
START = date(2025, 4, 1)
DAYS = tuple(START + timedelta(days=i) for i in range(40))


def test_725_calls_over_18_days_need_41_a_day_not_40() -> None:
    days = DAYS[:18]
    quota = split_evenly(D(725), 1, days, COUNT_QUANTUM)
    assert quota.people[0].daily == D(41)  # 40.28 rounded half up (40) leaves 5 calls unplanned
    assert quota.daily == D(41)
    assert progress(D(725), D(0), days, days[0], today_logged=False,
                    quantum=COUNT_QUANTUM).need_per_day == D(41)
    caught = catch_up(D(725), D(0), [Member(1, days)], days[0], today_logged=False,
                      quantum=COUNT_QUANTUM)
    assert caught.per_day == D(41)


def test_money_needs_keep_kopecks_rounded_up() -> None:
    # 1,200,000 over 22 days is 54,545.4545... a day: /plan said 54,545.45, /today 54,545.46.
    quota = split_evenly(D(1_200_000), 1, APRIL_DAYS)
    assert str(quota.people[0].daily) == "54545.46"
    assert str(progress(D(1_200_000), D(0), APRIL_DAYS, START, today_logged=False).need_per_day) \
        == "54545.46"
    assert str(ceil_to_quantum(D("0.001"))) == "0.01"
    assert str(floor_to_quantum(D("0.019"))) == "0.01"
    assert str(ceil_to_quantum(D(-1) / 3, COUNT_QUANTUM)) == "0"


def test_an_allowance_per_day_rounds_down_so_that_using_it_stays_within_the_limit() -> None:
    result = progress(D(1000), D(0), APRIL_DAYS, START, today_logged=False,
                      direction=Direction.LOWER_IS_BETTER)
    assert result.need_per_day == D("45.45")
    assert result.need_per_day * 22 <= 1000


@pytest.mark.parametrize(
    ("plan", "people", "days", "quantum"),
    [
        (D(1_200_000), 1, 22, MONEY_QUANTUM),  # the issue's ₽54,545.46 against ₽54,545.45
        (D(12_000_000), 10, 22, MONEY_QUANTUM),
        (D(10_000_000), 10, 22, MONEY_QUANTUM),
        (D(725), 1, 18, COUNT_QUANTUM),
        (D(300), 10, 22, COUNT_QUANTUM),
        (D("0.05"), 3, 2, MONEY_QUANTUM),
    ],
)
def test_the_daily_quota_and_the_first_days_need_are_one_figure(
    plan: Decimal, people: int, days: int, quantum: Decimal
) -> None:
    """/plan shows ``PersonQuota.daily``; /today shows today's need from the same share
    (``catch_up_today``, ``progress().need_per_day``, ``catch_up``): on the first day, with
    nothing done, they are the same number for every person."""
    dates = APRIL_DAYS[:days] if days <= 22 else DAYS[:days]
    quota = split_evenly(plan, people, dates, quantum)
    for person in quota.people:
        today = catch_up_today(person.total, days, quantum)
        need = progress(person.total, D(0), dates, dates[0], today_logged=False,
                        quantum=quantum).need_per_day
        caught = catch_up(person.total, D(0), [Member(person.key, dates)], dates[0],
                          today_logged=False, quantum=quantum)
        assert caught.quota is not None
        assert person.daily == today == need == caught.per_day == caught.quota.people[0].daily
        assert person.daily == max(a.amount for a in person.schedule)


_QUANTA = st.sampled_from([MONEY_QUANTUM, COUNT_QUANTUM])


@settings(max_examples=200, deadline=None)
@given(
    units=st.integers(min_value=0, max_value=10**9),
    people=st.integers(min_value=1, max_value=12),
    days=st.integers(min_value=1, max_value=31),
    done_units=st.integers(min_value=0, max_value=10**9),
    elapsed=st.integers(min_value=0, max_value=31),
    quantum=_QUANTA,
)
def test_the_needs_sum_to_at_least_the_remaining_plan(
    units: int, people: int, days: int, done_units: int, elapsed: int, quantum: Decimal
) -> None:
    plan, done = units * quantum, done_units * quantum
    dates = DAYS[:days]
    quota = split_evenly(plan, people, dates, quantum)
    assert sum(p.daily * len(p.schedule) for p in quota.people) >= plan
    assert quota.daily * days >= plan
    assert team_daily(quota) * days >= plan
    for person in quota.people:
        assert person.daily * days >= person.total
        assert person.daily - person.total / days < quantum  # up by less than one quantum
    today = dates[min(elapsed, days - 1)]
    members = [Member(p.key, dates) for p in quota.people]
    caught = catch_up(plan, done, members, today, today_logged=False, quantum=quantum)
    left = len(caught.remaining_days)
    assert caught.remaining >= plan - done
    assert caught.per_day is not None
    assert caught.per_day * left >= caught.remaining
    assert caught.quota is not None
    assert sum(p.daily * len(p.schedule) for p in caught.quota.people) >= plan - done
    result = progress(plan, done, dates, today, today_logged=False, quantum=quantum)
    assert result.need_per_day is not None
    assert result.need_per_day * result.remaining_days >= plan - done
    assert left == result.remaining_days >= 1
    assert result.need_per_day == ceil_to_quantum(Fraction(max(plan - done, D(0))) / left, quantum)


@settings(max_examples=100, deadline=None)
@given(
    units=st.integers(min_value=0, max_value=10**7),
    weights=st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=6),
    lengths=st.lists(st.integers(min_value=0, max_value=23), min_size=6, max_size=6),
    quantum=_QUANTA,
)
def test_every_person_is_asked_at_least_their_share_whatever_the_weights_and_days(
    units: int, weights: list[int], lengths: list[int], quantum: Decimal
) -> None:
    members = [Member(i, DAYS[:n], D(w)) for i, (w, n) in enumerate(zip(weights, lengths,
                                                                        strict=False))]
    if not any(m.working_days and m.weight for m in members):
        return
    quota = split_plan(units * quantum, members, quantum)
    for person in quota.people:
        assert person.daily * len(person.schedule) >= person.total
        assert person.daily == (max((a.amount for a in person.schedule), default=D(0)))
