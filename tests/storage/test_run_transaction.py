"""`Database.run_transaction`, the hot path of every message: commits, rolls back, and on SQLite
never makes the event loop wait for a lock another writer holds."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.db import Database, sqlite_url


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
        for _ in range(500):  # bounded: the loop keeps running while the write waits
            await asyncio.sleep(0.01)
            if len(calls) == 2:
                break
        assert len(calls) == 2  # refused at once on the loop, then retried on the waiting thread
        assert not turn.done()  # ... which is still waiting for the other writer
        other.execute("COMMIT")
        await turn
        assert await _count(db) == 1
    finally:
        other.close()
        await db.dispose()
