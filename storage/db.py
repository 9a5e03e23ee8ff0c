"""The database: an async engine, one session per turn, and migrations applied on start.

SQLite (aiosqlite) by default, PostgreSQL (asyncpg) by URL. Plain URLs are rewritten to the
async driver. SQLite gets WAL and a busy timeout so a terminal and a bot process can share
one file; foreign keys are switched on for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool
from sqlmodel.ext.asyncio.session import AsyncSession

log = logging.getLogger(__name__)

T = TypeVar("T")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def async_url(url: str) -> str:
    """Pick the async driver for a plain SQLAlchemy URL."""
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.removeprefix("sqlite://")
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("postgresql+psycopg2://"):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """Owns the engine; hands out sessions. Built once in bot/__main__.py and passed down."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = async_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._sqlite_sync: Engine | None = None
        self._sqlite_thread: ThreadPoolExecutor | None = None

    async def run_transaction(self, work: Callable[[Connection], T]) -> T:
        """Run `work` on a synchronous connection inside one transaction, committed on return.

        This is the hot path of a dialog turn. On SQLite it runs on one dedicated thread with its
        own connection: one thread hop per turn instead of several per statement, and SQLite's
        single writer never waits on its busy handler. On PostgreSQL it runs through `run_sync`
        on the async engine (asyncpg awaits underneath).
        """
        if not self.is_sqlite:
            async with self.engine.begin() as connection:
                return await connection.run_sync(work)
        if self._sqlite_sync is None or self._sqlite_thread is None:
            self._sqlite_sync = create_engine(
                self.url.replace("sqlite+aiosqlite", "sqlite+pysqlite", 1),
                connect_args={"timeout": 30, "check_same_thread": False},
                poolclass=StaticPool,
            )
            event.listen(self._sqlite_sync, "connect", _sqlite_pragmas)
            self._sqlite_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nianbao-sqlite")
        engine = self._sqlite_sync

        def run() -> T:
            with engine.begin() as connection:
                return work(connection)

        return await asyncio.get_running_loop().run_in_executor(self._sqlite_thread, run)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed when the block ends without error."""
        async with self._sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def upgrade(self) -> None:
        """Apply every Alembic migration (the schema never comes from create_all)."""
        async with self.engine.begin() as connection:
            await connection.run_sync(_upgrade)
        log.info("database schema is at head")

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._sqlite_thread is not None:
            self._sqlite_thread.shutdown(wait=True)
            self._sqlite_thread = None
        if self._sqlite_sync is not None:
            self._sqlite_sync.dispose()
            self._sqlite_sync = None


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(MIGRATIONS / "versions"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")
