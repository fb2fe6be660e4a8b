"""Who may change what in a team: one table, one check, used by every entry point.

A person's authority is their current membership (by Telegram user id, through the unit of
work: never a username, a display name or what a button says). :data:`ALLOWED` lists, for each
team-changing action, the roles that may do it; :func:`check` answers with ``None`` (allowed)
or the translated refusal that names the role needed. The matrix test
(``tests/services/test_permissions.py``) is generated from the same table.
"""

from __future__ import annotations

from enum import StrEnum

from kpi_core.messages import N_, Message
from kpi_core.model import Membership, TeamRole

__all__ = ["ALLOWED", "TeamAction", "allows", "check"]


class TeamAction(StrEnum):
    """The things that change a team (or show what only its managers see)."""

    SEE_ROSTER = "see_roster"
    """The members with their roles, and the invite link."""
    NEW_LINK = "new_link"
    """A new invite link (the old one stops working)."""
    REMOVE_MEMBER = "remove_member"
    """Remove a member (not an admin, not the owner)."""
    REMOVE_ADMIN = "remove_admin"
    """Remove an admin."""
    CHANGE_ROLE = "change_role"
    """Make a member an admin, or an admin a member again."""
    TRANSFER = "transfer"
    """Hand the team over to another member (the owner becomes an admin)."""
    LINK_GROUP = "link_group"
    """Send the team digest to a group chat (``/link``); ``/unlink`` stops it."""
    EDIT_PLAN = "edit_plan"
    """Change the team's plan, period and targets (``/plan``, ``/kpis`` → 🎯)."""
    SET_DAYS_OFF = "set_days_off"
    """Mark a member's days off (vacation, sick leave), their share moving to the rest of the
    team; having a day off *reduce* the plan is :attr:`EDIT_PLAN`."""
    SEE_PEOPLE = "see_people"
    """Everyone's own figures on the team board (members see the team's totals and their
    own standing only)."""
    EXPORT_TEAM = "export_team"
    """Everyone's entries as a file (``/export``; anyone may export their own)."""
    IMPORT_TEAM = "import_team"
    """Past entries of the team's members from a file (``/import``; anyone may import their
    own)."""


_OWNER = frozenset({TeamRole.OWNER})
_MANAGERS = frozenset({TeamRole.OWNER, TeamRole.ADMIN})

ALLOWED: dict[TeamAction, frozenset[TeamRole]] = {
    TeamAction.SEE_ROSTER: _MANAGERS,
    TeamAction.NEW_LINK: _MANAGERS,
    TeamAction.REMOVE_MEMBER: _MANAGERS,
    TeamAction.REMOVE_ADMIN: _OWNER,
    TeamAction.CHANGE_ROLE: _OWNER,
    TeamAction.TRANSFER: _OWNER,
    TeamAction.LINK_GROUP: _MANAGERS,
    TeamAction.EDIT_PLAN: _OWNER,
    TeamAction.SET_DAYS_OFF: _MANAGERS,
    TeamAction.SEE_PEOPLE: _MANAGERS,
    TeamAction.EXPORT_TEAM: _MANAGERS,
    TeamAction.IMPORT_TEAM: _MANAGERS,
}

_ONLY_OWNER = N_("Only the team's owner can do this.")
_ONLY_MANAGERS = N_("Only the team's owner or an admin can do this.")
_NOT_A_MEMBER = N_("This is for the members of this team only.")


def allows(membership: Membership | None, action: TeamAction, team_id: int | None) -> bool:
    """Whether the person with ``membership`` (their current one) may do ``action`` in the
    team ``team_id``."""
    return check(membership, action, team_id) is None


def check(membership: Membership | None, action: TeamAction, team_id: int | None) -> Message | None:
    """``None`` when allowed; else why not, naming the role that may."""
    if (membership is None or membership.left_on is not None or team_id is None
            or membership.team_id != team_id):
        return Message(_NOT_A_MEMBER)
    roles = ALLOWED[action]
    if TeamRole(membership.role) in roles:
        return None
    return Message(_ONLY_OWNER if roles == _OWNER else _ONLY_MANAGERS)
