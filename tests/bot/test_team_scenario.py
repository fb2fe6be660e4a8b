"""A week of a team through the real Application (issue 9's scenario, offline request).

An owner and three managers in one group chat: the owner sets up a 1 200 000 ₽ plan for April
2025 for four people, the managers join by the invite link (two in Russian, one in English),
the owner gives Boris twice the weight of the others, links the group and turns its
leaderboard on, and marks Vera's vacation from Wednesday to Friday (her share goes to the
team). Everyone logs every working day; Gleb is removed on Thursday; on Friday the group
becomes a supergroup. The next Monday's team digest reaches the supergroup with the
right totals, names and ranking, in the group's language.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.scheduler.dispatcher import BotSender
from bot.scheduler.runtime import Scheduler
from bot.telegram import keyboards
from kpi_core.model import TeamRole
from tests.bot.chat import Chat
from tests.bot.harness import BOT_USERNAME, BotHarness
from tests.fakes import ManualClock

LINK = re.compile(rf"https://t\.me/{BOT_USERNAME}\?start=join_([A-Za-z0-9_-]+)")
OWNER, BORIS, VERA, GLEB = 42, 43, 44, 45
GROUP, SUPERGROUP = -900, -100900
MONDAY = date(2025, 4, 7)
DAILY = {OWNER: 20_000, BORIS: 30_000, VERA: 15_000, GLEB: 10_000}


def morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 6, 0, tzinfo=UTC)  # 09:00 in Moscow


async def join(harness: BotHarness, user: int, code: str, language: str) -> Chat:
    chat = Chat(harness, user, language)
    await chat.say(f"/start join_{code}")
    if language == "ru":
        await chat.tap("Менеджер по продажам", "Готово", "Москва", "09:00", "18:00")
    else:
        await chat.tap("Sales manager", "Done", "Moscow", "09:00", "18:00")
    return chat


@pytest.mark.parametrize("group_language", ["ru", "en"])
async def test_a_week_of_a_team_of_four_in_one_group(
    harness: BotHarness, clock: ManualClock, group_language: str
) -> None:
    clock.set(morning(MONDAY))
    owner = Chat(harness, OWNER)
    await owner.say("/start")
    await owner.tap("Business owner", "B2B", "Phone", "More sales", "Done", "CRM", "Done",
                    "Me and a team")
    await owner.say("4")
    await owner.tap("Skip", "Russia", "This month")
    await owner.say("1 200 000")
    await owner.tap("Skip", "Done", "Moscow", "09:00", "18:00", "✅")
    found = LINK.search(owner.text)
    assert found is not None
    code = found.group(1)
    chats = {BORIS: await join(harness, BORIS, code, "ru"),
             VERA: await join(harness, VERA, code, "en"),
             GLEB: await join(harness, GLEB, code, "ru")}
    chats[OWNER] = owner

    # Weights 2:1:1:1 (Boris twice the others), seen before saving.
    await owner.say("/team")
    await owner.tap("⚖ Weights")
    await owner.tap("➕ User43", "➕ User43")
    assert "User43 ×2" in owner.text
    await owner.tap("✅ Save")
    with harness.services.uow_factory() as uow:
        weights = {m.user_id: m.weight for m in uow.teams.members(1)}
    assert sorted(weights.values()) == [1, 1, 1, 2]

    # Vera is on vacation Wednesday to Friday; the rest of the team covers her share.
    await owner.say("/team")
    await owner.tap("🏖 Days off", "🏖 User44")
    await owner.say("09.04–11.04")
    assert owner.text.startswith("User44: vacation 9–11 April 2025\nThat is 3 working days off.")
    assert "Their share of those days goes to the rest of the team." in owner.text
    await owner.tap("✅ Save")
    assert "User44: 9–11 April 2025 (vacation, the team covers)" in owner.text

    # The group: linked by the owner (its digest speaks the language the owner uses then),
    # leaderboard on.
    if group_language == "ru":
        await owner.say("/language")
        await owner.tap("Русский")
    await harness.send_group(GROUP, OWNER, "/link", title="Sales")
    await harness.click(OWNER, "🏆 " + ("Рейтинг: выкл." if group_language == "ru"
                                        else "Leaderboard: off"), chat_id=GROUP)
    if group_language == "ru":
        await owner.say("/language")
        await owner.tap("English")

    sched = Scheduler(harness.services, BotSender(harness.app.bot, keyboards.inline))
    for offset in range(5):  # Monday to Friday
        day = MONDAY + timedelta(days=offset)
        clock.set(morning(day) + timedelta(hours=8))  # 17:00 Moscow: everyone logs
        for user, amount in DAILY.items():
            if user == GLEB and offset >= 3:
                continue  # removed on Thursday
            if user == VERA and offset >= 2:
                continue  # on vacation
            word = "выручка" if chats[user].language == "ru" else "revenue"
            await chats[user].say(f"{word} {amount}")
        if offset == 3:  # Thursday: Gleb leaves the team
            await owner.say("/team")
            await owner.tap("✖ User45")
            await owner.tap("Yes, remove")
            assert "User45 is no longer in the team." in owner.text
        if offset == 4:  # Friday: the group becomes a supergroup
            await harness.process({"message": {
                "message_id": 1000, "date": int(clock.now().timestamp()),
                "migrate_from_chat_id": GROUP,
                "chat": {"id": SUPERGROUP, "type": "supergroup", "title": "Sales"},
                "from": harness.user_json(OWNER),
            }})

    # Monday 14 April, 10:00 Moscow: the team digest goes out to the supergroup.
    next_monday = MONDAY + timedelta(days=7)
    clock.set(morning(next_monday) + timedelta(hours=1))
    harness.clear()
    await sched.tick()
    [digest] = harness.sent_texts(SUPERGROUP)
    assert not harness.sent_texts(GROUP)
    total = (5 * (DAILY[OWNER] + DAILY[BORIS]) + 2 * DAILY[VERA]  # 310 000
             + 3 * DAILY[GLEB])
    nbsp = "\u00a0"
    if group_language == "ru":
        assert digest.startswith("📊 Сводка команды «User42», понедельник, 14 апреля")
        assert f"Выручка: {total // 1000}{nbsp}000{nbsp}₽ из" in digest
        assert "Рейтинг:" in digest
        assert "🔥 5 дней подряд" in digest
    else:
        assert digest.startswith("📊 Team digest “User42”, Monday, 14 April")
        assert f"Revenue: ₽{total // 1000},000 of" in digest
        assert "Leaderboard:" in digest
        assert "🔥 5 days in a row" in digest
    # Vera was on vacation on Friday: nobody is missing; her streak survives the days off.
    assert "User44" in digest
    assert "Нет результатов" not in digest
    assert "No results" not in digest
    assert ("🔥 2 дня подряд" if group_language == "ru" else "🔥 2 days in a row") in digest
    # Ranked by completion; Gleb, removed, counts in the totals but is not listed any more.
    assert "🥇" in digest
    assert "User45" not in digest
    for name in ("User42", "User43", "User44"):
        assert name in digest
    with harness.services.uow_factory() as uow:
        roles = {m.user_id: (m.role, m.left_on) for m in uow.teams.members(1)}
        chat = uow.teams.chat(SUPERGROUP)
    assert chat is not None
    assert chat.leaderboard
    assert (TeamRole.MEMBER, date(2025, 4, 10)) in roles.values()  # Gleb: left on Thursday
