"""Commands after onboarding, through the real application: /plan /kpis /settings /language ..."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal

import pytest

from bot.telegram.menus import COMMANDS
from tests.bot.chat import Chat
from tests.bot.harness import BotHarness
from tests.fakes import ManualClock

NBSP = "\u00a0"


@pytest.fixture
async def onboarded(harness: BotHarness, clock: ManualClock) -> Chat:
    """A sales manager in Russia with a 1,000,000 ₽ plan for April 2025, already set up."""
    clock.set(datetime(2025, 4, 10, 6, 0, tzinfo=UTC))
    chat = Chat(harness)
    await chat.say("/start")
    await chat.tap("Sales manager", "B2B", "Phone", "More sales", "Done", "CRM", "Done", "Skip",
                   "Russia", "This month")
    await chat.say("1 000 000")
    await chat.tap("Skip", "Done", "Moscow", "09:00", "18:00", "✅")
    assert chat.text.startswith("All set!")
    return chat


async def test_language_switch_mid_questionnaire_follows_everywhere(harness: BotHarness) -> None:
    chat = Chat(harness)
    await chat.say("/start")
    await chat.tap("Business owner", "B2B")
    await chat.say("/language")
    assert "Choose the language:" in chat.text
    assert chat.labels() == ["English", "Русский"]
    await chat.tap("Русский")
    texts = harness.sent_texts(42)
    assert "Готово — теперь я говорю по-русски." in [m.text for m in harness.messages(42)]
    assert "Шаг 3 из" in texts[-1]
    assert "Где в основном происходят продажи?" in texts[-1]
    assert "‹ Назад" in chat.labels()
    await chat.tap("Телефон", "Больше продаж", "Готово")
    assert "Откуда вы можете брать цифры?" in chat.text
    with harness.services.uow_factory() as uow:
        user = uow.users.by_telegram_id(42)
        assert user is not None
        assert user.language == "ru"
    (menu,) = [c for c in harness.calls_to("setMyCommands")
               if (c.params.get("scope") or {}).get("type") == "chat"]
    assert menu.params["commands"][0]["description"] == "Начать или продолжить настройку"


async def test_language_after_onboarding_formats_numbers_and_dates(onboarded: Chat) -> None:
    harness = onboarded.harness
    await onboarded.say("/language")
    await onboarded.tap("Русский")
    await onboarded.say("/plan")
    text = onboarded.text
    assert "Ваш план" in text
    assert f"1{NBSP}000{NBSP}000{NBSP}₽" in text
    assert "1–30 апреля 2025\u202fг." in text
    assert "22 рабочих дня\n" in text  # no "1 человек" for someone on their own
    assert f"Норма в день: 45{NBSP}454,55{NBSP}₽" in text
    await onboarded.say("/language")
    await onboarded.tap("English")
    await onboarded.say("/plan")
    assert "Daily quota: ₽45,454.55" in onboarded.text
    assert harness.calls_to("answerCallbackQuery")


async def test_plan_amount_change_reruns_the_quotas(onboarded: Chat) -> None:
    await onboarded.say("/plan")
    assert "Daily quota: ₽45,454.55" in onboarded.text
    await onboarded.tap("Change the amount")
    assert "What is the sales plan for 1–30 April 2025?" in onboarded.text
    assert "Step" not in onboarded.text  # an edit, not the questionnaire
    await onboarded.say("lots")
    assert "⚠️" in onboarded.text
    await onboarded.say("2.2 million")
    assert "Plan saved, daily quotas recalculated." in onboarded.text
    assert "Daily quota: ₽100,000" in onboarded.text
    await onboarded.tap("Change the period")
    await onboarded.tap("Other dates")
    await onboarded.say("14.04.2025 - 30.04.2025")
    assert "14–30 April 2025" in onboarded.text
    assert "13 working days" in onboarded.text
    await onboarded.tap("Close")
    assert "Closed." in onboarded.text


async def test_kpis_can_be_swapped_removed_added_and_saved(onboarded: Chat) -> None:
    harness = onboarded.harness

    def assigned() -> list[str]:
        with harness.services.uow_factory() as uow:
            return [a.kpi_id for a in uow.assignments.for_user(1)]

    before = assigned()
    await onboarded.say("/kpis")
    assert "Your KPIs" in onboarded.text
    labels = onboarded.labels()
    # The plan's KPI (revenue) stays: no 🔄 or ✖ for it.
    assert "Your plan is set on “Revenue”, so it stays in the set" in onboarded.text
    assert "🔄 Revenue" not in labels
    assert sum(label.startswith("🔄") for label in labels) == len(before) - 1
    first_swap = next(label for label in labels if label.startswith("🔄"))
    await onboarded.tap(first_swap)
    assert "What should replace" in onboarded.text
    replacement = onboarded.labels()[0]
    await onboarded.tap(replacement)
    assert "Your KPIs" in onboarded.text
    await onboarded.tap("✖")
    await onboarded.tap("Add from the catalog")
    assert "page 1 of" in onboarded.text
    await onboarded.tap("Next")
    assert "page 2 of" in onboarded.text
    added = onboarded.labels()[0]
    await onboarded.tap(added)
    await onboarded.tap("Save")
    assert "Your KPI set is saved." in onboarded.text
    after = assigned()
    assert len(after) == len(before)  # one swapped, one removed, one added
    assert after[0] == before[0] == "revenue"  # the plan's KPI stays
    assert after[1] != before[1]  # the first other one was swapped
    assert after != before


async def test_settings_change_zone_digest_and_working_days(onboarded: Chat) -> None:
    harness = onboarded.harness
    await onboarded.say("/settings")
    assert "Time zone: Moscow (UTC+3)" in onboarded.text
    assert "Working days: Mon, Tue, Wed, Thu, and Fri" in onboarded.text
    await onboarded.tap("Time zone")
    await onboarded.say("UTC+5")
    assert "Saved." in onboarded.text
    await onboarded.tap("Morning digest")
    await onboarded.tap("No digest")
    await onboarded.tap("Working days")
    await onboarded.tap("Sat", "Done")
    await onboarded.tap("Evening reminder")
    await onboarded.tap("Back")
    assert "Your settings" in onboarded.text  # Back from an edit: the menu again
    await onboarded.tap("Evening reminder")
    await onboarded.say("19:45")
    assert "Morning digest: off" in onboarded.text
    assert "Evening reminder: 19:45" in onboarded.text
    with harness.services.uow_factory() as uow:
        user = uow.users.by_telegram_id(42)
        assert user is not None
        assert user.timezone == "Etc/GMT-5"
        assert user.digest_time is None
        assert user.reminder_time == time(19, 45)
        assert user.working_weekdays == frozenset({0, 1, 2, 3, 4, 5})
    await onboarded.tap("Language")
    assert onboarded.labels() == ["English", "Русский"]
    await onboarded.tap("Русский")
    assert "Ваши настройки" in onboarded.text  # the settings menu, now in Russian
    assert "Язык: Русский" in onboarded.text


async def test_settings_turn_the_digest_chart_on_and_off(onboarded: Chat) -> None:
    harness = onboarded.harness

    def stored() -> bool:
        with harness.services.uow_factory() as uow:
            user = uow.users.by_telegram_id(42)
            assert user is not None
            return user.digest_chart

    await onboarded.say("/settings")
    assert "Chart in the morning digest: off" in onboarded.text
    assert not stored()  # off by default
    await onboarded.tap("📈 Turn the digest chart on")
    assert "Saved." in onboarded.text
    assert "Chart in the morning digest: on" in onboarded.text
    assert "📈 Turn the digest chart off" in onboarded.labels()
    assert stored()
    await onboarded.say("/language")
    await onboarded.tap("Русский")
    await onboarded.say("/settings")
    assert "График в утренней сводке: вкл." in onboarded.text
    await onboarded.tap("📈 Выключить график в сводке")
    assert "График в утренней сводке: выкл." in onboarded.text
    assert not stored()
    await onboarded.tap("Закрыть")
    assert "Закрыто. Изменения сохранены." in onboarded.text


async def test_delete_me_erases_everything_after_confirmation(onboarded: Chat) -> None:
    harness = onboarded.harness
    await onboarded.say("/delete_me")
    assert "This cannot be undone." in onboarded.text
    await onboarded.tap("No, keep it")
    assert "Nothing was deleted." in onboarded.text
    await onboarded.say("/delete_me")
    await onboarded.tap("Yes, erase everything")
    assert "everything I knew about you is erased" in onboarded.text
    with harness.services.uow_factory() as uow:
        assert uow.users.by_telegram_id(42) is None
        assert uow.profiles.get(1) is None
        assert uow.plans.of_team(1) == []


async def test_help_and_privacy(harness: BotHarness) -> None:
    chat = Chat(harness, language="ru")
    await chat.say("/help")
    assert "/plan — посмотреть или изменить план" in chat.text
    await chat.say("/privacy")
    assert "Что я храню" in chat.text
    assert "/delete_me" in chat.text


async def test_commands_before_onboarding_point_to_start(harness: BotHarness) -> None:
    chat = Chat(harness)
    for command in ("/plan", "/kpis", "/settings"):
        await chat.say(command)
        assert chat.text == "Let's set things up first: send /start."


async def test_every_menu_command_has_a_handler_here_or_in_the_daily_loop(
    harness: BotHarness,
) -> None:
    mine = {"start", "plan", "kpis", "team", "settings", "language", "help", "privacy", "restart",
            "delete_me", "cancel"}
    daily = {"today", "log", "progress"}
    exchange = {"export", "import"}  # bot/telegram/exchange.py
    assert {name for name, _ in COMMANDS} <= mine | daily | exchange


async def test_a_plan_target_is_stored_exactly(onboarded: Chat) -> None:
    with onboarded.harness.services.uow_factory() as uow:
        (plan,) = uow.plans.of_team(1)
        target = plan.target_for("revenue")
        assert target is not None
        assert target.target == Decimal(1_000_000)


async def test_language_at_the_time_zone_step_relocalises_the_location_keyboard(
    harness: BotHarness,
) -> None:
    chat = Chat(harness)
    await chat.say("/start")
    await chat.tap("Marketer", "B2C", "Website", "More leads", "Done", "Done", "Germany",
                   "Next month")
    await chat.say("300")
    await chat.tap("Skip", "Done")
    assert "What is your time zone?" in chat.text
    harness.clear()
    await chat.say("/language")
    await chat.tap("Русский")
    keyboards = [c.params["reply_markup"]["keyboard"] for c in harness.calls_to("sendMessage")
                 if "keyboard" in (c.params.get("reply_markup") or {})]
    assert keyboards == [[[{"text": "📍 Отправить геопозицию", "request_location": True}]]]
    assert "Какой у вас часовой пояс?" in chat.text
    assert "✓ Берлин (UTC+1)" in chat.labels()
    assert "‹ Назад" in chat.labels()


async def test_close_after_a_saved_change_says_it_was_saved(onboarded: Chat) -> None:
    await onboarded.say("/plan")
    await onboarded.tap("Change the amount")
    await onboarded.say("2 000 000")
    await onboarded.tap("Close")
    assert onboarded.text == "Closed. Your changes are saved."  # was "Nothing was changed."
    await onboarded.say("/settings")
    await onboarded.tap("Close")
    assert onboarded.text == "Closed. Nothing was changed."


async def test_plan_says_the_plan_counts_from_the_day_of_the_setup(onboarded: Chat) -> None:
    """Set up on 10 April: /today asks for 681,818.18 of the 1,000,000; /plan says why."""
    await onboarded.say("/plan")
    assert (
        "The plan counts from 10 April: ₽681,818.18 of ₽1,000,000 for the whole period "
        "(the working days before it are not counted)."
    ) in onboarded.text


async def test_kpis_targets_show_set_and_save_a_target_for_every_kpi(onboarded: Chat) -> None:
    await onboarded.say("/kpis")
    await onboarded.tap("🎯 Targets")
    text = onboarded.text
    assert text.startswith("Targets for 1–30 April 2025")
    assert "Target: ₽1,000,000 (the plan)" in text
    for row in onboarded.menu.buttons:
        for _, data in row:
            assert data is not None
            assert len(data.encode()) <= 64
    await onboarded.tap("✏ Average deal")
    assert "Type your average deal" in onboarded.text
    await onboarded.say("50 000")
    assert "Average deal: ₽50,000" in onboarded.text
    assert "(worked out from the plan)" in onboarded.text  # 20 deals → 80 meetings → 400 calls
    assert "Target: 400 (worked out from the plan)" in onboarded.text
    await onboarded.tap("Save")
    assert "Your KPI set is saved." in onboarded.text
    # Saved and closed: no buttons left that would only say "this menu has expired".
    assert onboarded.harness.last_message(onboarded.user_id).buttons == []
    with onboarded.harness.services.uow_factory() as uow:
        plan = uow.plans.of_team(1)[0]
        assert plan.target_for("cold_calls") is not None
        assert plan.target_for("cold_calls").target == 400  # type: ignore[union-attr]


async def test_the_step_total_does_not_jump_in_russian(harness: BotHarness) -> None:
    chat = Chat(harness, language="ru")
    await chat.say("/start")
    assert chat.text.startswith("Шаг 1 из 16")
    await chat.tap("Собственник бизнеса")
    assert chat.text.startswith("Шаг 2 из 16")  # was "Шаг 2 из 15"
    await chat.tap("B2B", "Сайт и мессенджеры", "Больше продаж", "Готово", "Готово", "Только я")
    assert chat.text.startswith("Шаг 9 из 16")  # no team size, no calls: the count moves on
