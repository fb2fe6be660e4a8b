"""``/delete_me`` in a team, over the fakes: the person goes, their figures stay in the team.

Anna owns a team, Boris joins and logs his numbers, then erases himself. The team's totals
keep his figures to the unit; his name, his Telegram id and his reminders are gone, and the
stand-in that holds the figures is not listed anywhere.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.i18n import translator
from bot.ui import digests
from bot.ui.render import delete_menu, plain
from kpi_core.model import Membership
from kpi_core.services import daily_loop, deliveries
from kpi_core.services import onboarding as use
from kpi_core.services import team as use_team
from kpi_core.services.erase import entry_windows
from kpi_core.services.membership import BoardView, TeamView
from kpi_core.tracking.digest import TeamDigest
from tests.services.test_onboarding import Session, onboard_owner
from tests.services.test_team import colleague, join, owner_with_code

THURSDAY = date(2025, 4, 10)
FRIDAY = date(2025, 4, 11)
ANNA, BORIS = 42, 43


def team_digest(s: Session, day: date) -> TeamDigest:
    """The team's digest on ``day`` as its group would get it (Anna's team is team 1)."""
    with s.new_uow() as uow:
        digest = deliveries.build_team_digest(uow, s.deps.calendars, 1, day)
    assert digest is not None
    return digest


def totals(digest: TeamDigest) -> dict[str, Decimal | None]:
    return {line.kpi_id: line.period_value for line in digest.lines}


def typed(s: Session, text: str) -> None:
    reply = daily_loop.typed(s.new_uow(), s.deps, s.who, text)
    assert reply.handled
    assert not isinstance(reply.screen, daily_loop.Refused), reply


def test_a_member_who_erases_himself_stays_in_the_team_totals_without_his_name() -> None:
    anna = Session()
    code = owner_with_code(anna)
    boris = colleague(anna, BORIS)
    boris.who = use.Who(BORIS, BORIS, "en", "Boris")
    join(boris, code)
    anna.clock.set(datetime(2025, 4, 10, 14, 0, tzinfo=UTC))  # 17:00 in Moscow
    typed(boris, "calls 35")
    typed(anna, "calls 10")
    anna.clock.set(datetime(2025, 4, 11, 6, 0, tzinfo=UTC))  # Friday, 09:00 in Moscow

    before = team_digest(anna, FRIDAY)
    assert "Boris" in {p.name for p in before.people}
    assert totals(before)["cold_calls"] == Decimal(45)

    asked = boris.call(use.open_delete)
    assert asked.view == use.DeleteView(in_team=True)  # the question says what stays
    done = boris.press("del", "yes")
    assert done.closed
    assert isinstance(done.view, use.NoticeView)
    assert "stay in your team's totals, without your name" in done.view.message.msgid

    after = team_digest(anna, FRIDAY)
    assert totals(after) == totals(before)  # every line, exactly
    assert [p.name for p in after.people] == ["Anna"]  # the stand-in is not listed, even today
    for language in ("en", "ru"):
        text = plain(digests.team_digest(translator(language), after).text)
        assert "Boris" not in text
        assert str(BORIS) not in text
    # The roster and the board (as of now) name nobody but Anna; the board keeps the totals.
    roster = use_team.open_team(anna.new_uow(), anna.deps, anna.who)
    assert isinstance(roster.view, TeamView)
    assert [m.name for m in roster.view.members] == ["Anna"]
    board = use_team.press(anna.new_uow(), anna.deps, anna.who, "board")
    assert isinstance(board.view, BoardView)
    assert [p.name for p in board.view.board.members] == ["Anna"]
    shown = {line.kpi_id: line.period_value for line in board.view.board.totals}
    assert shown["cold_calls"] == Decimal(45)
    with anna.new_uow() as uow:
        assert uow.users.by_telegram_id(BORIS) is None
        people = uow.users.get_many(range(1, 50))
        assert {u.telegram_id for u in people} == {ANNA, None}
        assert {u.display_name for u in people} == {"Anna", ""}
        stand_ins = [u for u in people if u.anonymous]
        assert len(stand_ins) == 1
        assert stand_ins[0].id not in {u.id for u in uow.users.list_active()}
        assert uow.deliveries.for_chat(BORIS) == []

    # Nothing is ever planned for Boris or for his stand-in: not a digest, not a reminder.
    planner = deliveries.Planner(anna.new_uow, anna.deps.calendars, anna.clock)
    planner.plan_once()
    with anna.new_uow() as uow:
        assert uow.deliveries.for_chat(BORIS) == []
        planned = uow.deliveries.pending(THURSDAY)
    assert planned
    assert {d.chat_id for d in planned} == {ANNA}
    assert {d.user_id for d in planned} <= {1, None}


def test_someone_on_their_own_is_not_told_about_a_team() -> None:
    s = Session()
    onboard_owner(s)
    s.press("r", "ok")
    asked = s.call(use.open_delete)
    assert asked.view == use.DeleteView(in_team=False)
    done = s.press("del", "yes")
    assert isinstance(done.view, use.NoticeView)
    assert "team" not in done.view.message.msgid
    with s.new_uow() as uow:
        assert uow.users.get_many(range(1, 50)) == []  # no stand-in for a team that went
        assert uow.teams.get(1) is None


@pytest.mark.parametrize(("language", "kept"), [
    ("en", "The figures you reported stay in your team's totals, without your name."),
    ("ru", "Результаты, которые вы вносили, останутся в итогах команды — без вашего имени."),
])
def test_the_confirmation_in_a_team_says_what_stays(language: str, kept: str) -> None:
    t = translator(language)
    assert kept in plain(delete_menu(t, "t1", in_team=True).text)
    assert kept not in plain(delete_menu(t, "t1").text)


def _m(team: int, joined: date | None, n: int) -> Membership:
    return Membership(team, 1, joined_on=joined, id=n)


def test_entry_windows_give_every_day_to_exactly_one_team() -> None:
    day = date(2025, 4, 1)
    only = _m(1, day, 1)
    assert entry_windows([only]) == [(only, None, None)]
    first, second, third = _m(1, day, 1), _m(2, day + timedelta(days=9), 2), _m(3, None, 3)
    assert entry_windows([second, first]) == [
        (first, None, day + timedelta(days=8)), (second, day + timedelta(days=9), None)]
    # An unknown join date comes first; two that began the same day: the later row owns it.
    again = _m(4, day + timedelta(days=9), 4)
    assert entry_windows([first, second, third, again]) == [
        (third, None, day - timedelta(days=1)), (first, day, day + timedelta(days=8)),
        (again, day + timedelta(days=9), None)]
    assert entry_windows([]) == []
