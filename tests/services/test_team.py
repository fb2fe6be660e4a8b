"""Joining a team and /team over the in-memory unit of work (no Telegram)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kpi_core.advice.catalog import get_kpi
from kpi_core.advice.profile import Controller
from kpi_core.model import TeamRole
from kpi_core.services import onboarding as use
from kpi_core.services import team as use_team
from kpi_core.services.membership import TeamView
from tests.services.test_onboarding import Session, onboard_owner

APRIL_10 = date(2025, 4, 10)


def colleague(owner: Session, telegram_id: int, language: str = "en") -> Session:
    """Another person talking to the same bot (same store, clock and dependencies)."""
    other = Session(language, telegram_id)
    other.root, other.new_uow, other.clock, other.deps = (
        owner.root, owner.new_uow, owner.clock, owner.deps,
    )
    return other


def owner_with_code(s: Session) -> str:
    onboard_owner(s)
    reply = s.press("r", "ok")
    assert isinstance(reply.view, use.FinishedView)
    assert reply.view.planned == 10
    assert reply.view.invite_code is not None
    return reply.view.invite_code


def join(s: Session, code: str, role: str = "sales_manager") -> use.Reply:
    reply = s.call(use.join, code)
    assert isinstance(reply.view, use.QuestionView), reply
    s.choose(role)
    s.done()  # weekdays as offered
    s.choose("Europe/Moscow")
    s.choose("09:00")
    return s.choose("18:00")


def membership_of(
    s: Session, telegram_id: int
) -> list[tuple[int, TeamRole, date | None, date | None]]:
    with s.new_uow() as uow:
        user = uow.users.by_telegram_id(telegram_id)
        assert user is not None
        assert user.id is not None
        return [
            (m.team_id, m.role, m.joined_on, m.left_on) for m in uow.teams.memberships_of(user.id)
        ]


def kpis_of(s: Session, telegram_id: int, team_id: int = 1) -> list[str]:
    with s.new_uow() as uow:
        user = uow.users.by_telegram_id(telegram_id)
        assert user is not None
        assert user.id is not None
        mine = [a for a in uow.assignments.for_user(user.id) if a.team_id == team_id]
        return [a.kpi_id for a in sorted(mine, key=lambda a: a.position)]


def test_joining_makes_a_member_with_the_teams_kpis_and_tells_the_owner() -> None:
    anna = Session()
    code = owner_with_code(anna)
    assert len(code) <= 32
    boris = colleague(anna, 43, "ru")
    reply = join(boris, code)
    view = reply.view
    assert isinstance(view, use.FinishedView)
    assert (view.joined_team, view.owner) == ("Anna", "Anna")
    assert view.plan is not None
    # A tenth of 10 000 000 over April's 22 working days, from the day he joined.
    assert view.plan.quota.per_person == Decimal("45454.55")
    assert view.plan.quota.people == 10
    assert membership_of(boris, 43) == [(1, TeamRole.MEMBER, APRIL_10, None)]
    owners = kpis_of(anna, 42)
    mine = kpis_of(boris, 43)
    assert mine == [k for k in owners if Controller.SALES_MANAGER in get_kpi(k).controlled_by]
    assert "revenue" in mine
    (note,) = reply.notify
    assert (note.chat_id, note.language) == (42, "en")
    assert note.lines[0].msgid == "{name} is now in your team “{team}”."
    assert note.lines[0].params == {"name": "Anna", "team": "Anna"}
    assert (note.lines[1].params, note.lines[1].count) == ({"count": 2, "planned": 10}, 10)


def test_a_marketer_joining_a_team_without_marketing_kpis_gets_advice() -> None:
    anna = Session()
    code = owner_with_code(anna)
    with anna.new_uow() as uow:
        uow.assignments.replace(1, 1, ["revenue", "cold_calls"])
        uow.commit()
    vera = colleague(anna, 44)
    join(vera, code, "marketer")
    kpis = kpis_of(vera, 44)
    assert kpis
    assert "revenue" not in kpis
    assert "cold_calls" not in kpis
    assert all(Controller.MARKETER in get_kpi(k).controlled_by for k in kpis)


def test_cancelling_the_join_changes_nothing() -> None:
    anna = Session()
    code = owner_with_code(anna)
    boris = colleague(anna, 43)
    boris.call(use.join, code)
    reply = boris.call(use.cancel)
    assert isinstance(reply.view, use.NoticeView)
    assert "open the invite link again" in reply.view.message.msgid
    assert membership_of(boris, 43) == []


def test_an_unknown_code_still_remembers_the_person_and_their_language() -> None:
    s = Session("ru", 50)
    reply = s.call(use.join, "nope")
    assert isinstance(reply.view, use.NoticeView)
    assert reply.view.message.msgid.startswith("This invite link does not work")
    with s.new_uow() as uow:
        user = uow.users.by_telegram_id(50)
        assert user is not None
        assert (user.language, user.onboarded) == ("ru", False)


def test_removed_and_invited_again_comes_back_in_the_same_row() -> None:
    anna = Session()
    code = owner_with_code(anna)
    boris = colleague(anna, 43)
    join(boris, code)
    anna.clock.advance(days=5)
    reply = anna.call(use_team.open_team)
    assert isinstance(reply.view, TeamView)
    line = next(m for m in reply.view.members if m.user_id == 2)
    anna.call(use_team.press, "rmy", str(line.membership_id))
    (note,) = anna.reply.notify if anna.reply else ()
    assert note.chat_id == 43
    assert membership_of(boris, 43) == [(1, TeamRole.MEMBER, APRIL_10, date(2025, 4, 15))]
    anna.clock.advance(days=1)
    join(boris, code)
    assert membership_of(boris, 43) == [(1, TeamRole.MEMBER, date(2025, 4, 16), None)]


def test_a_member_saving_kpis_stays_in_the_team() -> None:
    anna = Session()
    code = owner_with_code(anna)
    boris = colleague(anna, 43)
    join(boris, code)
    before = kpis_of(boris, 43)
    assert len(before) >= 2
    boris.call(use.open_kpis)
    boris.press("r", "rm", before[-1])
    boris.press("r", "ok")
    assert kpis_of(boris, 43) == before[:-1]
    assert membership_of(boris, 43) == [(1, TeamRole.MEMBER, APRIL_10, None)]
    with boris.new_uow() as uow:
        assert uow.teams.get(2) is None  # no team of his own was made


def test_a_member_cannot_change_the_plan_or_the_team() -> None:
    anna = Session()
    code = owner_with_code(anna)
    boris = colleague(anna, 43)
    join(boris, code)
    reply = boris.call(use.open_plan)
    assert isinstance(reply.view, use.PlanView)
    assert not reply.view.can_edit
    assert not reply.view.can_resize
    for action in ("amount", "period", "people"):
        reply = boris.press("m", action)
        assert reply.error is not None
        assert reply.error.msgid.startswith("The plan belongs to your team")
    reply = boris.call(use_team.press, "new")
    assert reply.error is not None
    assert reply.error.msgid == "Only the team's owner or an admin can do this."
    assert isinstance(reply.view, TeamView)
    assert reply.view.invite_code is None  # a member never sees the link
    with anna.new_uow() as uow:
        team = uow.teams.get(1)
        assert team is not None
        assert team.invite_code == code


def test_a_solo_owner_sets_a_team_size_in_plan() -> None:
    s = Session()
    s.call(use.begin)
    for value in ("owner", "b2b", "phone", "more_sales"):
        s.choose(value)
    s.done()
    s.done()
    s.choose("solo")
    s.type("40")
    s.choose("RU")
    s.choose("this_month")
    s.type("1 000 000")
    s.press("q", "s")
    s.done()
    s.choose("Europe/Moscow")
    s.choose("09:00")
    s.type("18:30")
    reply = s.press("r", "ok")
    assert isinstance(reply.view, use.FinishedView)
    assert reply.view.invite_code is None  # nobody to invite
    reply = s.call(use.open_plan)
    assert isinstance(reply.view, use.PlanView)
    assert reply.view.can_resize
    s.press("m", "people")
    reply = s.type("3")
    assert isinstance(reply.view, use.PlanView)
    assert reply.view.plan is not None
    assert reply.view.plan.quota.people == 3
    with s.new_uow() as uow:
        team = uow.teams.get(1)
        assert team is not None
        assert team.planned_size == 3
        profile = uow.profiles.get(1)
        assert profile is not None
        assert (profile.answers["team"], profile.answers["team_size"]) == ("team", 3)


def test_a_sales_manager_on_their_own_has_no_team_size() -> None:
    s = Session()
    s.call(use.begin)
    for value in ("sales_manager", "b2b", "phone", "more_sales"):
        s.choose(value)
    s.done()
    s.done()
    s.press("q", "s")
    s.choose("RU")
    s.choose("this_month")
    s.type("500 000")
    s.press("q", "s")
    s.done()
    s.choose("Europe/Moscow")
    s.choose("09:00")
    s.type("18:30")
    s.press("r", "ok")
    reply = s.call(use.open_plan)
    assert isinstance(reply.view, use.PlanView)
    assert not reply.view.can_resize
    reply = s.press("m", "people")
    assert reply.error is not None
    assert reply.error.msgid == "The team size is for owners and heads of a team."


def test_a_member_after_the_plan_period_sees_that_the_owner_sets_the_next() -> None:
    anna = Session()
    code = owner_with_code(anna)
    boris = colleague(anna, 43)
    join(boris, code)
    boris.clock.advance(days=30)  # May: April's plan is over
    reply = boris.call(use.open_plan)
    assert isinstance(reply.view, use.PlanView)
    assert reply.view.plan is None
    assert not reply.view.can_edit
