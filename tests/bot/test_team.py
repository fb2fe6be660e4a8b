"""Teams through the real PTB application: invite link, joining, /team, removing someone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.ui import callbacks
from kpi_core.advice.catalog import get_kpi
from kpi_core.advice.profile import Controller
from kpi_core.model import TeamRole
from tests.bot.chat import Chat
from tests.bot.harness import BOT_USERNAME, BotHarness
from tests.fakes import ManualClock

APRIL_10 = datetime(2025, 4, 10, 6, 0, tzinfo=UTC)  # a Thursday, 09:00 in Moscow
LINK = re.compile(rf"https://t\.me/{BOT_USERNAME}\?start=join_([A-Za-z0-9_-]+)")
OWNER, BORIS, VERA = 42, 43, 44


@pytest.fixture
def april(harness: BotHarness, clock: ManualClock) -> BotHarness:
    clock.set(APRIL_10)
    return harness


async def onboard_owner(harness: BotHarness, size: str = "3") -> str:
    """An owner with a team of ``size`` and 300 000 ₽ for April; returns the invite code."""
    chat = Chat(harness, OWNER)
    await chat.say("/start")
    await chat.tap("Business owner", "B2B", "Phone", "More sales", "Done", "CRM", "Done",
                   "Me and a team", size, "Skip", "Russia", "This month")
    await chat.say("300000")
    await chat.tap("Skip", "Done", "Moscow", "09:00", "18:00", "✅")
    found = LINK.search(chat.text)
    assert found is not None, chat.text
    return found.group(1)


async def join(harness: BotHarness, user_id: int, code: str, language: str, role: str) -> Chat:
    chat = Chat(harness, user_id, language)
    await chat.say(f"/start join_{code}")
    await chat.tap(role)
    done, zone = ("Готово", "Москва") if language == "ru" else ("Done", "Moscow")
    await chat.tap(done, zone, "09:00", "18:00")
    return chat


async def onboard_another_owner(harness: BotHarness, user_id: int, size: str, plan: str) -> str:
    """Someone else who sets up a team of their own; returns its invite code."""
    chat = Chat(harness, user_id)
    await chat.say("/start")
    await chat.tap("Business owner", "B2B", "Phone", "More sales", "Done", "CRM", "Done",
                   "Me and a team", size, "Skip", "Russia", "This month")
    await chat.say(plan)
    await chat.tap("Skip", "Done", "Moscow", "09:00", "18:00", "✅")
    found = LINK.search(chat.text)
    assert found is not None, chat.text
    return found.group(1)


def people(harness: BotHarness) -> dict[int, tuple[TeamRole, date | None, date | None, list[str]]]:
    """Telegram id -> (role, joined, left, KPI ids) of everyone who was ever in the team."""
    with harness.services.uow_factory() as uow:
        owner = uow.users.by_telegram_id(OWNER)
        assert owner is not None
        assert owner.id is not None
        (team_id,) = {m.team_id for m in uow.teams.memberships_of(owner.id)}
        found = {}
        for m in uow.teams.members(team_id):
            user = uow.users.get(m.user_id)
            assert user is not None
            kpis = [a.kpi_id for a in uow.assignments.for_user(m.user_id) if a.team_id == team_id]
            found[user.telegram_id] = (m.role, m.joined_on, m.left_on, kpis)
        return found


async def test_an_owner_invites_two_people_who_join_in_their_languages(april: BotHarness) -> None:
    code = await onboard_owner(april)
    owner = Chat(april, OWNER)
    assert "The plan is for 3 people." in owner.text
    assert "Forward this invite link to your colleagues" in owner.text
    assert len(f"join_{code}") <= 64
    assert "📤 Share the invite link" in april.button_labels(OWNER)
    april.clear()

    boris = Chat(april, BORIS, "ru")
    await boris.say(f"/start join_{code}")
    assert "User42 приглашает вас в свою команду." in boris.text
    assert "Шаг 1 из 5" in boris.text
    assert boris.labels() == ["Менеджер по продажам", "Маркетолог"]
    await boris.tap("Менеджер по продажам", "Готово")
    assert "Какой у вас часовой пояс?" in boris.text
    await boris.tap("Москва", "09:00", "18:00")
    assert "Добро пожаловать в команду «User42»!" in boris.text
    assert "Руководитель: User42" in boris.text
    assert "Выручка" in boris.text
    # One seat of three: 100 000 ₽ over April's 22 working days, from the day he joined.
    assert (
        "Норма в день: 4\u00a0545,46\u00a0₽ на человека (13\u00a0636,37\u00a0₽ на команду)"
        in boris.text
    )

    notes = april.sent_texts(OWNER)
    assert notes == [
        "User43 is now in your team “User42”.\n"
        "In the team: 2 of 3 people\n"
        "/team shows everyone and the invite link."
    ]

    vera = await join(april, VERA, code, "en", "Marketer")
    assert "Welcome to the team “User42”!" in vera.text
    assert "In the team: 3 of 3 people" in april.sent_texts(OWNER)[-1]

    team = people(april)
    assert set(team) == {OWNER, BORIS, VERA}
    role, joined, left, kpis = team[BORIS]
    assert (role, joined, left) == (TeamRole.MEMBER, date(2025, 4, 10), None)
    assert "revenue" in kpis
    for telegram_id, controller in ((BORIS, Controller.SALES_MANAGER), (VERA, Controller.MARKETER)):
        kpi_ids = team[telegram_id][3]
        assert kpi_ids, f"{telegram_id} has nothing to log"
        assert all(controller in get_kpi(k).controlled_by for k in kpi_ids)
    with april.services.uow_factory() as uow:
        member = uow.users.by_telegram_id(BORIS)
        assert member is not None
        assert member.id is not None
        assert (member.language, member.onboarded, member.timezone) == ("ru", True, "Europe/Moscow")
        (membership,) = uow.teams.memberships_of(member.id)
        assert membership.weight == 1
        profile = uow.profiles.get(member.id)
        assert profile is not None
        assert profile.answers["role"] == "sales_manager"


async def test_team_shows_everyone_and_only_the_owner_may_remove(april: BotHarness) -> None:
    code = await onboard_owner(april)
    await join(april, BORIS, code, "ru", "Менеджер по продажам")
    await join(april, VERA, code, "en", "Marketer")
    owner = Chat(april, OWNER)
    await owner.say("/team")
    text = owner.text
    assert "Team “User42”" in text
    assert "In the team: 3 of 3 people" in text
    assert "1. User42 — owner, since 10 April" in text
    assert "2. User43 — sales manager, since 10 April" in text
    assert "3. User44 — marketer, since 10 April" in text
    assert f"https://t.me/{BOT_USERNAME}?start=join_{code}" in text
    assert owner.labels() == ["📤 Share the invite link",
                              "🔄 New link", "1️⃣ Single-use", "🚫 Revoke",
                              "✖ User43", "⭐ Make admin", "👑", "✖ User44", "⭐ Make admin", "👑",
                              "📊 Team board", "⚖ Weights", "🎯 Own targets", "🏖 Days off"]

    # A member sees the team and its owner, and no buttons.
    boris = Chat(april, BORIS, "ru")
    await boris.say("/team")
    assert "Команда «User42»" in boris.text
    assert "Руководитель: User42" in boris.text
    assert "В команде 3 из 3 человек" in boris.text
    assert "join_" not in boris.text
    assert april.button_labels(BORIS) == ["📊 Доска команды"]  # the team's totals, his own line

    # A forged remove button pressed by a member changes nothing.
    vera_membership = next(
        data for label, data in april.last_buttons(OWNER)[3] if label == "✖ User44"
    )
    assert vera_membership is not None
    forged = vera_membership.replace("tm:rm:", "tm:rmy:")
    april.clear()
    await april.press(BORIS, forged, language_code="ru")
    (answer,) = april.calls_to("answerCallbackQuery")
    only_managers = "Это может сделать только руководитель команды или администратор."
    assert answer.params["text"] == only_managers
    assert people(april)[VERA][2] is None
    assert f"⚠️ {only_managers}" in boris.text

    # The owner asks first, then removes; the person is told.
    await owner.tap("✖ User44")
    assert "Remove User44 from the team “User42”?" in owner.text
    await owner.tap("Yes, remove")
    assert "User44 is no longer in the team." in owner.text
    assert "In the team: 2 of 3 people" in owner.text
    assert owner.labels() == ["📤 Share the invite link",
                              "🔄 New link", "1️⃣ Single-use", "🚫 Revoke",
                              "✖ User43", "⭐ Make admin", "👑", "📊 Team board", "⚖ Weights",
                              "🎯 Own targets", "🏖 Days off"]
    assert april.sent_texts(VERA)[-1].startswith("You are no longer in the team “User42”.")
    assert people(april)[VERA][2] == date(2025, 4, 10)
    # Pressing the old confirmation again: she is not in the team any more.
    await april.press(OWNER, forged)
    assert "This person is not in the team any more." in owner.text


async def test_the_owner_cannot_be_removed_even_by_a_forged_button(april: BotHarness) -> None:
    await onboard_owner(april)
    with april.services.uow_factory() as uow:
        owner = uow.users.by_telegram_id(OWNER)
        assert owner is not None
        assert owner.id is not None
        (membership,) = uow.teams.memberships_of(owner.id)
    await april.press(OWNER, callbacks.encode("tm", "rmy", membership.id or 0))
    assert "The team's owner cannot be removed from it." in Chat(april, OWNER).text
    await april.press(OWNER, callbacks.encode("tm", "rmy", "999"))  # nobody's membership
    assert "This person is not in the team any more." in Chat(april, OWNER).text
    assert people(april)[OWNER][2] is None


async def test_invalid_and_replaced_codes_are_refused(april: BotHarness) -> None:
    stranger = Chat(april, BORIS, "ru")
    await stranger.say("/start join_nope")
    assert stranger.text == (
        "Эта ссылка-приглашение больше не действует. Попросите того, кто её прислал, "
        "отправить новую."
    )
    await stranger.say("/start join_bad!code")
    assert "больше не действует" in stranger.text

    code = await onboard_owner(april)
    owner = Chat(april, OWNER)
    await owner.say("/team")
    await owner.tap("🔄 New link")
    assert "Here is the new invite link. The old one no longer works." in owner.text
    found = LINK.search(owner.text)
    assert found is not None
    assert found.group(1) != code

    english = Chat(april, VERA)
    await english.say(f"/start join_{code}")
    assert english.text == (
        "This invite link does not work any more. Ask whoever sent it for a new one."
    )
    await join(april, VERA, found.group(1), "en", "Marketer")
    assert VERA in people(april)


async def test_a_link_replaced_while_answering_does_not_let_them_in(april: BotHarness) -> None:
    code = await onboard_owner(april)
    boris = Chat(april, BORIS)
    await boris.say(f"/start join_{code}")
    await boris.tap("Sales manager", "Done")
    owner = Chat(april, OWNER)
    await owner.say("/team")
    await owner.tap("🔄 New link")
    await boris.tap("Moscow", "09:00", "18:00")
    assert "This invite link does not work any more" in boris.text
    assert BORIS not in people(april)


async def test_someone_set_up_alone_moves_in_and_keeps_their_entries(april: BotHarness) -> None:
    code = await onboard_owner(april)
    solo = Chat(april, BORIS)
    await solo.say("/start")
    await solo.tap("Sales manager", "B2B", "Phone", "More sales", "Done", "Done", "Skip",
                   "Russia", "This month")
    await solo.say("500000")
    await solo.tap("Skip", "Done", "Moscow", "09:00", "18:00", "✅")
    with april.services.uow_factory() as uow:
        user = uow.users.by_telegram_id(BORIS)
        assert user is not None
        assert user.id is not None
        uow.entries.record(user.id, "revenue", date(2025, 4, 9), Decimal(12_000), user.id, APRIL_10)
        uow.commit()
    await solo.say(f"/start join_{code}")
    assert solo.selected() == ["Sales manager"]  # his earlier answers pre-select the buttons
    await solo.tap("Sales manager", "Done", "Moscow", "09:00", "18:00")
    assert "Welcome to the team “User42”!" in solo.text
    with april.services.uow_factory() as uow:
        memberships = uow.teams.memberships_of(user.id)
        assert [(m.role, m.left_on) for m in memberships] == [
            (TeamRole.OWNER, date(2025, 4, 9)),  # his own team, left yesterday
            (TeamRole.MEMBER, None),
        ]
        entry = uow.entries.get(user.id, "revenue", date(2025, 4, 9))
        assert entry is not None
        assert entry.value == 12_000
    await solo.say(f"/start join_{code}")
    assert solo.text == "You are already in the team “User42”."


async def test_an_owner_with_people_cannot_join_another_team(april: BotHarness) -> None:
    code = await onboard_owner(april)
    await join(april, BORIS, code, "en", "Sales manager")
    veras = await onboard_another_owner(april, VERA, "2", "100000")
    owner = Chat(april, OWNER)
    await owner.say(f"/start join_{veras}")
    assert owner.text == (
        "You lead the team “User42” with other people in it, so you cannot join another team."
    )


async def test_a_member_sees_the_team_plan_but_cannot_change_it(april: BotHarness) -> None:
    code = await onboard_owner(april)
    boris = await join(april, BORIS, code, "en", "Sales manager")
    await boris.say("/plan")
    assert "Your team's plan" in boris.text
    assert "Daily quota: ₽4,545.46 per person" in boris.text
    assert boris.labels() == ["Close"]
    # A forged "change the amount" button is refused by the use case, not by the keyboard.
    token = callbacks.decode(april.last_buttons(BORIS)[0][0][1]).part(0)
    await april.press(BORIS, callbacks.menu("m", token, "amount"))
    assert "only its owner can change it" in boris.text
    await boris.say("/restart")
    assert "Step 1 of 5" in boris.text  # his short questionnaire, not the owner's
    assert "User42 invites you to their team." in boris.text


async def test_the_owner_changes_the_team_size_in_plan(april: BotHarness) -> None:
    await onboard_owner(april, size="10")
    owner = Chat(april, OWNER)
    await owner.say("/plan")
    assert "22 working days, 10 people" in owner.text
    await owner.tap("Change the team size")
    await owner.say("4")
    assert "Plan saved, daily quotas recalculated." in owner.text
    assert "22 working days, 4 people" in owner.text
    with april.services.uow_factory() as uow:
        user = uow.users.by_telegram_id(OWNER)
        assert user is not None
        assert user.id is not None
        (membership,) = uow.teams.memberships_of(user.id)
        team = uow.teams.get(membership.team_id)
        assert team is not None
        assert team.planned_size == 4


async def test_the_owner_makes_an_admin_and_hands_the_team_over_in_russian(
    april: BotHarness,
) -> None:
    code = await onboard_owner(april)
    boris = await join(april, BORIS, code, "ru", "Менеджер по продажам")
    await join(april, VERA, code, "en", "Marketer")
    owner = Chat(april, OWNER)
    await owner.say("/team")
    # Boris's row: ✖, ⭐ and 👑.
    star = next(data for label, data in april.last_buttons(OWNER)[2] if label.startswith("⭐"))
    assert star is not None
    await april.press(OWNER, star)
    assert "User43 is now an admin" in owner.text
    assert people(april)[BORIS][0] is TeamRole.ADMIN
    assert april.sent_texts(BORIS)[-1] == (
        "Теперь вы администратор команды «User42»: состав команды — в /team.")
    # An admin sees the roster and may remove a member, but not change roles or hand over.
    await boris.say("/team")
    assert "3. User44 — маркетолог, с 10 апреля" in boris.text
    assert boris.labels() == ["📤 Поделиться ссылкой", "🔄 Новая ссылка", "1️⃣ Одноразовая",
                              "🚫 Отозвать", "✖ User44", "📊 Доска команды", "🏖 Отсутствия"]
    forged = star.replace("tm:adm:", "tm:owny:")
    april.clear()
    await april.press(BORIS, forged, language_code="ru")
    (answer,) = april.calls_to("answerCallbackQuery")
    assert answer.params["text"] == "Это может сделать только руководитель команды."
    assert people(april)[OWNER][0] is TeamRole.OWNER
    # The owner hands the team over to Boris after a question; Boris is told.
    await owner.say("/team")
    await owner.tap("👑")
    assert owner.text.startswith("Hand the team “User42” over to User43?")
    await owner.tap("Yes, hand over")
    assert "User43 is now the owner of the team. You stay in it as an admin." in owner.text
    roles = people(april)
    assert (roles[OWNER][0], roles[BORIS][0]) == (TeamRole.ADMIN, TeamRole.OWNER)
    assert april.sent_texts(BORIS)[-1] == (
        "Теперь вы руководитель команды «User42»: /team и /plan теперь в ваших руках.")
    await boris.say("/team")
    assert "Руководитель: User43" in boris.text


async def test_invite_links_expire_can_be_revoked_and_can_be_single_use(
    april: BotHarness, clock: ManualClock
) -> None:
    code = await onboard_owner(april, "5")
    owner = Chat(april, OWNER)
    await owner.say("/team")
    assert "It works until 17 April, 09:00." in owner.text  # seven days, on the owner's clock
    # Revoked: nobody can join, and /team does not make a new link by itself.
    await owner.tap("🚫 Revoke")
    assert "The invite link no longer works. 🔄 makes a new one." in owner.text
    boris = Chat(april, BORIS, "ru")
    await boris.say(f"/start join_{code}")
    assert "Эта ссылка-приглашение больше не действует" in boris.text
    await owner.say("/team")
    assert "There is no invite link now: nobody can join." in owner.text
    assert owner.labels() == ["🔄 New link", "📊 Team board", "⚖ Weights", "🎯 Own targets",
                              "🏖 Days off"]
    # A single-use link lets one person in, then stops working.
    await owner.tap("🔄 New link")
    await owner.tap("1️⃣ Single-use")
    assert "It lets one person in." in owner.text
    found = LINK.search(owner.text)
    assert found is not None
    single = found.group(1)
    await join(april, BORIS, single, "ru", "Менеджер по продажам")
    assert people(april)[BORIS][0] is TeamRole.MEMBER
    vera = Chat(april, VERA)
    await vera.say(f"/start join_{single}")
    assert "This invite link does not work any more." in vera.text
    # A link made now expires in seven days: on the eighth it is refused with its own words.
    await owner.say("/team")
    await owner.tap("🔄 New link")
    found = LINK.search(owner.text)
    assert found is not None
    clock.set(datetime(2025, 4, 17, 6, 0, 1, tzinfo=UTC))
    await vera.say(f"/start join_{found.group(1)}")
    assert vera.text == "This invite link has expired. Ask whoever sent it for a new one."
    # Opening /team then shows a fresh link in place of the expired one.
    await owner.say("/team")
    assert "It works until 24 April, 09:00." in owner.text


async def test_the_team_board_shows_everyone_to_the_owner_and_a_member_their_own(
    april: BotHarness,
) -> None:
    code = await onboard_owner(april)
    boris = await join(april, BORIS, code, "ru", "Менеджер по продажам")
    await join(april, VERA, code, "en", "Marketer")
    owner = Chat(april, OWNER)
    await owner.say("revenue 40 000")
    await boris.say("выручка 25 000")
    await owner.say("/team")
    await owner.tap("📊 Team board")
    text = owner.text
    assert text.startswith("📊 Team board “User42”, Thursday, 10 April")
    assert "Today the team needs ₽" in text
    assert "User42" in text
    assert "User43" in text
    assert "₽65,000" in text  # today's results count on the board: 40 000 + 25 000
    assert owner.labels() == ["‹ Back"]
    await owner.tap("‹ Back")
    assert owner.text.startswith("Team “User42”")
    # A member sees the team's totals and only their own line.
    await boris.say("/team")
    await boris.tap("📊 Доска команды")
    text = boris.text
    assert text.startswith("📊 Доска команды «User42», четверг, 10 апреля")
    assert "User43" in text
    assert "User42 —" not in text
    assert "Вы видите итоги команды и свои цифры" in text


async def test_joining_a_second_team_asks_first(april: BotHarness) -> None:
    code = await onboard_owner(april)
    await join(april, BORIS, code, "ru", "Менеджер по продажам")
    # Vera sets up a team of her own and invites Boris, who is in the first one.
    veras = await onboard_another_owner(april, VERA, "3", "200000")
    boris = Chat(april, BORIS, "ru")
    await boris.say(f"/start join_{veras}")
    assert boris.text == ("Вы состоите в команде «User42». Перейти в команду «User44»? Из "
                          "«User42» вы выйдете; всё, что вы внесли, останется с вами.")
    await boris.tap("Нет, остаться")
    assert boris.text == "Вы остаётесь в команде «User42»; ничего не изменилось."
    assert people(april)[BORIS][2] is None  # still in the first team
    await boris.say(f"/start join_{veras}")
    await boris.tap("Да, перейти в «User44»")
    await boris.tap("Менеджер по продажам", "Готово", "Москва", "09:00", "18:00")
    assert "User44" in boris.text
    assert people(april)[BORIS][2] == date(2025, 4, 9)  # left the first team yesterday


async def test_the_owner_sees_each_persons_daily_need_before_saving_new_weights(
    april: BotHarness,
) -> None:
    code = await onboard_owner(april)
    await join(april, BORIS, code, "ru", "Менеджер по продажам")
    await join(april, VERA, code, "en", "Sales manager")
    owner = Chat(april, OWNER)
    await owner.say("/team")
    await owner.tap("⚖ Weights")
    text = owner.text
    assert text.startswith("How the plan for “Revenue” is shared, a day per person")
    # 300 000 ₽ over three seats of 100 000 ₽, each over April's 22 working days (the days
    # before someone joined stay with their seat).
    assert "1. User42 ×1 — ₽4,545.46" in text
    assert "2. User43 ×1 — ₽4,545.46" in text
    await owner.tap("➕ User43")
    await owner.tap("➕ User43")
    text = owner.text
    assert "2. User43 ×2 — ₽6,818.19" in text  # half of the plan: 150 000 ₽ over 22 days
    assert "1. User42 ×1 — ₽3,409.10" in text
    assert people(april)[BORIS][0] is TeamRole.MEMBER
    with april.services.uow_factory() as uow:  # nothing saved yet
        assert all(m.weight == 1 for m in uow.teams.members(1))
    # A member's forged Save changes nothing.
    april.clear()
    await april.press(BORIS, callbacks.encode("tm", "wsv"), language_code="ru")
    (answer,) = april.calls_to("answerCallbackQuery")
    assert answer.params["text"] == "Это может сделать только руководитель команды."
    await owner.tap("✅ Save")
    assert "Saved: the plan is shared by the new weights" in owner.text
    with april.services.uow_factory() as uow:
        weights = {m.user_id: m.weight for m in uow.teams.members(1)}
    assert sorted(weights.values()) == [Decimal(1), Decimal(1), Decimal(2)]
