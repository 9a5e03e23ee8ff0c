"""`Database.run_transaction`, the hot path of every message: commits, rolls back, and on SQLite
never makes the event loop wait for a lock another writer holds."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.db import CHECKPOINT_EVERY, Database, sqlite_url


async def _count(db: Database) -> int:
    return await db.run_transaction(
        lambda c: int(c.execute(text("select count(*) from agency")).scalar_one())
    )


def _add_agency(conn: Connection) -> None:
    conn.execute(
        text(
            "insert into agency (name, unit_kind, created_at) values ('a', 'department', '2025-01-01 00:00:00')"
        )
    )


async def test_work_is_committed_or_rolled_back_whole(db: Database) -> None:
    await db.run_transaction(_add_agency)

    def add_then_fail(conn: Connection) -> None:
        _add_agency(conn)
        raise RuntimeError("crash inside the turn")

    with pytest.raises(RuntimeError):
        await db.run_transaction(add_then_fail)
    assert await _count(db) == 1


async def test_a_locked_sqlite_file_is_waited_for_off_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    db = Database(sqlite_url(path))
    await db.upgrade()
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another writer (a terminal session, say) holds the file
        calls: list[int] = []

        def work(conn: Connection) -> None:
            calls.append(1)
            _add_agency(conn)

        turn = asyncio.create_task(db.run_transaction(work))
        for _ in range(50):  # the loop keeps running while the turn waits for the lock ...
            await asyncio.sleep(0.01)
        assert not turn.done()  # ... on the waiting thread, refused at once on the loop
        assert calls == []  # a turn's work starts only once the write lock is its own
        other.execute("COMMIT")
        await turn
        assert calls == [1]
        assert await _count(db) == 1
    finally:
        other.close()
        await db.dispose()


async def test_a_sqlite_turn_holds_the_write_lock_from_its_first_read(tmp_path: Path) -> None:
    """A turn's reads and writes are one step: nobody writes between what it read and what it saves."""
    path = tmp_path / "db.sqlite3"
    db = Database(sqlite_url(path))
    await db.upgrade()
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    refused: list[str] = []

    def work(conn: Connection) -> None:
        conn.execute(text("select count(*) from agency")).scalar_one()
        try:
            other.execute(
                "insert into agency (name, unit_kind, created_at) values ('b', 'department', '2025-01-01')"
            )
        except sqlite3.OperationalError as error:
            refused.append(str(error))
        _add_agency(conn)

    try:
        await db.run_transaction(work)
        assert refused == ["database is locked"]
        assert await _count(db) == 1
    finally:
        other.close()
        await db.dispose()


async def test_the_sqlite_log_is_checkpointed_off_the_event_loop(tmp_path: Path) -> None:
    """The connection of the event loop never checkpoints (that fsyncs, stalling every chat);
    the SQLite thread does, every CHECKPOINT_EVERY commits, so the log does not grow without end."""
    path = tmp_path / "db.sqlite3"
    db = Database(sqlite_url(path))
    await db.upgrade()
    page = "x" * 4000

    def add(conn: Connection) -> None:
        conn.execute(
            text("insert into agency (name, unit_kind, created_at) values (:n, 'department', '2025-01-01')"),
            {"n": page},
        )

    try:
        for n in range(1, 2001):
            await db.run_transaction(add)
            if n % CHECKPOINT_EVERY == 0:
                # The thread's checkpoint runs while the loop goes on; waiting for it here (not for
                # a wall-clock time) is what a quiet moment between messages gives it.
                await db.checkpoint_settled()
        wal = path.with_name(path.name + "-wal")
        # ~2000 pages were written; left unchecked the log would hold them all (8 MB and more).
        assert wal.stat().st_size < 3 * 1024 * 1024
        assert await _count(db) == 2000
    finally:
        await db.dispose()
