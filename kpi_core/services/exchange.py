"""``/export`` and ``/import``: a person's (or, for owners and admins, their team's) entries as
a table, and past entries taken from one, all or nothing.

:func:`export_table` reads every version of the entries (the history comes along, so that an
import into an empty database rebuilds the same entries and revisions). :func:`preview_import`
checks a decoded table row by row (:mod:`kpi_core.exchange.validate`) and, when nothing is
refused, keeps the rows in a conversation row of their own until :func:`confirm_import` writes
them in one unit of work through the entry repository: each row is a new version, like any
correction. A restart between preview and confirmation loses nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from kpi_core.advice.catalog import Direct, Unit, UnknownKpi, UnknownMetric, get_kpi, get_metric
from kpi_core.errors import DomainError
from kpi_core.exchange.table import ExportKpi, ExportRow, ExportTable, Scope
from kpi_core.exchange.validate import Accepted, Checked, Member, RawRow, Rules, check_rows
from kpi_core.messages import N_, Message
from kpi_core.model import ConversationState, Entry, Membership, User
from kpi_core.parsing.quickform import loggables_for
from kpi_core.ports import UnitOfWork
from kpi_core.services.common import Deps, Who
from kpi_core.services.people import (
    display_name,
    kpi_ids_of,
    membership_of,
    person_today,
    user_of,
)
from kpi_core.services.permissions import TeamAction, allows, check

__all__ = [
    "IMPORT_FLOW",
    "IMPORT_STATE_CHAT_ID",
    "MAX_IMPORT_ROWS",
    "ExchangeError",
    "ExportOptions",
    "ImportPreview",
    "ImportTable",
    "Imported",
    "NothingPending",
    "TooManyRows",
    "cancel_import",
    "confirm_import",
    "export_options",
    "export_table",
    "preview_import",
]

IMPORT_STATE_CHAT_ID = 2**62 + 2
"""The pending import is kept in a conversation row of its own (no Telegram chat has this id),
so that it never clobbers an onboarding, menu or daily-loop conversation."""
IMPORT_FLOW = "import"
MAX_IMPORT_ROWS = 50_000
"""More rows than this are refused whole: a file that big is not a history of past entries."""
PREVIEW_REFUSALS = 10
"""How many refused rows the preview names (then: "and N more")."""
EPOCH_DAY = date(1970, 1, 1)


class ExchangeError(DomainError):
    """Base class of the export and import refusals."""


class NotAllowedForTeam(ExchangeError):
    """The team's entries, asked for by someone who is not its owner or an admin."""


class TooManyRows(ExchangeError):
    """A file with more than :data:`MAX_IMPORT_ROWS` rows."""

    def __init__(self, count: int) -> None:
        super().__init__(Message(
            N_("The file has {count} rows; I can import at most {limit} at a time. Split it "
               "into smaller files."), {"count": count, "limit": MAX_IMPORT_ROWS}))


class NothingPending(ExchangeError):
    """✅ pressed for an import that was done, cancelled or replaced by a newer file."""

    def __init__(self) -> None:
        super().__init__(Message(N_(
            "This import is no longer waiting: it was done, cancelled or replaced by a newer "
            "file. Send the file again with /import."
        )))


# -- export ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ExportOptions:
    """What ``/export`` may offer: the team's entries too (owners and admins)."""

    language: str
    team: bool


def export_options(uow: UnitOfWork, deps: Deps, who: Who) -> ExportOptions:
    """Whether the person may export their team's entries (``NotSetUp`` for a stranger)."""
    with uow:
        user = user_of(uow, who.telegram_id)
        assert user.id is not None
        membership = membership_of(uow, user.id)
        team_id = membership.team_id if membership else None
        return ExportOptions(user.language,
                             allows(membership, TeamAction.EXPORT_TEAM, team_id))


def export_table(uow: UnitOfWork, deps: Deps, who: Who, scope: Scope) -> ExportTable:
    """Every version of the person's entries (or their team's current members'), all time.

    Stand-ins (the figures of people who erased themselves) are left out: they have no name
    and no Telegram id an import could give them back by.

    Raises:
        NotSetUp: an unknown person.
        NotAllowedForTeam: the team's entries, for someone who is not an owner or admin.
    """
    with uow:
        user = user_of(uow, who.telegram_id)
        assert user.id is not None
        membership = membership_of(uow, user.id)
        people = _people(uow, user, membership, scope, TeamAction.EXPORT_TEAM)
        now = deps.clock.now()
        today = max(person_today(p, now) for p in people.values())
        versions = uow.entries.versions_in_range(list(people), EPOCH_DAY, today)
        authors: dict[int | None, User] = {a.id: a for a in uow.users.get_many(
            {r.entered_by for _, r in versions if r.entered_by is not None} - set(people))}
        authors.update(people.items())
        team = uow.teams.get(membership.team_id) if membership else None
        plan = uow.plans.current(membership.team_id, today) if membership else None
        order = [*kpi_ids_of(uow, user.id, membership.team_id if membership else None)]
        if scope is Scope.TEAM and membership is not None:
            order += [a.kpi_id for a in uow.assignments.for_team(membership.team_id)]
    rows = []
    for entry, revision in versions:
        person = people[entry.user_id]
        author = authors.get(revision.entered_by) if revision.entered_by is not None else None
        rows.append(ExportRow(
            entry.day, display_name(person), person.telegram_id or 0, entry.kpi_id,
            revision.value, revision.version, author.telegram_id if author else None,
            revision.entered_at, revision.version == entry.version,
        ))
    kpis = _kpis(order, {r.metric_id for r in rows})
    position = {k.metric_id: i for i, k in enumerate(kpis)}
    rows.sort(key=lambda r: (position[r.metric_id], r.day, r.person, r.telegram_id, r.version))
    title = team.name if scope is Scope.TEAM and team else display_name(user)
    return ExportTable(scope, title, plan.currency if plan else "RUB", who.language, today,
                       kpis, tuple(rows))


def _people(
    uow: UnitOfWork, user: User, membership: Membership | None, scope: Scope, action: TeamAction
) -> dict[int, User]:
    """Whose entries: the person alone, or the team's current members (checked)."""
    assert user.id is not None
    if scope is Scope.OWN:
        return {user.id: user}
    team_id = membership.team_id if membership else None
    refusal = check(membership, action, team_id)
    if refusal is not None:
        raise NotAllowedForTeam(refusal)
    assert membership is not None
    ids = [m.user_id for m in uow.teams.members(membership.team_id) if m.left_on is None]
    return {u.id: u for u in uow.users.get_many(ids)
            if u.id is not None and not u.anonymous and u.telegram_id is not None}


def label_of(metric_id: str) -> Message:
    """A metric's label: its KPI's short label when it is one, else the metric's name."""
    try:
        kpi = get_kpi(metric_id)
        if isinstance(kpi.formula, Direct):
            return Message(kpi.short, context="kpi")
    except UnknownKpi:
        pass
    try:
        return Message(get_metric(metric_id).name)
    except UnknownMetric:
        return Message(metric_id)


def _kpis(order: Iterable[str], used: set[str]) -> tuple[ExportKpi, ...]:
    """The metrics with entries: the person's and team's order first, then by id."""
    metric_order = [item.metric_id for item in loggables_for(dict.fromkeys(order))]
    ids = [m for m in dict.fromkeys(metric_order) if m in used]
    ids += sorted(used - set(ids))
    found = []
    for metric_id in ids:
        try:
            unit = get_metric(metric_id).unit
        except UnknownMetric:  # not in the catalog (any more): shown as a plain number
            unit = Unit.COUNT
        found.append(ExportKpi(metric_id, label_of(metric_id), unit))
    return tuple(found)


# -- import ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ImportTable:
    """A decoded file: its rows, its number conventions and the KPI labels of its language.

    Attributes:
        rows: The rows under the header, with where each one was.
        language: How numbers typed as text are read (``"ru"``: ``1 234,5``).
        names: KPI labels in the reader's language → metric id (from the adapter).
        file_name: The sent file's name, for the preview.
    """

    rows: Sequence[RawRow]
    language: str
    names: Mapping[str, str] = field(default_factory=dict)
    file_name: str = ""


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """What an import would take, or why it cannot.

    Attributes:
        language: The person's language.
        scope: Whose entries the file may hold.
        file_name: The sent file's name.
        accepted: How many rows may be taken.
        removals: How many of them remove a value (exported undone entries).
        refused: The first refused rows, each naming its row and the reason.
        refused_count: How many rows were refused in all.
        per_kpi: (label, rows) per metric, in the file's order.
        per_person: (name, rows) per person.
        first_day: The earliest day in the file (``None`` when nothing was accepted).
        last_day: The latest day.
        token: Set when it can be imported: the ✅ button's token.
    """

    language: str
    scope: Scope
    file_name: str
    accepted: int
    removals: int
    refused: tuple[Message, ...]
    refused_count: int
    per_kpi: tuple[tuple[Message, int], ...]
    per_person: tuple[tuple[str, int], ...]
    first_day: date | None
    last_day: date | None
    token: str | None


@dataclass(frozen=True, slots=True)
class Imported:
    """What an import wrote: versions recorded, entries they belong to, entries already so."""

    language: str
    versions: int
    entries: int
    unchanged: int


def preview_import(
    uow: UnitOfWork, deps: Deps, who: Who, table: ImportTable, scope: Scope | None = None
) -> ImportPreview:
    """Check every row; keep the rows for :func:`confirm_import` when none is refused.

    ``scope`` ``None``: the team's for an owner or admin, else the person's own. A newer
    preview replaces a pending one.

    Raises:
        NotSetUp: an unknown person.
        NotAllowedForTeam: ``Scope.TEAM`` for someone who is not an owner or admin.
        TooManyRows: more than :data:`MAX_IMPORT_ROWS` rows.
    """
    if len(table.rows) > MAX_IMPORT_ROWS:
        raise TooManyRows(len(table.rows))
    with uow:
        user = user_of(uow, who.telegram_id)
        assert user.id is not None
        membership = membership_of(uow, user.id)
        if scope is None:
            team_id = membership.team_id if membership else None
            scope = (Scope.TEAM if allows(membership, TeamAction.IMPORT_TEAM, team_id)
                     else Scope.OWN)
        people = _people(uow, user, membership, scope, TeamAction.IMPORT_TEAM)
        rules = _rules(uow, deps, user, membership, people, scope, table)
        checked = check_rows(table.rows, rules)
        token = secrets.token_hex(4) if checked.ok else None
        uow.conversations.clear(IMPORT_STATE_CHAT_ID, user.id)
        if token is not None:
            uow.conversations.save(ConversationState(
                chat_id=IMPORT_STATE_CHAT_ID, user_id=user.id, flow=IMPORT_FLOW, step="preview",
                data={"scope": scope.value, "file": table.file_name,
                      "rows": [_dump(row) for row in _in_write_order(checked.accepted)]},
                token=token, updated_at=deps.clock.now(),
            ))
        uow.commit()
    return _preview(who.language, scope, table.file_name, checked, people, token)


def _rules(
    uow: UnitOfWork,
    deps: Deps,
    user: User,
    membership: Membership | None,
    people: Mapping[int, User],
    scope: Scope,
    table: ImportTable,
) -> Rules:
    assert user.id is not None
    now = deps.clock.now()
    members = tuple(Member(uid, p.telegram_id or 0, display_name(p), person_today(p, now))
                    for uid, p in people.items())
    authors: dict[int, int] = {}
    periods: tuple[tuple[date, date], ...] = ()
    if membership is not None:
        periods = tuple((p.period_start, p.period_end)
                        for p in uow.plans.of_team(membership.team_id))
        if scope is Scope.TEAM:
            everyone = [m.user_id for m in uow.teams.members(membership.team_id)]
            authors = {u.telegram_id: u.id for u in uow.users.get_many(everyone)
                       if u.telegram_id is not None and u.id is not None}
    return Rules(members, scope is Scope.OWN, user.id, authors, periods, table.language,
                 table.names)


def _in_write_order(rows: Iterable[Accepted]) -> list[Accepted]:
    """By day, person, metric; the versions of one entry in order (unversioned rows last)."""
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(rows, key=lambda a: (
        a.day, a.user_id, a.metric_id, a.version is None, a.version or 0,
        a.entered_at or far, a.ref.line))


def _dump(row: Accepted) -> list[Any]:
    return [row.user_id, row.metric_id, row.day.isoformat(),
            None if row.value is None else str(row.value), row.entered_by,
            row.entered_at.isoformat() if row.entered_at else None]


def _preview(
    language: str,
    scope: Scope,
    file_name: str,
    checked: Checked,
    people: Mapping[int, User],
    token: str | None,
) -> ImportPreview:
    per_kpi: dict[str, int] = {}
    per_person: dict[int, int] = {}
    for row in checked.accepted:
        per_kpi[row.metric_id] = per_kpi.get(row.metric_id, 0) + 1
        per_person[row.user_id] = per_person.get(row.user_id, 0) + 1
    days = [row.day for row in checked.accepted]
    return ImportPreview(
        language, scope, file_name, len(checked.accepted),
        sum(1 for row in checked.accepted if row.value is None),
        tuple(r.message for r in checked.refused[:PREVIEW_REFUSALS]), len(checked.refused),
        tuple((label_of(metric_id), count) for metric_id, count in per_kpi.items()),
        tuple((display_name(people[uid]), count) for uid, count in per_person.items()),
        min(days, default=None), max(days, default=None), token,
    )


def confirm_import(uow: UnitOfWork, deps: Deps, who: Who, token: str) -> Imported:
    """Write the pending import (the ✅ of its preview): all or nothing, one transaction.

    Each row is recorded as a new version of its entry (its author and time from the file when
    it gave them), so the history shows the import like any correction. An entry whose value
    in force already is the file's last value for it is left alone: importing the same file
    twice changes nothing.

    Raises:
        NothingPending: no import waits under ``token``.
        NotAllowedForTeam: the person is no longer an owner or admin (a team's import).
    """
    with uow:
        user = user_of(uow, who.telegram_id)
        assert user.id is not None
        state = uow.conversations.get(IMPORT_STATE_CHAT_ID, user.id)
        if state is None or state.flow != IMPORT_FLOW or not token or state.token != token:
            raise NothingPending()
        scope = Scope(state.data.get("scope", Scope.OWN.value))
        people = _people(uow, user, membership_of(uow, user.id), scope, TeamAction.IMPORT_TEAM)
        rows = [_load(item) for item in state.data.get("rows", [])]
        if any(row[0] not in people for row in rows):  # someone left the team meanwhile
            raise NothingPending()
        now = deps.clock.now()
        groups: dict[tuple[int, str, date], list[tuple[Any, ...]]] = {}
        for row in rows:
            groups.setdefault((row[0], row[1], row[2]), []).append(row)
        days = [row[2] for row in rows] or [now.date()]
        in_force = {(e.user_id, e.kpi_id, e.day): e.value
                    for e in uow.entries.in_range(list(people), min(days), max(days))}
        versions = unchanged = 0
        for key, group in groups.items():
            last = group[-1][3]
            now_there = (in_force.get(key) if last is not None
                         else _removed(uow.entries.get(*key)))
            if now_there == last and (last is not None or key not in in_force):
                unchanged += 1
                continue
            for user_id, metric_id, day, value, author, at in group:
                uow.entries.record(user_id, metric_id, day, value, author, at or now)
                versions += 1
        uow.conversations.clear(IMPORT_STATE_CHAT_ID, user.id)
        uow.commit()
    return Imported(who.language, versions, len(groups) - unchanged, unchanged)


def _removed(entry: Entry | None) -> Decimal | bool | None:
    """``None`` for an entry whose value was removed, ``False`` when there is none."""
    return None if entry is not None and entry.value is None else False


def _load(item: Sequence[Any]) -> tuple[int, str, date, Decimal | None, int, datetime | None]:
    user_id, metric_id, day, value, author, at = item
    return (int(user_id), str(metric_id), date.fromisoformat(day),
            None if value is None else Decimal(value), int(author),
            datetime.fromisoformat(at) if at else None)


def cancel_import(uow: UnitOfWork, deps: Deps, who: Who, token: str) -> str:
    """Forget the pending import (its Cancel button); return the person's language."""
    with uow:
        user = user_of(uow, who.telegram_id)
        assert user.id is not None
        state = uow.conversations.get(IMPORT_STATE_CHAT_ID, user.id)
        if state is not None and state.token == token:
            uow.conversations.clear(IMPORT_STATE_CHAT_ID, user.id)
            uow.commit()
        return who.language

