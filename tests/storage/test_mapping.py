"""The one row ↔ dataclass mapping: every column has its field, and values survive a trip."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import create_engine, insert, select

from bot.storage import mapping
from bot.storage import tables as t
from kpi_core.model import TeamRole, User

# Columns a repository fills in itself, not fields of the model.
REPOSITORY_COLUMNS = {
    "plan_targets": {"id", "plan_id", "position"},
    "entry_revisions": {"id"},
}

MAPPERS = [value for name, value in vars(mapping).items()
           if name.isupper() and isinstance(value, mapping.Mapper)]


@pytest.mark.parametrize("mapper", MAPPERS, ids=lambda m: m.table.name)
def test_every_column_is_a_field(mapper: mapping.Mapper[object]) -> None:
    names = {f.name for f in fields(mapper.model)}  # type: ignore[arg-type]  # dataclasses
    columns = set(mapper.table.c.keys())
    assert columns - names <= REPOSITORY_COLUMNS.get(mapper.table.name, set())


def test_a_user_round_trips_with_its_weekdays_and_times() -> None:
    engine = create_engine("sqlite://")
    t.users.create(engine)
    user = User(telegram_id=7, working_weekdays=frozenset({1, 3, 6}), digest_time=time(8, 30),
                reminder_time=None, display_name="Анна")
    with engine.begin() as conn:
        created = datetime(2026, 12, 4, 9, tzinfo=UTC)
        conn.execute(insert(t.users).values(**mapping.USERS.values(user), created_at=created))
        row = conn.execute(select(t.users)).one()
    back = mapping.USERS.load(row)
    assert back.working_weekdays == frozenset({1, 3, 6})
    assert (back.digest_time, back.reminder_time, back.display_name) == (time(8, 30), None, "Анна")
    assert back.id == 1


def test_enums_are_stored_as_their_values() -> None:
    from kpi_core.model import Membership

    values = mapping.MEMBERSHIPS.values(Membership(team_id=1, user_id=2, role=TeamRole.ADMIN))
    assert values["role"] == "admin"
    assert "id" not in values
