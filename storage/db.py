"""The database: an async engine, one session per turn, and migrations applied on start.

SQLite (aiosqlite) by default, PostgreSQL (asyncpg) by URL. Plain URLs are rewritten to the
async driver. SQLite gets WAL and a busy timeout so a terminal and a bot process can share
one file; foreign keys are switched on for it.

Failures a person can fix (a damaged or read-only file, a file deleted under the running
process, a server that is gone) leave every method as `storage.faults.DatabaseFault`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.faults import DatabaseFault, Fault, fault_of

log = logging.getLogger(__name__)

T = TypeVar("T")

# Commits on the event loop between two WAL checkpoints. Left to itself, SQLite checkpoints in
# the commit that takes its log past ~1000 pages, fsyncs included: on the event loop that stalled
# every chat for 100-250 ms now and then (measured in bench.bot_bench's p95). The inline
# connection never checkpoints; every this many commits the SQLite thread does, PASSIVE, which
# waits for nobody and makes nobody wait.
CHECKPOINT_EVERY = 100

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_ADVISORY_LOCK = text("SELECT pg_advisory_lock(:namespace, :key)")
_ADVISORY_UNLOCK = text("SELECT pg_advisory_unlock(:namespace, :key)")


def _int4(number: int) -> int:
    """A 64-bit number (a Telegram chat id) folded into PostgreSQL's signed 32-bit range."""
    folded = (number ^ (number >> 32)) & 0xFFFFFFFF
    return folded - (1 << 32) if folded >= 1 << 31 else folded


def async_url(url: str) -> str:
    """Pick the async driver for a plain SQLAlchemy URL."""
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.removeprefix("sqlite://")
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("postgresql+psycopg2://"):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url


def url_password(url: str) -> str | None:
    """The password in a database URL, if it has one (for the log redaction); None if unparsable."""
    try:
        password = make_url(url).password
    except ArgumentError:
        return None
    return None if password is None else str(password)


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
        self.where = make_url(self.url).database or ""
        """The SQLite file's path, or PostgreSQL's database name: for messages."""
        self._file = Path(self.where) if self.is_sqlite and self.where not in ("", ":memory:") else None
        self._file_identity: tuple[int, int] | None = None
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
            # No JIT: every query here is short, and compiling one whose estimated cost crosses
            # jit_above_cost (the district counts of 10,000 agencies) took longer than running it.
            kwargs["connect_args"] = {"server_settings": {"jit": "off"}}
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._sqlite_inline: Engine | None = None
        self._sqlite_waiting: Engine | None = None
        self._sqlite_thread: ThreadPoolExecutor | None = None
        self._commits_since_checkpoint = 0
        self._checkpoint: asyncio.Future[None] | None = None

    async def run_transaction(self, work: Callable[[Connection], T]) -> T:
        """Run `work` on a synchronous connection inside one transaction, committed on return.

        This is the hot path of every message (the caller lookup and the dialog turn).

        PostgreSQL: through `run_sync` on the async engine (asyncpg awaits underneath).

        SQLite: in a BEGIN IMMEDIATE transaction (reads included, serialized with every other
        writer), on the event loop itself, with a connection that never waits for a lock
        (busy_timeout 0). A turn is well under a millisecond of SQLite work, and measured
        here, handing it to a thread cost far more than it saved: the two threads fought over
        the GIL and the bot spent about twice the CPU per reply. Only when another writer holds
        the database (a terminal session, the reminder job) is the work retried on a thread
        whose connection waits, so the loop itself never waits on a lock. Retrying is safe:
        `work` runs in one transaction that rolls back on the error, and it reads its state again.
        """
        with self._faults():
            return await self._run_transaction(work)

    async def _run_transaction(self, work: Callable[[Connection], T]) -> T:
        if not self.is_sqlite:
            async with self.engine.begin() as connection:
                return await connection.run_sync(work)
        if self._sqlite_inline is None:
            self._sqlite_inline = self._sqlite_engine(busy_timeout_ms=0, checkpoints=False)
        try:
            with self._sqlite_inline.begin() as inline:
                result = work(inline)
        except OperationalError as error:
            if "locked" not in str(error.orig):
                raise
            log.info("sqlite busy: turn retried on the waiting connection")
        else:
            self._after_inline_commit()
            return result
        engine, thread = self._sqlite_waiting_engine()

        def run() -> T:
            with engine.begin() as connection:
                return work(connection)

        return await asyncio.get_running_loop().run_in_executor(thread, run)

    def _sqlite_waiting_engine(self) -> tuple[Engine, ThreadPoolExecutor]:
        """The connection that waits for locks, and the one thread it is used on."""
        if self._sqlite_waiting is None or self._sqlite_thread is None:
            self._sqlite_waiting = self._sqlite_engine(busy_timeout_ms=30_000, checkpoints=True)
            self._sqlite_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nianbao-sqlite")
        return self._sqlite_waiting, self._sqlite_thread

    def _after_inline_commit(self) -> None:
        self._commits_since_checkpoint += 1
        if self._commits_since_checkpoint < CHECKPOINT_EVERY or self._checkpoint is not None:
            return
        self._commits_since_checkpoint = 0
        engine, thread = self._sqlite_waiting_engine()
        self._checkpoint = asyncio.get_running_loop().run_in_executor(thread, _checkpoint, engine)
        self._checkpoint.add_done_callback(self._checkpoint_done)

    def _checkpoint_done(self, future: asyncio.Future[None]) -> None:
        self._checkpoint = None
        if not future.cancelled() and future.exception() is not None:
            log.warning("sqlite checkpoint failed: %s", future.exception())

    def _sqlite_engine(self, *, busy_timeout_ms: int, checkpoints: bool) -> Engine:
        """A synchronous engine on the same file with its own single connection."""
        engine = create_engine(
            self.url.replace("sqlite+aiosqlite", "sqlite+pysqlite", 1),
            connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
            poolclass=StaticPool,
        )

        def pragmas(dbapi_connection: Any, record: Any) -> None:
            _sqlite_pragmas(dbapi_connection, record)
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            if not checkpoints:
                cursor.execute("PRAGMA wal_autocheckpoint=0")
            cursor.close()
            # The driver would begin a transaction only at the first write, so a turn's reads
            # would not be part of it; SQLAlchemy's recipe: no implicit BEGIN, our own instead.
            dbapi_connection.isolation_level = None

        def begin(connection: Connection) -> None:
            # IMMEDIATE: the write lock from the first statement, so a turn's reads and writes
            # are one serialized step even with another process (a terminal) on the same file.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        event.listen(engine, "connect", pragmas)
        event.listen(engine, "begin", begin)
        return engine

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed when the block ends without error."""
        with self._faults():
            async with self._sessions() as session:
                try:
                    yield session
                    await session.commit()
                except BaseException:
                    await session.rollback()
                    raise

    @asynccontextmanager
    async def exclusive(self, namespace: int, key: int) -> AsyncIterator[None]:
        """One holder at a time of (namespace, key) across every process on this database.

        PostgreSQL: a session advisory lock, on a connection of its own held for the block (in
        autocommit, so no transaction stays open); a process that dies loses it with its
        connection. SQLite: nothing to take, since one process writes a SQLite file; the caller
        keeps its own tasks apart. Both numbers are reduced to PostgreSQL's 32-bit keys; two keys
        that collide are merely taken one after the other.
        """
        if self.is_sqlite:
            yield
            return
        lock = {"namespace": _int4(namespace), "key": _int4(key)}
        with self._faults():
            connection = await self.engine.connect()
        try:
            with self._faults():
                connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(_ADVISORY_LOCK, lock)
            try:
                yield
            finally:
                try:
                    await connection.execute(_ADVISORY_UNLOCK, lock)
                except Exception:
                    # Never back into the pool still holding the lock: the server drops it with
                    # the connection.
                    await connection.invalidate()
                    raise
        finally:
            await connection.close()

    async def upgrade(self) -> None:
        """Apply every Alembic migration (the schema never comes from create_all).

        A SQLite file is migrated on the synchronous connection of the SQLite thread, in one
        transaction: a file that cannot be opened then fails there, not in an aiosqlite worker
        thread (which, on a failed connect, can print a traceback while the process exits). It
        also writes once (the header's user_version, unchanged), so a file that may be read but
        not written is found now, not at the first answer. Then it notes which file the path
        names, so a later turn can tell that it was deleted or replaced.
        """
        if self._file is not None and self._file.exists() and not os.access(self._file, os.W_OK):
            # Before SQLite opens it: it would create the -wal and -shm files read-only as well,
            # and the file would stay unusable after its owner makes it writable again.
            raise DatabaseFault(Fault.READ_ONLY, self.where)
        with self._faults():
            if self._file is None and self.engine.dialect.name == "sqlite":  # in memory
                async with self.engine.connect() as connection:
                    await connection.run_sync(_upgrade_sqlite_connection)
            elif self._file is None:
                async with self.engine.begin() as connection:
                    await connection.run_sync(_upgrade)
            else:
                engine, thread = self._sqlite_waiting_engine()
                await asyncio.get_running_loop().run_in_executor(thread, _upgrade_sqlite, engine)
        if self._file is not None:
            stat = self._file.stat()
            self._file_identity = (stat.st_dev, stat.st_ino)
        log.info("database schema is at head")

    @contextlib.contextmanager
    def _faults(self) -> Iterator[None]:
        """Known failures as `DatabaseFault`; the file is checked before and after the work.

        After: a turn that committed into a file deleted meanwhile is not reported as saved.
        One stat each, a few microseconds against a turn's ~0.3 ms.
        """
        self._check_file()
        try:
            yield
        except DatabaseFault:
            raise
        except Exception as error:
            fault = fault_of(error, is_sqlite=self.is_sqlite)
            if fault is None:
                raise
            raise DatabaseFault(fault, self.where) from error
        self._check_file()

    def _check_file(self) -> None:
        """The SQLite file at the path is still the one opened (not deleted, not replaced)."""
        if self._file is None or self._file_identity is None:
            return
        try:
            stat = os.stat(self._file)
        except FileNotFoundError:
            raise DatabaseFault(Fault.FILE_GONE, self.where) from None
        if (stat.st_dev, stat.st_ino) != self._file_identity:
            raise DatabaseFault(Fault.FILE_GONE, self.where)

    async def checkpoint_settled(self) -> None:
        """Wait for the WAL checkpoint the SQLite thread is running, if any (its failure is logged)."""
        if self._checkpoint is not None:
            with contextlib.suppress(Exception):
                await self._checkpoint

    async def dispose(self) -> None:
        await self.checkpoint_settled()
        await self.engine.dispose()
        if self._sqlite_thread is not None:
            self._sqlite_thread.shutdown(wait=True)
            self._sqlite_thread = None
        for engine in (self._sqlite_inline, self._sqlite_waiting):
            if engine is not None:
                engine.dispose()
        self._sqlite_inline = self._sqlite_waiting = None


def _checkpoint(engine: Engine) -> None:
    """A PASSIVE WAL checkpoint on the SQLite thread (outside any transaction of SQLAlchemy's)."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        cursor.close()
    finally:
        connection.close()


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


def _upgrade_sqlite_connection(connection: Connection) -> None:
    # A batch migration rebuilds a table (create, copy, drop, rename); with foreign keys on, the
    # drop would cascade to every row that references it. SQLite ignores this pragma inside a
    # transaction, so it is set before (on the driver's connection: SQLAlchemy would begin one
    # first), and the references are checked before the commit.
    _driver_pragma(connection, "foreign_keys=OFF")
    try:
        with connection.begin():
            _upgrade(connection)
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left {len(broken)} broken references")
    finally:
        _driver_pragma(connection, "foreign_keys=ON")


def _driver_pragma(connection: Connection, pragma: str) -> None:
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"PRAGMA {pragma}")
    finally:
        cursor.close()


def _upgrade_sqlite(engine: Engine) -> None:
    with engine.connect() as connection:
        _upgrade_sqlite_connection(connection)
    with engine.begin() as connection:
        version = connection.exec_driver_sql("PRAGMA user_version").scalar()
        connection.exec_driver_sql(f"PRAGMA user_version = {int(version or 0)}")
