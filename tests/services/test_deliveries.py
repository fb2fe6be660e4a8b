"""The scheduled messages as use cases, over the fakes: planning and moving rows, composing,
snoozing, and the words a person reads (rendered with ``bot.ui.digests``)."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from bot.i18n import translator
from bot.ui import digests
from bot.ui.render import plain
from kpi_core.model import DeliveryKind, DeliveryStatus, Membership, TeamRole
from kpi_core.planning.calendar import WorkSchedule
from kpi_core.services import deliveries
from kpi_core.tracking.digest import DayPart, streak_from
from kpi_core.tracking.progress import Status
from tests.fakes import FakeUnitOfWork, ManualClock
from tests.services.daily_world import FixedProvider, log, person

CAL = FixedProvider()
THURSDAY = date(2025, 4, 10)
WORKED = [date(2025, 4, d) for d in (1, 2, 3, 4, 7, 8, 9)]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2025, 4, 10, 6, 0, tzinfo=UTC))  # 09:00 in Moscow


@pytest.fixture
def uow(clock: ManualClock) -> FakeUnitOfWork:
    return FakeUnitOfWork(clock=clock)


def _rows(uow: FakeUnitOfWork, chat_id: int) -> list[tuple[DeliveryKind, date, DeliveryStatus]]:
    with uow:
        return [(d.kind, d.local_date, d.status) for d in uow.deliveries.for_chat(chat_id)]


def _digest_text(uow: FakeUnitOfWork, user_id: int, language: str, now: datetime) -> str:
    with uow:
        user = uow.users.get(user_id)
        assert user is not None
        built = deliveries.build_digests(uow, CAL, [user], THURSDAY, now)
    return plain(digests.digest(translator(language), built[user_id]).text)


# -- greeting and typography -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("hour_utc", "part", "english", "russian"),
    [
        (6, DayPart.MORNING, "Good morning! Thursday, 10 April", "Доброе утро! Четверг, 10 апреля"),
        (13, DayPart.AFTERNOON, "Good afternoon! Thursday, 10 April",
         "Добрый день! Четверг, 10 апреля"),
        (16, DayPart.EVENING, "Good evening! Thursday, 10 April",
         "Добрый вечер! Четверг, 10 апреля"),
    ],
)
def test_the_greeting_follows_the_local_hour_and_the_date_starts_a_sentence(
    uow: FakeUnitOfWork, hour_utc: int, part: DayPart, english: str, russian: str
) -> None:
    user_id, _ = person(uow.factory(), 42, kpis=["cold_calls"], targets={"cold_calls": 440})
    now = datetime(2025, 4, 10, hour_utc, 0, tzinfo=UTC)  # Moscow: 09:00, 16:00, 19:00
    with uow:
        user = uow.users.get(user_id)
        assert user is not None
        assert deliveries.build_digests(uow, CAL, [user], THURSDAY, now)[user_id].greeting is part
    icon = {DayPart.MORNING: "☀️", DayPart.AFTERNOON: "🌤", DayPart.EVENING: "🌙"}[part]
    assert _digest_text(uow, user_id, "en", now).startswith(f"{icon} {english}")
    assert _digest_text(uow, user_id, "ru", now).startswith(f"{icon} {russian}")


def test_russian_digest_and_reminder_typography(uow: FakeUnitOfWork, clock: ManualClock) -> None:
    user_id, _ = person(uow.factory(), 42, kpis=["cold_calls", "revenue"], language="ru",
                        targets={"cold_calls": 440, "revenue": 1_000_000})
    log(uow.factory(), user_id, {d: {"cold_calls": 20, "revenue": 45_000} for d in WORKED})
    text = _digest_text(uow, user_id, "ru", clock.now())
    nbsp = "\u00a0"
    # Digit groups, then the unit, each after a non-breaking space (kopecks or not).
    assert re.search(f"315{nbsp}000(,00)?{nbsp}₽", text), text
    assert f"32{nbsp}%" in text, text
    assert f"🔥 7{nbsp}рабочих дней подряд" in text, text
    with uow:
        user = uow.users.get(user_id)
        assert user is not None
        view = deliveries.reminder_views(uow, [user], THURSDAY)[user_id]
    assert view is not None
    reminder = plain(digests.reminder(translator("ru"), view).text)
    # A list after a colon in mid-sentence starts in lower case.
    assert reminder.startswith("🕕 Пора внести результаты за сегодня: звонки и выручка."), reminder


# -- conversion KPIs ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("targets", "logged", "expected"),
    [
        # Ratio of sums: 14 meetings / 140 calls over the period, against a 10 % target.
        ({"call_to_meeting": Decimal("0.1")}, {"cold_calls": 20, "meetings": 2},
         "This period: 10% (target 10%) · ✅ on track"),
        ({"cold_calls": 440}, {"cold_calls": 20, "meetings": 2}, "This period: 10% (no target)"),
        ({"call_to_meeting": Decimal("0.1")}, {"cold_calls": 20},
         "Not calculated yet (target 10%): it needs Meetings and Calls logged for the same days."),
        (None, {"cold_calls": 20, "meetings": 2},
         "It is measured over the plan's period, and there is no plan yet."),
    ],
)
def test_a_conversion_kpi_is_never_a_bare_header(
    uow: FakeUnitOfWork, clock: ManualClock, targets: dict[str, Decimal] | None,
    logged: dict[str, int], expected: str,
) -> None:
    user_id, _ = person(uow.factory(), 42, kpis=["cold_calls", "call_to_meeting"],
                        targets=targets)
    log(uow.factory(), user_id, dict.fromkeys(WORKED[:-1], logged))
    text = _digest_text(uow, user_id, "en", clock.now())
    block = text.split("Call → meeting", 1)[1].split("\n\n", 1)[0]
    assert block.strip(), text
    assert expected in block, text


def test_a_conversion_with_no_report_day_still_says_something(uow: FakeUnitOfWork) -> None:
    """Joined today: no previous working day to report on, nothing logged yet."""
    user_id, team_id = person(uow.factory(), 42, kpis=["call_to_meeting"],
                              targets={"call_to_meeting": Decimal("0.1")})
    with uow:
        [m] = uow.teams.members(team_id)
        m.joined_on = THURSDAY
        uow.teams.save_member(m)
        uow.commit()
    text = _digest_text(uow, user_id, "en", datetime(2025, 4, 10, 6, tzinfo=UTC))
    assert "Call → meeting\nNot calculated yet (target 10%)" in text, text


# -- the team's status follows from what the digest prints --------------------------------------
def test_a_team_whose_people_are_all_on_track_is_on_track(uow: FakeUnitOfWork) -> None:
    new = uow.factory()
    anna, team = person(new, 1, name="Anna", kpis=["cold_calls"], targets={"cold_calls": 880})
    boris, _ = person(new, 2, name="Boris", kpis=["cold_calls"], team_id=team,
                      role=TeamRole.MEMBER)
    with uow:
        m = next(x for x in uow.teams.members(team) if x.user_id == boris)
        uow.teams.save_member(Membership(m.team_id, m.user_id, m.role, m.weight,
                                         joined_on=date(2025, 4, 8), id=m.id))
        uow.commit()
    # Each logs exactly their own daily quota: Anna since 1 April, Boris since he joined.
    with uow:
        digest = deliveries.build_team_digest(uow, CAL, team, THURSDAY)
    assert digest is not None
    shares = {p.name: p.standings[0].progress for p in digest.people}
    anna_p, boris_p = shares["Anna"], shares["Boris"]
    assert anna_p is not None
    assert boris_p is not None
    log(new, anna, {d: {"cold_calls": int(anna_p.target / anna_p.total_days) + 1}
                    for d in WORKED})
    log(new, boris, {d: {"cold_calls": int(boris_p.target / boris_p.total_days) + 1}
                     for d in WORKED if d >= date(2025, 4, 8)})
    with uow:
        digest = deliveries.build_team_digest(uow, CAL, team, THURSDAY)
    assert digest is not None
    assert {p.status for p in digest.people} <= {Status.ON_TRACK, Status.AHEAD}
    [line] = digest.lines
    assert line.progress is not None
    assert line.progress.status in (Status.ON_TRACK, Status.AHEAD)
    # The team's figures are the people's figures added up.
    people = [p.standings[0].progress for p in digest.people]
    assert line.progress.actual == sum(p.actual for p in people if p is not None)
    assert line.progress.target == sum(p.target for p in people if p is not None)
    text = plain(digests.team_digest(translator("ru"), digest).text)
    assert "критично" not in text, text


def test_vacant_seats_show_the_whole_plan_beside_the_peoples_targets(
    uow: FakeUnitOfWork,
) -> None:
    _, team_id = person(uow.factory(), 7, kpis=("cold_calls",), targets={"cold_calls": 4400})
    with uow:
        team = uow.teams.get(team_id)
        assert team is not None
        team.planned_size = 10
        uow.teams.save(team)
        uow.commit()
    with uow:
        digest = deliveries.build_team_digest(uow, CAL, team_id, THURSDAY)
    assert digest is not None
    [line] = digest.lines
    assert line.progress is not None
    assert (line.progress.target, line.plan_target) == (Decimal(440), Decimal(4400))
    assert "whole-team plan 4,400" in plain(digests.team_digest(translator("en"), digest).text)


# -- planning, moving and snoozing, on the fakes -----------------------------------------------
def test_a_time_zone_change_moves_pending_rows(uow: FakeUnitOfWork, clock: ManualClock) -> None:
    person(uow.factory(), 42, digest_time=None)
    planner = deliveries.Planner(uow.factory(), CAL, clock)
    planner.plan_once()
    with uow:
        [row] = [d for d in uow.deliveries.pending(THURSDAY) if d.local_date == THURSDAY]
    assert row.due_at == datetime(2025, 4, 10, 15, tzinfo=UTC)  # 18:00 in Moscow
    with uow:
        user = uow.users.by_telegram_id(42)
        assert user is not None
        user.timezone = "Asia/Vladivostok"
        user.reminder_time = time(19, 0)
        uow.users.save(user)
        uow.commit()
    stats = planner.plan_once()
    assert stats.moved >= 1
    with uow:
        moved = uow.deliveries.get(row.id or 0)
    assert moved is not None
    assert (moved.status, moved.due_at) == (DeliveryStatus.PENDING,
                                            datetime(2025, 4, 10, 9, tzinfo=UTC))


def test_compose_skips_moves_and_builds(uow: FakeUnitOfWork, clock: ManualClock) -> None:
    logged, _ = person(uow.factory(), 1, digest_time=None)
    person(uow.factory(), 2, digest_time=None, language="ru")
    later, _ = person(uow.factory(), 3, digest_time=None)
    deliveries.Planner(uow.factory(), CAL, clock).plan_once()
    log(uow.factory(), logged, {THURSDAY: {"cold_calls": 5}})
    with uow:
        user = uow.users.get(later)
        assert user is not None
        user.reminder_time = time(20, 0)
        uow.users.save(user)
        uow.commit()
    clock.set(datetime(2025, 4, 10, 15, tzinfo=UTC))
    with uow:
        rows = uow.deliveries.claim_due(clock.now(), 10, "w", 600)
        uow.commit()
    done = deliveries.compose(uow.factory()(), CAL, clock, rows)
    assert (done.skipped, done.moved, done.expired) == (1, 1, 0)
    [item] = done.outgoing
    assert (item.delivery.chat_id, item.language) == (2, "ru")
    assert isinstance(item.content, deliveries.ReminderView)
    assert (DeliveryKind.REMINDER, THURSDAY, DeliveryStatus.SKIPPED) in _rows(uow, 1)
    assert (DeliveryKind.REMINDER, THURSDAY, DeliveryStatus.PENDING) in _rows(uow, 3)


def _sent_reminder(uow: FakeUnitOfWork, clock: ManualClock, message_id: int = 501) -> None:
    person(uow.factory(), 42, digest_time=None)
    deliveries.Planner(uow.factory(), CAL, clock).plan_once()
    clock.set(datetime(2025, 4, 10, 15, tzinfo=UTC))
    with uow:
        [row] = uow.deliveries.claim_due(clock.now(), 10, "w", 600)
        uow.commit()
    deliveries.record(uow.factory()(), clock.now(), [deliveries.Outcome(
        row.id or 0, 42, DeliveryStatus.SENT, message_id=message_id)])


def test_snooze_sends_the_reminder_again_in_an_hour(
    uow: FakeUnitOfWork, clock: ManualClock
) -> None:
    _sent_reminder(uow, clock)
    assert deliveries.reminder_day(uow.factory()(), 42, 501) == THURSDAY
    assert deliveries.reminder_day(uow.factory()(), 42, 999) is None
    clock.set(datetime(2025, 4, 10, 16, 30, tzinfo=UTC))  # 19:30 in Moscow
    due = deliveries.snooze_reminder(uow.factory()(), clock, 42, 501)
    assert due == datetime(2025, 4, 10, 17, 30, tzinfo=UTC)
    with uow:
        [row] = [d for d in uow.deliveries.for_chat(42) if d.local_date == THURSDAY]
    assert (row.status, row.due_at, row.error) == (DeliveryStatus.PENDING, due,
                                                   deliveries.SNOOZED)
    # A planner pass (even a restarted one) leaves the snoozed row where it is.
    deliveries.Planner(uow.factory(), CAL, clock).plan_once()
    with uow:
        again = uow.deliveries.get(row.id or 0)
    assert again is not None
    assert again.due_at == due
    # Snoozed once, it is not a sent reminder any more until it goes out again.
    assert deliveries.snooze_reminder(uow.factory()(), clock, 42, 501) is None


def test_too_late_to_snooze(uow: FakeUnitOfWork, clock: ManualClock) -> None:
    _sent_reminder(uow, clock)
    clock.set(datetime(2025, 4, 10, 20, 10, tzinfo=UTC))  # 23:10 in Moscow: past midnight
    assert deliveries.snooze_reminder(uow.factory()(), clock, 42, 501) is None
    assert deliveries.snooze_reminder(uow.factory()(), clock, 7, 501) is None  # unknown person
    with uow:
        [row] = [d for d in uow.deliveries.for_chat(42) if d.local_date == THURSDAY]
    assert row.status is DeliveryStatus.SENT


def test_a_blocked_chat_is_deactivated_when_recorded(
    uow: FakeUnitOfWork, clock: ManualClock
) -> None:
    person(uow.factory(), 42, digest_time=None)
    deliveries.Planner(uow.factory(), CAL, clock).plan_once()
    clock.set(datetime(2025, 4, 10, 15, tzinfo=UTC))
    with uow:
        [row] = uow.deliveries.claim_due(clock.now(), 10, "w", 600)
        uow.commit()
    deliveries.record(uow.factory()(), clock.now(), [deliveries.Outcome(
        row.id or 0, 42, DeliveryStatus.FAILED, error="forbidden", deactivate=True)])
    with uow:
        user = uow.users.by_telegram_id(42)
    assert user is not None
    assert not user.active


# -- streaks from one bit mask per person ------------------------------------------------------
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_streaks_match_the_day_by_day_rule(uow: FakeUnitOfWork, seed: int) -> None:
    """Streaks of every length, also longer than the 63 days one mask covers."""
    rng = random.Random(seed)
    today = date(2025, 6, 30)  # a Monday
    users = []
    expected = {}
    for n in range(12):
        uid, _ = person(uow.factory(), 100 + n, kpis=["cold_calls"],
                        targets={"cold_calls": 100}, period=(date(2025, 6, 1), today))
        streak_days = rng.choice([0, 1, 5, 40, 61, 62, 63, 64, 90, 150])
        logged = {today - timedelta(days=i) for i in range(1, streak_days + 1)}
        logged |= {today - timedelta(days=rng.randint(1, 200)) for _ in range(20)}
        if rng.random() < 0.5:
            logged.add(today)
        log(uow.factory(), uid, {d: {"cold_calls": 1} for d in logged})
        with uow:
            user = uow.users.get(uid)
            assert user is not None
            users.append(user)
            schedule = WorkSchedule(CAL.for_country("RU"), frozenset(user.working_weekdays))
        expected[uid] = streak_from(logged, schedule, today)
    with uow:
        built = deliveries.build_digests(uow, CAL, users, today)
    assert {uid: d.streak for uid, d in built.items()} == expected
