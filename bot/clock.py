"""The production clock (the ``kpi_core.ports.Clock`` port)."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """The real clock: timezone-aware UTC now."""

    def now(self) -> datetime:
        """Return the current aware UTC datetime."""
        return datetime.now(UTC)
