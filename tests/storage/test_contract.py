"""The repository contract, run against the fakes, SQLite and PostgreSQL.

Every port method round-trips here, with the semantics the use cases rely on: versioned
entries, upserts, unique keys, claim leases, erase, and transactions that roll back unless
committed. A service test on the fakes therefore means the same thing on the database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from kpi_core.model import (
    ConversationState,
    DayOff,
    DayOffKind,
    DayOffShare,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    GroupChat,
    Membership,
    Plan,
    PlanTarget,
    Team,
    TeamRole,
    User,
    UserProfile,
)
from kpi_core.ports import DuplicateKeyError, UnitOfWork
from kpi_core.services.erase import erase_person
from tests.fakes import ManualClock

NewUow = Callable[[], UnitOfWork]
DAY = date(2025, 11, 24)
AT = datetime(2025, 11, 24, 7, 30, tzinfo=UTC)
BIG_TG_ID = 7_123_456_789  # Telegram ids exceed 32 bits
GROUP_CHAT_ID = -1_002_233_445_566


def raises_cause(kind: type[BaseException]) -> Any:
    """Expect ``kind``, raised directly (fakes) or wrapped by SQLAlchemy (``.orig``/cause)."""

    class _Check:
        def __enter__(self) -> None:
            return None

        def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
            assert exc is not None, f"expected {kind.__name__}"
            chain: BaseException | None = exc
            while chain is not None:
                if isinstance(chain, kind):
                    return True
                chain = getattr(chain, "orig", None) or chain.__cause__
            raise AssertionError(f"expected {kind.__name__}, got {exc!r}") from exc

    return _Check()


def add_user(uow: UnitOfWork, telegram_id: int = BIG_TG_ID, **fields: Any) -> User:
    return uow.users.add(User(telegram_id=telegram_id, **fields))


def setup_team(new_uow: NewUow, members: int = 2) -> tuple[list[int], int]:
    """People 0..n-1, the first owning a team everyone is in; return (user ids, team id)."""
    with new_uow() as uow:
        users = [add_user(uow, BIG_TG_ID + i, display_name=f"P{i}") for i in range(members)]
        ids = [u.id for u in users]
        assert all(i is not None for i in ids)
        user_ids = [int(i) for i in ids if i is not None]
        team = uow.teams.add(Team(name="Sales", owner_user_id=user_ids[0]))
        assert team.id is not None
        for n, user_id in enumerate(user_ids):
            role = TeamRole.OWNER if n == 0 else TeamRole.MEMBER
            uow.teams.add_member(Membership(team.id, user_id, role, Decimal(1), DAY))
        uow.commit()
    return user_ids, team.id


# --- unit of work ----------------------------------------------------------------------------


def test_commit_makes_changes_visible_to_the_next_unit_of_work(new_uow: NewUow) -> None:
    with new_uow() as uow:
        user = add_user(uow)
        uow.commit()
    with new_uow() as uow:
        assert uow.users.get(user.id or 0) == user


def test_leaving_without_commit_rolls_back(new_uow: NewUow) -> None:
    with new_uow() as uow:
        add_user(uow)
    with new_uow() as uow:
        assert uow.users.by_telegram_id(BIG_TG_ID) is None


def test_an_exception_rolls_back(new_uow: NewUow) -> None:
    def fail_half_way() -> None:
        with new_uow() as uow:
            add_user(uow)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_half_way()
    with new_uow() as uow:
        assert uow.users.by_telegram_id(BIG_TG_ID) is None


def test_rollback_discards_since_last_commit(new_uow: NewUow) -> None:
    with new_uow() as uow:
        add_user(uow, 1)
        uow.commit()
        add_user(uow, 2)
        uow.rollback()
        add_user(uow, 3)
        uow.commit()
    with new_uow() as uow:
        assert [u.telegram_id for u in uow.users.list_active()] == [1, 3]


def test_committed_flag(new_uow: NewUow) -> None:
    uow = new_uow()
    with uow:
        assert not getattr(uow, "committed")  # noqa: B009 - not on the port
        uow.commit()
    assert getattr(uow, "committed")  # noqa: B009


# --- users -----------------------------------------------------------------------------------


def test_user_round_trip(new_uow: NewUow, clock: ManualClock) -> None:
    with new_uow() as uow:
        user = add_user(
            uow,
            language="ru",
            timezone="Asia/Yekaterinburg",
            country="RU",
            working_weekdays=frozenset({0, 1, 2, 3, 4, 5}),
            digest_time=time(8, 30),
            reminder_time=None,
            display_name="Анна",
            onboarded=True,
        )
        uow.commit()
    assert user.id is not None
    assert user.created_at == clock.now()
    with new_uow() as uow:
        assert uow.users.get(user.id) == user
        assert uow.users.by_telegram_id(BIG_TG_ID) == user
        assert uow.users.get(user.id + 1000) is None
        assert uow.users.by_telegram_id(1) is None


def test_user_save_and_list_active(new_uow: NewUow) -> None:
    with new_uow() as uow:
        a, b = add_user(uow, 1), add_user(uow, 2)
        uow.commit()
    with new_uow() as uow:
        b.active = False
        b.language = "ru"
        b.working_weekdays = frozenset({6})
        uow.users.save(b)
        uow.commit()
    with new_uow() as uow:
        assert [u.id for u in uow.users.list_active()] == [a.id]
        assert uow.users.get(b.id or 0) == b


def test_user_duplicate_telegram_id_raises_and_keeps_the_transaction(new_uow: NewUow) -> None:
    with new_uow() as uow:
        add_user(uow)
        with pytest.raises(DuplicateKeyError):
            add_user(uow)
        add_user(uow, 99)  # the unit of work is still usable (no aborted transaction)
        uow.commit()
    with new_uow() as uow:
        assert len(uow.users.list_active()) == 2


def test_saving_an_unknown_user_raises(new_uow: NewUow) -> None:
    with new_uow() as uow, pytest.raises(LookupError):
        uow.users.save(User(telegram_id=5, id=12345))


# --- teams -----------------------------------------------------------------------------------


def test_team_members_and_roles(new_uow: NewUow, clock: ManualClock) -> None:
    user_ids, team_id = setup_team(new_uow, 3)
    with new_uow() as uow:
        team = uow.teams.get(team_id)
        assert team == Team("Sales", user_ids[0], id=team_id, created_at=clock.now())
        members = uow.teams.members(team_id)
        assert [m.user_id for m in members] == user_ids
        assert [m.role for m in members] == [TeamRole.OWNER, TeamRole.MEMBER, TeamRole.MEMBER]
        member = members[1]
        member.role = TeamRole.ADMIN
        member.weight = Decimal("0.3333333333333333333")
        member.left_on = date(2025, 12, 31)
        uow.teams.save_member(member)
        uow.commit()
    with new_uow() as uow:
        assert uow.teams.members(team_id)[1] == member
        assert uow.teams.memberships_of(user_ids[1]) == [member]
        assert uow.teams.get(team_id + 100) is None


def test_team_size_and_invite_code_round_trip(new_uow: NewUow, clock: ManualClock) -> None:
    user_ids, team_id = setup_team(new_uow, 1)
    code = "Ab3_-" + "x" * 27  # the longest code: 32 URL-safe characters
    with new_uow() as uow:
        team = uow.teams.get(team_id)
        assert team is not None
        assert (team.planned_size, team.invite_code) == (None, None)
        assert uow.teams.by_invite_code(code) is None
        team.planned_size, team.invite_code, team.name = 10, code, "Sales north"
        uow.teams.save(team)
        other = uow.teams.add(Team("Other", user_ids[0], planned_size=3, invite_code="k2"))
        uow.commit()
    with new_uow() as uow:
        found = uow.teams.by_invite_code(code)
        assert found == Team("Sales north", user_ids[0], team_id, clock.now(), 10, code)
        assert uow.teams.get(other.id or 0) == other
        assert uow.teams.by_invite_code(code.upper()) is None  # codes are case-sensitive
        assert uow.teams.by_invite_code("k2") == other
        with pytest.raises(LookupError):
            uow.teams.save(Team("Gone", user_ids[0], id=team_id + 100))


def test_a_taken_invite_code_raises_and_keeps_the_transaction(new_uow: NewUow) -> None:
    user_ids, team_id = setup_team(new_uow, 1)
    with new_uow() as uow:
        team = uow.teams.get(team_id)
        assert team is not None
        team.invite_code = "taken"
        uow.teams.save(team)
        second = uow.teams.add(Team("Second", user_ids[0]))
        second.invite_code = "taken"
        with pytest.raises(DuplicateKeyError):
            uow.teams.save(second)
        with pytest.raises(DuplicateKeyError):
            uow.teams.add(Team("Third", user_ids[0], invite_code="taken"))
        second.invite_code = "free"  # the caller recovers inside the same transaction
        uow.teams.save(second)
        uow.commit()
    with new_uow() as uow:
        assert [t.name for t in (uow.teams.by_invite_code(c) for c in ("taken", "free")) if t] \
            == ["Sales", "Second"]
        regenerated = uow.teams.get(team_id)
        assert regenerated is not None
        regenerated.invite_code = "fresh"  # a new code: the old link stops working
        uow.teams.save(regenerated)
        uow.commit()
    with new_uow() as uow:
        assert uow.teams.by_invite_code("taken") is None
        assert uow.teams.by_invite_code("fresh") is not None


def test_adding_a_member_twice_raises(new_uow: NewUow) -> None:
    user_ids, team_id = setup_team(new_uow, 2)
    with new_uow() as uow:
        with pytest.raises(DuplicateKeyError):
            uow.teams.add_member(Membership(team_id, user_ids[1]))
        assert len(uow.teams.members(team_id)) == 2


def test_save_member_without_id_uses_team_and_person(new_uow: NewUow) -> None:
    user_ids, team_id = setup_team(new_uow, 2)
    with new_uow() as uow:
        uow.teams.save_member(Membership(team_id, user_ids[1], TeamRole.ADMIN, Decimal(2)))
        uow.commit()
    with new_uow() as uow:
        saved = uow.teams.members(team_id)[1]
        assert (saved.role, saved.weight) == (TeamRole.ADMIN, Decimal(2))
        with pytest.raises(LookupError):
            uow.teams.save_member(Membership(team_id + 100, user_ids[1]))


def test_group_chats(new_uow: NewUow) -> None:
    user_ids, team_id = setup_team(new_uow, 1)
    with new_uow() as uow:
        other = uow.teams.add(Team(name="Other", owner_user_id=user_ids[0]))
        chat = uow.teams.link_chat(GroupChat(GROUP_CHAT_ID, team_id, "Sales chat", "ru"))
        uow.commit()
    assert chat.id is not None
    assert other.id is not None
    with new_uow() as uow:
        assert uow.teams.chat(GROUP_CHAT_ID) == chat
        assert uow.teams.chats_of(team_id) == [chat]
        assert uow.teams.list_active_chats() == [chat]
        # Linking the same group again moves it (same row).
        moved = uow.teams.link_chat(GroupChat(GROUP_CHAT_ID, other.id, "Renamed", "en"))
        assert moved.id == chat.id
        assert uow.teams.chats_of(team_id) == []
        moved.active = False
        uow.teams.save_chat(moved)
        uow.commit()
    with new_uow() as uow:
        assert uow.teams.chat(GROUP_CHAT_ID) == moved
        assert uow.teams.list_active_chats() == []
        assert uow.teams.chat(-1) is None
        with pytest.raises(LookupError):
            uow.teams.save_chat(GroupChat(-1, team_id))


# --- plans -----------------------------------------------------------------------------------


def test_plan_round_trip_and_save(new_uow: NewUow) -> None:
    user_ids, team_id = setup_team(new_uow, 1)
    targets = [
        PlanTarget("revenue", Decimal("10000000.00"), Decimal("8500000.50")),
        PlanTarget("calls", Decimal(600)),
        PlanTarget("deals", Decimal("45454.55"), None),
    ]
    with new_uow() as uow:
        plan = uow.plans.add(
            Plan(team_id, date(2025, 11, 1), date(2025, 11, 30), "RUB", targets, user_ids[0])
        )
        uow.commit()
    assert plan.id is not None
    assert plan.created_at is not None
    with new_uow() as uow:
        assert uow.plans.get(plan.id) == plan
        plan.targets = [PlanTarget("deals", Decimal("0.01")), PlanTarget("revenue", Decimal(1))]
        plan.currency = "USD"
        uow.plans.save(plan)
        uow.commit()
    with new_uow() as uow:
        assert uow.plans.get(plan.id) == plan
        assert uow.plans.get(plan.id + 100) is None
        with pytest.raises(LookupError):
            uow.plans.save(Plan(team_id, DAY, DAY, id=plan.id + 100))


def test_individual_targets_are_kept_with_the_plan_and_go_with_the_person(
    new_uow: NewUow,
) -> None:
    (owner, anna, boris), team_id = setup_team(new_uow, 3)
    revenue = PlanTarget("revenue", Decimal("10000000.00"),
                         personal={anna: Decimal("3000000.50"), boris: Decimal(2_000_000)})
    with new_uow() as uow:
        plan = uow.plans.add(Plan(team_id, date(2025, 4, 1), date(2025, 4, 30), "RUB",
                                  [revenue, PlanTarget("calls", Decimal(600))], owner))
        uow.commit()
    assert plan.id is not None
    with new_uow() as uow:
        stored = uow.plans.current(team_id, date(2025, 4, 10))
        assert stored is not None
        assert stored.targets[0].personal == {anna: Decimal("3000000.50"),
                                              boris: Decimal(2_000_000)}
        assert stored.targets[1].personal == {}
        stored.targets[0].personal = {boris: Decimal("2500000.00")}
        uow.plans.save(stored)
        uow.commit()
    with new_uow() as uow:
        again = uow.plans.get(plan.id)
        assert again is not None
        assert again.targets[0].personal == {boris: Decimal("2500000.00")}
        uow.users.erase(boris)
        uow.commit()
    with new_uow() as uow:
        erased = uow.plans.get(plan.id)
        assert erased is not None
        assert erased.targets[0].personal == {}
        assert erased.targets[0].target == Decimal("10000000.00")


def test_current_plan_is_the_newest_containing_the_day(new_uow: NewUow, clock: ManualClock) -> None:
    _, team_id = setup_team(new_uow, 1)
    with new_uow() as uow:
        november = uow.plans.add(Plan(team_id, date(2025, 11, 1), date(2025, 11, 30)))
        clock.advance(hours=1)
        revised = uow.plans.add(Plan(team_id, date(2025, 11, 15), date(2025, 11, 30)))
        clock.advance(hours=1)
        december = uow.plans.add(Plan(team_id, date(2025, 12, 1), date(2025, 12, 31)))
        uow.commit()
    with new_uow() as uow:
        assert uow.plans.current(team_id, date(2025, 11, 3)) == november
        assert uow.plans.current(team_id, date(2025, 11, 30)) == revised
        assert uow.plans.current(team_id, date(2025, 12, 1)) == december
        assert uow.plans.current(team_id, date(2026, 1, 1)) is None
        assert uow.plans.of_team(team_id) == [november, revised, december]
        assert uow.plans.of_team(team_id + 100) == []


# --- KPI assignments -------------------------------------------------------------------------


def test_assignments_replace_in_order(new_uow: NewUow) -> None:
    user_ids, team_id = setup_team(new_uow, 2)
    with new_uow() as uow:
        uow.assignments.replace(user_ids[0], team_id, ["calls", "meetings", "deals"])
        uow.assignments.replace(user_ids[1], team_id, ["revenue"])
        uow.commit()
    with new_uow() as uow:
        mine = uow.assignments.for_user(user_ids[0])
        assert [(a.kpi_id, a.position) for a in mine] == [
            ("calls", 0),
            ("meetings", 1),
            ("deals", 2),
        ]
        kept_id = mine[2].id
        uow.assignments.replace(user_ids[0], team_id, ["deals", "revenue", "deals"])
        uow.commit()
    with new_uow() as uow:
        mine = uow.assignments.for_user(user_ids[0])
        assert [(a.kpi_id, a.position) for a in mine] == [("deals", 0), ("revenue", 1)]
        assert mine[0].id == kept_id  # an upsert, not delete-and-insert
        team = uow.assignments.for_team(team_id)
        assert [(a.user_id, a.kpi_id) for a in team] == [
            (user_ids[0], "deals"),
            (user_ids[0], "revenue"),
            (user_ids[1], "revenue"),
        ]
        uow.assignments.replace(user_ids[0], team_id, [])
        uow.commit()
    with new_uow() as uow:
        assert uow.assignments.for_user(user_ids[0]) == []


# --- entries ---------------------------------------------------------------------------------


def test_recording_versions_and_history(new_uow: NewUow) -> None:
    (me, admin), _ = setup_team(new_uow, 2)
    with new_uow() as uow:
        first = uow.entries.record(me, "calls", DAY, Decimal(12), me, AT)
        second = uow.entries.record(me, "calls", DAY, Decimal("12.50"), admin, AT + timedelta(1))
        removed = uow.entries.record(me, "calls", DAY, None, me, AT + timedelta(2))
        uow.commit()
    assert (first.version, second.version, removed.version) == (1, 2, 3)
    assert first.id == second.id == removed.id
    with new_uow() as uow:
        current = uow.entries.get(me, "calls", DAY)
        assert current == removed
        assert current is not None
        assert current.value is None
        history = uow.entries.history(me, "calls", DAY)
        assert [(r.version, r.value, r.entered_by) for r in history] == [
            (1, Decimal(12), me),
            (2, Decimal("12.50"), admin),
            (3, None, me),
        ]
        assert str(history[1].value) == "12.50"  # the scale typed is kept
        assert uow.entries.get(me, "calls", DAY + timedelta(1)) is None
        assert uow.entries.history(me, "deals", DAY) == []


def test_entries_in_range_and_who_logged(new_uow: NewUow) -> None:
    (a, b, c), _ = setup_team(new_uow, 3)
    with new_uow() as uow:
        for offset in range(5):
            uow.entries.record(a, "calls", DAY + timedelta(offset), Decimal(offset), a, AT)
        uow.entries.record(b, "calls", DAY, Decimal(7), b, AT)
        uow.entries.record(b, "deals", DAY, Decimal(1), b, AT)
        uow.entries.record(c, "calls", DAY, Decimal(3), c, AT)
        uow.entries.record(c, "calls", DAY, None, c, AT)  # removed: not in the results
        uow.commit()
    with new_uow() as uow:
        found = uow.entries.in_range([a, b, c], DAY, DAY + timedelta(2))
        assert [(e.day, e.user_id, e.kpi_id) for e in found] == [
            (DAY, a, "calls"),
            (DAY, b, "calls"),
            (DAY, b, "deals"),
            (DAY + timedelta(1), a, "calls"),
            (DAY + timedelta(2), a, "calls"),
        ]
        assert uow.entries.in_range(iter([b]), DAY + timedelta(1), DAY + timedelta(9)) == []
        assert uow.entries.in_range([], DAY, DAY) == []
        assert uow.entries.logged_users_on([a, b, c], DAY) == {a, b}
        assert uow.entries.logged_users_on((x for x in [c]), DAY) == set()
        assert uow.entries.logged_users_on([], DAY) == set()


@pytest.mark.parametrize(
    "text",
    ["999999999999999.99", "1000000000000000", "0.01", "45454.55", "0.0000001", "-3.50", "0"],
)
def test_exact_decimals_round_trip(new_uow: NewUow, text: str) -> None:
    (me,), team_id = setup_team(new_uow, 1)
    value = Decimal(text)
    with new_uow() as uow:
        uow.entries.record(me, "revenue", DAY, value, me, AT)
        uow.plans.add(Plan(team_id, DAY, DAY, targets=[PlanTarget("revenue", value, value)]))
        uow.commit()
    with new_uow() as uow:
        entry = uow.entries.get(me, "revenue", DAY)
        assert entry is not None
        assert entry.value == value
        assert entry.value.as_tuple().exponent == value.as_tuple().exponent
        plan = uow.plans.current(team_id, DAY)
        assert plan is not None
        assert plan.targets[0].target == value == plan.targets[0].baseline


def test_floats_and_naive_datetimes_are_refused(new_uow: NewUow) -> None:
    (me,), _ = setup_team(new_uow, 1)
    with new_uow() as uow, raises_cause(TypeError):
        uow.entries.record(me, "calls", DAY, 1.5, me, AT)  # type: ignore[arg-type]
    with new_uow() as uow, raises_cause(ValueError):
        uow.entries.record(me, "calls", DAY, Decimal(1), me, datetime(2025, 11, 24, 7, 30))


def test_timestamps_come_back_aware_utc(new_uow: NewUow) -> None:
    (me,), _ = setup_team(new_uow, 1)
    moscow = timezone(timedelta(hours=3))
    with new_uow() as uow:
        uow.entries.record(
            me, "calls", DAY, Decimal(1), me, datetime(2025, 11, 24, 10, 30, tzinfo=moscow)
        )
        uow.commit()
    with new_uow() as uow:
        entry = uow.entries.get(me, "calls", DAY)
        assert entry is not None
        assert entry.entered_at == AT
        assert entry.entered_at.utcoffset() == timedelta(0)


# --- days off --------------------------------------------------------------------------------


def test_days_off(new_uow: NewUow) -> None:
    (a, b), _ = setup_team(new_uow, 2)
    with new_uow() as uow:
        first = uow.days_off.add(DayOff(a, DAY))
        again = uow.days_off.add(DayOff(a, DAY, DayOffKind.SICK))  # same day: kind updated
        uow.days_off.add(DayOff(a, DAY + timedelta(3), DayOffKind.OTHER))
        uow.days_off.add(DayOff(b, DAY + timedelta(1), share=DayOffShare.REDUCE))
        uow.commit()
    assert first.id == again.id
    with new_uow() as uow:
        found = uow.days_off.in_range([a, b], DAY, DAY + timedelta(2))
        assert [(d.user_id, d.day, d.kind, d.share) for d in found] == [
            (a, DAY, DayOffKind.SICK, DayOffShare.TEAM),
            (b, DAY + timedelta(1), DayOffKind.VACATION, DayOffShare.REDUCE),
        ]
        uow.days_off.add(DayOff(b, DAY + timedelta(1), share=DayOffShare.TEAM))
        assert uow.days_off.in_range([b], DAY, DAY + timedelta(2))[0].share is DayOffShare.TEAM
        uow.days_off.remove(a, DAY)
        uow.days_off.remove(a, DAY + timedelta(30))  # nothing there: no error
        uow.commit()
    with new_uow() as uow:
        assert [d.day for d in uow.days_off.in_range([a], DAY, DAY + timedelta(9))] == [
            DAY + timedelta(3)
        ]
        assert uow.days_off.in_range([], DAY, DAY) == []


# --- conversation state ----------------------------------------------------------------------


def test_conversation_state(new_uow: NewUow, clock: ManualClock) -> None:
    (me,), _ = setup_team(new_uow, 1)
    data = {"answers": {"role": "sales", "kpis": ["calls", "deals"]}, "n": 3, "ok": True}
    with new_uow() as uow:
        uow.conversations.save(ConversationState(me * 10, me, "onboarding", "role", data, "t1", 77))
        uow.conversations.save(ConversationState(GROUP_CHAT_ID, me, "log", "value"))
        uow.commit()
    with new_uow() as uow:
        state = uow.conversations.get(me * 10, me)
        assert state == ConversationState(
            me * 10, me, "onboarding", "role", data, "t1", 77, clock.now()
        )
        clock.advance(minutes=5)
        state.step, state.token, state.updated_at = "kpis", "t2", None
        uow.conversations.save(state)
        uow.commit()
    with new_uow() as uow:
        again = uow.conversations.get(me * 10, me)
        assert again is not None
        assert (again.step, again.token, again.updated_at) == ("kpis", "t2", clock.now())
        uow.conversations.clear(me * 10, me)
        uow.conversations.clear(me * 10, me)  # idempotent
        uow.commit()
    with new_uow() as uow:
        assert uow.conversations.get(me * 10, me) is None
        assert uow.conversations.get(GROUP_CHAT_ID, me) is not None


# --- processed updates -----------------------------------------------------------------------


def test_profiles_round_trip_and_replace(new_uow: NewUow, clock: ManualClock) -> None:
    answers = {
        "role": "owner",
        "team_size": 10,
        "goals": ["more_sales"],
        "plan": {"amount": "10000000", "currency": "RUB"},
        "period_dates": ["2025-04-01", "2025-04-30"],
        "name": "Анна",
    }
    with new_uow() as uow:
        user = add_user(uow)
        assert user.id is not None
        assert uow.profiles.get(user.id) is None
        uow.profiles.save(UserProfile(user.id, answers))
        uow.commit()
    with new_uow() as uow:
        assert uow.profiles.get(user.id) == UserProfile(user.id, answers, clock.now())
        clock.advance(minutes=5)
        uow.profiles.save(UserProfile(user.id, {"role": "marketer"}))
        uow.commit()
    with new_uow() as uow:
        assert uow.profiles.get(user.id) == UserProfile(user.id, {"role": "marketer"}, clock.now())
        with raises_cause(Exception):  # no such person: the foreign key refuses it
            uow.profiles.save(UserProfile(user.id + 100, {}))


def test_update_dedup_and_prune(new_uow: NewUow) -> None:
    with new_uow() as uow:
        assert uow.updates.first_time(10**12, AT)
        assert not uow.updates.first_time(10**12, AT + timedelta(seconds=5))
        assert uow.updates.first_time(2, AT + timedelta(days=1))
        uow.commit()
    with new_uow() as uow:
        assert not uow.updates.first_time(10**12, AT)
        assert uow.updates.prune(AT + timedelta(hours=1)) == 1
        assert uow.updates.first_time(10**12, AT)
        assert uow.updates.prune(AT) == 0


# --- deliveries ------------------------------------------------------------------------------


def _delivery(chat_id: int, due: datetime, **fields: Any) -> Delivery:
    fields.setdefault("kind", DeliveryKind.DIGEST)
    fields.setdefault("local_date", due.date())
    return Delivery(chat_id=chat_id, due_at=due, expires_at=due + timedelta(hours=3), **fields)


def test_plan_ignores_existing_chat_kind_day(new_uow: NewUow) -> None:
    (me,), team_id = setup_team(new_uow, 1)
    with new_uow() as uow:
        batch = [
            _delivery(BIG_TG_ID, AT, user_id=me),
            _delivery(BIG_TG_ID, AT, user_id=me, kind=DeliveryKind.REMINDER),
            _delivery(GROUP_CHAT_ID, AT, team_id=team_id),
        ]
        assert uow.deliveries.plan(batch) == 3
        again = [*batch, _delivery(BIG_TG_ID, AT + timedelta(days=1), user_id=me)]
        assert uow.deliveries.plan(again) == 1
        assert uow.deliveries.plan([]) == 0
        uow.commit()
    with new_uow() as uow:
        mine = uow.deliveries.for_chat(BIG_TG_ID)
        assert [(d.local_date, d.kind) for d in mine] == [
            (DAY, DeliveryKind.DIGEST),
            (DAY, DeliveryKind.REMINDER),
            (DAY + timedelta(days=1), DeliveryKind.DIGEST),
        ]
        assert all(d.status == DeliveryStatus.PENDING and d.attempts == 0 for d in mine)
        assert uow.deliveries.get(mine[0].id or 0) == mine[0]
        assert uow.deliveries.get(10**9) is None


def test_claim_due_order_limit_and_expiry(new_uow: NewUow) -> None:
    now = AT
    with new_uow() as uow:
        uow.deliveries.plan(
            [
                _delivery(1, now - timedelta(minutes=1)),
                _delivery(2, now - timedelta(minutes=10)),
                _delivery(3, now),
                _delivery(4, now + timedelta(seconds=1)),  # not due yet
                _delivery(5, now - timedelta(hours=5)),  # expired 2 hours ago
            ]
        )
        uow.commit()
    with new_uow() as uow:
        claimed = uow.deliveries.claim_due(now, 2, "worker-a", 300)
        assert [d.chat_id for d in claimed] == [2, 1]
        assert all(
            (d.status, d.claimed_by, d.claimed_at, d.attempts)
            == (DeliveryStatus.CLAIMED, "worker-a", now, 1)
            for d in claimed
        )
        rest = uow.deliveries.claim_due(now, 10, "worker-b", 300)
        assert [d.chat_id for d in rest] == [3]
        assert uow.deliveries.claim_due(now, 10, "worker-b", 300) == []
        assert uow.deliveries.claim_due(now, 0, "worker-b", 300) == []
        uow.commit()
    with new_uow() as uow:
        assert uow.deliveries.for_chat(5)[0].status == DeliveryStatus.EXPIRED
        assert uow.deliveries.for_chat(4)[0].status == DeliveryStatus.PENDING


def test_stale_claims_are_claimable_again_after_the_lease(new_uow: NewUow) -> None:
    with new_uow() as uow:
        uow.deliveries.plan([_delivery(1, AT)])
        (first,) = uow.deliveries.claim_due(AT, 10, "crashed", 60)
        assert uow.deliveries.claim_due(AT + timedelta(seconds=59), 10, "other", 60) == []
        (again,) = uow.deliveries.claim_due(AT + timedelta(seconds=60), 10, "other", 60)
        assert again.id == first.id
        assert (again.claimed_by, again.attempts) == ("other", 2)
        uow.commit()


def test_finish_sent_retry_and_final_failure(new_uow: NewUow) -> None:
    with new_uow() as uow:
        uow.deliveries.plan([_delivery(1, AT), _delivery(2, AT), _delivery(3, AT)])
        sent, retried, failed = uow.deliveries.claim_due(AT, 10, "w", 60)
        uow.deliveries.finish(sent.id or 0, DeliveryStatus.SENT, AT, telegram_message_id=555)
        later = AT + timedelta(minutes=2)
        uow.deliveries.finish(retried.id or 0, DeliveryStatus.PENDING, AT, "429", None, later)
        uow.deliveries.finish(failed.id or 0, DeliveryStatus.FAILED, AT, "Forbidden: blocked")
        uow.commit()
    with new_uow() as uow:
        done = uow.deliveries.get(sent.id or 0)
        assert done is not None
        assert (done.status, done.sent_at, done.telegram_message_id, done.error) == (
            DeliveryStatus.SENT,
            AT,
            555,
            None,
        )
        # Not before next_attempt_at; then claimable again, with the attempt counted.
        assert uow.deliveries.claim_due(AT + timedelta(minutes=1), 10, "w", 60) == []
        (again,) = uow.deliveries.claim_due(AT + timedelta(minutes=2), 10, "w", 60)
        assert (again.id, again.attempts, again.error) == (retried.id, 2, "429")
        final = uow.deliveries.get(failed.id or 0)
        assert final is not None
        assert final.status == DeliveryStatus.FAILED
        assert final.error == "Forbidden: blocked"
        with pytest.raises(LookupError):
            uow.deliveries.finish(10**9, DeliveryStatus.SENT, AT)


def test_failed_with_a_next_attempt_is_retried(new_uow: NewUow) -> None:
    with new_uow() as uow:
        uow.deliveries.plan([_delivery(1, AT)])
        (d,) = uow.deliveries.claim_due(AT, 1, "w", 60)
        uow.deliveries.finish(d.id or 0, DeliveryStatus.FAILED, AT, "timeout", None, AT)
        (again,) = uow.deliveries.claim_due(AT, 1, "w", 60)
        assert again.id == d.id
        uow.commit()


# --- erase -----------------------------------------------------------------------------------


def test_erase_removes_everything_about_the_person(new_uow: NewUow) -> None:
    (owner, gone, stays), team_id = setup_team(new_uow, 3)
    with new_uow() as uow:
        uow.entries.record(gone, "calls", DAY, Decimal(5), gone, AT)
        uow.entries.record(gone, "calls", DAY, Decimal(6), owner, AT)
        uow.entries.record(stays, "calls", DAY, Decimal(1), gone, AT)  # entered by `gone`
        uow.days_off.add(DayOff(gone, DAY))
        uow.assignments.replace(gone, team_id, ["calls"])
        uow.conversations.save(ConversationState(BIG_TG_ID + 1, gone, "log", "value"))
        uow.profiles.save(UserProfile(gone, {"role": "sales_manager"}))
        uow.profiles.save(UserProfile(stays, {"role": "marketer"}))
        uow.deliveries.plan([_delivery(BIG_TG_ID + 1, AT, user_id=gone)])
        uow.deliveries.plan([_delivery(GROUP_CHAT_ID, AT, team_id=team_id)])
        uow.plans.add(Plan(team_id, DAY, DAY, created_by=gone))
        uow.commit()
    with new_uow() as uow:
        uow.users.erase(gone)
        uow.commit()
    with new_uow() as uow:
        assert uow.users.get(gone) is None
        assert uow.entries.get(gone, "calls", DAY) is None
        assert uow.entries.history(gone, "calls", DAY) == []
        assert uow.days_off.in_range([gone], DAY, DAY) == []
        assert uow.assignments.for_user(gone) == []
        assert uow.conversations.get(BIG_TG_ID + 1, gone) is None
        assert uow.profiles.get(gone) is None
        assert uow.profiles.get(stays) is not None
        assert uow.deliveries.for_chat(BIG_TG_ID + 1) == []
        assert uow.teams.memberships_of(gone) == []
        # What others own stays; the author is forgotten.
        kept = uow.entries.get(stays, "calls", DAY)
        assert kept is not None
        assert kept.value == Decimal(1)
        assert kept.entered_by is None
        assert uow.entries.history(stays, "calls", DAY)[0].entered_by is None
        plan = uow.plans.current(team_id, DAY)
        assert plan is not None
        assert plan.created_by is None
        assert len(uow.deliveries.for_chat(GROUP_CHAT_ID)) == 1
        assert [m.user_id for m in uow.teams.members(team_id)] == [owner, stays]


def test_erasing_an_owner_hands_the_team_over_or_deletes_it(new_uow: NewUow) -> None:
    (owner, member, admin), team_id = setup_team(new_uow, 3)
    with new_uow() as uow:
        promoted = uow.teams.members(team_id)[2]
        promoted.role = TeamRole.ADMIN
        uow.teams.save_member(promoted)
        solo = uow.teams.add(Team("Solo", owner))
        assert solo.id is not None
        uow.teams.add_member(Membership(solo.id, owner, TeamRole.OWNER))
        uow.teams.link_chat(GroupChat(GROUP_CHAT_ID, solo.id))
        uow.plans.add(Plan(solo.id, DAY, DAY))
        uow.assignments.replace(owner, solo.id, ["calls"])
        uow.commit()
    with new_uow() as uow:
        uow.users.erase(owner)
        uow.commit()
    with new_uow() as uow:
        team = uow.teams.get(team_id)
        assert team is not None
        assert team.owner_user_id == admin  # admins first
        roles = {m.user_id: m.role for m in uow.teams.members(team_id)}
        assert roles == {member: TeamRole.MEMBER, admin: TeamRole.OWNER}
        assert uow.teams.get(solo.id) is None
        assert uow.teams.chat(GROUP_CHAT_ID) is None
        assert uow.plans.of_team(solo.id) == []


def test_stand_ins_have_no_telegram_id_and_are_never_active(new_uow: NewUow) -> None:
    with new_uow() as uow:
        person = add_user(uow, BIG_TG_ID, display_name="Ann")
        first = uow.users.add(User(telegram_id=None, anonymous=True))
        second = uow.users.add(User(telegram_id=None, anonymous=True))  # NULLs never collide
        uow.commit()
    with new_uow() as uow:
        loaded = uow.users.get(first.id or 0)
        assert loaded is not None
        assert loaded.anonymous
        assert loaded.telegram_id is None
        assert first.id != second.id
        person_again = uow.users.get(person.id or 0)
        assert person_again is not None
        assert not person_again.anonymous
        # Even an "active" stand-in is not listed: nothing is ever planned for it.
        loaded.active = True
        uow.users.save(loaded)
        assert [u.id for u in uow.users.list_active()] == [person.id]


def test_reassign_moves_entries_of_the_days_with_their_history(new_uow: NewUow) -> None:
    (a, b), _ = setup_team(new_uow, 2)
    days = [DAY - timedelta(days=2), DAY - timedelta(days=1), DAY]
    with new_uow() as uow:
        for n, day in enumerate(days):
            uow.entries.record(a, "calls", day, Decimal(n + 1), a, AT)
        uow.entries.record(a, "calls", DAY, Decimal("2.50"), b, AT)  # version 2, by b
        uow.entries.record(a, "meetings", DAY - timedelta(days=1), None, a, AT)  # removed
        uow.commit()
    with new_uow() as uow:
        assert uow.entries.reassign(a, b, DAY - timedelta(days=1), None) == 3
        assert uow.entries.reassign(a, b, DAY + timedelta(days=1), None) == 0
        uow.commit()
    with new_uow() as uow:
        assert [(e.user_id, e.day, e.value) for e in uow.entries.in_range([a, b], days[0], DAY)] \
            == [(a, days[0], Decimal(1)), (b, days[1], Decimal(2)), (b, DAY, Decimal("2.50"))]
        moved = uow.entries.get(b, "calls", DAY)
        assert moved is not None
        assert (moved.version, moved.entered_by) == (2, b)
        assert [(r.value, r.entered_by) for r in uow.entries.history(b, "calls", DAY)] == [
            (Decimal(3), a), (Decimal("2.50"), b)]
        assert uow.entries.get(a, "calls", DAY) is None
        removed = uow.entries.get(b, "meetings", DAY - timedelta(days=1))
        assert removed is not None
        assert removed.value is None
        assert uow.entries.reassign(a, b, None, DAY - timedelta(days=2)) == 1


def _team_totals(uow: UnitOfWork, team_id: int, start: date, end: date) -> dict[str, Decimal]:
    """The team's sums per KPI over everyone who is or was in it (what its totals add up)."""
    ids = [m.user_id for m in uow.teams.members(team_id)]
    found: dict[str, Decimal] = {}
    for (_, kpi_id), total in uow.entries.totals(ids, start, end).items():
        found[kpi_id] = found.get(kpi_id, Decimal(0)) + total
    return found


def test_erasing_a_member_keeps_their_figures_in_the_team_under_a_stand_in(
    new_uow: NewUow,
) -> None:
    (owner, gone, stays), team_id = setup_team(new_uow, 3)
    start = DAY - timedelta(days=3)
    with new_uow() as uow:
        uow.assignments.replace(gone, team_id, ["revenue", "calls"])
        uow.assignments.replace(stays, team_id, ["calls"])
        for n in range(4):
            day = start + timedelta(days=n)
            uow.entries.record(gone, "calls", day, Decimal(n + 7), gone, AT)
            uow.entries.record(gone, "revenue", day, Decimal("12345.67") + n, gone, AT)
            uow.entries.record(stays, "calls", day, Decimal("0.01"), stays, AT)
        uow.entries.record(gone, "revenue", DAY, Decimal("0.33"), owner, AT)  # fixed by the owner
        uow.days_off.add(DayOff(gone, DAY + timedelta(days=1), DayOffKind.SICK))
        uow.profiles.save(UserProfile(gone, {"role": "sales_manager"}))
        uow.conversations.save(ConversationState(BIG_TG_ID + 1, gone, "log", "value"))
        uow.deliveries.plan([_delivery(BIG_TG_ID + 1, AT, user_id=gone)])
        uow.commit()
    with new_uow() as uow:
        before = _team_totals(uow, team_id, start, DAY)
        erase_person(uow, gone, DAY)
        uow.commit()
    # 7 + 8 + 9 + 10 and 4 × 0.01; three days' revenue and the owner's 0.33 for the fourth.
    assert before == {"calls": Decimal("34.04"), "revenue": Decimal("37040.34")}
    with new_uow() as uow:
        assert _team_totals(uow, team_id, start, DAY) == before  # exactly, Decimal for Decimal
        members = uow.teams.members(team_id)
        assert [m.user_id for m in members][:2] == [owner, stays]
        (stand_in,) = members[2:]
        assert stand_in.user_id not in (owner, gone, stays)
        assert stand_in.left_on == DAY
        assert stand_in.joined_on == DAY
        assert stand_in.role is TeamRole.MEMBER
        user = uow.users.get(stand_in.user_id)
        assert user is not None
        assert user.anonymous
        assert (user.telegram_id, user.display_name, user.active) == (None, "", False)
        assert (user.digest_time, user.reminder_time) == (None, None)
        assert [a.kpi_id for a in uow.assignments.for_user(stand_in.user_id)] == [
            "revenue", "calls"]
        # Nothing of the person is left: not their row, their Telegram id, name or history.
        assert uow.users.get(gone) is None
        assert uow.users.by_telegram_id(BIG_TG_ID + 1) is None
        everyone = uow.users.get_many(range(owner, owner + 50))  # every id made here
        assert BIG_TG_ID + 1 not in {u.telegram_id for u in everyone}
        assert "P1" not in {u.display_name for u in everyone}
        assert uow.profiles.get(gone) is None
        assert uow.conversations.get(BIG_TG_ID + 1, gone) is None
        assert uow.deliveries.for_chat(BIG_TG_ID + 1) == []
        assert uow.days_off.in_range([gone, stand_in.user_id], start, DAY + timedelta(days=1)) \
            == []
        for day in (start, DAY):
            for kpi_id in ("calls", "revenue"):
                assert uow.entries.get(gone, kpi_id, day) is None
                history = uow.entries.history(stand_in.user_id, kpi_id, day)
                assert history
                assert gone not in {r.entered_by for r in history}
        fixed = uow.entries.history(stand_in.user_id, "revenue", DAY)
        assert [r.entered_by for r in fixed] == [None, owner]  # someone else's edit keeps them
        # Never listed: not active, and a former member of the team.
        assert stand_in.user_id not in {u.id for u in uow.users.list_active()}
        assert stand_in.left_on is not None


def test_erasing_someone_of_two_teams_splits_their_figures_by_team(new_uow: NewUow) -> None:
    (owner, person), first = setup_team(new_uow, 2)
    moved_on = DAY + timedelta(days=2)
    with new_uow() as uow:
        other_owner = add_user(uow, BIG_TG_ID + 10, display_name="Boss")
        second = uow.teams.add(Team("Other", other_owner.id or 0))
        assert second.id is not None
        uow.teams.add_member(Membership(second.id, other_owner.id or 0, TeamRole.OWNER))
        old = uow.teams.members(first)[1]
        old.left_on = moved_on - timedelta(days=1)
        uow.teams.save_member(old)
        uow.teams.add_member(Membership(second.id, person, joined_on=moved_on))
        uow.assignments.replace(person, first, ["calls"])
        uow.assignments.replace(person, second.id, ["calls"])
        for n in range(4):
            uow.entries.record(person, "calls", DAY + timedelta(days=n), Decimal(10 ** n), person,
                               AT)
        uow.commit()
    with new_uow() as uow:
        erase_person(uow, person, DAY + timedelta(days=3))
        uow.commit()
    end = DAY + timedelta(days=3)
    with new_uow() as uow:
        assert _team_totals(uow, first, DAY, end) == {"calls": Decimal(11)}
        assert _team_totals(uow, second.id, DAY, end) == {"calls": Decimal(1100)}
        (in_first,) = [m for m in uow.teams.members(first) if m.user_id not in (owner,)]
        (in_second,) = [m for m in uow.teams.members(second.id)
                        if m.user_id != other_owner.id]
        assert in_first.user_id != in_second.user_id
        assert (in_first.joined_on, in_first.left_on) == (DAY, moved_on - timedelta(days=1))
        assert (in_second.joined_on, in_second.left_on) == (moved_on, end)


def test_an_owner_who_erases_themselves_hands_over_and_keeps_their_figures(
    new_uow: NewUow,
) -> None:
    (owner, member), team_id = setup_team(new_uow, 2)
    with new_uow() as uow:
        uow.assignments.replace(owner, team_id, ["calls"])
        uow.entries.record(owner, "calls", DAY, Decimal("3.5"), owner, AT)
        uow.entries.record(member, "calls", DAY, Decimal(2), member, AT)
        uow.commit()
    with new_uow() as uow:
        erase_person(uow, owner, DAY)
        uow.commit()
    with new_uow() as uow:
        team = uow.teams.get(team_id)
        assert team is not None
        assert team.owner_user_id == member  # the stand-in, a former member, never takes over
        assert _team_totals(uow, team_id, DAY, DAY) == {"calls": Decimal("5.5")}
        roles = [(m.user_id == member, m.role, m.left_on) for m in uow.teams.members(team_id)]
        assert roles == [(True, TeamRole.OWNER, None), (False, TeamRole.MEMBER, DAY)]


def test_a_deleted_team_takes_its_stand_ins_along(new_uow: NewUow) -> None:
    (owner, member), team_id = setup_team(new_uow, 2)
    with new_uow() as uow:
        uow.assignments.replace(member, team_id, ["calls"])
        uow.entries.record(member, "calls", DAY, Decimal(4), member, AT)
        uow.entries.record(owner, "calls", DAY, Decimal(5), owner, AT)
        uow.commit()
    with new_uow() as uow:
        erase_person(uow, member, DAY)
        uow.commit()
    with new_uow() as uow:
        stand_in = uow.teams.members(team_id)[-1].user_id
        assert _team_totals(uow, team_id, DAY, DAY) == {"calls": Decimal(9)}
        # The owner goes too: nobody current is left to take the team over (not the stand-in).
        erase_person(uow, owner, DAY)
        uow.commit()
    with new_uow() as uow:
        assert uow.teams.get(team_id) is None
        assert uow.users.get(stand_in) is None
        assert uow.entries.in_range([stand_in], DAY, DAY) == []
        assert uow.assignments.for_user(stand_in) == []
        assert uow.users.get_many(range(owner, owner + 50)) == []  # every id made here


def test_pending_reschedule_and_requeue(new_uow: NewUow) -> None:
    later = AT + timedelta(hours=2)
    with new_uow() as uow:
        uow.deliveries.plan(
            [
                _delivery(1, AT),
                _delivery(2, AT),
                _delivery(3, AT - timedelta(days=1)),
                _delivery(4, AT + timedelta(minutes=30)),
            ]
        )
        assert [d.chat_id for d in uow.deliveries.pending(DAY)] == [1, 2, 4]
        assert [d.chat_id for d in uow.deliveries.pending(DAY, [2, 3, 99])] == [2]
        assert uow.deliveries.pending(DAY, []) == []
        sent, claimed = uow.deliveries.claim_due(AT, 2, "w", 60)
        uow.deliveries.finish(sent.id or 0, DeliveryStatus.SENT, AT, telegram_message_id=9)
        # A claimed row can move (settings changed); a sent one cannot be rescheduled...
        assert uow.deliveries.reschedule(claimed.id or 0, later, later + timedelta(hours=1))
        assert not uow.deliveries.reschedule(sent.id or 0, later, later + timedelta(hours=1))
        assert not uow.deliveries.reschedule(10**9, later, later)
        # ...but it can be sent again later (snooze), and only a sent one.
        assert uow.deliveries.requeue(sent.id or 0, later, later + timedelta(hours=1), "snoozed")
        assert not uow.deliveries.requeue(sent.id or 0, later, later, "snoozed")
        uow.commit()
    with new_uow() as uow:
        moved = uow.deliveries.get(claimed.id or 0)
        assert moved is not None
        assert (moved.status, moved.due_at, moved.claimed_by, moved.claimed_at, moved.error) == (
            DeliveryStatus.PENDING,
            later,
            None,
            None,
            None,
        )
        again = uow.deliveries.get(sent.id or 0)
        assert again is not None
        assert (again.status, again.due_at, again.error) == (
            DeliveryStatus.PENDING,
            later,
            "snoozed",
        )
        # Chat 4 was due at 08:00; the moved rows are not due before 09:30.
        early = uow.deliveries.claim_due(AT + timedelta(hours=1), 10, "w", 86400)
        assert [d.chat_id for d in early] == [4]
        claimed_later = uow.deliveries.claim_due(later, 10, "w", 86400)
        assert sorted(d.chat_id for d in claimed_later) == sorted([sent.chat_id, claimed.chat_id])


def test_a_chats_later_row_waits_for_an_earlier_one_being_retried(new_uow: NewUow) -> None:
    """Under a 429 the reminder must not overtake the digest of that chat (due an hour before,
    still useful for two more hours)."""
    evening = AT + timedelta(hours=1)
    with new_uow() as uow:
        uow.deliveries.plan(
            [
                _delivery(1, AT),
                _delivery(1, evening, kind=DeliveryKind.REMINDER),
                _delivery(2, evening, kind=DeliveryKind.REMINDER),
            ]
        )
        uow.commit()
    with new_uow() as uow:
        (digest,) = uow.deliveries.claim_due(AT, 10, "w", 600)
        # 429: back to PENDING, to be tried after the reminder is due.
        uow.deliveries.finish(digest.id or 0, DeliveryStatus.PENDING, AT, "retry_after",
                              next_attempt_at=evening + timedelta(minutes=5))
        uow.commit()
    with new_uow() as uow:
        # Only chat 2's reminder goes; chat 1's waits behind its digest.
        assert [d.chat_id for d in uow.deliveries.claim_due(evening, 10, "w", 600)] == [2]
        (first,) = uow.deliveries.claim_due(evening + timedelta(minutes=5), 10, "w", 600)
        assert (first.chat_id, first.kind) == (1, DeliveryKind.DIGEST)
        # While the digest is claimed (in flight), the reminder is not claimed either.
        assert uow.deliveries.claim_due(evening + timedelta(minutes=6), 10, "w", 600) == []
        uow.deliveries.finish(first.id or 0, DeliveryStatus.SENT, evening)
        (then,) = uow.deliveries.claim_due(evening + timedelta(minutes=6), 10, "w", 600)
        assert (then.chat_id, then.kind) == (1, DeliveryKind.REMINDER)
        uow.commit()


def test_an_expired_or_finished_earlier_row_does_not_block(new_uow: NewUow) -> None:
    with new_uow() as uow:
        uow.deliveries.plan([_delivery(1, AT - timedelta(hours=4)),
                             _delivery(1, AT, kind=DeliveryKind.REMINDER),
                             _delivery(3, AT - timedelta(hours=1)),
                             _delivery(3, AT, kind=DeliveryKind.REMINDER)])
        (stale,) = uow.deliveries.claim_due(AT - timedelta(hours=4), 10, "w", 600)
        # Its retry would come after it expires (AT - 1 h): it no longer holds chat 1 back.
        uow.deliveries.finish(stale.id or 0, DeliveryStatus.PENDING, AT, "retry_after",
                              next_attempt_at=AT + timedelta(hours=5))
        (skipped,) = uow.deliveries.claim_due(AT - timedelta(hours=1), 10, "w", 600)
        assert skipped.chat_id == 3
        uow.deliveries.finish(skipped.id or 0, DeliveryStatus.SKIPPED, AT)
        claimed = uow.deliveries.claim_due(AT, 10, "w", 600)
        assert sorted((d.chat_id, d.kind) for d in claimed) == [
            (1, DeliveryKind.REMINDER), (3, DeliveryKind.REMINDER)]
        uow.commit()


def test_the_row_sent_as_a_message(new_uow: NewUow) -> None:
    with new_uow() as uow:
        uow.deliveries.plan([_delivery(1, AT), _delivery(1, AT, kind=DeliveryKind.REMINDER),
                             _delivery(2, AT, kind=DeliveryKind.REMINDER)])
        for d in uow.deliveries.claim_due(AT, 10, "w", 600):
            uow.deliveries.finish(d.id or 0, DeliveryStatus.SENT, AT,
                                  telegram_message_id=70 + d.chat_id)
        uow.commit()
    with new_uow() as uow:
        found = uow.deliveries.sent_as(1, 71)
        assert found is not None
        assert (found.chat_id, found.kind) == (1, DeliveryKind.DIGEST)
        assert uow.deliveries.sent_as(1, 72) is None  # another chat's message id
        assert uow.deliveries.sent_as(3, 71) is None


def test_totals_are_exact_sums_per_person_and_kpi(new_uow: NewUow) -> None:
    (me, other), _ = setup_team(new_uow, 2)
    start = DAY - timedelta(days=5)
    with new_uow() as uow:
        for i, value in enumerate(["0.1", "0.2", "1000000000000.05", "3", "-1.125"]):
            uow.entries.record(me, "revenue", start + timedelta(days=i), Decimal(value), me, AT)
        uow.entries.record(me, "calls", DAY, Decimal(7), me, AT)
        uow.entries.record(me, "calls", DAY - timedelta(days=1), None, me, AT)  # removed
        uow.entries.record(other, "calls", DAY, Decimal(2), other, AT)
        uow.entries.record(other, "calls", DAY + timedelta(days=1), Decimal(100), other, AT)
        uow.commit()
    with new_uow() as uow:
        totals = uow.entries.totals([me, other], start, DAY)
        # 0.1 + 0.2 is 0.3 exactly (a float sum would not be), whatever the scales.
        assert totals == {(me, "revenue"): Decimal("1000000000002.225"),
                          (me, "calls"): Decimal(7), (other, "calls"): Decimal(2)}
        assert uow.entries.totals([me], DAY + timedelta(days=1), DAY) == {}
        assert uow.entries.totals([], start, DAY) == {}
        only = uow.entries.in_range_of([me, other], ["calls"], start, DAY)
        assert [(e.user_id, e.kpi_id) for e in only] == [(me, "calls"), (other, "calls")]


def test_logged_days_as_a_bit_mask(new_uow: NewUow) -> None:
    (me, other, idle), _ = setup_team(new_uow, 3)
    with new_uow() as uow:
        for back in (0, 1, 3, 62):
            uow.entries.record(me, "calls", DAY - timedelta(days=back), Decimal(1), me, AT)
        uow.entries.record(me, "meetings", DAY - timedelta(days=1), Decimal(1), me, AT)
        uow.entries.record(me, "calls", DAY - timedelta(days=63), Decimal(1), me, AT)  # too old
        uow.entries.record(other, "calls", DAY - timedelta(days=2), Decimal(1), other, AT)
        uow.entries.record(other, "calls", DAY - timedelta(days=2), None, other, AT)  # removed
        uow.entries.record(other, "calls", DAY + timedelta(days=1), Decimal(1), other, AT)
        uow.commit()
    with new_uow() as uow:
        masks = uow.entries.logged_days([me, other, idle], DAY, 63)
        assert masks == {me: 1 | 1 << 1 | 1 << 3 | 1 << 62}
        assert uow.entries.logged_days([me], DAY, 2) == {me: 0b11}


def test_batch_reads_agree_with_the_single_ones(new_uow: NewUow) -> None:
    """The digests load many teams at once: each batch read is the single read, together."""
    (a, b), sales = setup_team(new_uow, 2)
    (c,), support = setup_team_of_one(new_uow)
    with new_uow() as uow:
        uow.assignments.replace(a, sales, ["revenue", "cold_calls"])
        uow.assignments.replace(b, sales, ["cold_calls"])
        uow.assignments.replace(c, support, ["deals"])
        old = uow.plans.add(Plan(sales, date(2025, 11, 1), date(2025, 11, 30)))
        new = uow.plans.add(Plan(sales, date(2025, 11, 1), date(2025, 11, 30),
                                 targets=[PlanTarget("revenue", Decimal(5))]))
        uow.plans.add(Plan(support, date(2025, 10, 1), date(2025, 10, 31)))
        uow.commit()
    with new_uow() as uow:
        teams = [sales, support, 10**9]
        assert [x.id for x in uow.users.get_many([c, a, a, 10**9])] == sorted([a, c])
        assert list(uow.teams.get_many(teams)) == [uow.teams.get(sales), uow.teams.get(support)]
        assert list(uow.teams.members_of_teams(teams)) == [
            *uow.teams.members(sales), *uow.teams.members(support)]
        assert list(uow.teams.memberships_of_users([c, a])) == sorted(
            [*uow.teams.memberships_of(a), *uow.teams.memberships_of(c)], key=lambda m: m.id or 0)
        assert list(uow.assignments.for_teams(teams)) == [
            *uow.assignments.for_team(sales), *uow.assignments.for_team(support)]
        current = uow.plans.current_for_teams(teams, date(2025, 11, 10))
        assert current == {sales: uow.plans.current(sales, date(2025, 11, 10))}
        assert current[sales].id == new.id != old.id
        assert current[sales].targets == [PlanTarget("revenue", Decimal(5))]
        assert uow.plans.current_for_teams([], DAY) == {}
        assert uow.assignments.for_teams([]) == []


def setup_team_of_one(new_uow: NewUow) -> tuple[list[int], int]:
    with new_uow() as uow:
        user = add_user(uow, BIG_TG_ID + 100, display_name="Solo")
        assert user.id is not None
        team = uow.teams.add(Team(name="Support", owner_user_id=user.id))
        assert team.id is not None
        uow.teams.add_member(Membership(team.id, user.id, TeamRole.OWNER, Decimal(1), DAY))
        uow.commit()
    return [user.id], team.id


def test_a_group_that_became_a_supergroup_moves_its_link_and_unsent_rows(
    new_uow: NewUow,
) -> None:
    (_,), team_id = setup_team(new_uow, 1)
    old, new = -500, -100500
    tomorrow = AT + timedelta(days=1)
    with new_uow() as uow:
        uow.teams.link_chat(GroupChat(old, team_id, "Sales"))
        uow.deliveries.plan([_delivery(old, AT, team_id=team_id),
                             _delivery(old, tomorrow, team_id=team_id),
                             _delivery(old, AT - timedelta(days=1), team_id=team_id),
                             _delivery(new, tomorrow, team_id=team_id)])  # already there
        (yesterday,) = [d for d in uow.deliveries.for_chat(old) if d.local_date < DAY]
        uow.deliveries.finish(yesterday.id or 0, DeliveryStatus.SENT, AT, telegram_message_id=5)
        assert uow.teams.move_chat(old, new)
        assert not uow.teams.move_chat(old, new)  # nothing linked there any more
        assert uow.deliveries.move_chat(old, new) == 1  # today's; tomorrow's is already there
        uow.commit()
    with new_uow() as uow:
        assert uow.teams.chat(old) is None
        moved = uow.teams.chat(new)
        assert moved is not None
        assert (moved.team_id, moved.title, moved.active) == (team_id, "Sales", True)
        remaining = {(d.local_date, d.status) for d in uow.deliveries.for_chat(old)}
        assert remaining == {(DAY - timedelta(days=1), DeliveryStatus.SENT),
                             (DAY + timedelta(days=1), DeliveryStatus.PENDING)}
        assert sorted(d.local_date for d in uow.deliveries.for_chat(new)) == [
            DAY, DAY + timedelta(days=1)]
        uow.teams.link_chat(GroupChat(-7, team_id))
        assert not uow.teams.move_chat(-7, new)  # the new id is taken: nothing moves


def test_an_invite_link_keeps_its_expiry_and_uses(new_uow: NewUow) -> None:
    (_,), team_id = setup_team(new_uow, 1)
    with new_uow() as uow:
        team = uow.teams.get(team_id)
        assert team is not None
        team.invite_code, team.invite_expires_at, team.invite_uses_left = "abc", AT, 1
        uow.teams.save(team)
        uow.commit()
    with new_uow() as uow:
        found = uow.teams.by_invite_code("abc")
        assert found is not None
        assert (found.invite_expires_at, found.invite_uses_left) == (AT, 1)
