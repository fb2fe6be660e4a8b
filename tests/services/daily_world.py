"""Arrange people, teams, plans and KPI assignments for the daily-loop tests.

Until onboarding creates them, the daily-loop tests build them directly through a unit of work
(fake or SQL): ``person(uow_factory, telegram_id=42, kpis=[...], targets={...})``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, time
from decimal import Decimal

from kpi_core.model import (
    Membership,
    Plan,
    PlanTarget,
    Team,
    TeamRole,
    User,
)
from kpi_core.planning.calendar import FixedCalendar
from kpi_core.ports import UnitOfWork, WorkingCalendar

# Russia 2025, the days these tests touch (public holidays and transfers).
RU_2025 = FixedCalendar(
    holidays=[date(2025, 1, d) for d in range(1, 9)]
    + [
        date(2025, 5, 1),
        date(2025, 5, 2),
        date(2025, 5, 8),
        date(2025, 5, 9),
        date(2025, 6, 12),
        date(2025, 6, 13),
        date(2025, 11, 3),
        date(2025, 11, 4),
        date(2025, 12, 31),
    ],
    extra_workdays=[date(2025, 11, 1)],
)


class FixedProvider:
    """A ``CalendarProvider`` with the Russian 2025 excerpt for every country."""

    def for_country(self, country: str) -> WorkingCalendar:
        """The same calendar whatever the country."""
        return RU_2025


APRIL = (date(2025, 4, 1), date(2025, 4, 30))  # 22 working days in Russia, no holidays


def person(
    new_uow: Callable[[], UnitOfWork],
    telegram_id: int = 42,
    *,
    kpis: Sequence[str] = ("cold_calls", "meetings", "revenue"),
    targets: Mapping[str, Decimal | int] | None = None,
    period: tuple[date, date] = APRIL,
    timezone: str = "Europe/Moscow",
    language: str = "en",
    name: str = "",
    team_id: int | None = None,
    role: TeamRole = TeamRole.OWNER,
    weight: Decimal = Decimal(1),
    reminder_time: time | None = time(18, 0),
    digest_time: time | None = time(9, 0),
    currency: str = "RUB",
) -> tuple[int, int]:
    """Create a person (with a team of their own unless ``team_id``), a plan, KPIs.

    Returns:
        (user id, team id).
    """
    with new_uow() as uow:
        user = uow.users.add(
            User(
                telegram_id=telegram_id,
                language=language,
                timezone=timezone,
                onboarded=True,
                display_name=name or f"User{telegram_id}",
                reminder_time=reminder_time,
                digest_time=digest_time,
            )
        )
        assert user.id is not None
        if team_id is None:
            team = uow.teams.add(Team(name=f"Team of {user.display_name}", owner_user_id=user.id))
            assert team.id is not None
            team_id = team.id
            if targets is not None:
                uow.plans.add(
                    Plan(
                        team_id=team_id,
                        period_start=period[0],
                        period_end=period[1],
                        currency=currency,
                        targets=[PlanTarget(k, Decimal(v)) for k, v in targets.items()],
                        created_by=user.id,
                    )
                )
        uow.teams.add_member(Membership(team_id=team_id, user_id=user.id, role=role, weight=weight))
        uow.assignments.replace(user.id, team_id, list(kpis))
        uow.commit()
        return user.id, team_id


def log(
    new_uow: Callable[[], UnitOfWork],
    user_id: int,
    values: Mapping[date, Mapping[str, Decimal | int]],
) -> None:
    """Record entries directly (the history of earlier days)."""
    from datetime import UTC, datetime

    with new_uow() as uow:
        for day, items in values.items():
            for metric, value in items.items():
                uow.entries.record(
                    user_id,
                    metric,
                    day,
                    Decimal(value),
                    user_id,
                    datetime(day.year, day.month, day.day, 15, tzinfo=UTC),
                )
        uow.commit()
