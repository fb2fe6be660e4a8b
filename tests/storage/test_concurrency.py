"""Concurrent writers: separate threads, separate units of work (connections), same rows.

A barrier releases both threads at once; each case repeats a few times to give a race a
real chance to show.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from kpi_core.model import Delivery, DeliveryKind, User
from kpi_core.ports import UnitOfWork

NewUow = Callable[[], UnitOfWork]
T = TypeVar("T")
AT = datetime(2025, 11, 24, 7, 0, tzinfo=UTC)
REPEATS = 5


def run_together(*jobs: Callable[[], T]) -> list[T]:
    """Run the jobs in threads released together; re-raise the first error."""
    barrier = threading.Barrier(len(jobs), timeout=10)
    results: list[T | None] = [None] * len(jobs)
    errors: list[BaseException] = []

    def worker(index: int, job: Callable[[], T]) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=pair) for pair in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    if errors:
        raise errors[0]
    return [r for r in results if r is not None]


def _user(new_uow: NewUow) -> int:
    with new_uow() as uow:
        user = uow.users.add(User(telegram_id=4242))
        uow.commit()
    assert user.id is not None
    return user.id


def test_two_writers_on_one_entry_make_two_versions(new_uow: NewUow) -> None:
    me = _user(new_uow)
    for attempt in range(REPEATS):
        day = date(2025, 11, 1) + timedelta(days=attempt)

        def log(value: int, day: date = day) -> int:
            with new_uow() as uow:
                entry = uow.entries.record(me, "calls", day, Decimal(value), me, AT)
                uow.commit()
                return entry.version

        versions = run_together(lambda: log(10), lambda: log(20))
        assert sorted(versions) == [1, 2]
        with new_uow() as uow:
            current = uow.entries.get(me, "calls", day)
            history = uow.entries.history(me, "calls", day)
            assert current is not None
            assert current.version == 2
            assert [r.version for r in history] == [1, 2]
            # The current value is the one written last (version 2).
            assert current.value == history[1].value
            assert len(uow.entries.in_range([me], day, day)) == 1


def test_two_workers_claim_disjoint_deliveries(new_uow: NewUow, backend: str) -> None:
    """PostgreSQL: both claim *while the other's transaction is still open* (SKIP LOCKED, no
    waiting). SQLite and the fake: claims are serialised by the write lock."""
    hold_open = backend == "postgres"
    for attempt in range(REPEATS):
        local_date = date(2025, 11, 1) + timedelta(days=attempt)
        with new_uow() as uow:
            planned = [
                Delivery(
                    chat_id=1000 + 100 * attempt + n,  # a chat's rows go in order
                    kind=DeliveryKind.REMINDER,
                    local_date=local_date,
                    due_at=AT - timedelta(minutes=n),
                    expires_at=AT + timedelta(hours=1),
                )
                for n in range(20)
            ]
            assert uow.deliveries.plan(planned) == 20
            uow.commit()
        both_claimed = threading.Barrier(2, timeout=10)

        def claim(worker: str, both_claimed: threading.Barrier = both_claimed) -> list[int]:
            with new_uow() as uow:
                claimed = uow.deliveries.claim_due(AT, 8, worker, 300)
                if hold_open:
                    both_claimed.wait()  # a blocking FOR UPDATE would time out here
                uow.commit()
                return [d.id or 0 for d in claimed]

        a, b = run_together(lambda: claim("a"), lambda: claim("b"))
        assert len(a) == len(b) == 8
        assert not set(a) & set(b)
        with new_uow() as uow:
            uow.deliveries.claim_due(AT, 100, "sweeper", 300)  # clear the rest for next round
            uow.commit()


def test_the_same_update_is_processed_once(new_uow: NewUow) -> None:
    for attempt in range(REPEATS):
        update_id = 10**10 + attempt

        def handle(update_id: int = update_id) -> bool:
            with new_uow() as uow:
                first = uow.updates.first_time(update_id, AT)
                uow.commit()
                return first

        assert sorted(run_together(handle, handle)) == [False, True]
