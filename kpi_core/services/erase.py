"""Erasing a person: everything about them goes, the figures they reported for a team stay.

A team's totals add up what its members logged, also members who have left (see
:func:`kpi_core.tracking.digest.team_digest`). So that someone's ``/delete_me`` does not
silently take their figures out of the team's totals, each team they reported for gets an
anonymous stand-in (:attr:`kpi_core.model.User.anonymous`) before the person is deleted:

* a user with no Telegram id, no name, no times, never active — only the country and working
  weekdays that shaped the plan's split, so the split stays what it was;
* a former member of that team with the person's weight and dates (``left_on`` the erase day
  at the latest), so it counts in the period's totals but is not listed, reminded or messaged;
* the person's KPIs in that team, and their entries of the days that were the team's: from
  the day they joined it until the day before they joined the next team (see
  :func:`entry_windows`). The entries' history moves with them; an author who is the erased
  person is forgotten by the database when the person is deleted.

Everything else (profile, conversations, deliveries, days off, other entries) is deleted with
the person by :meth:`kpi_core.ports.UserRepository.erase`, which also hands the teams they owned
to a successor, or deletes a team left with nobody (its stand-ins with it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from kpi_core.model import Membership, TeamRole, User
from kpi_core.ports import UnitOfWork

__all__ = ["entry_windows", "erase_person", "stays_in_a_team"]


def entry_windows(
    memberships: Sequence[Membership],
) -> list[tuple[Membership, date | None, date | None]]:
    """Which days' entries belong to which team: ``(membership, first day, last day)``.

    The memberships are taken in the order they began (an unknown join date first). Each owns
    the days from its join date until the day before the next one's; the first also owns
    everything before, the last everything after (``None``: unbounded). So every entry
    belongs to exactly one team, and a person of one team keeps all of theirs in it.
    Memberships that own no day (two joined the same day: the later one wins) are left out.

    Args:
        memberships: One person's memberships, past and present.

    Returns:
        The windows, in the order the memberships began.
    """
    ordered = sorted(memberships, key=lambda m: (m.joined_on or date.min, m.id or 0))
    begins = [m.joined_on or date.min for m in ordered]
    # Of several that began the same day, the last one owns it.
    kept = [i for i in range(len(ordered))
            if i + 1 == len(ordered) or begins[i + 1] != begins[i]]
    windows: list[tuple[Membership, date | None, date | None]] = []
    for n, i in enumerate(kept):
        start = None if n == 0 else begins[i]
        end = None if n + 1 == len(kept) else begins[kept[n + 1]] - timedelta(days=1)
        windows.append((ordered[i], start, end))
    return windows


def stays_in_a_team(uow: UnitOfWork, user_id: int) -> bool:
    """Whether erasing the person would leave some team of theirs standing, so that what they
    reported there stays in its totals: a team someone else owns, or one with someone else
    in it now (who would take it over)."""
    for membership in uow.teams.memberships_of(user_id):
        team = uow.teams.get(membership.team_id)
        if team is None:
            continue
        if team.owner_user_id != user_id or any(
            m.user_id != user_id and m.left_on is None for m in uow.teams.members(team.id or 0)
        ):
            return True
    return False


def erase_person(uow: UnitOfWork, user_id: int, today: date) -> int:
    """Erase the person inside the caller's unit of work, keeping their teams' figures.

    Args:
        uow: An entered unit of work (the caller commits).
        user_id: The person to erase.
        today: The person's local date: the stand-ins' ``left_on`` at the latest.

    Returns:
        How many teams keep figures of theirs (under a stand-in each).
    """
    person = uow.users.get(user_id)
    if person is None:
        return 0
    kept: list[int] = []
    if not person.anonymous:
        assignments = uow.assignments.for_user(user_id)
        for membership, start, end in entry_windows(uow.teams.memberships_of(user_id)):
            kpi_ids = [a.kpi_id for a in sorted(assignments, key=lambda a: a.position)
                       if a.team_id == membership.team_id]
            if _keep_figures(uow, person, membership, kpi_ids, start, end, today):
                kept.append(membership.team_id)
    uow.users.erase(user_id)
    # A team of theirs that nobody else was left in went with them, and its stand-ins.
    return sum(1 for team_id in kept if uow.teams.get(team_id) is not None)


def _keep_figures(
    uow: UnitOfWork,
    person: User,
    membership: Membership,
    kpi_ids: list[str],
    start: date | None,
    end: date | None,
    today: date,
) -> bool:
    """Move the person's entries of ``start..end`` to a new stand-in in the membership's team;
    False (and no stand-in) when there are none."""
    stand_in = uow.users.add(User(
        telegram_id=None, anonymous=True, active=False, onboarded=False, display_name="",
        language="en", timezone="UTC", country=person.country,
        working_weekdays=person.working_weekdays, digest_time=None, reminder_time=None,
    ))
    assert stand_in.id is not None
    assert person.id is not None
    if uow.entries.reassign(person.id, stand_in.id, start, end) == 0:
        uow.users.erase(stand_in.id)
        return False
    left_on = min(membership.left_on or today, today)
    joined_on = membership.joined_on
    uow.teams.add_member(Membership(
        membership.team_id, stand_in.id, TeamRole.MEMBER, membership.weight,
        joined_on=joined_on if joined_on is None or joined_on <= left_on else left_on,
        left_on=left_on,
    ))
    if kpi_ids:
        uow.assignments.replace(stand_in.id, membership.team_id, kpi_ids)
    return True
