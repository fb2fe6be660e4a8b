"""Column types that keep values exact on both SQLite and PostgreSQL.

* :class:`ExactDecimal` — ``Decimal`` in, the same ``Decimal`` out. Unconstrained ``NUMERIC`` on
  PostgreSQL (the scale typed is preserved: ``12.50`` stays ``12.50``); a canonical decimal
  string in a ``TEXT`` column on SQLite, whose ``NUMERIC`` affinity would go through a float.
  Values beyond :data:`kpi_core.parsing.numbers.MAX_VALUE` (10^15) either way are refused on
  both databases, as the parser refuses them: what a person cannot type cannot be stored.

  Why not ``NUMERIC(p, s)`` on PostgreSQL: a fixed scale pads every value (``12.50`` would come
  back as ``12.500000…``, shown with all those digits) and silently *rounds* extra fraction
  digits instead of refusing them. Unconstrained ``NUMERIC`` holds 10^15 with any fraction
  digits we keep (kopecks, typed fractions, 19-digit weights) exactly; the bound is the type's.
* :class:`UTCDateTime` — timezone-aware UTC ``datetime`` in and out. ``TIMESTAMP WITH TIME
  ZONE`` on PostgreSQL; a fixed-width ISO 8601 UTC string (``2025-01-31T09:00:00.000000Z``) on
  SQLite, which sorts and compares correctly as text. Naive datetimes are refused.

Migrations refer to these classes by their import path (``bot.storage.types.ExactDecimal()``),
so keep the names and the module stable.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Dialect, Numeric, Text
from sqlalchemy.dialects import sqlite
from sqlalchemy.types import TypeDecorator, TypeEngine

from kpi_core.parsing.numbers import MAX_VALUE

# SQLite: ISO 8601 with a "T" and a "Z"; always six fraction digits so text order is time order.
_SQLITE_STORAGE_FORMAT = (
    "%(year)04d-%(month)02d-%(day)02dT%(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06dZ"
)
_SQLITE_REGEXP = r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{6}))?Z?"


def canonical_decimal(value: Decimal) -> str:
    """Return ``value`` as a plain decimal string (no exponent), keeping its scale.

    Raises:
        ValueError: for NaN and infinities, which no column here accepts.
    """
    if not value.is_finite():
        raise ValueError(f"not a finite decimal: {value!r}")
    return format(value, "f")


class ExactDecimal(TypeDecorator[Decimal]):
    """An exact ``Decimal``: ``NUMERIC`` on PostgreSQL, canonical text on SQLite."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(asdecimal=True))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            # A float here is a bug upstream: it has already lost exactness.
            raise TypeError(f"ExactDecimal takes Decimal or int, not {type(value).__name__}")
        decimal = Decimal(value)
        if not decimal.is_finite():
            raise ValueError(f"not a finite decimal: {decimal!r}")
        if abs(decimal) > MAX_VALUE:
            # The parser refuses these with a message; reaching here is a bug upstream.
            raise ValueError(f"{decimal} is beyond the largest storable magnitude {MAX_VALUE}")
        if dialect.name == "postgresql":
            return decimal
        return canonical_decimal(decimal)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, Decimal):
            return value
        return Decimal(str(value))

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC ``datetime``; naive values are rejected."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            stored_as_text = sqlite.DATETIME(  # type: ignore[no-untyped-call]  # untyped __init__
                storage_format=_SQLITE_STORAGE_FORMAT, regexp=_SQLITE_REGEXP
            )
            return dialect.type_descriptor(stored_as_text)
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UTCDateTime takes datetime, not {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware UTC datetime")
        utc = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return utc.replace(tzinfo=None)
        return utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):  # pragma: no cover - drivers return datetime
            raise TypeError(f"unexpected {type(value).__name__} from the database")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    @property
    def python_type(self) -> type[datetime]:
        return datetime
