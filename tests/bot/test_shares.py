"""/team → 🎯 own targets and 🏖 days off through the real PTB application, in two languages:
every change shows each person's daily need before it is saved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.ui import callbacks
from kpi_core.model import DayOffKind, DayOffShare
from tests.bot.chat import Chat
from tests.bot.harness import BotHarness
from tests.bot.test_team import BORIS, OWNER, VERA, april, join, onboard_owner

__all__ = ["april"]  # the fixture, shared with the team tests


def saved_targets(harness: BotHarness) -> dict[int, Decimal]:
    """Telegram id → individual revenue target of the team's plan."""
    with harness.services.uow_factory() as uow:
        plan = uow.plans.current(1, date(2025, 4, 10))
        assert plan is not None
        revenue = plan.target_for("revenue")
        assert revenue is not None
        ids = {u: uow.users.get(u) for u in revenue.personal}
        return {ids[u].telegram_id: v for u, v in revenue.personal.items() if ids[u]}


def days_off(harness: BotHarness, telegram_id: int) -> list[tuple[date, DayOffKind, DayOffShare]]:
    with harness.services.uow_factory() as uow:
        user = uow.users.by_telegram_id(telegram_id)
        assert user is not None
        found = uow.days_off.in_range([user.id or 0], date(2025, 4, 1), date(2025, 5, 31))
        return [(d.day, d.kind, d.share) for d in found]


async def test_the_owner_gives_one_manager_a_bigger_target_and_sees_everyones_need_first(
    april: BotHarness,
) -> None:
    code = await onboard_owner(april)
    await join(april, BORIS, code, "ru", "Менеджер по продажам")
    await join(april, VERA, code, "en", "Sales manager")
    owner = Chat(april, OWNER)
    await owner.say("/team")
    await owner.tap("🎯 Own targets")
    text = owner.text
    assert text.startswith("Individual targets for “Revenue”: plan ₽300,000")
    # Everyone joined on 10 April: a seat's 22 days, 15 of them worked, at ₽4,545.46.
    assert "2. User43 — ₽4,545.46 a day (share ₽68,181.82)" in text
    assert "Seats not taken yet and days before people joined — ₽95,454.54" in text
    await owner.tap("✏️ User43")
    assert owner.text.startswith("Send User43's target for 1–30 April 2025 for “Revenue”")
    await owner.say("-5")
    assert "⚠️ A negative number is not allowed here." in owner.text
    await owner.say("400 000")
    assert ("⚠️ The individual targets would add up to ₽400,000, more than the plan of "
            "₽300,000. Send a smaller target.") in owner.text
    await owner.say("150 000")
    text = owner.text
    # His 150 000 over his 15 working days; the other 150 000 shared by the rest.
    assert "2. User43 — ₽4,545.46 → ₽10,000 a day (own target ₽150,000)" in text
    assert "1. User42 — ₽4,545.46 → ₽3,409.10 a day (share ₽51,136.36)" in text
    assert "3. User44 — ₽4,545.46 → ₽3,409.10 a day (share ₽51,136.36)" in text
    assert "Seats not taken yet and days before people joined — ₽47,727.28" in text
    assert saved_targets(april) == {}  # nothing saved yet
    april.clear()
    await april.press(BORIS, callbacks.encode("tm", "ptsv"), language_code="ru")
    (answer,) = april.calls_to("answerCallbackQuery")
    assert answer.params["text"] == "Это может сделать только руководитель команды."
    assert saved_targets(april) == {}
    await owner.tap("✅ Save")
    assert owner.text.startswith("Saved: everyone's daily need follows the new targets.")
    assert saved_targets(april) == {BORIS: Decimal("150000.00")}
    boris = Chat(april, BORIS, "ru")
    await boris.say("/today")
    assert "Сегодня: 10\u00a0000\u00a0₽" in boris.text
    assert "осталось 150\u00a0000\u00a0₽ из 150\u00a0000\u00a0₽" in boris.text
    # /cancel while a target is asked for drops what is pending; ↩ gives him a share again.
    await owner.say("/team")
    await owner.tap("🎯 Own targets", "✏️ User44")
    await owner.say("/cancel")
    assert owner.text == "Closed. Nothing was changed."
    await owner.say("100000")  # a number, now: logged as today's revenue, not a target
    assert saved_targets(april) == {BORIS: Decimal("150000.00")}
    await owner.say("/team")
    await owner.tap("🎯 Own targets", "↩ Share", "✅ Save")
    assert saved_targets(april) == {}


async def test_days_off_move_to_the_team_or_reduce_the_plan(april: BotHarness) -> None:
    code = await onboard_owner(april)
    boris = await join(april, BORIS, code, "ru", "Менеджер по продажам")
    await join(april, VERA, code, "en", "Sales manager")
    owner = Chat(april, OWNER)
    await owner.say("/team")
    await owner.tap("🏖 Days off")
    assert "User44: no days off" in owner.text
    await owner.tap("🏖 User44")
    assert owner.text.startswith("Send User44's days off: one day (21.04) or a range")
    await owner.say("someday")
    assert "⚠️ Send one day or a range of days, for example 21.04 or 21.04–25.04." in owner.text
    await owner.say("21.04–23.04")
    text = owner.text
    assert text.startswith("User44: vacation 21–23 April 2025\nThat is 3 working days off.")
    assert "Their share of those days goes to the rest of the team." in text
    # Three of her days go to everyone: 300 000 over 3 × 22 − 3 seat-days.
    assert "User42 — ₽4,545.46 → ₽4,761.91 a day" in text
    assert "User44 — ₽4,545.46 → ₽4,761.91 a day" in text
    assert days_off(april, VERA) == []  # nothing saved yet
    await owner.tap("📉 Reduce the plan")
    text = owner.text
    assert "Their share of those days is taken off the plan." in text
    assert "User42 — ₽4,545.46 a day" in text  # the others' need does not change
    assert "Team plan: ₽300,000 → ₽286,363.64" in text  # 3 days × ₽4,545.45
    await owner.tap("🔁 Vacation / sick / other")
    assert owner.text.startswith("User44: sick leave 21–23 April 2025")
    await owner.tap("✅ Save")
    assert owner.text.startswith("Saved: User44's days off are marked")
    assert "User44: 21–23 April 2025 (sick leave, the plan is reduced)" in owner.text
    sick = [(date(2025, 4, d), DayOffKind.SICK, DayOffShare.REDUCE) for d in (21, 22, 23)]
    assert days_off(april, VERA) == sick
    # An admin marks days off in Russian; reducing the plan is not theirs to choose.
    await owner.say("/team")
    await owner.tap("⭐ Make admin")
    await boris.say("/team")
    assert "🏖 Отсутствия" in boris.labels()
    await boris.tap("🏖 Отсутствия")
    assert "User44: 21–23 апреля 2025\u202fг. (больничный, план уменьшен)" in boris.text
    await boris.tap("🏖 User44")
    await boris.say("с 28.04 по 30.04")
    text = boris.text
    assert text.startswith("User44: отпуск 28–30 апреля 2025\u202fг.\nВыпадает 3 рабочих дня.")
    # 286 363,64 ₽ left after her sick days, over 60 seat-days now.
    assert "User43 — 4\u00a0545,46\u00a0₽ → 4\u00a0772,73\u00a0₽ в день" in text
    assert "План команды" not in text  # the team covers: the plan stays as it is
    assert boris.labels() == ["🔁 Отпуск / больничный / отгул", "‹ Назад", "✅ Сохранить"]
    april.clear()
    await april.press(BORIS, callbacks.encode("tm", "dsh"), language_code="ru")  # forged
    (answer,) = april.calls_to("answerCallbackQuery")
    assert answer.params["text"] == "Это может сделать только руководитель команды."
    await boris.tap("✅ Сохранить")
    assert boris.text.startswith(
        "Сохранено: дни отсутствия отмечены — User44 в эти дни не получит напоминаний.")
    assert ("28–30 апреля 2025\u202fг. (отпуск, долю берёт команда)") in boris.text
    assert days_off(april, VERA)[3:] == [
        (date(2025, 4, d), DayOffKind.VACATION, DayOffShare.TEAM) for d in (28, 29, 30)]
    # 🗑 takes her days off from today on away.
    await boris.tap("🗑")
    assert boris.text.startswith("User44: отсутствия начиная с сегодняшнего дня удалены.")
    assert days_off(april, VERA) == []
