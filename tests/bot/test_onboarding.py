"""Onboarding through the real PTB application (offline Bot API): what a person sees."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.i18n import translator
from bot.telegram import callbacks
from bot.telegram.render import people_text, working_days_text
from bot.timezone_lookup import canonical_zone, zone_for_location
from tests.bot.chat import Chat
from tests.bot.harness import BotHarness
from tests.fakes import ManualClock

NBSP = "\u00a0"
APRIL_10 = datetime(2025, 4, 10, 6, 0, tzinfo=UTC)  # 09:00 in Moscow


@pytest.fixture
def april(harness: BotHarness, clock: ManualClock) -> BotHarness:
    clock.set(APRIL_10)
    return harness


def user_row(harness: BotHarness, telegram_id: int = 42):  # type: ignore[no-untyped-def]
    with harness.services.uow_factory() as uow:
        return uow.users.by_telegram_id(telegram_id)


def conversation(harness: BotHarness, telegram_id: int = 42):  # type: ignore[no-untyped-def]
    with harness.services.uow_factory() as uow:
        user = uow.users.by_telegram_id(telegram_id)
        assert user is not None
        assert user.id is not None
        return uow.conversations.get(telegram_id, user.id)


async def test_full_onboarding_in_russian(april: BotHarness) -> None:
    chat = Chat(april, language="ru")
    await chat.say("/start")
    texts = april.sent_texts(42)
    assert "Здравствуйте! Я KPI Coach" in texts[0]
    assert chat.text.startswith("Шаг 1 из ")
    assert "Начнём с вас. Кем вы работаете?" in chat.text
    await chat.tap("Собственник бизнеса")
    assert "Шаг 2 из " in chat.text
    assert "Какой у вас бизнес?" in chat.text
    assert "‹ Назад" in chat.labels()
    await chat.tap("B2B", "Телефон", "Больше продаж")
    assert chat.selected() == ["Больше продаж"]
    await chat.tap("Готово", "CRM", "Готово")
    assert "Кто выполняет план продаж?" in chat.text
    await chat.tap("Я и команда")
    assert "Сколько человек делят план?" in chat.text
    await chat.say("10")
    assert "Сколько примерно звонков" in chat.text
    await chat.tap("Пропустить")
    assert "В какой стране вы работаете?" in chat.text
    assert chat.selected() == ["Россия"]  # suggested from the language
    await chat.tap("Россия", "Другие даты")
    await chat.say("01.04.2025 – 30.04.2025")
    assert "Какой план продаж на период с 1 апреля по 30 апреля?" in chat.text
    assert chat.selected() == ["RUB"]
    await chat.say("10 000 000")
    assert "А сколько вы продали" in chat.text
    await chat.tap("Пропустить")
    assert "В какие дни недели вы работаете?" in chat.text
    assert chat.selected() == ["Пн", "Вт", "Ср", "Чт", "Пт"]
    await chat.tap("Готово")
    assert "Какой у вас часовой пояс?" in chat.text
    assert "Москва (UTC+3)" in chat.labels()
    await chat.tap("Москва")
    assert "утреннюю сводку" in chat.text
    await chat.tap("09:00")
    await chat.say("18:30")

    result = chat.text
    assert "Вот что я предлагаю отслеживать" in result
    assert f"10{NBSP}000{NBSP}000{NBSP}₽" in result
    assert "22 рабочих дня, 10 человек" in result
    assert "1. Выручка" in result
    assert "Формула: выручка" in result
    assert "Зачем: " in result
    assert "Кто влияет: " in result
    assert f"Норма в день: 45{NBSP}454,55{NBSP}₽ на человека (454{NBSP}545,45{NBSP}₽ на команду)" in result
    assert "✅ Всё верно, сохранить" in chat.labels()

    await chat.tap("✅")
    assert "Готово! Сохранил 3 показателя." in chat.text
    assert "в 09:00" in chat.text
    assert "в 18:30" in chat.text
    user = user_row(april)
    assert user is not None
    assert user.onboarded
    assert user.language == "ru"
    assert conversation(april) is None


async def test_full_onboarding_in_english(april: BotHarness) -> None:
    chat = Chat(april)
    await chat.say("/start")
    assert chat.text.startswith("Step 1 of ")
    await chat.tap("Business owner", "B2C", "Website", "More sales", "Done", "CRM", "Done", "Me and a team", "10")
    assert "Which country" in chat.text
    assert chat.selected() == []  # no guess for English speakers
    await chat.tap("Russia", "This month")
    assert "What is the sales plan for 1 April – 30 April?" in chat.text
    await chat.say("10m")
    await chat.say("9,000,000")
    await chat.tap("Done", "Moscow", "09:00", "18:00")
    result = chat.text
    assert "Here is what I suggest tracking" in result
    assert "22 working days, 10 people" in result
    assert "Daily quota: ₽45,454.55 per person (₽454,545.45 for the team)" in result
    assert "Formula: " in result
    await chat.tap("✅")
    assert chat.text.startswith("All set! I saved ")


async def test_every_button_press_edits_the_menu_and_is_answered(april: BotHarness) -> None:
    chat = Chat(april)
    await chat.say("/start")
    first = chat.menu.message_id
    april.clear()
    await chat.tap("Sales manager", "B2B", "Phone")
    assert chat.menu.message_id == first
    assert len(april.calls_to("editMessageText")) == 3
    assert len(april.calls_to("answerCallbackQuery")) == 3
    assert not april.calls_to("sendMessage")
    for call in april.calls_to("editMessageText"):
        for row in call.params["reply_markup"]["inline_keyboard"]:
            for button in row:
                assert len(button["callback_data"].encode()) <= 64


async def test_marketer_and_sales_manager_get_different_questions_and_kpis(april: BotHarness) -> None:
    marketer = Chat(april, user_id=1)
    await marketer.say("/start")
    await marketer.tap("Marketer", "B2C", "Website", "More leads", "Done", "Ad accounts", "Web analytics", "Done")
    assert "Which country" in marketer.text  # no team, no calls questions
    await marketer.tap("Russia", "This month")
    assert "How many leads should marketing bring" in marketer.text
    await marketer.say("440")
    await marketer.tap("Skip", "Done", "Moscow", "09:00", "18:00")
    marketer_result = marketer.text

    manager = Chat(april, user_id=2)
    await manager.say("/start")
    await manager.tap("Sales manager", "B2B", "Phone", "More sales", "Done", "CRM", "Done")
    assert "how many calls does one salesperson make" in manager.text
    await manager.say("50")
    await manager.tap("Russia", "This month")
    assert "What is the sales plan" in manager.text
    await manager.say("1 000 000")
    await manager.tap("Skip", "Done", "Moscow", "09:00", "18:00")
    manager_result = manager.text

    assert "1. Leads" in marketer_result
    assert "Daily quota: 20" in marketer_result
    assert "Revenue" not in marketer_result
    assert "Cold calls" not in marketer_result
    assert "Cold calls" in manager_result
    assert "Daily quota: 50" in manager_result  # the calls they make now, every working day
    assert "Daily quota: ₽45,454.55" in manager_result  # 1,000,000 / 22 days
    def asked_calls(chat_id: int) -> bool:
        texts = [str(c.params.get("text", "")) for c in april.calls if str(c.params.get("chat_id")) == str(chat_id)]
        return any("how many calls" in text for text in texts)

    assert not asked_calls(1)
    assert asked_calls(2)


async def test_back_returns_with_the_answer_still_ticked(april: BotHarness) -> None:
    chat = Chat(april)
    await chat.say("/start")
    await chat.tap("Head of sales", "Services")
    assert "Step 3 of" in chat.text
    await chat.tap("Back")
    assert "Step 2 of" in chat.text
    assert "What kind of business is it?" in chat.text
    assert chat.selected() == ["Services"]
    await chat.tap("Retail")
    assert "Where do most of your sales happen?" in chat.text


async def test_skip_moves_on_where_allowed(april: BotHarness) -> None:
    chat = Chat(april)
    await chat.say("/start")
    await chat.tap("Sales manager", "B2B", "Phone", "More sales", "Done", "Done")
    assert "Skip ›" in chat.labels()
    await chat.tap("Skip")
    assert "Which country" in chat.text
    assert not any(label.startswith("Skip") for label in chat.labels())


async def test_a_bad_number_gets_the_parsers_error_and_the_same_step(april: BotHarness) -> None:
    chat = Chat(april, language="ru")
    await chat.say("/start")
    await chat.tap("Собственник бизнеса", "B2B", "Телефон", "Больше продаж", "Готово", "CRM", "Готово", "Я и команда")
    await chat.say("десять")
    assert chat.text.startswith("⚠️ ")
    assert "Сколько человек делят план?" in chat.text  # the same step again
    assert "Шаг 7 из" in chat.text
    await chat.say("2,5")
    assert "Нужно целое число" in chat.text
    await chat.say("3")
    assert "Сколько примерно звонков" in chat.text
    state = conversation(april)
    assert state is not None
    assert state.data["q"]["answers"]["goals"] == ["more_sales"]  # nothing entered before is lost
    assert state.data["q"]["answers"]["team_size"] == 3


async def test_text_instead_of_a_button_gets_a_hint(april: BotHarness) -> None:
    chat = Chat(april)
    await chat.say("/start")
    await chat.say("I'm the boss")
    assert "Please choose one of the buttons above, or send /cancel." in chat.text
    assert "What is your role?" in chat.text
    await april.process(
        {"message": {"message_id": 900, "date": 1, "chat": {"id": 42, "type": "private"},
                     "from": {"id": 42, "is_bot": False, "first_name": "A"},
                     "sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular",
                                 "width": 1, "height": 1, "is_animated": False, "is_video": False}}}
    )
    assert "Please use the buttons above, or send /cancel." in chat.text


async def test_an_expired_button_is_answered_and_the_current_step_shown(april: BotHarness) -> None:
    chat = Chat(april, language="ru")
    await chat.say("/start")
    old_message = chat.menu.message_id
    old = chat.data("Маркетолог")
    await chat.tap("Собственник бизнеса")
    await chat.say("не знаю")  # the step is shown again in a new message
    assert chat.menu.message_id != old_message
    april.clear()
    await april.press(42, old, old_message, language_code="ru")
    (answer,) = april.calls_to("answerCallbackQuery")
    assert answer.params["text"] == "Это меню устарело."
    assert "Это меню устарело. Вот где мы сейчас:" in chat.text
    assert "Какой у вас бизнес?" in chat.text  # the current step, not the role again
    state = conversation(april)
    assert state is not None
    assert state.data["q"]["answers"]["role"] == "owner"


async def test_a_double_tap_leaves_one_menu_on_the_current_step(april: BotHarness) -> None:
    chat = Chat(april, language="ru")
    await chat.say("/start")
    menu = chat.menu.message_id
    first = chat.data("Собственник бизнеса")
    await april.press(42, first, menu, language_code="ru")
    april.clear()
    await april.press(42, first, menu, language_code="ru")  # the same button again, same message
    (answer,) = april.calls_to("answerCallbackQuery")
    assert answer.params["text"] == "Это меню устарело."
    assert april.calls_to("sendMessage") == []  # no second copy of the menu
    assert chat.menu.message_id == menu
    assert "Какой у вас бизнес?" in chat.text
    assert "‹ Назад" in chat.labels()  # the buttons stay on the message
    state = conversation(april)
    assert state is not None
    assert state.data["q"]["history"] == ["role"]


@pytest.mark.parametrize(
    "data",
    ["zz:1:2", "q", "q:", "q::c:0", "q:abc", "lang", "r:x:ok", "q:" + "x" * 70, "del:nope:yes"],
)
async def test_forged_or_malformed_buttons_expire_politely(april: BotHarness, data: str) -> None:
    chat = Chat(april)
    await chat.say("/start")
    await chat.tap("Sales manager")
    april.clear()
    await april.press(42, data, chat.menu.message_id)
    answers = april.calls_to("answerCallbackQuery")
    assert len(answers) == 1
    assert answers[0].params["text"] == "This menu has expired."
    assert "What kind of business is it?" in chat.text
    state = conversation(april)
    assert state is not None
    assert state.data["q"]["answers"] == {"role": "sales_manager"}


async def test_a_restart_mid_questionnaire_continues_on_the_old_message(april: BotHarness) -> None:
    chat = Chat(april)
    await chat.say("/start")
    await chat.tap("Business owner", "B2B", "Phone")
    menu = chat.menu.message_id
    await april.restart()  # a new Application on the same database
    await chat.tap("More sales")
    assert chat.menu.message_id == menu
    assert chat.selected() == ["More sales"]
    await april.restart()
    await chat.say("/start")
    assert "Welcome back! Let's continue where we stopped." in chat.text
    assert "What do you want to improve" in chat.text
    assert chat.selected() == ["More sales"]


async def test_location_sharing_sets_the_time_zone(april: BotHarness) -> None:
    chat = Chat(april)
    await chat.say("/start")
    await chat.tap("Business owner", "B2B", "Phone", "More sales", "Done", "Done", "Just me", "Skip", "Russia", "This month")
    await chat.say("1000000")
    april.clear()
    await chat.tap("Skip", "Done")
    keyboard_calls = [c for c in april.calls_to("sendMessage") if "keyboard" in (c.params.get("reply_markup") or {})]
    (offer,) = keyboard_calls
    button = offer.params["reply_markup"]["keyboard"][0][0]
    assert button["request_location"] is True
    assert "What is your time zone?" in chat.text  # the question stays the last message
    april.clear()
    await april.share_location(42, 55.03, 82.92)  # Novosibirsk
    removed = [c for c in april.calls_to("sendMessage") if (c.params.get("reply_markup") or {}).get("remove_keyboard")]
    assert len(removed) == 1
    assert "When should I send you the morning digest" in chat.text
    state = conversation(april)
    assert state is not None
    assert state.data["q"]["answers"]["timezone"] == "Asia/Novosibirsk"


async def test_a_typed_city_or_offset_works_and_nonsense_is_explained(april: BotHarness) -> None:
    chat = Chat(april, language="ru")
    await chat.say("/start")
    await chat.tap("Собственник бизнеса", "B2B", "Телефон", "Больше продаж", "Готово", "Готово", "Только я", "Пропустить", "Россия", "Этот месяц")
    await chat.say("1 млн")
    await chat.tap("Пропустить", "Готово")
    await chat.say("Атлантида")
    assert "Не знаю, что такое «Атлантида»" in chat.text
    await chat.say("Екатеринбург")
    state = conversation(april)
    assert state is not None
    assert state.data["q"]["answers"]["timezone"] == "Asia/Yekaterinburg"


async def test_cancel_and_start_again(april: BotHarness) -> None:
    chat = Chat(april)
    await chat.say("/start")
    await chat.tap("Marketer")
    await chat.say("/cancel")
    assert "Cancelled. Everything saved before is kept; send /start to continue" in chat.text
    await chat.say("/cancel")
    assert "Nothing to cancel" in chat.text
    await chat.say("hello")
    assert "send /start" in chat.text
    await chat.say("/start")  # carries on where /cancel left it, as promised
    assert "Welcome back! Let's continue where we stopped." in chat.text
    assert "Step 2 of" in chat.text
    assert "What kind of business is it?" in chat.text
    await chat.tap("‹ Back")
    assert chat.selected() == ["Marketer"]
    await chat.say("/cancel")
    await chat.say("/restart")  # begins again, the earlier answers pre-selected
    assert "Step 1 of" in chat.text
    assert chat.selected() == ["Marketer"]


async def test_restart_after_onboarding_keeps_the_saved_plan(april: BotHarness) -> None:
    chat = Chat(april)
    await chat.say("/start")
    await chat.tap("Sales manager", "B2B", "Phone", "More sales", "Done", "Done", "Skip", "Russia", "This month")
    await chat.say("500000")
    await chat.tap("Skip", "Done", "Moscow", "09:00", "18:00", "✅")
    await chat.say("/start")
    assert "You are all set up" in chat.text
    await chat.say("/restart")
    assert "Step 1 of" in chat.text
    assert chat.selected() == ["Sales manager"]
    with april.services.uow_factory() as uow:
        user = uow.users.by_telegram_id(42)
        assert user is not None
        assert user.id is not None
        assert user.onboarded
        assert uow.assignments.for_user(user.id)
        assert uow.profiles.get(user.id) is not None


# -- pure rendering ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "text"),
    [(1, "1 рабочий день"), (2, "2 рабочих дня"), (5, "5 рабочих дней"), (11, "11 рабочих дней"),
     (21, "21 рабочий день"), (22, "22 рабочих дня")],
)
def test_russian_plurals_of_working_days(count: int, text: str) -> None:
    assert working_days_text(translator("ru"), count) == text


@pytest.mark.parametrize(("count", "text"), [(1, "1 человек"), (2, "2 человека"), (5, "5 человек"), (21, "21 человек")])
def test_russian_plurals_of_people(count: int, text: str) -> None:
    assert people_text(translator("ru"), count) == text


def test_location_lookup_is_offline_and_sane() -> None:
    assert zone_for_location(55.75, 37.61) == "Europe/Moscow"
    assert zone_for_location(43.1, 131.9) == "Asia/Vladivostok"
    assert zone_for_location(48.85, 2.35) == "Europe/Paris"
    assert zone_for_location(0.0, -150.0) == "Etc/GMT+10"  # the Pacific: longitude decides
    assert zone_for_location(95.0, 0.0) is None
    assert canonical_zone("europe/berlin") == "Europe/Berlin"
    assert canonical_zone("Mars/Olympus") is None


def test_callback_data_api() -> None:
    data = callbacks.menu("q", "ab12cd", "c", 3)
    assert data == "q:ab12cd:c:3"
    assert callbacks.decode_menu(data, "q").args == ("3",)
    with pytest.raises(callbacks.InvalidCallback):
        callbacks.encode("nope", "x")
    with pytest.raises(callbacks.InvalidCallback):
        callbacks.encode("q", "a:b")
    with pytest.raises(callbacks.InvalidCallback):
        callbacks.encode("q", "x" * 70)
    with pytest.raises(callbacks.InvalidCallback):
        callbacks.decode("q:a b")
    assert json.dumps(callbacks.PREFIXES)
