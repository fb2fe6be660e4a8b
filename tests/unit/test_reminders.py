"""Reminder and digest planning: local times in several zones, working days, DST, expiry."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from kpi_core.model import DeliveryKind, GroupChat, User
from kpi_core.planning.calendar import FixedCalendar
from kpi_core.tracking.reminders import (
    Verdict,
    check_due,
    dates_to_plan,
    local_instant,
    plan_group_day,
    plan_user_day,
    previous_working_day,
    schedule_for,
    user_window,
    window,
    zone,
)

# Russian production calendar excerpts for 2025 (public holidays and transfers).
RU_2025 = FixedCalendar(
    holidays=[
        date(2025, 5, 1),
        date(2025, 5, 2),
        date(2025, 5, 8),
        date(2025, 5, 9),
        date(2025, 11, 3),
        date(2025, 11, 4),
    ],
    extra_workdays=[date(2025, 11, 1)],
)


def _user(
    tz: str,
    reminder: time | None = time(18, 0),
    digest: time | None = time(9, 0),
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4}),
) -> User:
    return User(
        telegram_id=1001,
        id=1,
        timezone=tz,
        reminder_time=reminder,
        digest_time=digest,
        working_weekdays=weekdays,
    )


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "expected_utc"),
    [
        ("Europe/Moscow", _utc(2025, 6, 10, 15, 0)),  # UTC+3
        ("Asia/Vladivostok", _utc(2025, 6, 10, 8, 0)),  # UTC+10
        ("America/New_York", _utc(2025, 6, 10, 22, 0)),  # EDT, UTC-4
        ("Europe/Berlin", _utc(2025, 6, 10, 16, 0)),  # CEST, UTC+2
    ],
)
def test_reminder_is_due_at_local_time_in_each_zone(tz: str, expected_utc: datetime) -> None:
    user = _user(tz)
    [digest, reminder] = plan_user_day(
        user, date(2025, 6, 10), schedule_for(user, RU_2025).is_working_day
    )
    assert reminder.kind is DeliveryKind.REMINDER
    assert reminder.due_at == expected_utc
    assert reminder.expires_at == expected_utc + timedelta(hours=2)
    assert reminder.chat_id == 1001
    assert reminder.user_id == 1
    assert digest.due_at == expected_utc - timedelta(hours=9)


def test_berlin_winter_offset_differs_from_summer() -> None:
    w = window(DeliveryKind.REMINDER, date(2025, 1, 14), time(18, 0), zone("Europe/Berlin"))
    assert w.due_at == _utc(2025, 1, 14, 17, 0)


def test_weekends_and_russian_holidays_are_skipped() -> None:
    user = _user("Europe/Moscow")
    working = schedule_for(user, RU_2025).is_working_day
    assert plan_user_day(user, date(2025, 5, 9), working) == []  # Victory Day, a Friday
    assert plan_user_day(user, date(2025, 11, 4), working) == []  # Unity Day, a Tuesday
    assert plan_user_day(user, date(2025, 11, 3), working) == []  # transferred day off
    assert plan_user_day(user, date(2025, 6, 14), working) == []  # a Saturday
    # A transferred working Saturday, and the first working day of November: its report too.
    assert [d.kind for d in plan_user_day(user, date(2025, 11, 1), working)] == [
        DeliveryKind.DIGEST, DeliveryKind.MONTHLY_REPORT, DeliveryKind.REMINDER]
    # 3–4 November are days off: Wednesday is the first working day of the week (its report).
    assert len(plan_user_day(user, date(2025, 11, 5), working)) == 3


def test_personal_days_off_and_custom_week() -> None:
    user = _user("Europe/Moscow", weekdays=frozenset({1, 2, 3, 4, 5}))  # Tue..Sat
    working = schedule_for(user, RU_2025, days_off={date(2025, 6, 11)}).is_working_day
    assert plan_user_day(user, date(2025, 6, 9), working) == []  # Monday: not their day
    assert plan_user_day(user, date(2025, 6, 11), working) == []  # vacation
    assert len(plan_user_day(user, date(2025, 6, 14), working)) == 2  # their Saturday


def test_turned_off_messages_and_inactive_users_are_not_planned() -> None:
    user = _user("Europe/Moscow", reminder=None)
    working = schedule_for(user, RU_2025).is_working_day
    planned = plan_user_day(user, date(2025, 6, 10), working)
    assert [d.kind for d in planned] == [DeliveryKind.DIGEST]
    user.active = False
    assert plan_user_day(user, date(2025, 6, 10), working) == []


def test_spring_forward_gap_moves_forward() -> None:
    # New York, 9 March 2025: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist.
    ny = zone("America/New_York")
    due = local_instant(date(2025, 3, 9), time(2, 30), ny)
    assert due == _utc(2025, 3, 9, 7, 30)
    assert due.astimezone(ny).time() == time(3, 30)
    # The day before and after keep their wall-clock time.
    assert local_instant(date(2025, 3, 8), time(2, 30), ny) == _utc(2025, 3, 8, 7, 30)
    assert local_instant(date(2025, 3, 10), time(2, 30), ny) == _utc(2025, 3, 10, 6, 30)


def test_fall_back_overlap_takes_the_first_occurrence() -> None:
    # New York, 2 November 2025: 01:00-02:00 happens twice (EDT, then EST).
    ny = zone("America/New_York")
    due = local_instant(date(2025, 11, 2), time(1, 30), ny)
    assert due == _utc(2025, 11, 2, 5, 30)  # 01:30 EDT, not 01:30 EST (06:30 UTC)


def test_dst_day_reminder_window_and_working_day_plan() -> None:
    # A Sunday-working schedule so the DST Sunday is a working day.
    user = _user(
        "America/New_York", reminder=time(1, 30), digest=time(2, 30), weekdays=frozenset(range(7))
    )
    working = schedule_for(user, FixedCalendar()).is_working_day
    [digest, reminder] = plan_user_day(user, date(2025, 3, 9), working)
    assert digest.due_at == _utc(2025, 3, 9, 7, 30)  # gap: 03:30 EDT
    [_, reminder] = plan_user_day(user, date(2025, 11, 2), working)
    assert reminder.due_at == _utc(2025, 11, 2, 5, 30)
    assert reminder.expires_at == _utc(2025, 11, 2, 7, 30)  # two real hours later


def test_reminder_expiry_never_crosses_local_midnight() -> None:
    w = window(DeliveryKind.REMINDER, date(2025, 6, 10), time(23, 0), zone("Europe/Moscow"))
    assert w.due_at == _utc(2025, 6, 10, 20, 0)
    assert w.expires_at == _utc(2025, 6, 10, 21, 0)  # local midnight


def test_digest_is_useful_until_local_noon() -> None:
    w = window(DeliveryKind.DIGEST, date(2025, 6, 10), time(9, 0), zone("Asia/Vladivostok"))
    assert w.due_at == _utc(2025, 6, 9, 23, 0)
    assert w.expires_at == _utc(2025, 6, 10, 2, 0)  # 12:00 in Vladivostok
    late = window(DeliveryKind.DIGEST, date(2025, 6, 10), time(13, 0), zone("Europe/Moscow"))
    assert late.expires_at == late.due_at + timedelta(hours=2)


def test_group_digest_follows_the_owner() -> None:
    owner = _user("Europe/Berlin")
    chat = GroupChat(chat_id=-100500, team_id=7)
    d = plan_group_day(chat, owner, date(2025, 6, 10), schedule_for(owner, RU_2025).is_working_day)
    assert d is not None
    assert (d.chat_id, d.kind, d.team_id, d.user_id) == (-100500, DeliveryKind.DIGEST, 7, None)
    assert d.due_at == _utc(2025, 6, 10, 7, 0)
    chat.active = False
    assert plan_group_day(chat, owner, date(2025, 6, 10), lambda _d: True) is None


def test_dates_to_plan_are_local() -> None:
    now = _utc(2025, 6, 10, 15, 0)  # 01:00 on 11 June in Vladivostok
    assert dates_to_plan(now, zone("Asia/Vladivostok")) == [date(2025, 6, 11), date(2025, 6, 12)]
    assert dates_to_plan(now, zone("America/New_York")) == [date(2025, 6, 10), date(2025, 6, 11)]


def test_check_due_at_send_time() -> None:
    user = _user("Europe/Moscow")
    w = user_window(user, DeliveryKind.REMINDER, date(2025, 6, 10), lambda _d: True)
    assert w is not None
    assert check_due(w.due_at, w) == (Verdict.SEND, None)
    assert check_due(w.due_at + timedelta(minutes=119), w) == (Verdict.SEND, None)
    assert check_due(w.due_at + timedelta(hours=2), w) == (Verdict.EXPIRED, None)
    assert check_due(w.due_at - timedelta(hours=1), w) == (Verdict.LATER, w.due_at)
    assert check_due(w.due_at, None) == (Verdict.SKIP, None)


def test_time_zone_change_moves_the_window() -> None:
    user = _user("Europe/Moscow")
    before = user_window(user, DeliveryKind.REMINDER, date(2025, 6, 10), lambda _d: True)
    user.timezone = "Asia/Vladivostok"
    after = user_window(user, DeliveryKind.REMINDER, date(2025, 6, 10), lambda _d: True)
    assert before is not None
    assert after is not None
    assert before.due_at - after.due_at == timedelta(hours=7)
    # At Moscow's 18:00 (15:00 UTC) the Vladivostok reminder (08:00-10:00 UTC) is stale.
    assert check_due(before.due_at, after)[0] == Verdict.EXPIRED


def test_previous_working_day_skips_weekends_and_holidays() -> None:
    user = _user("Europe/Moscow")
    working = schedule_for(user, RU_2025).is_working_day
    # Monday 12 May 2025: 8-9 May are holidays, 10-11 May the weekend.
    assert previous_working_day(date(2025, 5, 12), working) == date(2025, 5, 7)
    assert previous_working_day(date(2025, 5, 12), lambda _d: False, limit=10) is None
