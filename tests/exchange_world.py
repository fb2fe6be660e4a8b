"""A small team with a history of entries, for the export and import tests.

Anna (Telegram 101) owns «Отдел продаж»; Boris (102) is a member; Vera (103) owns another team.
The plan runs through April 2025 in roubles; Anna logs revenue and cold calls, Boris cold calls
and meetings. Some values were corrected (a second version) and one was undone (removed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from kpi_core.model import Membership, Plan, PlanTarget, Team, TeamRole, User
from kpi_core.ports import Clock, UnitOfWork
from kpi_core.services.common import Deps, Who
from tests.services.daily_world import FixedProvider

ANNA, BORIS, VERA = 101, 102, 103
NOW = datetime(2025, 4, 30, 15, 0, tzinfo=UTC)  # 18:00 in Moscow


@dataclass(frozen=True)
class Ids:
    anna: int
    boris: int
    vera: int
    team: int


def deps(clock: Clock) -> Deps:
    return Deps(clock, FixedProvider())


def who(telegram_id: int, language: str = "en") -> Who:
    return Who(telegram_id, telegram_id, language, "")


def build_team(new_uow: Callable[[], UnitOfWork]) -> Ids:
    """The people, teams, plan and KPIs, without any entries (an "empty" database)."""
    with new_uow() as uow:
        anna = uow.users.add(User(ANNA, language="ru", display_name="Анна", onboarded=True))
        boris = uow.users.add(User(BORIS, display_name="Boris", onboarded=True))
        vera = uow.users.add(User(VERA, display_name="Vera", onboarded=True))
        assert anna.id
        assert boris.id
        assert vera.id
        team = uow.teams.add(Team("Отдел продаж", anna.id))
        other = uow.teams.add(Team("Other", vera.id))
        assert team.id
        assert other.id
        start = date(2025, 4, 1)
        uow.teams.add_member(Membership(team.id, anna.id, TeamRole.OWNER, Decimal(1), start))
        uow.teams.add_member(Membership(team.id, boris.id, TeamRole.MEMBER, Decimal(1), start))
        uow.teams.add_member(Membership(other.id, vera.id, TeamRole.OWNER, Decimal(1), start))
        uow.plans.add(Plan(team.id, start, date(2025, 4, 30), "RUB", [
            PlanTarget("revenue", Decimal(1_000_000)), PlanTarget("cold_calls", Decimal(800))]))
        uow.assignments.replace(anna.id, team.id, ["revenue", "cold_calls"])
        uow.assignments.replace(boris.id, team.id, ["cold_calls", "meetings"])
        uow.assignments.replace(vera.id, other.id, ["revenue"])
        uow.commit()
        return Ids(anna.id, boris.id, vera.id, team.id)


def log_history(new_uow: Callable[[], UnitOfWork], ids: Ids) -> None:
    """Three weeks of entries, with corrections by the owner and one undone value."""
    with new_uow() as uow:
        base = datetime(2025, 4, 1, 15, 0, 0, 125000, tzinfo=UTC)
        for n in range(21):
            day = date(2025, 4, 1) + timedelta(days=n)
            at = base + timedelta(days=n)
            uow.entries.record(ids.anna, "revenue", day, Decimal("45000.50") + n, ids.anna, at)
            uow.entries.record(ids.anna, "cold_calls", day, Decimal(30 + n), ids.anna, at)
            uow.entries.record(ids.boris, "cold_calls", day, Decimal(40 + n), ids.boris, at)
            if n % 5 == 0:
                uow.entries.record(ids.boris, "meetings", day, Decimal(2), ids.boris, at)
        # The owner corrected Boris's calls on 3 April; Anna undid her revenue of 5 April.
        later = base + timedelta(days=20, minutes=5)
        uow.entries.record(ids.boris, "cold_calls", date(2025, 4, 3), Decimal(45), ids.anna, later)
        uow.entries.record(ids.anna, "revenue", date(2025, 4, 5), None, ids.anna, later)
        uow.commit()


def snapshot(new_uow: Callable[[], UnitOfWork], ids: Ids) -> list[tuple[object, ...]]:
    """Every entry with its whole history, by Telegram id (ids differ between databases)."""
    telegram = {ids.anna: ANNA, ids.boris: BORIS, ids.vera: VERA}
    with new_uow() as uow:
        versions = uow.entries.versions_in_range(
            [ids.anna, ids.boris, ids.vera], date(2000, 1, 1), date(2030, 1, 1))
        return [(telegram[e.user_id], e.kpi_id, e.day, e.version, e.value, r.version, r.value,
                 telegram.get(r.entered_by or 0), r.entered_at)
                for e, r in versions]
