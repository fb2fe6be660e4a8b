"""``/team``: who is in the team, the invite link, a new link, removing someone.

The owner (or an admin) sees the members with their roles and joining dates, how many of the
planned people have joined, and the invite link, with buttons to make a new link and to remove
someone; a member sees the team's name and its owner. The buttons carry no authority: every
press is checked here against the presser's current membership, so a forged or outdated button
changes nothing.

Press actions (``tm:<action>[:<membership id>]`` in Telegram): ``new`` (a new invite link
for seven days; the old one stops working), ``one`` (a single-use link), ``off`` (revoke the
link), ``rm`` (ask before removing), ``rmy`` (remove), ``adm`` (make an admin), ``mem`` (make an
admin a member again), ``own`` (ask before handing the team over), ``owny`` (hand it over: the
owner becomes an admin), ``back``. What each needs is
:data:`kpi_core.services.permissions.ALLOWED`.
"""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from kpi_core.messages import N_, Message
from kpi_core.model import ConversationState, Membership, Team, TeamRole, User
from kpi_core.planning.team import Vacancy
from kpi_core.ports import UnitOfWork
from kpi_core.services import membership as team_ops
from kpi_core.services import team_shares
from kpi_core.services.board import team_board
from kpi_core.services.common import Deps, Who
from kpi_core.services.membership import (
    ConfirmRemoveView,
    ConfirmTransferView,
    MemberLine,
    Notification,
    TeamView,
    WeightLine,
    WeightsView,
)
from kpi_core.services.onboarding import EXPIRED, NoticeView, Reply
from kpi_core.services.permissions import TeamAction, check
from kpi_core.tracking.reminders import local_date, zone

__all__ = ["ACTIONS", "open_team", "press"]

ACTIONS = frozenset({"new", "one", "off", "rm", "rmy", "adm", "mem", "own", "owny", "board",
                     "wts", "w+", "w-", "wsv", "back"}) | team_shares.ACTIONS
TEAM_STATE_CHAT_ID = 2**62 + 2
"""Where the weights screen keeps the weights not saved yet (a conversation row no Telegram
chat can have, like the daily loop's)."""
WEIGHT_STEP = Decimal("0.5")
MAX_WEIGHT = Decimal(5)
_ACTION_NEEDS = {
    "new": TeamAction.NEW_LINK,
    "one": TeamAction.NEW_LINK,
    "off": TeamAction.NEW_LINK,
    # "rm" and "rmy" are checked with their target: removing an admin is the owner's alone.
    "adm": TeamAction.CHANGE_ROLE,
    "mem": TeamAction.CHANGE_ROLE,
    "own": TeamAction.TRANSFER,
    "owny": TeamAction.TRANSFER,
    "wts": TeamAction.EDIT_PLAN,
    "w+": TeamAction.EDIT_PLAN,
    "w-": TeamAction.EDIT_PLAN,
    "wsv": TeamAction.EDIT_PLAN,
}

_ONBOARD_FIRST = N_("Let's set things up first: send /start.")
_NO_TEAM = N_(
    "You are not in a team. Send /restart to set up your own, or open a team's invite link."
)
_NEW_LINK = N_("Here is the new invite link. The old one no longer works.")
_SINGLE_LINK = N_("Here is a single-use invite link: it lets one person in, then stops working. "
                  "The old link no longer works.")
_REVOKED = N_("The invite link no longer works. 🔄 makes a new one.")
_NOT_IN_TEAM = N_("This person is not in the team any more.")
_OWNER_STAYS = N_("The team's owner cannot be removed from it.")
_OWNER_ROLE = N_("The owner's role changes only when they hand the team over.")
_NOT_YOURSELF = N_("You cannot do this to yourself.")
_REMOVED = N_("{name} is no longer in the team.")
_NOW_ADMIN = N_("{name} is now an admin: they can invite and remove members and link groups.")
_NOW_MEMBER = N_("{name} is a member again.")
_HANDED_OVER = N_("{name} is now the owner of the team. You stay in it as an admin.")
_YOU_ARE_ADMIN = N_("You are now an admin of the team “{team}”: /team shows its members.")
_YOU_ARE_OWNER = N_(
    "You are now the owner of the team “{team}”: /team and /plan are yours to manage."
)
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
        if membership.role in team_ops.MANAGERS and not team_ops.revoked(team):
            # A link is made the first time, and an expired one replaced; a revoked one stays.
            team_ops.ensure_invite_code(uow, team, deps.new_invite_code, deps.clock.now())
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
        # Each action checks its own permission (the refusal names the role that may); the
        # generic one is seeing the roster at all.
        if action == "board":  # every member: the team's totals, and their own line
            return _board(uow, deps, who, user, team, membership)
        if action in team_shares.ACTIONS:  # 🎯 and 🏖: each checks its own permission
            return team_shares.press(uow, deps, who, user, team, membership, action, arg)
        if action not in ("rm", "rmy"):
            needed = _ACTION_NEEDS.get(action, TeamAction.SEE_ROSTER)
            refusal = check(membership, needed, team.id)
            if refusal is not None:
                return _refused(uow, team, membership, who, refusal)
        if action in ("new", "one"):
            team_ops.regenerate_invite_code(uow, team, deps.new_invite_code, deps.clock.now(),
                                            single_use=action == "one")
            uow.commit()
            notice = _NEW_LINK if action == "new" else _SINGLE_LINK
            return _shown(uow, team, membership, who, notice=Message(notice))
        if action == "off":
            team_ops.revoke_invite(uow, team, deps.clock.now())
            uow.commit()
            return _shown(uow, team, membership, who, notice=Message(_REVOKED))
        if action in ("rm", "rmy"):
            reply = _remove(uow, deps, who, user, team, membership, arg, confirmed=action == "rmy")
            uow.commit()
            return reply
        if action in ("adm", "mem"):
            reply = _change_role(uow, who, team, membership, arg,
                                 TeamRole.ADMIN if action == "adm" else TeamRole.MEMBER)
            uow.commit()
            return reply
        if action in ("own", "owny"):
            reply = _transfer(uow, who, team, membership, arg, confirmed=action == "owny")
            uow.commit()
            return reply
        if action in ("wts", "w+", "w-", "wsv"):
            reply = _weights(uow, deps, who, user, team, membership, action, arg)
            uow.commit()
            return reply
        if action == "back":
            _forget_weights(uow, user)
            _forget_shares(uow, who, user)
            uow.commit()
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


def _refused(
    uow: UnitOfWork, team: Team, viewer: Membership, who: Who, why: str | Message
) -> Reply:
    """The screen as the person may see it, with why the press changed nothing."""
    view = team_ops.team_view(uow, team, viewer)
    error = why if isinstance(why, Message) else Message(why)
    return Reply(view, error=error, moved=False, closed=True, language=who.language)


def _target(uow: UnitOfWork, team: Team, arg: str) -> Membership | None:
    """The current membership of this team that a button names (``None``: gone, or forged)."""
    assert team.id is not None
    found = next((m for m in uow.teams.members(team.id) if str(m.id) == arg), None)
    return found if found is not None and found.left_on is None else None


def _line(uow: UnitOfWork, team: Team, viewer: Membership, target: Membership) -> MemberLine:
    return next(m for m in team_ops.roster(uow, team, viewer) if m.membership_id == target.id)


def _allowed_target(
    uow: UnitOfWork, who: Who, team: Team, viewer: Membership, arg: str, action: TeamAction
) -> Membership | Reply:
    """The member a button names, once the presser may do ``action``; else the refusal."""
    refusal = check(viewer, action, team.id)
    if refusal is not None:
        return _refused(uow, team, viewer, who, refusal)
    target = _target(uow, team, arg)
    return target if target is not None else _refused(uow, team, viewer, who, _NOT_IN_TEAM)


def _change_role(
    uow: UnitOfWork, who: Who, team: Team, viewer: Membership, arg: str, role: TeamRole
) -> Reply:
    target = _allowed_target(uow, who, team, viewer, arg, TeamAction.CHANGE_ROLE)
    if isinstance(target, Reply):
        return target
    if target.user_id == team.owner_user_id:
        return _refused(uow, team, viewer, who, _OWNER_ROLE)
    if target.user_id == viewer.user_id:
        return _refused(uow, team, viewer, who, _NOT_YOURSELF)
    line = _line(uow, team, viewer, target)
    if target.role is role:  # pressed twice, or an old screen: nothing to change
        return _shown(uow, team, viewer, who)
    target.role = role
    uow.teams.save_member(target)
    notify: tuple[Notification, ...] = ()
    person = uow.users.get(target.user_id)
    if role is TeamRole.ADMIN and person is not None and person.telegram_id is not None:
        notify = (Notification(person.telegram_id, person.language,
                               (Message(_YOU_ARE_ADMIN, {"team": team.name}),)),)
    notice = Message(_NOW_ADMIN if role is TeamRole.ADMIN else _NOW_MEMBER, {"name": line.name})
    return _shown(uow, team, viewer, who, notice=notice, notify=notify)


def _transfer(
    uow: UnitOfWork, who: Who, team: Team, viewer: Membership, arg: str, *, confirmed: bool
) -> Reply:
    target = _allowed_target(uow, who, team, viewer, arg, TeamAction.TRANSFER)
    if isinstance(target, Reply):
        return target
    if target.user_id == viewer.user_id:
        return _shown(uow, team, viewer, who)
    line = _line(uow, team, viewer, target)
    if not confirmed:
        return Reply(ConfirmTransferView(line, team.name), closed=True, language=who.language)
    team.owner_user_id = target.user_id
    uow.teams.save(team)
    target.role = TeamRole.OWNER
    uow.teams.save_member(target)
    viewer.role = TeamRole.ADMIN
    uow.teams.save_member(viewer)
    notify: tuple[Notification, ...] = ()
    person = uow.users.get(target.user_id)
    if person is not None and person.telegram_id is not None:
        notify = (Notification(person.telegram_id, person.language,
                               (Message(_YOU_ARE_OWNER, {"team": team.name}),)),)
    return _shown(uow, team, viewer, who, notice=Message(_HANDED_OVER, {"name": line.name}),
                  notify=notify)


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
    target = _target(uow, team, arg)
    if target is None:
        return _refused(uow, team, viewer, who, _NOT_IN_TEAM)
    if target.user_id == team.owner_user_id:
        return _refused(uow, team, viewer, who, _OWNER_STAYS)
    action = (TeamAction.REMOVE_MEMBER if target.role is TeamRole.MEMBER
              else TeamAction.REMOVE_ADMIN)
    refusal = check(viewer, action, team.id)
    if refusal is not None:
        return _refused(uow, team, viewer, who, refusal)
    line = _line(uow, team, viewer, target)
    if not line.removable:  # themselves
        return _refused(uow, team, viewer, who, _NOT_YOURSELF)
    if not confirmed:
        return Reply(ConfirmRemoveView(line, team.name), closed=True, language=who.language)
    today = local_date(deps.clock.now(), _zone_or_utc(user.timezone))
    team_ops.remove_member(uow, target, today)
    removed = uow.users.get(target.user_id)
    notify: tuple[Notification, ...] = ()
    if removed is not None and removed.telegram_id is not None:
        message = Message(_YOU_WERE_REMOVED, {"team": team.name})
        notify = (Notification(removed.telegram_id, removed.language, (message,)),)
    notice = Message(_REMOVED, {"name": line.name})
    return _shown(uow, team, viewer, who, notice=notice, notify=notify)


def _board(
    uow: UnitOfWork, deps: Deps, who: Who, user: User, team: Team, viewer: Membership
) -> Reply:
    today = local_date(deps.clock.now(), _zone_or_utc(user.timezone))
    view = team_board(uow, deps.calendars, viewer, today)
    if view is None:
        return _shown(uow, team, viewer, who)
    return Reply(view, closed=True, language=who.language)


_NO_PLAN = N_("There is no plan to share yet: set one with /plan.")
_WEIGHTS_SAVED = N_("Saved: the plan is shared by the new weights, and everyone's daily quota "
                    "follows.")


def _weights(
    uow: UnitOfWork, deps: Deps, who: Who, user: User, team: Team, viewer: Membership,
    action: str, arg: str,
) -> Reply:
    """The weights screen: ``wts`` opens it, ``w+``/``w-`` change one member's weight (not
    saved), ``wsv`` saves them all."""
    assert team.id is not None
    assert user.id is not None
    members = [m for m in uow.teams.members(team.id) if m.left_on is None and m.id is not None]
    state = uow.conversations.get(TEAM_STATE_CHAT_ID, user.id)
    pending: dict[int, Decimal] = {}
    if action != "wts" and state is not None and state.flow == "weights":
        pending = {int(k): Decimal(v) for k, v in state.data.get("weights", {}).items()}
    if action in ("w+", "w-"):
        target = next((m for m in members if str(m.id) == arg), None)
        if target is None or target.id is None:
            return _refused(uow, team, viewer, who, _NOT_IN_TEAM)
        step = WEIGHT_STEP if action == "w+" else -WEIGHT_STEP
        now = pending.get(target.id, target.weight)
        pending[target.id] = min(max(now + step, WEIGHT_STEP), MAX_WEIGHT)
    if action == "wsv":
        changed = [m for m in members if m.id in pending and pending[m.id] != m.weight]
        for m in changed:
            m.weight = pending[m.id or 0]
            uow.teams.save_member(m)
        _forget_weights(uow, user)
        # An old Save with nothing waiting (pressed twice) just shows the team.
        notice = Message(_WEIGHTS_SAVED) if changed else None
        return _shown(uow, team, viewer, who, notice=notice)
    view = _weights_view(uow, deps, user, team, members, pending)
    if view is None:
        return _refused(uow, team, viewer, who, _NO_PLAN)
    uow.conversations.save(ConversationState(
        TEAM_STATE_CHAT_ID, user.id, "weights", "edit",
        {"weights": {str(k): str(v) for k, v in pending.items()}}))
    return Reply(view, closed=True, language=who.language)


def _weights_view(
    uow: UnitOfWork, deps: Deps, user: User, team: Team, members: list[Membership],
    pending: dict[int, Decimal],
) -> WeightsView | None:
    assert team.id is not None
    today = local_date(deps.clock.now(), _zone_or_utc(user.timezone))
    plan = uow.plans.current(team.id, today)
    if plan is None or not plan.targets:
        return None
    kpi_id = plan.targets[0].kpi_id
    found = team_ops.team_split(uow, deps.calendars, team, plan, kpi_id, pending)
    split = found[0] if found else None
    people = {p.key: p for p in split.people} if split else {}
    lines = []
    for m in members:
        assert m.id is not None
        person = people.get(m.user_id)
        name = team_ops.member_name(uow.users.get(m.user_id))
        lines.append(WeightLine(m.id, name, pending.get(m.id, m.weight),
                                person.daily if person else None))
    seats = [p for key, p in people.items() if isinstance(key, Vacancy) and key.index > 0]
    changed = any(pending.get(m.id or 0, m.weight) != m.weight for m in members)
    return WeightsView(kpi_id, plan.currency, tuple(lines),
                       seats[0].daily if seats else None, len(seats), changed, WEIGHT_STEP)


def _forget_weights(uow: UnitOfWork, user: User) -> None:
    if user.id is not None:
        uow.conversations.clear(TEAM_STATE_CHAT_ID, user.id)


def _forget_shares(uow: UnitOfWork, who: Who, user: User) -> None:
    """‹ Back leaves the 🎯 / 🏖 screens: what was not saved is dropped."""
    conv = uow.conversations.get(who.chat_id, user.id or 0)
    if conv is not None and conv.flow == team_shares.FLOW:
        uow.conversations.clear(who.chat_id, user.id or 0)


def _zone_or_utc(name: str) -> ZoneInfo:
    try:
        return zone(name)
    except KeyError:
        return zone("UTC")
