"""``/team`` → 📊: the team board, as the person pressing it may see it.

A read action over the unit of work the caller has opened: load the team with the plan in
force on the viewer's local date and the period's entries, build the board
(:func:`kpi_core.tracking.board.build_board`), and narrow it for a member. Seeing everyone's
figures is :attr:`~kpi_core.services.permissions.TeamAction.SEE_PEOPLE` (the owner and admins,
:data:`~kpi_core.services.permissions.ALLOWED`); a member sees their own line and the team's
aggregates (totals, funnel, today's need, how many have not logged yesterday).
"""

from __future__ import annotations

from datetime import date, timedelta

from kpi_core.model import Membership
from kpi_core.ports import CalendarProvider, UnitOfWork
from kpi_core.services.membership import BoardView
from kpi_core.services.people import ledger_for, team_state
from kpi_core.services.permissions import TeamAction, allows
from kpi_core.tracking.board import build_board, for_member

__all__ = ["team_board"]


def team_board(
    uow: UnitOfWork, calendars: CalendarProvider, viewer: Membership, today: date
) -> BoardView | None:
    """The board of the viewer's team on their local ``today`` (``None``: nobody in it).

    Args:
        uow: An open unit of work (nothing is written).
        calendars: The production calendars.
        viewer: The current membership of whoever asks (their authority).
        today: Their local date.
    """
    team = team_state(uow, calendars, viewer.team_id, today)
    if not team.members:
        return None
    ids = [m.user_id for m in team.members]
    ledger = ledger_for(uow, ids, [team.plan], today, today - timedelta(days=1))
    board = build_board(team, ledger, today=today)
    everyone = allows(viewer, TeamAction.SEE_PEOPLE, viewer.team_id)
    return BoardView(board if everyone else for_member(board, viewer.user_id), everyone)
