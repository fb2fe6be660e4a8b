"""The permissions matrix, generated from the one table (``permissions.ALLOWED``).

Every team-changing press and command is tried by the owner, an admin, a member, the owner and
a member of another team, and a stranger. Exactly the roles the table allows succeed; everyone
else gets a refusal (naming the role that may, where they are in the team) and the database is
exactly as it was.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from kpi_core.model import GroupChat, Membership, Plan, PlanTarget, Team, TeamRole, User
from kpi_core.services import daily_loop
from kpi_core.services import team as use_team
from kpi_core.services.common import Deps, Who
from kpi_core.services.permissions import ALLOWED, TeamAction, check
from tests.fakes import FakeData, FakeUnitOfWork, ManualClock
from tests.services.daily_world import FixedProvider

GROUP = -1001
ACTORS = ("owner", "admin", "member", "other_owner", "other_member", "stranger")
TELEGRAM_IDS = {"owner": 1, "admin": 2, "member": 3, "target": 4, "other_owner": 5,
                "other_member": 6, "stranger": 7}


@dataclass
class World:
    uow: FakeUnitOfWork
    deps: Deps
    ids: dict[str, int]  # membership ids in the first team


def _world() -> World:
    clock = ManualClock(datetime(2025, 4, 10, 6, 0, tzinfo=UTC))
    uow = FakeUnitOfWork(clock=clock)
    ids: dict[str, int] = {}
    with uow:
        users = {}
        for name, telegram_id in TELEGRAM_IDS.items():
            users[name] = uow.users.add(User(telegram_id=telegram_id, display_name=name.title(),
                                             onboarded=name != "stranger"))
        sales = uow.teams.add(Team("Sales", users["owner"].id or 0, invite_code="old"))
        other = uow.teams.add(Team("Other", users["other_owner"].id or 0, invite_code="x"))
        roles = {"owner": TeamRole.OWNER, "admin": TeamRole.ADMIN, "member": TeamRole.MEMBER,
                 "target": TeamRole.MEMBER}
        for name, role in roles.items():
            m = uow.teams.add_member(Membership(sales.id or 0, users[name].id or 0, role,
                                                Decimal(1), date(2025, 4, 1)))
            ids[name] = m.id or 0
        uow.teams.add_member(Membership(other.id or 0, users["other_owner"].id or 0,
                                        TeamRole.OWNER, Decimal(1), date(2025, 4, 1)))
        uow.teams.add_member(Membership(other.id or 0, users["other_member"].id or 0,
                                        TeamRole.MEMBER, Decimal(1), date(2025, 4, 1)))
        uow.teams.link_chat(GroupChat(GROUP, sales.id or 0, "Sales chat"))
        uow.plans.add(Plan(sales.id or 0, date(2025, 4, 1), date(2025, 4, 30),
                           targets=[PlanTarget("revenue", Decimal(1_000_000))]))
        uow.commit()
    tokens = iter(f"code{i}" for i in range(100))
    deps = Deps(clock, FixedProvider(), new_invite_code=lambda: next(tokens))
    return World(uow, deps, ids)


def _team_press(action: str, target: str | None) -> Callable[[World, Who], object]:
    def run(world: World, who: Who) -> object:
        arg = str(world.ids[target]) if target else ""
        return use_team.press(world.uow, world.deps, who, action, arg)
    return run


def _reweigh(world: World, who: Who) -> object:
    """⚖: a heavier weight for a member, then Save."""
    use_team.press(world.uow, world.deps, who, "wts")
    use_team.press(world.uow, world.deps, who, "w+", str(world.ids["target"]))
    return use_team.press(world.uow, world.deps, who, "wsv")


def _own_target(world: World, who: Who) -> object:
    """🎯: an individual target for a member, typed, then Save."""
    use_team.press(world.uow, world.deps, who, "pt")
    use_team.press(world.uow, world.deps, who, "pte", str(world.ids["target"]))
    _type(world, who, "300 000")
    return use_team.press(world.uow, world.deps, who, "ptsv")


def _type(world: World, who: Who, text: str) -> object:
    from kpi_core.services import onboarding

    return onboarding.typed(world.uow, world.deps, who, text)


def _days_off(share: bool) -> Callable[[World, Who], object]:
    """🏖: three days off for a member, typed; ``share``: they reduce the plan; then Save."""
    def run(world: World, who: Who) -> object:
        use_team.press(world.uow, world.deps, who, "do")
        use_team.press(world.uow, world.deps, who, "dom", str(world.ids["target"]))
        _type(world, who, "21.04–23.04")
        if share:
            reply = use_team.press(world.uow, world.deps, who, "dsh")
            if getattr(reply, "error", None) is not None:
                return reply
        return use_team.press(world.uow, world.deps, who, "dsv")
    return run


def _import_team(world: World, who: Who) -> object:
    """A team's file with a value for a member, previewed, then ✅."""
    from kpi_core.errors import DomainError
    from kpi_core.exchange.table import Scope
    from kpi_core.exchange.validate import RawRow, RowRef
    from kpi_core.services import exchange

    rows = [RawRow(RowRef(2), {"date": "2025-04-09", "telegram_id": TELEGRAM_IDS["target"],
                               "kpi_id": "revenue", "value": "1000"})]
    try:
        shown = exchange.preview_import(world.uow, world.deps, who,
                                        exchange.ImportTable(rows, "en"), Scope.TEAM)
        if shown.token is None:
            return shown
        return exchange.confirm_import(world.uow, world.deps, who, shown.token)
    except DomainError as refused:
        return _Refused(refused.message)


@dataclass
class _Refused:
    error: object


def _link(world: World, who: Who) -> object:
    return daily_loop.link_group(world.uow, world.deps, Who(-2002, who.telegram_id, "en"), "G")


def _unlink(world: World, who: Who) -> object:
    return daily_loop.unlink_group(world.uow, world.deps, Who(GROUP, who.telegram_id, "en"))


# (what is tried, the table's action, how to try it)
CASES: list[tuple[str, TeamAction, Callable[[World, Who], object]]] = [
    ("new invite link", TeamAction.NEW_LINK, _team_press("new", None)),
    ("remove a member", TeamAction.REMOVE_MEMBER, _team_press("rmy", "target")),
    ("remove an admin", TeamAction.REMOVE_ADMIN, _team_press("rmy", "admin")),
    ("make an admin", TeamAction.CHANGE_ROLE, _team_press("adm", "target")),
    ("make an admin a member", TeamAction.CHANGE_ROLE, _team_press("mem", "admin")),
    ("hand the team over", TeamAction.TRANSFER, _team_press("owny", "target")),
    ("share the plan by weights", TeamAction.EDIT_PLAN, _reweigh),
    ("give a member their own target", TeamAction.EDIT_PLAN, _own_target),
    ("mark a member's days off", TeamAction.SET_DAYS_OFF, _days_off(share=False)),
    # Reducing the plan needs both: opening 🏖 (the owner or an admin), then the owner's say.
    ("days off that reduce the plan", TeamAction.EDIT_PLAN, _days_off(share=True)),
    ("/link a group", TeamAction.LINK_GROUP, _link),
    ("/unlink the group", TeamAction.LINK_GROUP, _unlink),
    ("import the team's entries", TeamAction.IMPORT_TEAM, _import_team),
]


GATES = {"days off that reduce the plan": (TeamAction.SET_DAYS_OFF, TeamAction.EDIT_PLAN)}
"""Cases that pass several checks: the refusal is the first one the actor fails."""


def _sales(data: FakeData) -> object:
    """Everything about the first team: the team, its memberships, its group chats."""
    teams, memberships, chats = data.teams, data.memberships, data.chats
    return (teams.get(1), sorted((k, v) for k, v in memberships.items() if v.team_id == 1),
            sorted((k, v) for k, v in chats.items() if v.team_id == 1),
            [c for c in chats.values() if c.team_id != 1 and c.chat_id == GROUP],
            sorted((k, v) for k, v in data.plans.items() if v.team_id == 1),
            sorted(data.days_off.items()), sorted(data.entries.items()))


def _allowed(actor: str, action: TeamAction) -> bool:
    roles = {"owner": TeamRole.OWNER, "admin": TeamRole.ADMIN, "member": TeamRole.MEMBER}
    return actor in roles and roles[actor] in ALLOWED[action]


def _refusal_text(reply: object) -> str | None:
    """The refusal a reply carries (the /team screen's error, or the group command's notice)."""
    error = getattr(reply, "error", None)
    if error is not None:
        return str(error.msgid)
    screen = getattr(reply, "screen", None)
    message = getattr(screen, "message", None)
    if message is not None and "Only" in message.msgid:
        return str(message.msgid)
    view = getattr(reply, "view", None)
    message = getattr(view, "message", None)
    return str(message.msgid) if message is not None else None


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("what", "action", "attempt"), CASES, ids=[c[0] for c in CASES])
def test_only_the_roles_the_table_allows_change_the_team(
    what: str, action: TeamAction, attempt: Callable[[World, Who], object], actor: str
) -> None:
    world = _world()
    before = copy.deepcopy(world.uow.store.data)
    reply = attempt(world, Who(TELEGRAM_IDS[actor], TELEGRAM_IDS[actor], "en", actor))
    changed = _sales(before) != _sales(world.uow.store.data)
    if _allowed(actor, action):
        assert changed, f"{actor} may {what}, but nothing changed: {reply}"
        return
    assert not changed, f"{actor} may not {what}, yet the team changed"
    own_team = (TeamAction.NEW_LINK, TeamAction.LINK_GROUP, TeamAction.EDIT_PLAN,
                TeamAction.IMPORT_TEAM)
    if actor == "other_owner" and action in own_team:
        return  # it applied to their own team, as it should: the first team is untouched
    refusal = _refusal_text(reply)
    assert refusal is not None, f"{actor} trying to {what} got no refusal: {reply}"
    if actor in ("admin", "member"):  # in the team: the refusal names the role that may
        with world.uow:
            user = world.uow.users.by_telegram_id(TELEGRAM_IDS[actor])
            assert user is not None
            membership = world.uow.teams.memberships_of(user.id or 0)[0]
        gates = GATES.get(what, (action,))
        found = [check(membership, gate, membership.team_id) for gate in gates]
        expected = next((m for m in found if m is not None), None)
        assert expected is not None
        if action is TeamAction.LINK_GROUP:
            assert "owner or an admin" in refusal
        else:
            assert refusal == expected.msgid


def test_the_table_covers_every_action() -> None:
    assert set(ALLOWED) == set(TeamAction)
    # What is shown, not changed: tested below.
    seen = {TeamAction.SEE_ROSTER, TeamAction.SEE_PEOPLE, TeamAction.EXPORT_TEAM}
    tried = {action for _, action, _ in CASES} | seen
    assert tried == set(TeamAction)


@pytest.mark.parametrize("actor", ACTORS)
def test_the_roster_and_everyones_figures_are_shown_only_to_managers(actor: str) -> None:
    world = _world()
    who = Who(TELEGRAM_IDS[actor], TELEGRAM_IDS[actor], "en", actor)
    team_screen = use_team.open_team(world.uow, world.deps, who)
    board = use_team.press(world.uow, world.deps, who, "board")
    view, shown = team_screen.view, board.view
    manager = actor in ("owner", "admin", "other_owner")  # other_owner: their own team
    assert getattr(view, "manage", False) is manager
    if manager:
        assert getattr(view, "invite_code", None) is not None
    else:
        assert getattr(view, "invite_code", None) is None
    everyone = getattr(shown, "everyone", None)
    if actor == "stranger":
        assert everyone is None  # not set up: told to /start first
    else:
        assert everyone is manager


@pytest.mark.parametrize("actor", ACTORS)
def test_only_managers_export_the_teams_entries(actor: str) -> None:
    from kpi_core.exchange.table import Scope
    from kpi_core.services import exchange

    world = _world()
    with world.uow:
        target = world.uow.users.by_telegram_id(TELEGRAM_IDS["target"])
        assert target is not None
        world.uow.entries.record(target.id or 0, "revenue", date(2025, 4, 9), Decimal(5),
                                 target.id, world.deps.clock.now())
        world.uow.commit()
    who = Who(TELEGRAM_IDS[actor], TELEGRAM_IDS[actor], "en", actor)
    options = exchange.export_options(world.uow, world.deps, who)
    manager = actor in ("owner", "admin", "other_owner")
    assert options.team is manager
    if not manager:
        with pytest.raises(exchange.NotAllowedForTeam) as refused:
            exchange.export_table(world.uow, world.deps, who, Scope.TEAM)
        if actor in ("admin", "member"):
            assert refused.value.message.msgid == "Only the team's owner or an admin can do this."
        return
    table = exchange.export_table(world.uow, world.deps, who, Scope.TEAM)
    assert [r.telegram_id for r in table.rows] == ([4] if actor != "other_owner" else [])


def test_a_transfer_makes_the_target_owner_and_the_owner_an_admin() -> None:
    world = _world()
    owner = Who(1, 1, "en", "Owner")
    reply = use_team.press(world.uow, world.deps, owner, "own", str(world.ids["target"]))
    assert type(reply.view).__name__ == "ConfirmTransferView"
    assert world.uow.store.data.teams[1].owner_user_id == 1  # asked first: nothing changed
    reply = use_team.press(world.uow, world.deps, owner, "owny", str(world.ids["target"]))
    data = world.uow.store.data
    assert data.teams[1].owner_user_id == 4
    assert data.memberships[world.ids["target"]].role is TeamRole.OWNER
    assert data.memberships[world.ids["owner"]].role is TeamRole.ADMIN
    assert reply.notice is not None
    assert reply.notice.msgid.startswith("{name} is now the owner of the team.")
    assert [n.chat_id for n in reply.notify] == [4]
    # The former owner, now an admin, may no longer hand the team over or change roles.
    again = use_team.press(world.uow, world.deps, owner, "adm", str(world.ids["member"]))
    assert again.error is not None
    assert again.error.msgid == "Only the team's owner can do this."


@pytest.mark.parametrize("actor", ["owner", "admin", "member"])
def test_only_the_owner_may_change_the_teams_plan(actor: str) -> None:
    from kpi_core.services import onboarding as use

    world = _world()
    who = Who(TELEGRAM_IDS[actor], TELEGRAM_IDS[actor], "en", actor)
    reply = use.open_plan(world.uow, world.deps, who)
    assert isinstance(reply.view, use.PlanView)
    assert reply.view.can_edit is (TeamRole.OWNER in ALLOWED[TeamAction.EDIT_PLAN]
                                   and actor == "owner")
