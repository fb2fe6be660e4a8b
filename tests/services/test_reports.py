"""Weekly and monthly reports as use cases, over the fakes: planned once per period by the
Planner, built with the latest numbers, and worded in English and Russian (``bot.ui.reports``).

Moscow is UTC+3; the calendar is Russia's 2025 production calendar (``holidays``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.calendars import HolidaysCalendarProvider
from bot.i18n import translator
from bot.ui import reports
from bot.ui.render import plain
from kpi_core.model import DayOff, Delivery, DeliveryKind, DeliveryStatus
from kpi_core.services import deliveries
from kpi_core.tracking.reports import PeriodReport, ReportKind
from tests.fakes import FakeUnitOfWork, ManualClock
from tests.services.daily_world import log, person

CAL = HolidaysCalendarProvider()
NBSP = "\u00a0"


def at(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def reports_of(uow: FakeUnitOfWork, chat_id: int) -> list[Delivery]:
    with uow:
        return [d for d in uow.deliveries.for_chat(chat_id)
                if d.kind in (DeliveryKind.WEEKLY_REPORT, DeliveryKind.MONTHLY_REPORT)]


def world(now: datetime) -> tuple[FakeUnitOfWork, ManualClock]:
    clock = ManualClock(now)
    return FakeUnitOfWork(clock=clock), clock


def test_a_monday_plans_one_weekly_report_per_person_once() -> None:
    uow, clock = world(at(2025, 4, 13, 18))  # Sunday evening in Moscow: plans Sunday, Monday
    person(uow.factory(), 1)
    person(uow.factory(), 2)
    person(uow.factory(), 3, digest_time=None)  # no digest: no report either
    planner = deliveries.Planner(uow.factory(), CAL, clock)
    planner.plan_once()
    planner.plan_once()
    clock.set(at(2025, 4, 14, 5))  # Monday 08:00
    planner.plan_once()
    # A restart: another planner, nothing it remembers; the table keeps each row once.
    deliveries.Planner(uow.factory(), CAL, clock).plan_once()
    for chat in (1, 2):
        (row,) = reports_of(uow, chat)
        assert (row.kind, row.local_date, row.due_at, row.expires_at) == (
            DeliveryKind.WEEKLY_REPORT, date(2025, 4, 14), at(2025, 4, 14, 6),
            at(2025, 4, 14, 21))  # 09:00 Moscow, useful until midnight
    assert reports_of(uow, 3) == []


def test_an_inactive_person_gets_no_report() -> None:
    uow, clock = world(at(2025, 4, 14, 5))
    user_id, _ = person(uow.factory(), 1)
    with uow:
        user = uow.users.get(user_id)
        assert user is not None
        user.active = False  # blocked the bot
        uow.users.save(user)
        uow.commit()
    deliveries.Planner(uow.factory(), CAL, clock).plan_once()
    assert reports_of(uow, 1) == []


def test_the_monthly_report_for_april_2025_comes_on_5_may_after_the_holidays() -> None:
    uow, clock = world(at(2025, 4, 30, 18))  # 21:00 on 30 April in Moscow
    person(uow.factory(), 1)
    planner = deliveries.Planner(uow.factory(), CAL, clock)
    for day in (1, 2, 3, 4, 5, 6):  # every evening from 30 April to 6 May
        planner.plan_once()
        clock.set(at(2025, 5, day, 18))
        planner.plan_once()
    monthly = [r for r in reports_of(uow, 1) if r.kind is DeliveryKind.MONTHLY_REPORT]
    weekly = [r for r in reports_of(uow, 1) if r.kind is DeliveryKind.WEEKLY_REPORT]
    # 1–4 May are holidays (2 May moved from 4 January): Monday 5 May, keyed by 1 May.
    assert [(r.local_date, r.due_at) for r in monthly] == [(date(2025, 5, 1), at(2025, 5, 5, 6))]
    assert [(r.local_date, r.due_at) for r in weekly] == [(date(2025, 5, 5), at(2025, 5, 5, 6))]


def test_a_day_off_marked_later_moves_a_pending_report_and_never_makes_a_second() -> None:
    uow, clock = world(at(2025, 5, 4, 18))
    user_id, _ = person(uow.factory(), 1)
    planner = deliveries.Planner(uow.factory(), CAL, clock)
    planner.plan_once()
    with uow:
        uow.days_off.add(DayOff(user_id, date(2025, 5, 5)))
        uow.commit()
    planner.forget()  # as after a settings change: reconcile the pending rows
    planner.plan_once()
    (monthly, weekly) = sorted(reports_of(uow, 1), key=lambda r: r.kind.value)
    # Both moved to Tuesday 6 May, the first working day now.
    assert (monthly.local_date, monthly.due_at) == (date(2025, 5, 1), at(2025, 5, 6, 6))
    assert (weekly.local_date, weekly.due_at) == (date(2025, 5, 5), at(2025, 5, 6, 6))
    clock.set(at(2025, 5, 6, 18))
    planner.plan_once()
    assert len(reports_of(uow, 1)) == 2


def _april_person(uow: FakeUnitOfWork, language: str = "en") -> int:
    user_id, _ = person(uow.factory(), 1, kpis=["cold_calls", "revenue"], language=language,
                        targets={"cold_calls": 440, "revenue": 220_000})
    log(uow.factory(), user_id, {date(2025, 4, d): {"cold_calls": 10} for d in (1, 2, 3, 4)})
    week = {7: (18, 30_000), 8: (25, 0), 9: (0, 50_000), 10: (20, 0), 11: (15, 10_000)}
    log(uow.factory(), user_id, {date(2025, 4, d): {"cold_calls": c, "revenue": r}
                                 for d, (c, r) in week.items()})
    return user_id


def _weekly(uow: FakeUnitOfWork, user_id: int, now: datetime) -> PeriodReport:
    with uow:
        user = uow.users.get(user_id)
        assert user is not None
        return deliveries.build_reports(uow, CAL, [user], ReportKind.WEEK, date(2025, 4, 14),
                                        now)[user_id]


def test_the_weekly_report_is_built_with_the_latest_numbers_and_the_streak() -> None:
    uow, _ = world(at(2025, 4, 14, 6))
    user_id = _april_person(uow)
    report = _weekly(uow, user_id, at(2025, 4, 14, 6))
    calls, revenue = report.kpis
    assert (calls.total, calls.quota, calls.shortfall) == (78, 100, 22)
    assert (calls.next_daily, calls.next_quota) == (25, 125)
    assert (revenue.total, revenue.quota, revenue.shortfall) == (90_000, 50_000, None)
    assert (report.logged_days, report.working_days, report.streak) == (5, 5, 9)


def test_the_weekly_report_in_english() -> None:
    uow, _ = world(at(2025, 4, 14, 6))
    user_id = _april_person(uow)
    text = plain(reports.report(translator("en"), _weekly(uow, user_id, at(2025, 4, 14, 6))).text)
    lines = text.splitlines()
    assert lines[0] == "📅 Your week, 7–13 April 2025"
    assert "Results logged on 5 of 5 working days." in lines
    assert "🔥 9 working days in a row with results logged." in lines
    assert "Calls: 78 of 100 · ▓▓▓▓▓▓▓▓░░ 78%" in lines
    assert "Best day: Tuesday, 8 April, 25" in lines
    assert "To stay on plan at this pace: 125 this week (25 today)." in lines
    assert "Best day: Wednesday, 9 April, ₽50,000" in lines
    assert lines[-2:] == ["⚠️ Behind the plan:", "• Calls: 22 short of the plan (22%)"]


def test_the_weekly_report_in_russian() -> None:
    uow, _ = world(at(2025, 4, 14, 6))
    user_id = _april_person(uow, "ru")
    text = plain(reports.report(translator("ru"), _weekly(uow, user_id, at(2025, 4, 14, 6))).text)
    lines = text.splitlines()
    assert lines[0] == "📅 Ваша неделя, 7–13 апреля 2025\u202fг."
    assert "Результаты внесены за 5 из 5 рабочих дней." in lines
    assert f"🔥 9{NBSP}рабочих дней подряд с внесёнными результатами." in lines
    assert "Лучший день: вторник, 8 апреля, 25" in lines
    assert "Чтобы выполнить план при таком темпе: 125 на этой неделе (25 сегодня)." in lines
    assert lines[-2:] == ["⚠️ Отстают от плана:",
                          f"• по показателю «Звонки» — отставание на 22 (22{NBSP}%)"]


def test_the_monthly_report_after_the_plan_ended_in_russian() -> None:
    uow, _ = world(at(2025, 5, 5, 6))
    user_id = _april_person(uow, "ru")
    with uow:
        user = uow.users.get(user_id)
        assert user is not None
        built = deliveries.build_reports(uow, CAL, [user], ReportKind.MONTH, date(2025, 5, 1),
                                         at(2025, 5, 5, 6))
    text = plain(reports.report(translator("ru"), built[user_id]).text)
    lines = text.splitlines()
    assert lines[0] == "🗓 Ваш месяц: апрель 2025"
    assert "Результаты внесены за 9 из 22 рабочих дней." in lines
    # 440 again over May's 18 working days from 5 May: 25 on the first 8, 24 after.
    assert "Если план повторится с теми же целями: 440 в этом месяце (25 сегодня)." in lines
    assert f"• по показателю «Звонки» — отставание на 322 (73{NBSP}%)" in lines


def test_a_report_is_composed_and_its_row_finished_like_a_digest() -> None:
    uow, clock = world(at(2025, 4, 14, 6))
    user_id = _april_person(uow)
    deliveries.Planner(uow.factory(), CAL, clock).plan_once()
    with uow:
        rows = uow.deliveries.claim_due(clock.now(), 10, "test", 600)
        uow.commit()
    composed = deliveries.compose(uow, CAL, clock, rows)
    kinds = [type(o.content) for o in composed.outgoing]
    assert kinds[:1] != [PeriodReport]  # the digest first (a chat's rows one at a time)
    with uow:
        for row in rows:
            uow.deliveries.finish(row.id or 0, DeliveryStatus.SENT, clock.now())
        uow.commit()
        rows = uow.deliveries.claim_due(clock.now(), 10, "test", 600)
        uow.commit()
    composed = deliveries.compose(uow, CAL, clock, rows)
    (item,) = composed.outgoing
    assert isinstance(item.content, PeriodReport)
    assert item.content.user_id == user_id
    assert item.delivery.kind is DeliveryKind.WEEKLY_REPORT
