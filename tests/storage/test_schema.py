"""What the schema itself guarantees, below the repositories: unique keys refuse double rows,
foreign keys are enforced, and exact types store what they promise on each database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, Table, insert, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from bot.storage import tables as t

AT = datetime(2025, 11, 24, 7, 0, tzinfo=UTC)
DAY = date(2025, 11, 24)


def _insert(engine: Engine, table: Table, **values: Any) -> int | None:
    with engine.begin() as conn:
        result = conn.execute(insert(table).values(**values))
        key = result.inserted_primary_key
        return int(key[0]) if key and key[0] is not None else None


def _user(engine: Engine, telegram_id: int = 1) -> int:
    user_id = _insert(
        engine,
        t.users,
        telegram_id=telegram_id,
        language="en",
        timezone="UTC",
        country="RU",
        working_weekdays="0,1,2,3,4",
        display_name="",
        active=True,
        onboarded=False,
        created_at=AT,
    )
    assert user_id is not None
    return user_id


def _team(engine: Engine, owner: int) -> int:
    team_id = _insert(engine, t.teams, name="T", owner_user_id=owner, created_at=AT)
    assert team_id is not None
    return team_id


def _entry(user_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "kpi_id": "calls",
        "day": DAY,
        "value": Decimal(1),
        "version": 1,
        "entered_at": AT,
        **extra,
    }


def _delivery(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "digest",
        "chat_id": -100123,
        "local_date": DAY,
        "due_at": AT,
        "expires_at": AT + timedelta(hours=3),
        "status": "pending",
        "attempts": 0,
        **extra,
    }


def test_unique_keys_refuse_double_rows(engine: Engine) -> None:
    me = _user(engine)
    team = _team(engine, me)
    with pytest.raises(IntegrityError):
        _user(engine, telegram_id=1)
    doubles: list[tuple[Table, dict[str, Any]]] = [
        (t.entries, _entry(me)),
        (t.days_off, {"user_id": me, "day": DAY, "kind": "sick"}),
        (t.kpi_assignments, {"user_id": me, "team_id": team, "kpi_id": "calls", "position": 0}),
        (t.memberships, {"team_id": team, "user_id": me, "role": "owner", "weight": Decimal(1)}),
        (t.processed_updates, {"update_id": 7, "processed_at": AT}),
        (t.deliveries, _delivery()),
        (
            t.group_chats,
            {"chat_id": -100123, "team_id": team, "title": "", "language": "en", "active": True},
        ),
    ]
    for table, values in doubles:
        _insert(engine, table, **values)
        with pytest.raises(IntegrityError):
            _insert(engine, table, **values)
    entry_id = _insert(engine, t.entries, **_entry(me, kpi_id="deals"))
    revision = {"entry_id": entry_id, "version": 1, "value": None, "entered_at": AT}
    _insert(engine, t.entry_revisions, **revision)
    with pytest.raises(IntegrityError):
        _insert(engine, t.entry_revisions, **revision)
    # The same delivery for another day, or another kind, is fine.
    _insert(engine, t.deliveries, **_delivery(local_date=DAY + timedelta(days=1)))
    _insert(engine, t.deliveries, **_delivery(kind="reminder"))


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with pytest.raises(IntegrityError):
        _insert(engine, t.entries, **_entry(12345))


def test_deleting_a_user_cascades(engine: Engine) -> None:
    me = _user(engine)
    entry_id = _insert(engine, t.entries, **_entry(me))
    _insert(engine, t.entry_revisions, entry_id=entry_id, version=1, entered_at=AT)
    _insert(engine, t.days_off, user_id=me, day=DAY, kind="sick")
    with engine.begin() as conn:
        conn.execute(t.users.delete().where(t.users.c.id == me))
    with engine.connect() as conn:
        for table in (t.entries, t.entry_revisions, t.days_off):
            assert conn.execute(select(table)).all() == []


@pytest.mark.parametrize(
    "text_value",
    ["999999999999999.99", "1000000000000000", "-1000000000000000", "0.01", "45454.55",
     "0.0000001", "100.10", "0.3333333333333333333"],
)
def test_decimals_are_stored_exactly(engine: Engine, text_value: str) -> None:
    me = _user(engine)
    _insert(engine, t.entries, **_entry(me, value=Decimal(text_value)))
    with engine.connect() as conn:
        assert conn.execute(select(t.entries.c.value)).scalar_one() == Decimal(text_value)
        if engine.dialect.name == "sqlite":
            raw = conn.execute(text("SELECT value, typeof(value) FROM entries")).one()
            assert tuple(raw) == (text_value, "text")  # never through a float
        else:
            raw = conn.execute(
                text("SELECT value::text, pg_typeof(value)::text FROM entries")
            ).one()
            assert tuple(raw) == (text_value, "numeric")  # the scale typed is kept


def test_exact_decimal_refuses_floats_and_nan(engine: Engine) -> None:
    me = _user(engine)
    with pytest.raises(StatementError, match="TypeError"):
        _insert(engine, t.entries, **_entry(me, value=0.1))
    with pytest.raises(StatementError, match="finite"):
        _insert(engine, t.entries, **_entry(me, value=Decimal("NaN")))


def test_timestamps_are_utc_and_naive_ones_refused(engine: Engine) -> None:
    me = _user(engine)
    plus_three = timezone(timedelta(hours=3))
    _insert(
        engine, t.entries, **_entry(me, entered_at=datetime(2025, 11, 24, 10, 0, 0, 5, plus_three))
    )
    with engine.connect() as conn:
        stored = conn.execute(select(t.entries.c.entered_at)).scalar_one()
        assert stored == datetime(2025, 11, 24, 7, 0, 0, 5, tzinfo=UTC)
        assert stored.tzinfo == UTC
        if engine.dialect.name == "sqlite":
            raw = conn.execute(text("SELECT entered_at FROM entries")).scalar_one()
            assert raw == "2025-11-24T07:00:00.000005Z"
            # Text order is time order, so range queries in SQL are right.
            earlier = conn.execute(
                select(t.entries.c.id).where(
                    t.entries.c.entered_at < AT + timedelta(microseconds=6)
                )
            ).all()
            assert len(earlier) == 1
    with pytest.raises(StatementError, match="naive"):
        _insert(engine, t.entries, **_entry(me, kpi_id="x", entered_at=datetime(2025, 1, 1)))


def test_telegram_ids_need_64_bits(engine: Engine) -> None:
    big = 2**53 + 1
    me = _user(engine, telegram_id=big)
    _insert(engine, t.processed_updates, update_id=big, processed_at=AT)
    with engine.connect() as conn:
        assert (
            conn.execute(select(t.users.c.telegram_id).where(t.users.c.id == me)).scalar_one()
            == big
        )
