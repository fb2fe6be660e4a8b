"""The planner is a use case: :class:`kpi_core.services.deliveries.Planner`.

Re-exported here for the scheduler's runtime, which runs its passes in a worker thread.
"""

from __future__ import annotations

from kpi_core.services.deliveries import Planner, PlanStats

__all__ = ["PlanStats", "Planner"]
