"""Databases for the storage tests: one left by an older release, and engines racing on one database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import TypeVar

from alembic import command
from sqlalchemy import text

from storage.db import Database, alembic_config

_T = TypeVar("_T")


@asynccontextmanager
async def upgraded_from(database_url: str, revision: str, rows: Iterable[str]) -> AsyncIterator[Database]:
    """A database that a district ran at `revision` with `rows` in it, then upgraded to this
    release. The rows are SQL inserts in SQLite's dialect (`char(` becomes PostgreSQL's `chr(`)."""
    db = Database(database_url)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda c: command.upgrade(alembic_config(c), revision))
            for statement in rows:
                if conn.dialect.name == "postgresql":
                    statement = statement.replace("char(", "chr(")
                await conn.execute(text(statement))
        await db.upgrade()
        yield db
    finally:
        await db.dispose()


async def on_separate_engines(
    database_url: str, count: int, work: Callable[[Database], Awaitable[_T]]
) -> list[_T]:
    """`work` run at once on `count` engines of one database, as that many processes would."""
    engines = [Database(database_url) for _ in range(count)]
    try:
        return list(await asyncio.gather(*(work(db) for db in engines)))
    finally:
        for db in engines:
            await db.dispose()
