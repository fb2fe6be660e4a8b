"""/export and /import through the real application, in English and Russian."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.bot.harness import BotHarness
from tests.bot.test_team import BORIS, OWNER, april, join, onboard_owner
from tests.fakes import ManualClock

__all__ = ["april"]  # the fixture, used by name


def _kpis_of(harness: BotHarness, telegram_id: int) -> tuple[int, list[str]]:
    with harness.services.uow_factory() as uow:
        user = uow.users.by_telegram_id(telegram_id)
        assert user is not None
        assert user.id is not None
        return user.id, [a.kpi_id for a in uow.assignments.for_user(user.id)]


async def test_export_sends_a_document_in_english_and_russian(april: BotHarness) -> None:
    code = await onboard_owner(april)
    await join(april, BORIS, code, "ru", "Менеджер по продажам")
    owner_id, kpis = _kpis_of(april, OWNER)
    with april.services.uow_factory() as uow:
        uow.entries.record(owner_id, kpis[0], date(2025, 4, 9), Decimal(12), owner_id,
                           april.clock.now())
        uow.commit()
    april.clear()
    await april.send(OWNER, "/export")
    labels = [label for row in april.last_buttons(OWNER) for label, _ in row]
    assert labels == ["📊 XLSX", "📄 CSV", "👥 Team XLSX", "👥 Team CSV"]
    await april.click(OWNER, "👥 Team XLSX")
    sent = april.calls_to("sendDocument")
    assert len(sent) == 1
    assert "document" in sent[0].files
    assert sent[0].params["caption"] == "Your export: kpi-coach_user42_2025-04-10.xlsx"
    april.clear()
    await april.send(BORIS, "/export", language_code="ru")
    labels = [label for row in april.last_buttons(BORIS) for label, _ in row]
    assert labels == ["📊 XLSX", "📄 CSV"]  # a member: their own entries only
    assert "Ваши записи" in april.last_message(BORIS).text
    await april.click(BORIS, "📄 CSV")
    sent = april.calls_to("sendDocument")
    assert len(sent) == 1
    assert sent[0].params["caption"].startswith("Ваша выгрузка: kpi-coach_")
    assert sent[0].params["caption"].endswith("_2025-04-10.csv")


async def test_a_team_export_forged_by_a_member_is_refused(april: BotHarness) -> None:
    code = await onboard_owner(april)
    await join(april, BORIS, code, "en", "Sales manager")
    await april.send(BORIS, "/export")
    april.clear()
    await april.press(BORIS, "x:xlsx:team")
    assert april.calls_to("sendDocument") == []
    assert "Only the team's owner or an admin can do this." in april.sent_texts(BORIS)[-1]


async def test_a_file_over_20_mb_is_refused_before_downloading(april: BotHarness) -> None:
    code = await onboard_owner(april)
    await join(april, BORIS, code, "ru", "Менеджер по продажам")
    april.clear()
    await april.send_document(OWNER, b"Date,Value\n", "big.csv", file_size=21 * 1024 * 1024)
    assert "larger than 20 MB" in april.sent_texts(OWNER)[-1]
    await april.send_document(BORIS, b"Date,Value\n", "big.csv", "ru",
                              file_size=21 * 1024 * 1024)
    assert "больше 20 МБ" in april.sent_texts(BORIS)[-1]
    assert april.calls_to("getFile") == []  # refused before anything was downloaded


async def test_import_shows_a_preview_that_survives_a_restart(
    april: BotHarness, clock: ManualClock
) -> None:
    code = await onboard_owner(april)
    await join(april, BORIS, code, "en", "Sales manager")
    _, kpis = _kpis_of(april, BORIS)
    boris_id, _ = _kpis_of(april, BORIS)
    await april.send(OWNER, "/import")
    assert "CSV or XLSX" in april.last_message(OWNER).text
    data = (f"Date;Telegram id;KPI id;Value\n08.04.2025;{BORIS};{kpis[0]};7\n"
            f"09.04.2025;{BORIS};{kpis[0]};8\n").encode("utf-8-sig")
    await april.send_document(OWNER, data, "history.csv")
    preview = april.last_message(OWNER)
    assert "2 rows can be taken" in preview.text
    assert "User43: 2" in preview.text
    await april.restart()  # the pending import is in the database
    await april.click(OWNER, "✅ Import")
    assert april.sent_texts(OWNER)[-1] == "Imported: 2 entries updated."
    with april.services.uow_factory() as uow:
        entry = uow.entries.get(boris_id, kpis[0], date(2025, 4, 9))
        assert entry is not None
        assert entry.value == Decimal(8)
    april.clear()
    await april.press(OWNER, preview.buttons[0][0][1] or "", message_id=preview.message_id)
    assert "no longer waiting" in april.sent_texts(OWNER)[-1]  # done once, never twice


async def test_a_file_with_a_bad_row_imports_nothing_and_names_it(april: BotHarness) -> None:
    code = await onboard_owner(april)
    await join(april, BORIS, code, "ru", "Менеджер по продажам")
    _, kpis = _kpis_of(april, BORIS)
    data = (f"Дата;Telegram id;KPI id;Значение\n08.04.2025;{BORIS};{kpis[0]};7\n"
            f"09.04.2025;{BORIS};nonsense;8\n").encode()
    await april.send_document(BORIS, data, "история.csv", "ru")
    text = april.last_message(BORIS).text
    assert "Строка 3: неизвестный показатель «nonsense»" in text
    assert april.last_buttons(BORIS) == []
