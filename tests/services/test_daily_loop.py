"""The daily loop as a conversation, over the fakes: one call per update, one commit.

Each test drives :mod:`kpi_core.services.daily_loop` the way an adapter does (typed text,
parsed button presses) and asserts what the person would see and what was saved.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ui import callbacks
from kpi_core.model import ConversationState
from kpi_core.services import daily, daily_loop
from kpi_core.services.common import Deps, Who
from kpi_core.services.daily_loop import (
    AskValue,
    Choice,
    Confirm,
    DayPicker,
    Hint,
    LogKpi,
    Notice,
    PickDay,
    Refused,
    UndoSave,
    Verdict,
)
from tests.fakes import FakeUnitOfWork, ManualClock
from tests.services.daily_world import FixedProvider, log, person

TARGETS = {"cold_calls": 440, "meetings": 44, "revenue": 1_000_000}
WEDNESDAY = date(2025, 4, 9)
ANNA = Who(42, 42, "en", "Anna")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2025, 4, 9, 15, 0, tzinfo=UTC))  # 18:00 in Moscow


@pytest.fixture
def uow(clock: ManualClock) -> FakeUnitOfWork:
    return FakeUnitOfWork(clock=clock)


@pytest.fixture
def deps(clock: ManualClock) -> Deps:
    tokens = iter(f"t{i}" for i in range(1000))
    return Deps(clock, FixedProvider(), new_token=lambda: next(tokens))


@pytest.fixture
def anna(uow: FakeUnitOfWork) -> int:
    user_id, _ = person(uow.factory(), 42, targets=TARGETS, name="Anna")
    return user_id


def saved(uow: FakeUnitOfWork, user_id: int, day: date = WEDNESDAY) -> dict[str, Decimal]:
    with uow:
        return {e.kpi_id: e.value for e in uow.entries.in_range([user_id], day, day)
                if e.value is not None}


def typed(uow: FakeUnitOfWork, deps: Deps, text: str, **kwargs: object) -> daily_loop.DailyReply:
    return daily_loop.typed(uow, deps, ANNA, text, **kwargs)


def test_a_quick_form_is_saved_in_one_commit(uow: FakeUnitOfWork, deps: Deps, anna: int) -> None:
    before = uow.commits
    reply = typed(uow, deps, "calls 35, meetings 4, revenue 120 000", update_id=7)
    assert isinstance(reply.screen, daily.Logged)
    assert uow.commits - before == 1
    assert saved(uow, anna) == {"cold_calls": Decimal(35), "meetings": Decimal(4),
                                "revenue": Decimal(120000)}


def test_a_repeated_update_does_nothing(uow: FakeUnitOfWork, deps: Deps, anna: int) -> None:
    typed(uow, deps, "calls 35", update_id=7)
    again = typed(uow, deps, "calls 36", update_id=7)
    assert again.repeated
    assert again.screen is None
    assert saved(uow, anna) == {"cold_calls": Decimal(35)}


def test_any_unreadable_part_saves_nothing(uow: FakeUnitOfWork, deps: Deps, anna: int) -> None:
    typed(uow, deps, "revenue 120 000")
    reply = typed(uow, deps, "calls 35, nonsense 7")
    assert isinstance(reply.screen, Refused)
    assert reply.screen.form.unknown == ("nonsense",)
    assert saved(uow, anna) == {"revenue": Decimal(120000)}


def test_text_that_is_no_log_entry_gets_a_hint(uow: FakeUnitOfWork, deps: Deps, anna: int) -> None:
    reply = typed(uow, deps, "hello, how are you?")
    assert isinstance(reply.screen, Hint)
    assert [i.metric_id for i in reply.screen.loggables] == ["cold_calls", "meetings", "revenue"]


def test_a_person_not_set_up_is_left_to_onboarding(uow: FakeUnitOfWork, deps: Deps) -> None:
    reply = typed(uow, deps, "calls 35")
    assert not reply.handled
    command = daily_loop.log_command(uow, deps, ANNA)
    assert isinstance(command.screen, Notice)
    assert "/start" in command.screen.message.msgid


def test_an_open_onboarding_question_keeps_the_text(
    uow: FakeUnitOfWork, deps: Deps, anna: int
) -> None:
    with uow:
        uow.conversations.save(ConversationState(chat_id=42, user_id=anna, flow="edit",
                                                 step="timezone", data={}, token="x"))
        uow.commit()
    assert not typed(uow, deps, "Boston").handled
    # An open /plan menu gives way: the line is a log entry.
    with uow:
        uow.conversations.save(ConversationState(chat_id=42, user_id=anna, flow="menu",
                                                 step="plan", data={}, token="y"))
        uow.commit()
    assert isinstance(typed(uow, deps, "calls 3").screen, daily.Logged)


def test_a_kpi_button_then_a_number(uow: FakeUnitOfWork, deps: Deps, anna: int) -> None:
    asked = daily_loop.press(uow, deps, ANNA, LogKpi("meetings", WEDNESDAY))
    assert isinstance(asked.screen, AskValue)
    assert asked.screen.item.metric_id == "meetings"
    reply = typed(uow, deps, "4")
    assert isinstance(reply.screen, daily.Logged)
    assert saved(uow, anna) == {"meetings": Decimal(4)}
    # The state is gone: a second bare number is no longer an answer.
    assert isinstance(typed(uow, deps, "5").screen, Hint)


def test_a_bad_number_after_a_kpi_button_says_why(
    uow: FakeUnitOfWork, deps: Deps, anna: int
) -> None:
    daily_loop.press(uow, deps, ANNA, LogKpi("revenue", WEDNESDAY))
    reply = typed(uow, deps, "-5")
    assert isinstance(reply.screen, Notice)
    assert saved(uow, anna) == {}
    assert isinstance(typed(uow, deps, "120000").screen, daily.Logged)  # still waiting


def test_stale_and_forged_presses_have_expired(
    uow: FakeUnitOfWork, deps: Deps, anna: int
) -> None:
    for pressed in (None, LogKpi("deals", WEDNESDAY), Verdict(Choice.KEEP, "nope", "cold_calls")):
        reply = daily_loop.press(uow, deps, ANNA, pressed)
        assert reply.screen is None
        assert reply.toast is not None
        assert reply.toast.msgid == daily_loop.EXPIRED
    future = daily_loop.press(uow, deps, ANNA, PickDay(date(2025, 4, 20)))
    assert future.alert
    assert future.toast is not None
    assert "ahead" in future.toast.msgid


def test_did_you_mean_then_take_the_suggestion(
    uow: FakeUnitOfWork, deps: Deps, anna: int
) -> None:
    log(uow.factory(), anna, {date(2025, 4, d): {"cold_calls": 20} for d in (1, 2, 3, 4, 7, 8)})
    reply = typed(uow, deps, "calls 200")
    assert isinstance(reply.screen, Confirm)
    assert saved(uow, anna) == {}
    token = reply.screen.token
    done = daily_loop.press(uow, deps, ANNA, Verdict(Choice.SUGGESTED, token, "cold_calls"))
    assert isinstance(done.screen, daily.Logged)
    assert done.edit
    assert saved(uow, anna) == {"cold_calls": Decimal(20)}
    # The question is answered: its buttons have expired.
    again = daily_loop.press(uow, deps, ANNA, Verdict(Choice.KEEP, token, "cold_calls"))
    assert again.toast is not None
    assert again.toast.msgid == daily_loop.EXPIRED


def test_undo_and_the_picker(uow: FakeUnitOfWork, deps: Deps, anna: int) -> None:
    logged = typed(uow, deps, "calls 35").screen
    assert isinstance(logged, daily.Logged)
    undone = daily_loop.press(uow, deps, ANNA, UndoSave(WEDNESDAY, daily.stamp_of(logged.stamp)))
    assert isinstance(undone.screen, daily.Undone)
    assert undone.strip_buttons
    assert saved(uow, anna) == {}
    picker = daily_loop.press(uow, deps, ANNA, PickDay())
    assert isinstance(picker.screen, DayPicker)
    assert picker.edit


def test_reply_to_the_evening_reminder_logs_numbers_in_order(
    uow: FakeUnitOfWork, deps: Deps, anna: int
) -> None:
    from kpi_core.model import Delivery, DeliveryKind, DeliveryStatus

    with uow:
        uow.deliveries.plan([Delivery(
            chat_id=42, kind=DeliveryKind.REMINDER, local_date=date(2025, 4, 8),
            due_at=datetime(2025, 4, 8, 15, 0, tzinfo=UTC),
            expires_at=datetime(2025, 4, 8, 17, 0, tzinfo=UTC), user_id=anna)])
        row = uow.deliveries.for_chat(42)[0]
        assert row.id is not None
        uow.deliveries.finish(row.id, DeliveryStatus.SENT, datetime(2025, 4, 8, 15, 0, tzinfo=UTC),
                              telegram_message_id=555)
        uow.commit()
    reply = typed(uow, deps, "30, 3, 90 000", reply_to=555)
    assert isinstance(reply.screen, daily.Logged)
    assert reply.screen.day == date(2025, 4, 8)
    assert saved(uow, anna, date(2025, 4, 8)) == {
        "cold_calls": Decimal(30), "meetings": Decimal(3), "revenue": Decimal(90000)}


def test_a_person_who_blocked_the_bot_is_back(uow: FakeUnitOfWork, deps: Deps, anna: int) -> None:
    with uow:
        user = uow.users.get(anna)
        assert user is not None
        user.active = False
        uow.users.save(user)
        uow.commit()
    typed(uow, deps, "hi")
    with uow:
        user = uow.users.get(anna)
    assert user is not None
    assert user.active


@given(st.text(max_size=70))
def test_no_callback_data_raises(data: str) -> None:
    pressed = callbacks.daily_press(data)
    assert pressed is None or isinstance(pressed, (
        LogKpi, PickDay, UndoSave, Verdict, daily_loop.ShowToday, daily_loop.Snooze))


@pytest.mark.parametrize("data", ["d:k", "d:k:calls", "d:k:calls:2025", "d:u:20250409",
                                  "d:u:20251399:12", "d:ok", "d:ok:tok", "d:day:", "d:t:x",
                                  "d:zz", "d", "d:", "x:k:calls:20250409"])
def test_malformed_daily_buttons_are_refused(data: str) -> None:
    assert callbacks.daily_press(data) is None


def test_every_daily_button_round_trips() -> None:
    day = date(2025, 4, 9)
    cases = {
        callbacks.daily("k", "cold_calls", callbacks.day_code(day)): LogKpi("cold_calls", day),
        callbacks.daily("p"): PickDay(),
        callbacks.daily("day", callbacks.day_code(day)): PickDay(day),
        callbacks.daily("u", callbacks.day_code(day), 123): UndoSave(day, 123),
        callbacks.daily("fix", "t1", "revenue"): Verdict(Choice.SUGGESTED, "t1", "revenue"),
        callbacks.daily("t"): daily_loop.ShowToday(),
    }
    for data, expected in cases.items():
        assert callbacks.daily_press(data) == expected
