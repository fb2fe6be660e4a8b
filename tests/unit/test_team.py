"""Splitting a team's plan over the people who joined and the seats still vacant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.calendars import HolidaysCalendarProvider
from kpi_core.planning.calendar import Period, WeekdayCalendar, WorkSchedule, working_days
from kpi_core.planning.quotas import COUNT_QUANTUM, NoWorkingDays
from kpi_core.planning.team import (
    TargetsExceedPlan,
    Vacancy,
    dropped,
    is_vacant,
    joined_people,
    seats,
    split_members,
    split_over_seats,
    team_daily,
    vacancies,
)

APRIL = Period.month(2025, 4)
RU = WorkSchedule(HolidaysCalendarProvider().for_country("RU"))


@dataclass(frozen=True)
class Person:
    user_id: int
    schedule: WorkSchedule = RU
    weight: D = D(1)


def joined_on(day: date, user_id: int = 1) -> Person:
    return Person(user_id, WorkSchedule(RU.calendar, active_from=day))


def test_april_2025_in_russia_has_22_working_days() -> None:
    assert len(working_days(APRIL.start, APRIL.end, RU)) == 22


def test_one_of_ten_gets_a_tenth_not_the_whole_plan() -> None:
    """10 000 000 ₽, 10 planned, 1 joined: 45 454,55 ₽ a day for the one who joined."""
    quota = split_over_seats(D(10_000_000), APRIL, [Person(1)], 10, RU)
    me = quota.person(1)
    assert me.daily == D("45454.55")
    assert me.total == D("1000000.00")
    assert sum(a.amount for a in me.schedule) == D("1000000.00")
    assert len(me.schedule) == 22
    assert [p.total for p in joined_people(quota)] == [D("1000000.00")]
    assert sum(p.total for p in quota.people) == D(10_000_000)  # vacant seats hold the rest
    assert quota.daily == team_daily(quota) == D("454545.46")  # the whole team's day, up


VACATION = frozenset(date(2025, 4, d) for d in range(21, 26))  # Mon 21 – Fri 25 April


def april_team() -> list[Person]:
    """Ten seats, ten people: eight all month, one joins on 14 April, one is off 21–25 April."""
    late = joined_on(date(2025, 4, 14), 9)
    away = Person(10, WorkSchedule(RU.calendar, days_off=VACATION))
    return [*(Person(n) for n in range(1, 9)), late, away]


def test_a_vacation_moved_to_the_team_raises_everyones_day_a_little() -> None:
    """The 5 vacation days go to the team: 215 seat-days share 10 000 000 ₽."""
    quota = split_over_seats(D(10_000_000), APRIL, april_team(), 10, RU)
    assert [quota.person(n).total for n in range(1, 9)] == (
        [D("1023255.82")] * 3 + [D("1023255.81")] * 5)
    assert {quota.person(n).daily for n in range(1, 11)} == {D("46511.63")}
    assert quota.person(9).total == D("604651.16")  # 13 days from 14 April
    assert quota.person(10).total == D("790697.68")  # 17 days, none on 21–25 April
    assert not any(a.day in VACATION for a in quota.person(10).schedule)
    assert quota.person(Vacancy(0, 9)).total == D("418604.65")  # 1–11 April: nobody's yet
    assert sum(p.total for p in quota.people) == D(10_000_000)
    assert sum(a.amount for a in quota.schedule) == D(10_000_000)
    assert dropped(quota) == 0


def test_a_vacation_that_reduces_the_plan_keeps_everyone_else_at_a_seats_day() -> None:
    """The 5 vacation days are dropped: the plan becomes 9 772 727,27 ₽."""
    quota = split_over_seats(D(10_000_000), APRIL, april_team(), 10, RU,
                             reduced={10: VACATION})
    assert [quota.person(n).total for n in range(1, 9)] == [D("1000000.00")] * 8
    assert {quota.person(n).daily for n in range(1, 11)} == {D("45454.55")}
    assert quota.person(9).total == D("590909.09")
    assert quota.person(10).total == D("772727.27")  # 17 of the seat's 22 days
    assert quota.person(Vacancy(0, 10, off=True)).total == D("227272.73")
    assert dropped(quota) == D("227272.73")
    assert D(10_000_000) - dropped(quota) == D("9772727.27")
    assert sum(p.total for p in quota.people) == D(10_000_000)
    assert team_daily(quota) == D("454545.46")


def test_individual_targets_leave_the_rest_to_everyone_else() -> None:
    """2 000 000 ₽ for no. 1, 1 100 000 ₽ for no. 10 (whose vacation reduces the plan)."""
    quota = split_over_seats(
        D(10_000_000), APRIL, april_team(), 10, RU,
        fixed={1: D(2_000_000), 10: D(1_100_000)}, reduced={10: VACATION},
    )
    assert quota.person(1).total == D("2000000.00")
    assert quota.person(1).daily == D("90909.10")
    # 1 100 000 ₽ over 22 days is 50 000 ₽ a day: 17 worked, 5 dropped with the vacation.
    assert quota.person(10).total == D("850000.00")
    assert quota.person(10).daily == D("50000.00")
    assert dropped(quota) == D("250000.00")
    # 6 900 000 ₽ left for 7 × 22 + 13 days and the 9 days before no. 9 joined.
    assert [quota.person(n).total for n in range(2, 9)] == [D("862500.00")] * 7
    assert quota.person(9).total == D("509659.09")
    assert quota.person(Vacancy(0, 9)).total == D("352840.91")
    assert sum(p.total for p in quota.people) == D(10_000_000)
    assert sum(a.amount for a in quota.schedule) == D(10_000_000)


def test_a_fixed_persons_vacation_moved_to_the_team_goes_to_the_others() -> None:
    away = Person(2, WorkSchedule(RU.calendar, days_off=VACATION))
    quota = split_over_seats(D(3_300_000), APRIL, [Person(1), away], None, RU,
                             fixed={2: D(1_100_000)})
    assert quota.person(2).total == D("850000.00")  # 17 of 22 days of 50 000 ₽
    assert quota.person(1).total == D("2450000.00")  # 2 200 000 + the 250 000 ₽ moved
    assert sum(p.total for p in quota.people) == D(3_300_000)


def test_when_everyone_has_a_target_the_rest_of_the_plan_is_unassigned() -> None:
    quota = split_over_seats(D(1_000_000), APRIL, [Person(1), Person(2)], None, RU,
                             fixed={1: D(300_000), 2: D(300_000)})
    assert quota.person(Vacancy(0)).total == D("400000.00")
    assert [p.total for p in joined_people(quota)] == [D("300000.00")] * 2


def test_targets_over_the_plan_are_refused() -> None:
    with pytest.raises(TargetsExceedPlan) as error:
        split_over_seats(D(1_000_000), APRIL, [Person(1), Person(2)], None, RU,
                         fixed={1: D(700_000), 2: D(400_000)})
    assert error.value.targets == D(1_100_000)


def test_joining_mid_month_keeps_the_daily_quota_of_a_seat() -> None:
    """Joined on Monday 14 April: 13 working days left at the same 45 454,55 ₽."""
    quota = split_over_seats(D(10_000_000), APRIL, [joined_on(date(2025, 4, 14))], 10, RU)
    me = quota.person(1)
    assert len(me.schedule) == 13
    assert me.schedule[0].day == date(2025, 4, 14)
    assert me.daily == D("45454.55")
    # 13 of the seat's 22 days: 13/22 of a tenth of the plan.
    assert me.total == D("590909.09")
    assert team_daily(quota) == D("454545.46")  # ten seats, each counted once


def test_the_first_to_join_keeps_their_quota_when_others_join() -> None:
    alone = split_over_seats(D(10_000_000), APRIL, [Person(1)], 10, RU).person(1)
    three = split_over_seats(D(10_000_000), APRIL, [Person(1), Person(2), Person(3)], 10, RU)
    assert three.person(1) == alone
    assert [p.total for p in joined_people(three)] == [D("1000000.00")] * 3


def test_as_many_as_planned_split_the_whole_plan() -> None:
    quota = split_over_seats(D(300_000), APRIL, [Person(1), Person(2), Person(3)], 3, RU)
    assert [p.total for p in quota.people] == [D("100000.00")] * 3
    assert not any(is_vacant(p.key) for p in quota.people)


def test_more_joined_than_planned_split_over_the_actual_people() -> None:
    people = [Person(n) for n in range(1, 5)]
    quota = split_over_seats(D(400_000), APRIL, people, 3, RU)
    assert [p.total for p in quota.people] == [D("100000.00")] * 4
    assert quota.person(1).daily == D("4545.46")  # 100 000 over 22 days, rounded up


def test_no_planned_size_splits_over_the_actual_people_as_before() -> None:
    late = joined_on(date(2025, 4, 14), 2)
    quota = split_over_seats(D(350_000), APRIL, [Person(1), late], None, RU)
    # 22 + 13 working days share the plan: 10 000 ₽ a day each.
    assert [p.daily for p in quota.people] == [D("10000.00")] * 2
    assert [p.total for p in quota.people] == [D("220000.00"), D("130000.00")]


def test_vacant_seats_follow_the_owners_week_not_their_days_off() -> None:
    owner = WorkSchedule(
        WeekdayCalendar(),
        weekdays=frozenset({0, 1, 2, 3, 4, 5}),  # a six-day shop
        days_off=frozenset({date(2025, 4, 7)}),
        active_from=date(2025, 4, 10),
    )
    chosen = seats([Person(1, owner)], 2, owner)
    vacant = [s for s in chosen if s.key == Vacancy(1)]
    assert len(vacant) == 1
    assert vacant[0].schedule.weekdays == owner.weekdays
    assert vacant[0].schedule.days_off == frozenset()
    assert vacant[0].schedule.active_from is None
    assert vacant[0].weight == D(1)


def test_a_person_who_left_leaves_the_rest_of_the_seat_vacant() -> None:
    left = Person(1, WorkSchedule(RU.calendar, active_until=date(2025, 4, 15)))
    quota = split_over_seats(D(2_200_000), APRIL, [left], 2, RU)
    me = quota.person(1)
    assert me.daily == D("50000.00")  # 1 100 000 per seat over 22 days
    assert me.schedule[-1].day == date(2025, 4, 15)
    assert quota.person(Vacancy(0, 1, before=False)).schedule[0].day == date(2025, 4, 16)


def test_weights_carry_into_the_seat() -> None:
    senior = Person(1, RU, D("1.5"))
    quota = split_over_seats(D(3_500_000), APRIL, [senior], 3, RU)
    # 1.5 + 1 + 1 seats: the senior carries 1.5 / 3.5 of the plan.
    assert quota.person(1).total == D("1500000.00")


def test_counts_split_in_whole_units() -> None:
    quota = split_over_seats(D(660), APRIL, [Person(1)], 3, RU, COUNT_QUANTUM)
    assert quota.person(1).total == D(220)
    assert quota.person(1).daily == D(10)


def test_vacant_parts_outside_the_period_are_left_out() -> None:
    early = joined_on(date(2025, 3, 3))  # joined before April: nothing of April is vacant
    members = split_members(APRIL, seats([early], 1, RU))
    assert [m.key for m in members] == [1]


def test_a_person_without_working_days_keeps_a_zero_quota() -> None:
    late = joined_on(date(2025, 5, 5), 2)
    quota = split_over_seats(D(1_000_000), APRIL, [Person(1), late], 2, RU)
    assert quota.person(2).total == D(0)
    assert quota.person(1).total == D("500000.00")


def test_nothing_to_split_over_is_an_error_the_user_can_fix() -> None:
    never = WorkSchedule(RU.calendar, active_from=date(2025, 5, 5))
    with pytest.raises(NoWorkingDays):
        split_over_seats(D(100), APRIL, [Person(1, never)], None, never)


def test_user_ids_must_be_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        seats([Person(1), Person(1)], 3, RU)


@pytest.mark.parametrize(
    ("joined", "planned", "expected"), [(1, 10, 9), (10, 10, 0), (12, 10, 0), (3, None, 0)]
)
def test_vacancies(joined: int, planned: int | None, expected: int) -> None:
    assert vacancies(joined, planned) == expected


@settings(max_examples=60, deadline=None)
@given(
    plan=st.integers(min_value=0, max_value=10**9).map(lambda n: D(n) / 100),
    joined=st.integers(min_value=1, max_value=8),
    planned=st.one_of(st.none(), st.integers(min_value=1, max_value=12)),
    join_day=st.integers(min_value=1, max_value=30),
)
def test_the_seats_add_up_to_the_plan_and_share_it_fairly(
    plan: D, joined: int, planned: int | None, join_day: int
) -> None:
    people = [Person(n) for n in range(1, joined)] + [joined_on(date(2025, 4, join_day), joined)]
    quota = split_over_seats(plan, APRIL, people, planned, RU)
    assert sum(p.total for p in quota.people) == plan
    full = [quota.person(n) for n in range(1, joined)]
    if planned is not None and joined <= planned:
        seat = plan / planned  # each full-month person carries one seat, within a kopeck
        for person in full:
            assert abs(person.total - seat) <= D("0.01")
    # Each is asked what their own share needs a day, rounded up (the same figure /today shows
    # on the first day); equal seats' shares differ by a kopeck at most, and so do their days.
    dailies = {p.daily for p in full}
    assert not dailies or max(dailies) - min(dailies) <= D("0.01")
    for person in quota.people:
        days = len(person.schedule)
        assert person.daily == (max(a.amount for a in person.schedule) if days else 0)
        assert person.daily * days >= person.total


def test_a_vacation_marked_later_does_not_change_what_another_took_off_the_plan() -> None:
    """No. 10's reduced days are worth a seat-day each, whoever else is away later."""
    team = april_team()
    alone = split_over_seats(D(10_000_000), APRIL, team, 10, RU, reduced={10: VACATION})
    later = frozenset({date(2025, 4, 28), date(2025, 4, 29)})
    team[0] = Person(1, WorkSchedule(RU.calendar, days_off=later))
    both = split_over_seats(D(10_000_000), APRIL, team, 10, RU, reduced={10: VACATION})
    assert dropped(both) == dropped(alone) == D("227272.73")
    assert sum(p.total for p in both.people) == D(10_000_000)
    assert quota_daily(both, 2) > quota_daily(alone, 2)  # the two days go to the team


def quota_daily(quota: object, user_id: int) -> D:
    from kpi_core.planning.quotas import TeamQuota

    assert isinstance(quota, TeamQuota)
    return quota.person(user_id).daily
