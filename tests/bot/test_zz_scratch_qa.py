"""SCRATCH (QA walk) - delete when done."""
from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.bot.chat import Chat
from tests.bot.harness import BotHarness
from tests.fakes import ManualClock

APRIL_10 = datetime(2025, 4, 10, 6, 0, tzinfo=UTC)


def dump(h: BotHarness, label: str) -> None:
    print(f"\n👤 {label}")
    for c in h.calls:
        p = c.params
        if c.method in ("sendMessage", "editMessageText"):
            mark = "🤖" if c.method == "sendMessage" else "🤖✎"
            print(mark, p.get("text"))
            rm = p.get("reply_markup")
            if isinstance(rm, str):
                rm = json.loads(rm)
            if rm:
                for row in rm.get("inline_keyboard", []) or []:
                    print("   " + " · ".join(f"[{b['text']}]({b.get('callback_data') or 'url'})" for b in row))
                if "keyboard" in rm:
                    print("   REPLYKB", rm["keyboard"])
                if rm.get("remove_keyboard"):
                    print("   (remove keyboard)")
        elif c.method == "answerCallbackQuery":
            if p.get("text"):
                print("   (toast)", p.get("text"))
        else:
            print("   API", c.method, {k: v for k, v in p.items() if k not in ("commands",)})
    h.clear()


async def walk(h: BotHarness, chat: Chat, steps: list[tuple[str, str]]) -> None:
    for kind, value in steps:
        if kind == "say":
            await chat.say(value)
        elif kind == "tap":
            await chat.tap(value)
        dump(h, f"{kind} {value}")


async def test_bad_user_ru(harness: BotHarness, clock: ManualClock) -> None:
    clock.set(APRIL_10)
    harness.clear()
    chat = Chat(harness, language="ru")
    await walk(harness, chat, [
        ("say", "/start"), ("say", "/start"), ("say", "привет"), ("tap", "Менеджер по продажам"),
        ("say", "😀"), ("tap", "B2B"), ("tap", "Телефон"), ("tap", "Готово"), ("tap", "Больше продаж"),
        ("tap", "Готово"), ("tap", "Готово"),
        ("say", "много"), ("say", "1,000"), ("say", "-5"), ("say", "0"), ("say", "2000"), ("say", "35.5"), ("say", "35"),
        ("say", "ZZ"), ("say", "Польша"), ("tap", "Россия"), ("tap", "Другие даты"),
        ("say", "31.02.2025 - 10.03.2025"), ("say", "10.04.2025"), ("say", "30.04.2025 - 01.04.2025"),
        ("say", "01.04.2025 - 30.04.2026"), ("say", "01.04.2025 - 30.04.2025"),
        ("say", "-100000"), ("say", "1,000"), ("say", "100.005"), ("say", "12%"), ("say", "$5000"), ("say", "0"), ("say", "1 млн"),
        ("say", "ноль"), ("say", "50000000"),
    ])


async def test_bad_user_ru_part2(harness: BotHarness, clock: ManualClock) -> None:
    clock.set(APRIL_10)
    chat = Chat(harness, language="ru")
    await chat.say("/start")
    await chat.tap("Собственник бизнеса", "B2B", "Телефон", "Больше продаж", "Готово", "CRM", "Готово", "Я и команда")
    await chat.say("10")
    await chat.tap("Пропустить", "Россия", "Этот месяц")
    await chat.say("10 млн")
    await chat.tap("Пропустить")
    harness.clear()
    old = chat.menu.message_id
    old_data = chat.data("Пн")
    await walk(harness, chat, [("tap", "Пн"), ("tap", "Пн")])
    # double press the same (now stale?) button
    await harness.press(42, old_data, old, language_code="ru")
    dump(harness, "double press Пн (same message)")
    await harness.process({"message": {**harness._message(42, None, "ru", None), "sticker": {"file_id": "x", "file_unique_id": "y", "type": "regular", "width": 1, "height": 1, "is_animated": False, "is_video": False}}})
    dump(harness, "sticker")
    await harness.process({"message": {**harness._message(42, None, "ru", None), "photo": [{"file_id": "x", "file_unique_id": "y", "width": 1, "height": 1}]}})
    dump(harness, "photo")
    await harness.process({"message": {**harness._message(42, None, "ru", None), "text": "hello", "forward_origin": {"type": "hidden_user", "sender_user_name": "Bob", "date": 1}}})
    dump(harness, "forwarded text")
    await walk(harness, chat, [("tap", "Готово")])
    await harness.share_location(42, 0.0, -140.0, language_code="ru")
    dump(harness, "location in the ocean")
    await walk(harness, chat, [("say", "UTC+25"), ("say", "Нарния"), ("say", "+3"), ("say", "25:00"), ("say", "7 утра"), ("say", "9"),
        ("say", "/language")])
    await chat.tap("English")
    dump(harness, "tap English")
    await walk(harness, chat, [("say", "/cancel"), ("say", "hello"), ("say", "/start")])


async def test_forged_and_empty_updates(harness: BotHarness, clock: ManualClock) -> None:
    clock.set(APRIL_10)
    chat = Chat(harness, language="en")
    await chat.say("/start")
    harness.clear()
    await harness.press(42, "q:zzzzzz:c:0")
    dump(harness, "forged token")
    await harness.press(42, "bogus:data")
    dump(harness, "unknown prefix")
    await harness.press(42, "q:" + "x" * 80)
    dump(harness, "too long")
    await harness.press(7, "q:zzzzzz:c:0", message_id=1)
    dump(harness, "stranger press")
    await harness.process({"edited_message": {**harness._message(42, None, "en", None), "text": "edited", "edit_date": 1}})
    dump(harness, "edited_message")
    await harness.process({"channel_post": {"message_id": 5, "date": 1, "chat": {"id": -1001, "type": "channel", "title": "C"}, "text": "/start"}})
    dump(harness, "channel post")
    await harness.process({"inline_query": {"id": "1", "from": harness.user_json(42), "query": "x", "offset": ""}})
    dump(harness, "inline query")
    await harness.process({"my_chat_member": {"chat": {"id": 42, "type": "private", "first_name": "A"}, "from": harness.user_json(42), "date": 1,
        "old_chat_member": {"status": "member", "user": harness.request.bot_user()}, "new_chat_member": {"status": "kicked", "user": harness.request.bot_user(), "until_date": 0}}})
    dump(harness, "my_chat_member blocked")
    harness.raise_errors = False
    await harness.process({"callback_query": {"id": "99", "from": harness.user_json(42), "chat_instance": "x", "inline_message_id": "abc", "data": "q:zz:c:0"}})
    dump(harness, "inline message callback")
    await harness.process({"callback_query": {"id": "98", "from": harness.user_json(42), "chat_instance": "x", "game_short_name": "g"}})
    dump(harness, "callback without data")
    await harness.send(42, "/start", chat_id=-100555)
    dump(harness, "/start in group")
    await harness.process({"message": {**harness._message(42, None, "en", None), "text": "/nonexistent", "entities": [{"type": "bot_command", "offset": 0, "length": 12}]}})
    dump(harness, "unknown command")


async def test_sales_manager_no_crm(harness: BotHarness, clock: ManualClock) -> None:
    clock.set(APRIL_10)
    chat = Chat(harness, language="ru")
    await chat.say("/start")
    await chat.tap("Менеджер по продажам", "B2C", "Телефон", "Больше продаж", "Готово", "Готово")
    await chat.say("40")
    await chat.tap("Казахстан", "Этот месяц")
    harness.clear()
    await walk(harness, chat, [("say", "5 000 000"), ("say", "20 000 000 ₸"), ("tap", "Пропустить"), ("tap", "Готово"), ("tap", "Алматы"), ("tap", "Без сводки"), ("tap", "Без напоминания")])
    await walk(harness, chat, [("tap", "➕"), ("tap", "Дальше"), ("tap", "Назад"), ("tap", "К списку"), ("tap", "✖"), ("tap", "✖"), ("tap", "✖")])
    await walk(harness, chat, [("tap", "✅")])


async def test_html_names(harness: BotHarness, clock: ManualClock) -> None:
    clock.set(APRIL_10)
    owner = {"id": 50, "is_bot": False, "first_name": "<b>Ann & Co</b>", "language_code": "en"}
    msg = {"message_id": 1, "date": 1, "chat": {"id": 50, "type": "private", "first_name": "x"}, "from": owner, "text": "/start",
           "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}
    await harness.process({"message": msg})
    chat = Chat(harness, user_id=50)
    await chat.tap("Business owner", "B2B", "Phone", "More sales", "Done", "CRM", "Done", "Me and a team")
    await chat.say("3")
    await chat.tap("Skip", "Russia", "This month")
    await chat.say("3 mln")
    await chat.tap("Skip", "Done", "Moscow", "09:00", "18:00")
    harness.clear()
    await walk(harness, chat, [("tap", "✅")])
    link = [b for row in chat.menu.buttons for b in row][0]
    print(link)
    code = harness.last_message(50).text.split("join_")[-1].split()[0]
    member = {"id": 51, "is_bot": False, "first_name": "Bob <i>&amp;", "language_code": "ru"}
    msg = {"message_id": 2, "date": 1, "chat": {"id": 51, "type": "private", "first_name": "x"}, "from": member, "text": f"/start join_{code}",
           "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}
    harness.clear()
    await harness.process({"message": msg})
    dump(harness, "member joins")
    m = Chat(harness, user_id=51, language="ru")
    await walk(harness, m, [("tap", "Менеджер по продажам"), ("tap", "Готово"), ("tap", "Москва"), ("tap", "09:00"), ("tap", "18:00")])
    await walk(harness, chat, [("say", "/team")])
    await walk(harness, chat, [("tap", "✖")])
