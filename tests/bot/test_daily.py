"""The daily loop through the real application (``BotHarness``): /log, quick forms, replies to
the reminder, Undo, yesterday, corrections, outliers, /today, /link, repeated updates.

The clock starts on Monday 24 November 2025, 06:00 UTC (09:00 in Moscow). Plans cover
November 2025: 19 working days in Russia, so 380 calls is 20 a day.
"""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.scheduler.dispatcher import BotSender
from bot.scheduler.runtime import Scheduler
from bot.telegram import keyboards
from bot.telegram.context import Services
from bot.ui import callbacks
from kpi_core.model import DeliveryKind, DeliveryStatus, TeamRole
from tests.bot.harness import BotHarness
from tests.fakes import ManualClock
from tests.services.daily_world import log, person

NOVEMBER = (date(2025, 11, 1), date(2025, 11, 30))
TARGETS = {"cold_calls": 380, "meetings": 38, "revenue": 1_900_000}
MONDAY = date(2025, 11, 24)


@pytest.fixture
def anna(services: Services) -> int:
    user_id, _ = person(services.uow_factory, 42, targets=TARGETS, period=NOVEMBER, name="Anna")
    return user_id


def scheduler(h: BotHarness) -> Scheduler:
    return Scheduler(h.services, BotSender(h.app.bot, keyboards.inline))


def values(services: Services, user_id: int, day: date) -> dict[str, Decimal]:
    with services.uow_factory() as uow:
        return {e.kpi_id: e.value for e in uow.entries.in_range([user_id], day, day)
                if e.value is not None}


def last_text(h: BotHarness, chat: int = 42) -> str:
    return h.last_message(chat).text


async def test_log_with_buttons(harness: BotHarness, services: Services, anna: int) -> None:
    await harness.send(42, "/log")
    assert "Which result do you want to log for today?" in last_text(harness)
    assert harness.button_labels(42) == ["Calls", "Meetings", "Revenue", "📅 Another day"]
    await harness.click(42, "Calls")
    assert last_text(harness) == "Send the number for Calls (today)."
    await harness.send(42, "35")
    text = last_text(harness)
    assert "✅ Saved for today:\n• Calls: 35" in text
    assert "Calls: 35 of 20 today ✅" in text
    assert "pace" in text
    assert harness.button_labels(42) == ["↩️ Undo", "📋 Today"]
    assert values(services, anna, MONDAY) == {"cold_calls": Decimal(35)}
    # The button shows the value now; a second number replaces it (a correction).
    await harness.send(42, "/log")
    assert harness.button_labels(42)[0] == "Calls: 35 ✓"


@pytest.mark.parametrize(
    ("text", "language"),
    [("calls 35, meetings 4, revenue 120 000", "en"),
     ("звонки 35, встречи 4, выручка 120 000", "ru")],
)
async def test_quick_form(
    harness: BotHarness, services: Services, anna: int, text: str, language: str
) -> None:
    await harness.send(42, text, language_code=language)
    assert values(services, anna, MONDAY) == {
        "cold_calls": Decimal(35), "meetings": Decimal(4), "revenue": Decimal(120000)}


async def test_quick_form_with_typos_and_unknown_names(
    harness: BotHarness, services: Services, anna: int
) -> None:
    await harness.send(42, "званки 35, встричи 4, сделки 2, ерунда 7", language_code="ru")
    # Issue 8: a line with any part that cannot be used saves nothing (it used to save the
    # two understood values and leave the rest), and says what was wrong.
    assert values(services, anna, MONDAY) == {}
    text = last_text(harness)
    assert text.startswith("Nothing saved: part of the message was not understood.")
    assert "Not understood: “ерунда”." in text
    assert "Your KPIs: Calls, Meetings, and Revenue." in text
    assert "“сделки” (Deals) is not among your KPIs." in text
    # Typos alone are understood: the corrected line is saved whole.
    await harness.send(42, "званки 35, встричи 4", language_code="ru")
    assert values(services, anna, MONDAY) == {"cold_calls": Decimal(35), "meetings": Decimal(4)}


async def test_one_unreadable_value_saves_nothing(
    harness: BotHarness, services: Services, anna: int
) -> None:
    await harness.send(42, "revenue 120 000")
    await harness.send(42, "revenue 1e309")
    assert values(services, anna, MONDAY) == {"revenue": Decimal(120000)}
    assert last_text(harness).startswith("Nothing saved")


async def test_plain_chat_gets_a_hint(harness: BotHarness, anna: int) -> None:
    # Issue 8: every message gets an answer (it used to get none): how to log, with an
    # example made of the person's own KPIs.
    harness.clear()
    await harness.send(42, "hello there")
    text = last_text(harness)
    assert text.startswith("I did not find results to log in this message.")
    assert "calls 12, meetings 12, revenue 120,000" in text


async def test_undo(
    harness: BotHarness, services: Services, anna: int, clock: ManualClock
) -> None:
    await harness.send(42, "calls 30")
    clock.advance(seconds=30)
    await harness.send(42, "calls 32, meetings 3")
    assert "Calls: 32 (was 30)" in last_text(harness)
    saved = harness.last_message(42)
    undo_data = saved.buttons[0][0][1]
    assert undo_data is not None
    await harness.click(42, "↩️ Undo")
    edited = harness.request.message(42, saved.message_id)
    assert edited is not None
    assert edited.buttons == []  # taken off
    assert (
        "↩️ Undone for 24 November:\n• Calls: 32 → 30\n• Meetings: 3 → removed"
        in last_text(harness)
    )
    assert values(services, anna, MONDAY) == {"cold_calls": Decimal(30)}
    with services.uow_factory() as uow:
        history = uow.entries.history(anna, "cold_calls", MONDAY)
    assert [r.value for r in history] == [Decimal(30), Decimal(32), Decimal(30)]
    # The same Undo again (a double tap): nothing left to undo.
    harness.clear()
    await harness.press(42, undo_data, saved.message_id)
    [answer] = harness.calls_to("answerCallbackQuery")
    assert answer.params["text"].startswith("Nothing to undo")


async def test_yesterday_and_the_date_picker(
    harness: BotHarness, services: Services, anna: int
) -> None:
    await harness.send(42, "вчера: звонки 30", language_code="ru")
    # Yesterday was Sunday 23 November: logging on a day off is allowed.
    assert values(services, anna, date(2025, 11, 23)) == {"cold_calls": Decimal(30)}
    await harness.send(42, "/log yesterday")
    assert "Which result do you want to log for 23 November?" in last_text(harness)
    await harness.send(42, "/log")
    await harness.click(42, "📅 Another day")
    assert harness.button_labels(42)[:2] == ["Today", "Yesterday"]
    assert len(harness.button_labels(42)) == 7
    await harness.click(42, "Fri 21 Nov")
    await harness.click(42, "Meetings")
    await harness.send(42, "2")
    assert values(services, anna, date(2025, 11, 21)) == {"meetings": Decimal(2)}
    assert "Meetings: 2 of 2 on 21 November ✅" in last_text(harness)
    await harness.send(42, "/log 01.01")
    assert "too long ago" in last_text(harness)


async def test_outlier_asks_before_saving(
    harness: BotHarness, services: Services, anna: int,
    clock: ManualClock,
) -> None:
    log(services.uow_factory, anna,
        {date(2025, 11, d): {"cold_calls": 20} for d in (17, 18, 19, 20, 21)})
    await harness.send(42, "calls 200, meetings 2")
    text = last_text(harness)
    assert "Calls: 200 is ten times more than usual for you (about 20)." in text
    assert "Did you mean 20?" in text
    assert harness.button_labels(42) == ["Yes, 200", "20", "Type again"]
    assert values(services, anna, MONDAY) == {}
    await harness.click(42, "20")
    assert values(services, anna, MONDAY) == {"cold_calls": Decimal(20), "meetings": Decimal(2)}
    assert "✅ Saved for today" in last_text(harness)
    # "Yes" keeps the typed value.
    clock.advance(minutes=1)
    await harness.send(42, "calls 300")
    await harness.click(42, "Yes, 300")
    assert values(services, anna, MONDAY)["cold_calls"] == Decimal(300)
    # "Type again" asks for the number again.
    clock.advance(minutes=1)
    await harness.send(42, "calls 2")
    assert "ten times less than usual" in last_text(harness)
    await harness.click(42, "Type again")
    await harness.send(42, "25")
    assert values(services, anna, MONDAY)["cold_calls"] == Decimal(25)


async def test_reply_to_the_evening_reminder(
    harness: BotHarness, services: Services, anna: int,
    clock: ManualClock,
) -> None:
    clock.set(datetime(2025, 11, 24, 15, 0, tzinfo=UTC))  # 18:00 Moscow
    await scheduler(harness).tick()  # Monday's weekly report first (due since 09:00)
    await scheduler(harness).tick()
    reminder = harness.last_message(42)
    assert reminder.text.startswith("🕕 Time to log today's results: Calls, Meetings, and Revenue.")
    clock.advance(minutes=20)
    message = harness._message(42, None, "ru", None, text="35, 4, 120 000",
                               reply_to_message=harness.request.message_json(reminder))
    await harness.process({"message": message})
    assert values(services, anna, MONDAY) == {
        "cold_calls": Decimal(35), "meetings": Decimal(4), "revenue": Decimal(120000)}
    # A reply that cannot be read says what is expected.
    message = harness._message(42, None, "en", None, text="35 4",
                               reply_to_message=harness.request.message_json(reminder))
    await harness.process({"message": message})
    assert last_text(harness) == ("Send the numbers in this order, separated by commas: Calls, "
                                  "Meetings, Revenue.")


async def test_reminder_buttons_and_snooze(
    harness: BotHarness, services: Services, anna: int,
    clock: ManualClock,
) -> None:
    sched = scheduler(harness)
    clock.set(datetime(2025, 11, 24, 15, 0, tzinfo=UTC))
    await sched.tick()  # Monday's weekly report first (due since 09:00), then the reminder
    await sched.tick()
    reminder = harness.last_message(42)
    clock.advance(minutes=5)
    harness.clear()
    await harness.click(42, "⏰ Remind me in an hour")
    [answer] = harness.calls_to("answerCallbackQuery")
    assert answer.params["text"] == "I will remind you again at 19:05."
    clock.advance(minutes=59)
    await sched.tick()
    assert harness.last_message(42).message_id == reminder.message_id
    clock.advance(minutes=1)
    await sched.tick()
    assert harness.last_message(42).message_id != reminder.message_id
    assert harness.last_message(42).text == reminder.text
    # A KPI button on the reminder logs that KPI.
    await harness.click(42, "Meetings")
    await harness.send(42, "3")
    assert values(services, anna, MONDAY) == {"meetings": Decimal(3)}


async def test_snooze_near_midnight_is_refused_in_russian(
    harness: BotHarness, services: Services, anna: int, clock: ManualClock
) -> None:
    with services.uow_factory() as uow:
        user = uow.users.get(anna)
        assert user is not None
        user.language = "ru"
        uow.users.save(user)
        uow.commit()
    sched = scheduler(harness)
    clock.set(datetime(2025, 11, 24, 15, 0, tzinfo=UTC))
    await sched.tick()  # Monday's weekly report first (due since 09:00), then the reminder
    await sched.tick()
    clock.set(datetime(2025, 11, 24, 20, 30, tzinfo=UTC))  # 23:30 in Moscow
    harness.clear()
    await harness.click(42, "⏰ Напомнить через час", language_code="ru")
    [answer] = harness.calls_to("answerCallbackQuery")
    assert answer.params["text"] == "Сегодняшнее напоминание уже не отложить — слишком поздно."
    assert answer.params["show_alert"] is True
    clock.advance(hours=1)
    await sched.tick()
    assert not harness.sent_texts(42), "nothing comes after midnight"


async def test_repeated_update_logs_once(
    harness: BotHarness, services: Services, anna: int
) -> None:
    text = "/log calls 35"
    update = {"update_id": 777, "message": harness._message(
        42, None, "en", None, text=text,
        entities=[{"type": "bot_command", "offset": 0, "length": len("/log")}])}
    await harness.process(update)
    await harness.process(update)
    assert len(harness.sent_texts(42)) == 1
    with services.uow_factory() as uow:
        assert len(uow.entries.history(anna, "cold_calls", MONDAY)) == 1


async def test_today(harness: BotHarness, services: Services, anna: int) -> None:
    log(services.uow_factory, anna, {date(2025, 11, 21): {"cold_calls": 20}})
    await harness.send(42, "/today")
    text = last_text(harness)
    assert text.startswith("📋 Today, Monday, 24 November")
    # 360 calls left over the 5 working days from today: 72 a day.
    assert "Calls\nToday: 72 (plan 20, recalculated to catch up)" in text
    assert "5 working days left until 30 November." in text
    await harness.send(42, "/today", language_code="ru")


async def test_not_set_up(harness: BotHarness) -> None:
    await harness.send(99, "/log")
    assert "Send /start" in last_text(harness, 99)


async def test_morning_digest_through_telegram(
    harness: BotHarness, services: Services, anna: int
) -> None:
    await scheduler(harness).tick()  # 09:00 Moscow
    digest = last_text(harness)
    assert digest.startswith("☀️ Good morning! Monday, 24 November")
    assert "Results of Friday, 21 November:" in digest
    assert harness.button_labels(42) == ["📋 Today"]
    with services.uow_factory() as uow:
        [row] = [d for d in uow.deliveries.for_chat(42)
                 if d.kind is DeliveryKind.DIGEST and d.local_date == MONDAY]
    assert row.status is DeliveryStatus.SENT
    assert row.telegram_message_id == harness.last_message(42).message_id


async def test_429_from_telegram_is_retried_not_lost(
    harness: BotHarness, services: Services, anna: int, clock: ManualClock
) -> None:
    harness.request.fail(429, "Too Many Requests: retry after 1", method="sendMessage",
                         retry_after=1, times=1)
    sched = scheduler(harness)
    sched.listen_to(harness.app.bot)
    with warnings.catch_warnings():  # PTB 22 warns when it builds RetryAfter from an int
        warnings.simplefilter("ignore")
        await sched.tick()
    assert len(harness.calls_to("sendMessage")) == 1  # refused
    assert sched.limiter.pauses == 1
    with services.uow_factory() as uow:
        [row] = [d for d in uow.deliveries.for_chat(42)
                 if d.kind is DeliveryKind.DIGEST and d.local_date == MONDAY]
    assert (row.status, row.error) == (DeliveryStatus.PENDING, "retry_after")
    clock.advance(seconds=1)
    await sched.tick()
    assert len(harness.calls_to("sendMessage")) == 2
    assert last_text(harness).startswith("☀️ Good morning!")


async def test_link_and_unlink(
    harness: BotHarness, services: Services, anna: int, clock: ManualClock
) -> None:
    person(services.uow_factory, 43, team_id=1, role=TeamRole.MEMBER)
    await harness.send_group(-500, 43, "/link", title="Sales")
    assert harness.last_message(-500).text.startswith("Only the owner or an admin")
    await harness.send_group(-500, 42, "/link", title="Sales")
    assert harness.last_message(-500).text.startswith(
        "Linked: the morning digest of the team “Team of Anna”")
    clock.set(datetime(2025, 11, 25, 6, 0, tzinfo=UTC))
    await scheduler(harness).tick()
    assert harness.last_message(-500).text.startswith("📊 Team digest “Team of Anna”")
    await harness.send_group(-500, 43, "/unlink")
    # Its own refusal (issue 8), not /link's "set up your team first".
    assert harness.last_message(-500).text == (
        "Only the owner or an admin of the team linked to this group can unlink it.")
    await harness.send_group(-500, 42, "/unlink")
    assert harness.last_message(-500).text == "Unlinked: no more team digests here."
    await harness.send_group(-500, 42, "/log")
    assert harness.last_message(-500).text == "Send this command to me in a private chat."


async def test_a_groups_digest_options_leaderboard_and_who_has_not_reported(
    harness: BotHarness, services: Services, anna: int, clock: ManualClock
) -> None:
    person(services.uow_factory, 43, team_id=1, role=TeamRole.MEMBER, name="Boris")
    await harness.send_group(-500, 42, "/link", title="Sales")
    text = harness.last_message(-500).text
    assert "Team digest options" in text
    assert "🏆 Leaderboard with streaks: off" in text
    assert harness.button_labels(-500) == ["🏆 Leaderboard: off", "👤 Not reported: named"]
    # A member's press is refused where they pressed; nothing changes.
    harness.clear()
    await harness.press(43, callbacks.encode("g", "lb"), chat_id=-500)
    (answer,) = harness.calls_to("answerCallbackQuery")
    assert answer.params["text"] == "Only the team's owner or an admin can do this."
    assert answer.params["show_alert"] is True
    # The owner turns the leaderboard on and shows only how many have not reported.
    await harness.click(42, "🏆 Leaderboard: off", chat_id=-500)
    assert "🏆 Leaderboard with streaks: on" in harness.last_message(-500).text
    await harness.click(42, "👤 Not reported: named", chat_id=-500)
    assert "👤 Who has not reported yet: counted" in harness.last_message(-500).text
    log(services.uow_factory, anna, {date(2025, 11, 20): {"cold_calls": 30},
                                     date(2025, 11, 21): {"cold_calls": 30},
                                     date(2025, 11, 24): {"cold_calls": 30}})
    clock.set(datetime(2025, 11, 25, 6, 0, tzinfo=UTC))
    await scheduler(harness).tick()
    digest = harness.last_message(-500).text
    assert "Leaderboard:" in digest
    assert "🥇" in digest
    assert "🔥 3 days in a row" in digest
    assert "No results for 24 November yet from 1 person." in digest


async def test_russian_echo(harness: BotHarness, services: Services, anna: int) -> None:
    with services.uow_factory() as uow:
        user = uow.users.get(anna)
        assert user is not None
        user.language = "ru"
        uow.users.save(user)
        uow.commit()
    await harness.send(42, "выручка 95 000", language_code="ru")
    text = last_text(harness)
    assert "✅ Сохранено за сегодня:\n• Выручка: 95\u00a0000\u00a0₽" in text, text
    assert "на оставшиеся 4 рабочих дня." in text


async def test_bot_removed_from_a_group_stops_its_digest(
    harness: BotHarness, services: Services, anna: int
) -> None:
    await harness.send_group(-500, 42, "/link", title="Sales")
    bot = harness.request.bot_user()
    await harness.process({"my_chat_member": {
        "chat": {"id": -500, "type": "group", "title": "Sales"},
        "from": harness.user_json(42), "date": 1764000000,
        "old_chat_member": {"status": "member", "user": bot},
        "new_chat_member": {"status": "left", "user": bot},
    }})
    with services.uow_factory() as uow:
        chat = uow.teams.chat(-500)
    assert chat is not None
    assert not chat.active


def _bot_status(harness: BotHarness, chat_id: int, old: str, new: str, language: str = "en",
                chat_type: str = "group") -> dict[str, object]:
    bot = harness.request.bot_user()
    return {"my_chat_member": {
        "chat": {"id": chat_id, "type": chat_type, "title": "Sales"},
        "from": harness.user_json(42, language), "date": 1764000000,
        "old_chat_member": {"status": old, "user": bot},
        "new_chat_member": {"status": new, "user": bot},
    }}


async def test_added_to_a_group_the_bot_offers_link_to_the_owner(
    harness: BotHarness, services: Services, anna: int
) -> None:
    await harness.process(_bot_status(harness, -600, "left", "member"))
    assert harness.last_message(-600).text == (
        "Hello! I am KPI Coach. Send /link here and the morning digest of the team “Team of Anna” "
        "will come to this group on working days.")
    # Someone with no team adds it: what it is for and who can link it, in their language.
    update = _bot_status(harness, -700, "left", "member")
    update["my_chat_member"]["from"] = harness.user_json(77, "ru")  # type: ignore[index]
    await harness.process(update)
    assert harness.last_message(-700).text.startswith(
        "Привет! Я KPI Coach. Руководитель или администратор команды может отправить здесь /link")


async def test_a_group_upgraded_to_a_supergroup_keeps_its_link_and_its_digest(
    harness: BotHarness, services: Services, anna: int, clock: ManualClock
) -> None:
    await harness.send_group(-500, 42, "/link", title="Sales")
    sched = scheduler(harness)
    clock.set(datetime(2025, 11, 24, 3, 0, tzinfo=UTC))  # 06:00 Moscow: planned, not yet due
    await sched.tick()
    # Telegram's service message in the new supergroup names the old group.
    await harness.process({"message": {
        "message_id": 900, "date": 1764000000, "migrate_from_chat_id": -500,
        "chat": {"id": -100500, "type": "supergroup", "title": "Sales"},
        "from": harness.user_json(42),
    }})
    with services.uow_factory() as uow:
        assert uow.teams.chat(-500) is None
        moved = uow.teams.chat(-100500)
        assert moved is not None
        assert moved.active
        assert all(d.chat_id != -500 for d in uow.deliveries.pending(date(2025, 11, 24)))
    clock.set(datetime(2025, 11, 24, 7, 0, tzinfo=UTC))  # 10:00: the team digest goes out
    harness.clear()
    await sched.tick()
    assert harness.sent_texts(-100500), "the team digest reached the supergroup"
    assert not harness.sent_texts(-500)


async def test_an_anonymous_group_admin_is_told_to_link_from_their_own_account(
    harness: BotHarness, services: Services, anna: int
) -> None:
    anonymous = {"id": 1087968824, "is_bot": True, "first_name": "Group",
                 "username": "GroupAnonymousBot"}
    for command in ("/link", "/unlink"):
        await harness.process({"message": {
            "message_id": 901, "date": 1764000000, "text": command,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
            "chat": {"id": -100500, "type": "supergroup", "title": "Sales"},
            "sender_chat": {"id": -100500, "type": "supergroup", "title": "Sales"},
            "from": anonymous,
        }})
        assert harness.last_message(-100500).text.startswith(
            "You are posting on behalf of the group, so I cannot tell who you are")
    with services.uow_factory() as uow:
        assert uow.teams.chat(-100500) is None


async def test_a_person_who_blocked_the_bot_comes_back(
    harness: BotHarness, services: Services, anna: int
) -> None:
    from kpi_core.services import daily

    daily.deactivate_chat(services.uow_factory(), 42)
    await harness.send(42, "/today")
    with services.uow_factory() as uow:
        user = uow.users.get(anna)
    assert user is not None
    assert user.active


async def test_words_instead_of_the_asked_number_are_a_quick_form(
    harness: BotHarness, services: Services, anna: int
) -> None:
    await harness.send(42, "/log")
    await harness.click(42, "Calls")
    await harness.send(42, "meetings 3")
    assert values(services, anna, MONDAY) == {"meetings": Decimal(3)}
    await harness.click(42, "📋 Today")
    assert last_text(harness).startswith("📋 Today")
    await harness.send(42, "1.5")  # the number state was dropped: this is not a reply to it
    assert values(services, anna, MONDAY) == {"meetings": Decimal(3)}
