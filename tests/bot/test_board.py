"""The team board (``/team`` → 📊) through the real PTB application, in English and Russian.

A team of three on a plan of 3 000 000 ₽ for April 2025 (three seats of 1 000 000 ₽; each
person's share counts from 10 April, the day they joined: 15 of 22 working days, 681 818,18 ₽).
The owner closes deals and brings revenue; Boris (Russian) qualifies leads, closes deals and
brings revenue; Vera (marketing) brings leads and spends the budget. On Thursday the owner logs
480 000 ₽ and 10 deals and Vera 120 leads for 60 000 ₽; Boris logs nothing until Friday, when
he logs 600 000 ₽, 96 qualified leads and 14 deals. The board is opened on Friday 11 April.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.ui.render import plain
from tests.bot.chat import Chat
from tests.bot.harness import BotHarness
from tests.bot.test_team import BORIS, OWNER, VERA, join, onboard_another_owner
from tests.fakes import ManualClock

THURSDAY = datetime(2025, 4, 10, 6, 0, tzinfo=UTC)  # 09:00 in Moscow
FRIDAY = datetime(2025, 4, 11, 6, 0, tzinfo=UTC)
KPIS = {OWNER: ["revenue", "closed_deals"],
        BORIS: ["revenue", "qualified_leads", "closed_deals"],
        VERA: ["leads", "cost_per_lead"]}


def track(harness: BotHarness, kpis: dict[int, list[str]]) -> None:
    """Give each person the KPIs of their part of the funnel (what /kpis would choose)."""
    with harness.services.uow_factory() as uow:
        for telegram_id, kpi_ids in kpis.items():
            user = uow.users.by_telegram_id(telegram_id)
            assert user is not None
            assert user.id is not None
            (membership,) = uow.teams.memberships_of(user.id)
            uow.assignments.replace(user.id, membership.team_id, kpi_ids)
        uow.commit()


@pytest.fixture
async def friday(harness: BotHarness, clock: ManualClock) -> BotHarness:
    clock.set(THURSDAY)
    code = await onboard_another_owner(harness, OWNER, "3", "3000000")
    boris = await join(harness, BORIS, code, "ru", "Менеджер по продажам")
    vera = await join(harness, VERA, code, "en", "Marketer")
    track(harness, KPIS)
    await Chat(harness, OWNER).say("revenue 480 000, deals 10")
    await vera.say("leads 120, spend 60 000")
    clock.set(FRIDAY)
    await boris.say("выручка 600 000, кл 96, сделки 14")
    assert "600\u00a0000\u00a0₽" in boris.text
    harness.clear()
    return harness


async def open_board(chat: Chat) -> str:
    await chat.say("/team")
    await chat.tap("📊 Доска команды" if chat.language == "ru" else "📊 Team board")
    return plain(chat.text)


async def test_the_owner_sees_everyone_the_funnel_and_todays_need(friday: BotHarness) -> None:
    owner = Chat(friday, OWNER)
    text = await open_board(owner)
    assert text.startswith("📊 Team board “User42”, Friday, 11 April\n")
    # The owner: 681 818,18 − 480 000 = 201 818,18 over 14 days → 14 415,59 today (rounded up);
    # Boris: 681 818,18 over 14 days (his Friday not counted yet) → 48 701,30. Together:
    assert "🎯 Today the team needs ₽63,116.89 of “Revenue” to stay on plan." in text
    assert ("₽883,636.36 left over 14 working days. Logged today so far: ₽600,000."
            in text)
    assert "Revenue: ₽1,080,000 of ₽1,363,636.36" in text  # the team's total, both counted
    # Marketing and sales side by side: 60 000 ÷ 120 = 500 a lead; 96 of 120 leads qualified
    # (80 %), 24 deals of 96 (25 %), 20 % of all leads; 1 080 000 ÷ 24 = 45 000 a deal.
    assert "Funnel this period:\n📣 Marketing: 120 leads · spend ₽60,000 · ₽500 per lead\n" in text
    assert "🤝 Sales: 120 leads → 96 qualified leads (80%) → 24 deals (25%)\n" in text
    assert "Lead → deal 20% · revenue ₽1,080,000 · average deal ₽45,000" in text
    # Everyone's line, best completion first: 600 000 of 681 818,18 is 88 %.
    assert ("1. 🚀 User43 — Revenue ₽600,000 of ₽681,818.18 (88%) 🚀, forecast ₽4,500,000; "
            "Qualified leads 96; Deals 14") in text
    assert ("2. 🚀 User42 — Revenue ₽480,000 of ₽681,818.18 (70%) 🚀, forecast ₽7,200,000; "
            "Deals 10") in text
    assert "3. ▫️ User44 — Leads 120; CPL ₽500" in text
    # Thursday was a working day for all three; Boris logged only today.
    assert "Not logged yesterday: User43." in text
    assert "You see the team's totals" not in text
    assert owner.labels() == ["‹ Back"]
    await owner.tap("‹ Back")
    assert owner.text.startswith("Team “User42”")


async def test_a_member_sees_the_teams_aggregates_and_only_their_own_figures(
    friday: BotHarness,
) -> None:
    boris = Chat(friday, BORIS, "ru")
    text = await open_board(boris)
    assert text.startswith("📊 Доска команды «User42», пятница, 11 апреля\n")
    assert ("🎯 Сегодня команде нужно 63\u00a0116,89\u00a0₽ по показателю «Выручка», чтобы идти "
            "по плану.") in text
    assert ("Осталось 883\u00a0636,36\u00a0₽ на 14 рабочих дней. Сегодня уже внесено "
            "600\u00a0000\u00a0₽.") in text
    assert "Выручка: 1\u00a0080\u00a0000\u00a0₽ из 1\u00a0363\u00a0636,36\u00a0₽" in text
    assert ("📣 Маркетинг: 120 лидов · расходы 60\u00a0000\u00a0₽ · 500\u00a0₽ за лид\n"
            in text)
    assert "🤝 Продажи: 120 лидов → 96 квал. лидов (80\u00a0%) → 24 сделки (25\u00a0%)\n" in text
    assert ("Лид → сделка 20\u00a0% · выручка 1\u00a0080\u00a0000\u00a0₽ · средний чек "
            "45\u00a0000\u00a0₽") in text
    assert ("Ваши цифры:\n🚀 User43 — Выручка 600\u00a0000\u00a0₽ из 681\u00a0818,18\u00a0₽ "
            "(88\u00a0%) 🚀, прогноз 4\u00a0500\u00a0000\u00a0₽; Квал. лиды 96; Сделки 14") in text
    # Not a colleague's line, figure or name: how many have not logged, not who.
    assert "User42 —" not in text
    assert "User44" not in text
    assert "480\u00a0000" not in text
    assert "Вчера 1 человек не внёс результаты." in text
    assert "Участники:" not in text
    assert text.endswith("Вы видите итоги команды и свои цифры; руководитель и администраторы "
                         "видят цифры всех.")
    assert boris.labels() == ["‹ Назад"]


async def test_a_member_in_english_and_everyone_logged_yesterday(
    friday: BotHarness, clock: ManualClock
) -> None:
    vera = Chat(friday, VERA)
    text = await open_board(vera)
    assert "Your figures:\n▫️ User44 — Leads 120; CPL ₽500" in text
    assert "1 person has not logged yesterday." in text
    assert "User43" not in text
    assert "₽600,000 of" not in text
    assert "Funnel this period:\n📣 Marketing: 120 leads · spend ₽60,000 · ₽500 per lead" in text
    # On Monday, yesterday was Sunday: nobody is missing, so nothing is said about it.
    clock.set(datetime(2025, 4, 14, 6, 0, tzinfo=UTC))
    text = await open_board(vera)
    assert "yesterday" not in text
    # On Friday the owner and Vera log too; on Saturday, nobody's working day, everyone had
    # logged yesterday, and there is no number for today.
    clock.set(FRIDAY)
    await Chat(friday, OWNER).say("revenue 20 000")
    await vera.say("leads 10, spend 5 000")
    clock.set(datetime(2025, 4, 12, 6, 0, tzinfo=UTC))
    text = await open_board(vera)
    assert "Everyone logged yesterday. 👏" in text
    assert "Today the team needs" not in text
    assert "📣 Marketing: 130 leads · spend ₽65,000 · ₽500 per lead" in text


async def test_the_funnel_shows_only_the_parts_the_team_tracks(
    harness: BotHarness, clock: ManualClock
) -> None:
    clock.set(THURSDAY)
    code = await onboard_another_owner(harness, OWNER, "2", "3000000")
    await join(harness, BORIS, code, "ru", "Менеджер по продажам")
    track(harness, {OWNER: ["revenue"], BORIS: ["revenue"]})
    owner = Chat(harness, OWNER)
    await owner.say("revenue 100 000")
    text = await open_board(owner)
    assert "Funnel" not in text  # revenue alone: no leads, no conversion
    assert "Marketing" not in text
    assert "Sales:" not in text
    assert "Today the team needs ₽" in text
