"""Daily-loop use cases over the fakes, with worked examples written out.

The plan in these examples: April 2025 has 22 working days in Russia (no public holidays).
A person's plan of 440 calls is 20 a day, 44 meetings is 2 a day and 1,000,000.00 of revenue is
45,454.55 on each of the first 12 working days and 45,454.54 on the last 10.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_core.model import GroupChat, TeamRole
from kpi_core.services import daily, deliveries
from kpi_core.tracking.digest import KpiStanding
from kpi_core.tracking.progress import Status
from tests.fakes import FakeUnitOfWork, ManualClock
from tests.services.daily_world import FixedProvider, log, person

CAL = FixedProvider()
TARGETS = {"cold_calls": 440, "meetings": 44, "revenue": 1_000_000}
# Working days 1-8 April 2025: Tue 1, Wed 2, Thu 3, Fri 4, Mon 7, Tue 8.
BEFORE_9_APRIL = [date(2025, 4, d) for d in (1, 2, 3, 4, 7, 8)]


@pytest.fixture
def clock() -> ManualClock:
    # Wednesday 9 April 2025, 18:00 in Moscow.
    return ManualClock(datetime(2025, 4, 9, 15, 0, tzinfo=UTC))


@pytest.fixture
def uow(clock: ManualClock) -> FakeUnitOfWork:
    return FakeUnitOfWork(clock=clock)


@pytest.fixture
def anna(uow: FakeUnitOfWork) -> int:
    user_id, _ = person(uow.factory(), 42, targets=TARGETS, name="Anna")
    log(uow.factory(), user_id, {d: {"cold_calls": 20, "meetings": 2} for d in BEFORE_9_APRIL})
    return user_id


def _by_kpi(standings: tuple[KpiStanding, ...]) -> dict[str, KpiStanding]:
    return {s.kpi_id: s for s in standings}


def test_log_today_shows_the_day_against_its_quota_and_the_new_need(
    uow: FakeUnitOfWork, clock: ManualClock, anna: int
) -> None:
    result = daily.log_values(uow, clock, CAL, 42, [("cold_calls", Decimal(30))])
    assert isinstance(result, daily.Logged)
    assert result.day == result.today == date(2025, 4, 9)
    assert [(i.metric_id, i.value, i.previous) for i in result.items] == [
        ("cold_calls", Decimal(30), None)
    ]
    calls = _by_kpi(result.standings)["cold_calls"]
    assert (calls.day_value, calls.day_quota) == (Decimal(30), Decimal(20))
    p = calls.progress
    assert p is not None
    # 120 before + 30 today = 150 after 7 of 22 working days: 140 expected.
    assert (p.actual, p.elapsed_days, p.expected) == (Decimal(150), 7, Decimal(140))
    assert p.pace == Decimal("1.0714")  # 150 / 140
    assert p.status is Status.AHEAD  # >= 105 % of pace
    assert p.projected == Decimal(471)  # 150 × 22 / 7 = 471.43, whole calls
    assert p.completion == Decimal("0.3409")  # 150 / 440
    assert (p.remaining, p.remaining_days) == (Decimal(290), 15)
    assert p.need_per_day == Decimal(20)  # 290 / 15 = 19.33, rounded up: 15 × 19 falls short
    # Revenue was not logged today: today is not counted as elapsed for it.
    revenue = _by_kpi(result.standings)["revenue"].progress
    assert revenue is not None
    assert (revenue.elapsed_days, revenue.expected) == (6, Decimal("272727.27"))


def test_the_local_date_decides_the_day(uow: FakeUnitOfWork, clock: ManualClock) -> None:
    person(uow.factory(), 7, timezone="Asia/Vladivostok", targets=TARGETS)
    result = daily.log_values(uow, clock, CAL, 7, [("meetings", Decimal(3))])
    assert isinstance(result, daily.Logged)
    assert result.day == date(2025, 4, 10)  # 15:00 UTC is 01:00 on the 10th in Vladivostok


def test_correction_keeps_the_history_and_undo_restores(
    uow: FakeUnitOfWork, clock: ManualClock, anna: int
) -> None:
    first = daily.log_values(uow, clock, CAL, 42, [("cold_calls", Decimal(30))])
    clock.advance(minutes=5)
    second = daily.log_values(uow, clock, CAL, 42, [("cold_calls", Decimal(32))])
    assert isinstance(first, daily.Logged)
    assert isinstance(second, daily.Logged)
    assert second.items[0].previous == Decimal(30)
    history = daily.entry_history(uow, 42, "cold_calls", date(2025, 4, 9))
    assert [(v, value) for v, value, _ in history] == [(1, Decimal(30)), (2, Decimal(32))]

    clock.advance(minutes=1)
    # The first message's Undo is stale: its value was corrected since.
    with pytest.raises(daily.NothingToUndo):
        daily.undo_log(uow, clock, 42, first.day, daily.stamp_of(first.stamp))
    undone = daily.undo_log(uow, clock, 42, second.day, daily.stamp_of(second.stamp))
    assert [(u[2], u[3]) for u in undone.items] == [(Decimal(32), Decimal(30))]
    with uow:
        entry = uow.entries.get(anna, "cold_calls", date(2025, 4, 9))
    assert entry is not None
    assert (entry.value, entry.version) == (Decimal(30), 3)
    with pytest.raises(daily.NothingToUndo):  # undo twice: nothing left to undo
        daily.undo_log(uow, clock, 42, second.day, daily.stamp_of(second.stamp))


def test_undo_of_a_new_value_removes_it(uow: FakeUnitOfWork, clock: ManualClock, anna: int) -> None:
    result = daily.log_values(uow, clock, CAL, 42, [("revenue", Decimal(50000))])
    assert isinstance(result, daily.Logged)
    clock.advance(seconds=10)
    daily.undo_log(uow, clock, 42, result.day, daily.stamp_of(result.stamp))
    with uow:
        assert uow.entries.logged_users_on([anna], date(2025, 4, 9)) == set()


@pytest.mark.parametrize(("typed", "suggestion"), [(200, 20), (2, 20), (2000, 20)])
def test_outliers_ask_before_saving(
    uow: FakeUnitOfWork, clock: ManualClock, anna: int, typed: int, suggestion: int
) -> None:
    result = daily.log_values(
        uow, clock, CAL, 42, [("cold_calls", Decimal(typed)), ("meetings", Decimal(2))]
    )
    assert isinstance(result, daily.NeedsConfirmation)
    [outlier] = result.outliers
    assert (outlier.metric_id, outlier.value, outlier.usual) == (
        "cold_calls", Decimal(typed), Decimal(20))
    assert outlier.suggestion == Decimal(suggestion)
    with uow:  # nothing saved yet, not even the meetings
        assert uow.entries.logged_users_on([anna], date(2025, 4, 9)) == set()
    confirmed = daily.log_values(uow, clock, CAL, 42, result.values, confirmed={"cold_calls"})
    assert isinstance(confirmed, daily.Logged)
    assert [i.value for i in confirmed.items] == [Decimal(typed), Decimal(2)]


def test_nine_times_the_median_is_not_an_outlier(
    uow: FakeUnitOfWork, clock: ManualClock, anna: int
) -> None:
    result = daily.log_values(uow, clock, CAL, 42, [("cold_calls", Decimal(180))])
    assert isinstance(result, daily.Logged)


def test_no_outlier_check_without_enough_history(uow: FakeUnitOfWork, clock: ManualClock) -> None:
    person(uow.factory(), 42, targets=TARGETS)
    assert isinstance(
        daily.log_values(uow, clock, CAL, 42, [("revenue", Decimal(10**9))]), daily.Logged
    )


def test_yesterday_and_the_limits_of_the_past(
    uow: FakeUnitOfWork, clock: ManualClock, anna: int
) -> None:
    result = daily.log_values(uow, clock, CAL, 42, [("meetings", Decimal(1))], day=date(2025, 4, 8))
    assert isinstance(result, daily.Logged)
    assert result.items[0].previous == Decimal(2)
    meetings = _by_kpi(result.standings)["meetings"]
    assert (meetings.day, meetings.day_value, meetings.day_quota) == (
        date(2025, 4, 8),
        Decimal(1),
        Decimal(2),
    )
    with pytest.raises(daily.DayOutOfRange):
        daily.log_values(uow, clock, CAL, 42, [("meetings", Decimal(1))], day=date(2025, 4, 10))
    with pytest.raises(daily.DayOutOfRange):
        daily.log_values(uow, clock, CAL, 42, [("meetings", Decimal(1))], day=date(2025, 2, 1))


def test_counts_are_whole_and_unknown_metrics_are_refused(
    uow: FakeUnitOfWork, clock: ManualClock, anna: int
) -> None:
    with pytest.raises(daily.WholeNumberNeeded):
        daily.log_values(uow, clock, CAL, 42, [("cold_calls", Decimal("3.5"))])
    with pytest.raises(daily.UnknownMetric):
        daily.log_values(uow, clock, CAL, 42, [("leads", Decimal(3))])
    with pytest.raises(daily.NotSetUp):
        daily.log_values(uow, clock, CAL, 999, [("leads", Decimal(3))])


def test_today_report(uow: FakeUnitOfWork, clock: ManualClock, anna: int) -> None:
    report = daily.today_report(uow, clock, CAL, 42)
    assert report.working_today
    calls = _by_kpi(report.standings)["cold_calls"]
    # 120 done before today; 320 left over 16 days (today included): 20 a day.
    assert (calls.today_quota, calls.today_plan_quota) == (Decimal(20), Decimal(20))
    assert calls.progress is not None
    assert (calls.progress.remaining, calls.progress.remaining_days) == (Decimal(320), 16)
    revenue = _by_kpi(report.standings)["revenue"]
    # Nothing logged: 1,000,000.00 over the 16 days left is 62,500.00 a day.
    assert revenue.today_quota == Decimal("62500.00")
    assert revenue.today_plan_quota == Decimal("45454.55")
    assert report.remaining_days == 16


def test_morning_digest_worked_example(uow: FakeUnitOfWork, clock: ManualClock, anna: int) -> None:
    daily.log_values(uow, clock, CAL, 42, [("cold_calls", Decimal(30)), ("meetings", Decimal(2))])
    with uow:
        user = uow.users.get(anna)
        assert user is not None
        digests = deliveries.build_digests(uow, CAL, [user], date(2025, 4, 10))
    d = digests[anna]
    assert (d.today, d.report_day, d.reported, d.streak) == (
        date(2025, 4, 10),
        date(2025, 4, 9),
        True,
        7,
    )
    s = _by_kpi(d.standings)
    calls = s["cold_calls"]
    assert (calls.day_value, calls.day_quota) == (Decimal(30), Decimal(20))
    assert calls.progress is not None
    assert (calls.progress.actual, calls.progress.expected) == (Decimal(150), Decimal(140))
    assert calls.progress.status is Status.AHEAD
    assert calls.progress.projected == Decimal(471)
    # 290 left over 15 working days from Thursday: 20 on the first five, then 19.
    assert calls.today_quota == Decimal(20)
    meetings = s["meetings"]
    assert meetings.progress is not None
    assert meetings.progress.status is Status.ON_TRACK  # 14 of 14 expected
    assert meetings.today_quota == Decimal(2)
    revenue = s["revenue"]
    assert revenue.progress is not None
    assert revenue.progress.status is Status.CRITICAL  # nothing logged
    assert revenue.day_value is None
    assert revenue.day_quota == Decimal("45454.55")
    # 1,000,000.00 over 15 days: 66,666.67 on the first ten (ten kopecks left over).
    assert revenue.today_quota == Decimal("66666.67")
    assert d.status is Status.CRITICAL


def test_monday_digest_reports_friday_and_streaks_skip_weekends(
    uow: FakeUnitOfWork, clock: ManualClock, anna: int
) -> None:
    log(uow.factory(), anna, {date(2025, 4, d): {"cold_calls": 20} for d in (9, 10, 11)})
    with uow:
        user = uow.users.get(anna)
        assert user is not None
        d = deliveries.build_digests(uow, CAL, [user], date(2025, 4, 14))[anna]
    assert d.report_day == date(2025, 4, 11)
    assert d.streak == 9
    # A missed Thursday breaks it.
    with uow:
        uow.entries.record(anna, "cold_calls", date(2025, 4, 10), None, anna, clock.now())
        uow.commit()
    with uow:
        d = deliveries.build_digests(uow, CAL, [user], date(2025, 4, 14))[anna]
    assert d.streak == 1


def test_digest_on_the_first_of_the_month_reports_the_previous_plan(
    uow: FakeUnitOfWork, clock: ManualClock, anna: int
) -> None:
    with uow:
        user = uow.users.get(anna)
        assert user is not None
        d = deliveries.build_digests(uow, CAL, [user], date(2025, 5, 5))[anna]
    # 1-4 May are holidays and a weekend; the last working day was Wednesday 30 April.
    assert d.report_day == date(2025, 4, 30)
    assert not d.has_plan
    calls = _by_kpi(d.standings)["cold_calls"]
    assert calls.day_quota == Decimal(20)
    assert calls.progress is None


def test_team_digest_two_people(uow: FakeUnitOfWork, clock: ManualClock) -> None:
    new = uow.factory()
    anna, team = person(new, 1, name="Anna", kpis=["cold_calls"], targets={"cold_calls": 880})
    boris, _ = person(new, 2, name="Boris", kpis=["cold_calls"], team_id=team, role=TeamRole.MEMBER)
    log(new, anna, {d: {"cold_calls": 25} for d in [*BEFORE_9_APRIL, date(2025, 4, 9)]})
    log(new, boris, {d: {"cold_calls": 10} for d in [*BEFORE_9_APRIL, date(2025, 4, 9)]})
    with uow:
        digest = deliveries.build_team_digest(uow, CAL, team, date(2025, 4, 10))
    assert digest is not None
    [line] = digest.lines
    assert line.day_total == Decimal(35)
    assert line.progress is not None
    # 175 + 70 = 245 of 880 after 7 of 22 days (280 expected): 87.5 % of pace.
    assert (line.progress.actual, line.progress.expected) == (Decimal(245), Decimal(280))
    assert line.progress.status is Status.BEHIND
    assert [p.name for p in digest.people] == ["Anna", "Boris"]
    anna_line, boris_line = digest.people
    assert anna_line.standings[0].target == Decimal(440)  # equal weights: half each
    assert anna_line.status is Status.AHEAD  # 175 of 140
    assert boris_line.status is Status.CRITICAL  # 70 of 140


def test_reminders_skip_people_who_logged(
    uow: FakeUnitOfWork, clock: ManualClock, anna: int
) -> None:
    person(uow.factory(), 43, kpis=["lead_to_qualified"], targets={})
    with uow:
        users = uow.users.list_active()
        views = deliveries.reminder_views(uow, users, date(2025, 4, 8))
        assert views[anna] is None  # logged on the 8th
        views = deliveries.reminder_views(uow, users, date(2025, 4, 9))
    view = views[anna]
    assert view is not None
    assert [x.metric_id for x in view.loggables] == ["cold_calls", "meetings", "revenue"]
    other = next(v for k, v in views.items() if k != anna)
    assert other is not None
    assert [x.metric_id for x in other.loggables] == ["qualified_leads", "leads"]


def test_link_and_unlink_need_an_owner_or_admin(uow: FakeUnitOfWork, anna: int) -> None:
    person(uow.factory(), 50, targets=None)
    _, team = person(uow.factory(), 51, team_id=1, role=TeamRole.MEMBER)
    with pytest.raises(daily.NotAllowed):
        daily.link_group(uow, 51, -100, "Sales", "en")  # a member of Anna's team
    with pytest.raises(daily.NotAllowed):
        daily.link_group(uow, 999, -100, "Sales", "en")
    chat, name = daily.link_group(uow, 42, -100, "Sales", "ru")
    assert (chat.team_id, chat.language, name) == (team, "ru", "Team of Anna")
    # Someone managing another team cannot take the group over, nor unlink it.
    with pytest.raises(daily.NotAllowed):
        daily.link_group(uow, 50, -100, "Sales", "en")
    with pytest.raises(daily.NotAllowedToUnlink):
        daily.unlink_group(uow, 51, -100)
    assert daily.unlink_group(uow, 42, -100)
    assert not daily.unlink_group(uow, 42, -100)
    with uow:
        stored = uow.teams.chat(-100)
    assert stored == GroupChat(
        chat_id=-100,
        team_id=team,
        title="Sales",
        language="ru",
        active=False,
        id=stored.id if stored else None,
    )


def test_blocked_chats_are_deactivated_and_come_back(uow: FakeUnitOfWork, anna: int) -> None:
    assert daily.deactivate_chat(uow, 42)
    assert not daily.deactivate_chat(uow, 42)
    with uow:
        assert [u.id for u in uow.users.list_active()] == []
    assert daily.reactivate(uow, 42)
    assert not daily.reactivate(uow, 42)


@given(
    st.integers(min_value=0, max_value=10**8),
    st.integers(min_value=0, max_value=10**8),
    st.integers(min_value=1, max_value=23),
    st.sampled_from([Decimal(1), Decimal("0.01")]),
)
def test_todays_catch_up_share_matches_quotas_catch_up(
    target_units: int, done_units: int, days_left: int, quantum: Decimal
) -> None:
    """The digest's O(1) share for today is exactly what ``quotas.catch_up`` gives today."""
    from kpi_core.planning.quotas import Member, catch_up
    from kpi_core.tracking.digest import catch_up_today

    days = tuple(date(2025, 4, 1) + timedelta(days=i) for i in range(30))
    today = days[30 - days_left]
    target, done = target_units * quantum, done_units * quantum / 3
    need = catch_up(target, done, [Member(1, days)], today, today_logged=False, quantum=quantum)
    expected = need.quota.person(1).amount_on(today) if need.quota else Decimal(0)
    assert catch_up_today(target - done, days_left, quantum) == expected


def test_the_first_of_ten_to_join_carries_a_tenth_of_the_plan(
    uow: FakeUnitOfWork, clock: ManualClock
) -> None:
    """A 10-person plan with only its owner in the bot: vacant seats keep their share."""
    _, team_id = person(uow.factory(), 7, kpis=("revenue",), targets={"revenue": 10_000_000})
    with uow:
        team = uow.teams.get(team_id)
        assert team is not None
        team.planned_size = 10
        uow.teams.save(team)
        uow.commit()
    report = daily.today_report(uow, clock, CAL, 7)
    revenue = _by_kpi(report.standings)["revenue"]
    # 10,000,000 / 10 people / 22 working days; not the whole team's plan.
    assert revenue.today_plan_quota == Decimal("45454.55")
    # Nothing logged before 9 April: the owner's 1,000,000 over the 16 days left.
    assert revenue.today_quota == Decimal("62500.00")
    assert revenue.progress is not None
    assert revenue.progress.remaining == Decimal("1000000.00")
