"""The exact-decimal column agrees with the number parser: nothing beyond MAX_VALUE is stored,
on SQLite and on PostgreSQL, and 10^15 with the fraction digits we keep fits exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import StatementError

from bot.storage import tables as t
from kpi_core.parsing.numbers import MAX_VALUE, ValueTooLarge, parse_amount

AT = datetime(2025, 11, 24, 7, 0, tzinfo=UTC)


def _user(engine: Engine) -> int:
    with engine.begin() as conn:
        key = conn.execute(insert(t.users).values(
            telegram_id=1, language="en", timezone="UTC", country="RU",
            working_weekdays="0,1,2,3,4", display_name="", active=True, onboarded=False,
            created_at=AT,
        )).inserted_primary_key
    assert key is not None
    return int(key[0])


def _store(engine: Engine, user_id: int, value: Decimal, kpi_id: str = "revenue") -> Decimal:
    with engine.begin() as conn:
        conn.execute(insert(t.entries).values(
            user_id=user_id, kpi_id=kpi_id, day=date(2025, 11, 24), value=value, version=1,
            entered_at=AT,
        ))
    with engine.connect() as conn:
        stored = conn.execute(
            select(t.entries.c.value).where(t.entries.c.kpi_id == kpi_id)
        ).scalar_one()
    assert isinstance(stored, Decimal)
    return stored


def test_the_largest_value_the_parser_accepts_is_stored_exactly(engine: Engine) -> None:
    me = _user(engine)
    largest = parse_amount("1 000 000 000 000 000", "ru")
    assert largest == MAX_VALUE
    assert _store(engine, me, largest) == MAX_VALUE
    with_kopecks = Decimal("999999999999999.99")
    stored = _store(engine, me, with_kopecks, "deals")
    assert stored == with_kopecks
    assert str(stored) == "999999999999999.99"


@pytest.mark.parametrize("value", [Decimal(MAX_VALUE) + Decimal("0.01"), Decimal("9" * 38),
                                   -Decimal(MAX_VALUE) - 1])
def test_the_column_refuses_what_the_parser_refuses(engine: Engine, value: Decimal) -> None:
    me = _user(engine)
    with pytest.raises(ValueTooLarge):
        parse_amount(format(value, "f"), "en", allow_negative=True)
    with pytest.raises(StatementError, match="largest storable"):
        _store(engine, me, value)
