"""Alembic migrations: empty -> head -> base -> head on both databases, and no drift between
the SQLModel tables and what the migrations build."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Engine,
    Integer,
    String,
    column,
    insert,
    inspect,
    select,
    table,
)

from bot.storage import current, downgrade, head_revisions, make_engine, upgrade
from bot.storage import tables as t
from bot.storage.db import alembic_config, migrations_dir
from bot.storage.tables import metadata
from bot.storage.types import UTCDateTime
from tests.storage.conftest import SQL_BACKENDS

TABLES = {table.name for table in metadata.sorted_tables}
ROOT = Path(__file__).resolve().parents[2]


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_upgrade_downgrade_upgrade(backend: str, fresh_url: Callable[[str], str]) -> None:
    engine = make_engine(fresh_url(backend))
    try:
        assert current(engine) == ()
        upgrade(engine)
        assert current(engine) == head_revisions()
        assert _tables(engine) == TABLES | {"alembic_version"}
        upgrade(engine)  # nothing pending: a no-op
        downgrade(engine, "base")
        assert current(engine) == ()
        assert _tables(engine) <= {"alembic_version"}
        upgrade(engine, "head")
        assert _tables(engine) == TABLES | {"alembic_version"}
    finally:
        engine.dispose()


def test_models_and_migrations_agree(engine: Engine) -> None:
    """Autogenerate against the migrated database finds nothing to do (types included)."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_the_comparison_does_notice_drift(engine: Engine) -> None:
    """The test above could not pass by accident: a missing table is reported."""
    from sqlalchemy import Column, Integer, MetaData, Table

    extended = MetaData()
    for existing in metadata.sorted_tables:
        existing.to_metadata(extended)
    Table("not_migrated", extended, Column("id", Integer, primary_key=True))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, extended)
    assert [d[0] for d in diffs] == ["add_table"]


# Imports first, then says "ready" and waits for the go, so both upgrades really overlap.
_UPGRADER = """
import sys
from bot.storage import upgrade
print("ready", flush=True)
sys.stdin.readline()
upgrade(sys.argv[1])
"""


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_concurrent_upgrades_in_two_processes(
    backend: str, fresh_url: Callable[[str], str]
) -> None:
    """The bot and the scheduler may start together on a new database: the second waits for
    the first (BEGIN IMMEDIATE / advisory lock) and then finds nothing to do."""
    url = fresh_url(backend)
    other = subprocess.Popen(
        [sys.executable, "-c", _UPGRADER, url],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None
        assert other.stdin is not None
        assert other.stdout.readline().strip() == "ready"
        other.stdin.write("go\n")
        other.stdin.flush()
        upgrade(url)
        _, errors = other.communicate(timeout=60)
    finally:
        if other.poll() is None:
            other.kill()
            other.wait()
    assert other.returncode == 0, errors
    assert current(url) == head_revisions()


def test_concurrent_upgrades_in_two_threads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'threads.sqlite3'}"
    errors: list[BaseException] = []
    barrier = threading.Barrier(2, timeout=10)

    def run() -> None:
        try:
            barrier.wait()
            upgrade(url)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert current(url) == head_revisions()


def test_migrations_are_found_from_any_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    directory = migrations_dir()
    assert (directory / "env.py").is_file()
    assert (directory / "script.py.mako").is_file()
    assert (directory / "alembic.ini").is_file()
    assert alembic_config().get_main_option("script_location") == str(directory)
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    upgrade(url)
    assert current(url) == head_revisions()


def test_offline_sql_renders(capsys: pytest.CaptureFixture[str]) -> None:
    """``--sql`` mode works (DBAs who want to review the DDL) and uses our exact types."""
    from alembic import command

    config = alembic_config("postgresql://reviewer@db.invalid/kpi")
    command.upgrade(config, "head", sql=True)
    ddl = capsys.readouterr().out
    assert "CREATE TABLE entries" in ddl
    assert "value NUMERIC" in ddl
    assert "TIMESTAMP WITH TIME ZONE" in ddl


# --- 0002: the answers move out of the fake conversation row ---------------------------------

_AT = datetime(2025, 4, 10, 6, 0, tzinfo=UTC)
_PROFILE_CHAT = 2**62
_DAILY_CHAT = 2**62 + 1

# The 0001 tables as 0001-era code wrote them (not today's, which have more columns).
_states = table(
    "conversation_states",
    column("chat_id", BigInteger()), column("user_id", Integer()), column("flow", String()),
    column("step", String()), column("data", JSON()), column("token", String()),
    column("updated_at", UTCDateTime()),
)
_users = table(
    "users",
    column("id", Integer()), column("telegram_id", BigInteger()), column("language", String()),
    column("timezone", String()), column("country", String()),
    column("working_weekdays", String()), column("display_name", String()),
    column("active", Boolean()), column("onboarded", Boolean()),
    column("created_at", UTCDateTime()),
)
_teams = table(
    "teams", column("id", Integer()), column("name", String()),
    column("owner_user_id", Integer()), column("created_at", UTCDateTime()),
)
_OWNER_ANSWERS = {"role": "owner", "team": "team", "team_size": 10, "period": "custom",
                  "period_dates": ["2025-04-01", "2025-04-30"]}


def _rows_at_0001(engine: Engine) -> None:
    """Three people with a team each; the answers in conversation rows at chat 2**62 (Anna:
    an owner of 10, Boris: a sales manager; Vera has none) and a daily-loop row of Anna's."""
    with engine.begin() as conn:
        for user_id, name in ((1, "Anna"), (2, "Boris"), (3, "Vera")):
            conn.execute(insert(_users).values(
                id=user_id, telegram_id=100 + user_id, language="ru", timezone="Europe/Moscow",
                country="RU", working_weekdays="0,1,2,3,4", display_name=name, active=True,
                onboarded=True, created_at=_AT,
            ))
            conn.execute(insert(_teams).values(
                id=user_id, name=name, owner_user_id=user_id, created_at=_AT
            ))
        conn.execute(insert(_states), [
            {"chat_id": _PROFILE_CHAT, "user_id": 1, "flow": "profile", "step": "done",
             "data": {"answers": _OWNER_ANSWERS}, "token": "", "updated_at": _AT},
            {"chat_id": _PROFILE_CHAT, "user_id": 2, "flow": "profile", "step": "done",
             "data": {"answers": {"role": "sales_manager", "team_size": "7"}}, "token": "",
             "updated_at": _AT},
            {"chat_id": _DAILY_CHAT, "user_id": 1, "flow": "daily", "step": "value",
             "data": {"kpi": "revenue"}, "token": "abc", "updated_at": _AT},
        ])


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_0002_moves_the_answers_out_and_back(
    backend: str, fresh_url: Callable[[str], str]
) -> None:
    engine = make_engine(fresh_url(backend))
    try:
        upgrade(engine, "0001")
        _rows_at_0001(engine)
        upgrade(engine)
        with engine.connect() as conn:
            profiles = {r.user_id: r for r in conn.execute(select(t.user_profiles))}
            assert set(profiles) == {1, 2}  # nobody gets made-up answers
            assert profiles[1].answers == _OWNER_ANSWERS
            assert profiles[1].updated_at == _AT
            assert profiles[2].answers == {"role": "sales_manager", "team_size": "7"}
            sizes = dict(conn.execute(select(t.teams.c.id, t.teams.c.planned_size)).all())
            assert sizes == {1: 10, 2: 1, 3: None}
            states = conn.execute(select(_states)).all()
            # The daily loop's row is left alone; the profile rows are gone.
            assert [(s.chat_id, s.user_id, s.data) for s in states] == [
                (_DAILY_CHAT, 1, {"kpi": "revenue"})
            ]
        downgrade(engine, "0001")
        with engine.connect() as conn:
            states = conn.execute(select(_states).order_by(_states.c.user_id, _states.c.chat_id))
            assert [(s.chat_id, s.user_id, s.flow, s.step, s.data) for s in states] == [
                (_PROFILE_CHAT, 1, "profile", "done", {"answers": _OWNER_ANSWERS}),
                (_DAILY_CHAT, 1, "daily", "value", {"kpi": "revenue"}),
                (_PROFILE_CHAT, 2, "profile", "done",
                 {"answers": {"role": "sales_manager", "team_size": "7"}}),
            ]
        upgrade(engine)
        assert current(engine) == head_revisions()
    finally:
        engine.dispose()


# --- 0004: anonymous stand-ins ---------------------------------------------------------------


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_0004_downgrade_deletes_the_stand_ins_and_what_they_hold(
    backend: str, fresh_url: Callable[[str], str]
) -> None:
    engine = make_engine(fresh_url(backend))
    person = {"language": "en", "timezone": "UTC", "country": "RU",
              "working_weekdays": "0,1,2,3,4", "created_at": _AT}
    try:
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(insert(t.users), [
                {"id": 1, "telegram_id": 101, "display_name": "Anna", "anonymous": False,
                 "active": True, "onboarded": True, **person},
                {"id": 2, "telegram_id": None, "display_name": "", "anonymous": True,
                 "active": False, "onboarded": False, **person},
            ])
            conn.execute(insert(t.teams).values(id=1, name="Sales", owner_user_id=1,
                                                created_at=_AT))
            conn.execute(insert(t.memberships), [
                {"team_id": 1, "user_id": user_id, "role": "member", "weight": 1,
                 "joined_on": None, "left_on": None} for user_id in (1, 2)])
            conn.execute(insert(t.entries), [
                {"id": user_id, "user_id": user_id, "kpi_id": "calls", "day": _AT.date(),
                 "value": 5, "version": 1, "entered_by": None, "entered_at": _AT}
                for user_id in (1, 2)])
            conn.execute(insert(t.entry_revisions), [
                {"entry_id": n, "version": 1, "value": 5, "entered_by": None, "entered_at": _AT}
                for n in (1, 2)])
        downgrade(engine, "0003")
        with engine.connect() as conn:
            assert conn.execute(select(_users.c.id)).scalars().all() == [1]
            assert conn.execute(select(t.entries.c.user_id)).scalars().all() == [1]
            assert conn.execute(select(t.entry_revisions.c.entry_id)).scalars().all() == [1]
            assert conn.execute(select(t.memberships.c.user_id)).scalars().all() == [1]
        upgrade(engine)
        assert current(engine) == head_revisions()
    finally:
        engine.dispose()
