"""``/team``: who is in the team, the invite link, a new link, removing someone.

The owner (or an admin) sees the members with their roles and joining dates, how many of the
planned people have joined, and the invite link, with buttons to make a new link and to remove
someone; a member sees the team's name and its owner. The buttons carry no authority: every
press is checked here against the presser's current membership, so a forged or outdated button
changes nothing.

Press actions (``tm:<action>[:<membership id>]`` in Telegram): ``new`` (a new invite link; the
old one stops working), ``rm`` (ask before removing), ``rmy`` (remove), ``back``.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from kpi_core.messages import N_, Message
from kpi_core.model import Membership, Team, User
from kpi_core.ports import UnitOfWork
from kpi_core.services import membership as team_ops
from kpi_core.services.common import Deps, Who
from kpi_core.services.membership import ConfirmRemoveView, Notification, TeamView
from kpi_core.services.onboarding import EXPIRED, NoticeView, Reply
from kpi_core.tracking.reminders import local_date, zone

__all__ = ["ACTIONS", "open_team", "press"]

ACTIONS = frozenset({"new", "rm", "rmy", "back"})

_ONBOARD_FIRST = N_("Let's set things up first: send /start.")
_NO_TEAM = N_(
    "You are not in a team. Send /restart to set up your own, or open a team's invite link."
)
_NEW_LINK = N_("Here is the new invite link. The old one no longer works.")
_NOT_ALLOWED = N_("Only the team's owner can do this.")
_NOT_IN_TEAM = N_("This person is not in the team any more.")
_OWNER_STAYS = N_("The team's owner cannot be removed from it.")
_REMOVED = N_("{name} is no longer in the team.")
_YOU_WERE_REMOVED = N_(
    "You are no longer in the team “{team}”. What you logged stays with you; send /restart to "
    "set up on your own."
)


def _current(uow: UnitOfWork, who: Who) -> tuple[User, Membership | None] | None:
    user = uow.users.by_telegram_id(who.telegram_id)
    if user is None or user.id is None or not user.onboarded:
        return None
    return user, team_ops.current_membership(uow, user.id)


def _notice(who: Who, msgid: str) -> Reply:
    return Reply(NoticeView(Message(msgid)), closed=True, language=who.language)


def open_team(uow: UnitOfWork, deps: Deps, who: Who) -> Reply:
    """``/team``: the team as the person may see it (the invite link made if there is none)."""
    with uow:
        found = _current(uow, who)
        if found is None:
            return _notice(who, _ONBOARD_FIRST)
        _, membership = found
        team = uow.teams.get(membership.team_id) if membership else None
        if membership is None or team is None:
            return _notice(who, _NO_TEAM)
        if membership.role in team_ops.MANAGERS:
            team_ops.ensure_invite_code(uow, team, deps.new_invite_code)
        view = team_ops.team_view(uow, team, membership)
        uow.commit()
        return Reply(view, closed=True, language=who.language)


def press(uow: UnitOfWork, deps: Deps, who: Who, action: str, arg: str = "") -> Reply:
    """A button of the ``/team`` screen, checked against who presses it."""
    with uow:
        found = _current(uow, who)
        if found is None:
            return _notice(who, _ONBOARD_FIRST)
        user, membership = found
        team = uow.teams.get(membership.team_id) if membership else None
        if membership is None or team is None:
            return _notice(who, _NO_TEAM)
        if membership.role not in team_ops.MANAGERS:
            return _refused(uow, team, membership, who, _NOT_ALLOWED)
        if action == "new":
            team_ops.regenerate_invite_code(uow, team, deps.new_invite_code)
            uow.commit()
            return _shown(uow, team, membership, who, notice=Message(_NEW_LINK))
        if action in ("rm", "rmy"):
            reply = _remove(uow, deps, who, user, team, membership, arg, confirmed=action == "rmy")
            uow.commit()
            return reply
        if action == "back":
            return _shown(uow, team, membership, who)
        view = team_ops.team_view(uow, team, membership)
        return Reply(view, stale=True, notice=Message(EXPIRED), moved=False, closed=True,
                     language=who.language)


def _shown(
    uow: UnitOfWork,
    team: Team,
    viewer: Membership,
    who: Who,
    *,
    notice: Message | None = None,
    notify: tuple[Notification, ...] = (),
) -> Reply:
    view: TeamView = team_ops.team_view(uow, team, viewer)
    return Reply(view, notice=notice, closed=True, language=who.language, notify=notify)


def _refused(uow: UnitOfWork, team: Team, viewer: Membership, who: Who, msgid: str) -> Reply:
    """The screen as the person may see it, with why the press changed nothing."""
    view = team_ops.team_view(uow, team, viewer)
    return Reply(view, error=Message(msgid), moved=False, closed=True, language=who.language)


def _remove(
    uow: UnitOfWork,
    deps: Deps,
    who: Who,
    user: User,
    team: Team,
    viewer: Membership,
    arg: str,
    *,
    confirmed: bool,
) -> Reply:
    assert team.id is not None
    target = next((m for m in uow.teams.members(team.id) if str(m.id) == arg), None)
    if target is None or target.left_on is not None:
        return _refused(uow, team, viewer, who, _NOT_IN_TEAM)
    if target.user_id == team.owner_user_id:
        return _refused(uow, team, viewer, who, _OWNER_STAYS)
    line = next(
        (m for m in team_ops.roster(uow, team, viewer) if str(m.membership_id) == arg), None
    )
    if line is None or not line.removable:
        return _refused(uow, team, viewer, who, _NOT_ALLOWED)
    if not confirmed:
        return Reply(ConfirmRemoveView(line, team.name), closed=True, language=who.language)
    today = local_date(deps.clock.now(), _zone_or_utc(user.timezone))
    team_ops.remove_member(uow, target, today)
    removed = uow.users.get(target.user_id)
    notify: tuple[Notification, ...] = ()
    if removed is not None:
        message = Message(_YOU_WERE_REMOVED, {"team": team.name})
        notify = (Notification(removed.telegram_id, removed.language, (message,)),)
    notice = Message(_REMOVED, {"name": line.name})
    return _shown(uow, team, viewer, who, notice=notice, notify=notify)


def _zone_or_utc(name: str) -> ZoneInfo:
    try:
        return zone(name)
    except KeyError:
        return zone("UTC")
