"""Copies of the SQLite database, taken and put back while it stays consistent.

A backup goes through SQLite's online backup API: one read transaction, so it is a snapshot
even while the bot writes, and it includes what is still in the write-ahead log (a plain file
copy of `nianbao.sqlite3` would miss it). The copy is a single file in rollback-journal mode,
checked with `PRAGMA integrity_check`, and gets its name only when complete.

A restore never touches the database until the file to restore has been copied beside it,
checked (an SQLite file, intact, with an `alembic_version` this code knows) and migrated to
head. The database it replaces is copied aside first (the backup API again, so nothing in its
WAL is lost), then the checked copy is renamed over it: a reader sees the old file or the new
one, never a mix. A database still opened by another process (the running bot, a terminal) is
refused: SQLite's own lock on the `-shm` file tells (see `is_in_use`).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import make_url

from storage.db import alembic_config, async_url

SQLITE_HEADER = b"SQLite format 3\x00"
# SQLite's "dead man switch": every connection to a WAL database holds a read lock on this byte
# of the -shm file as long as it is open (https://sqlite.org/walformat.html, 2.3.1). A write
# lock on it succeeds only when no other process has the database open.
_SHM_DMS_BYTE = 128
BUSY_TIMEOUT = 2.0  # seconds a restore waits for a writer's transaction before refusing


class Problem(Enum):
    """Why a file cannot be restored (or a database not backed up)."""

    MISSING = "missing"
    NOT_SQLITE = "not_sqlite"
    DAMAGED = "damaged"
    NOT_NIANBAO = "not_nianbao"
    NEWER = "newer"
    IN_USE = "in_use"


class BackupError(Exception):
    def __init__(self, problem: Problem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}")
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Restored:
    revision: str
    """The schema revision the restored file had; it is at head now."""
    kept: Path | None
    """Where the replaced database was copied to (None: there was none)."""


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for another database."""
    parsed = make_url(async_url(url))
    if not parsed.drivername.startswith("sqlite"):
        return None
    return Path(parsed.database or "").resolve()


def pg_options(url: str) -> list[str]:
    """pg_dump/pg_restore connection options for a PostgreSQL URL; never its password."""
    parsed = make_url(url)
    options = []
    host = parsed.host or parsed.query.get("host")
    if isinstance(host, str) and host:
        options.append(f"--host={host}")
    if parsed.port is not None:
        options.append(f"--port={parsed.port}")
    if parsed.username:
        options.append(f"--username={parsed.username}")
    options.append(f"--dbname={parsed.database or ''}")
    return options


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


@contextlib.contextmanager
def _connect(path: Path, *, timeout: float = BUSY_TIMEOUT) -> Iterator[sqlite3.Connection]:
    """A connection to an existing file (never creates one), closed at the end."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=timeout)
    connection.isolation_level = None  # no implicit transactions: the statements say
    try:
        yield connection
    finally:
        connection.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup(database: Path, target: Path) -> int:
    """Copy `database` to `target` (which must not exist) consistently; returns its size in bytes."""
    if not database.is_file():
        raise BackupError(Problem.MISSING, str(database))
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with _connect(database) as source:
            destination = sqlite3.connect(partial)
            try:
                source.backup(destination)  # all pages in one step: one snapshot
                destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                check = destination.execute("PRAGMA integrity_check").fetchall()
            finally:
                destination.close()
        if check != [("ok",)]:
            raise BackupError(Problem.DAMAGED, str(database))
        _fsync(partial)
        os.link(partial, target)  # fails if a file of that name appeared meanwhile: never overwritten
    except sqlite3.DatabaseError as error:
        raise BackupError(_problem_of(error), str(database)) from error
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def _problem_of(error: sqlite3.Error) -> Problem:
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    return {26: Problem.NOT_SQLITE, 11: Problem.DAMAGED, 5: Problem.IN_USE, 6: Problem.IN_USE}.get(
        code, Problem.DAMAGED
    )


def check_restorable(path: Path) -> str:
    """`path` is an intact nianbao database this code can migrate: returns its schema revision."""
    with path.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(Problem.NOT_SQLITE, str(path))
    try:
        with _connect(path) as connection:
            check = connection.execute("PRAGMA integrity_check").fetchall()
            if check != [("ok",)]:
                raise BackupError(Problem.DAMAGED, "; ".join(str(row[0]) for row in check[:3]))
            has_version = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
            if not has_version:
                raise BackupError(Problem.NOT_NIANBAO, str(path))
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError as error:
        raise BackupError(_problem_of(error), str(path)) from error
    if len(rows) != 1:
        raise BackupError(Problem.NOT_NIANBAO, str(path))
    revision = str(rows[0][0])
    if revision not in known_revisions():
        raise BackupError(Problem.NEWER, revision)
    return revision


def is_in_use(database: Path) -> bool:
    """Another process has `database` open (WAL mode: its lock on the -shm file's DMS byte)."""
    shm = database.with_name(database.name + "-shm")
    try:
        fd = os.open(shm, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS_BYTE)
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EAGAIN):
            return True
        raise
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, _SHM_DMS_BYTE)
        return False
    finally:
        os.close(fd)


def stage(source: Path, database: Path) -> Path:
    """A copy of `source` next to `database`, to be checked, migrated and put in place."""
    staged = database.with_name(f".{database.name}.restoring")
    for leftover in (staged, *(staged.with_name(staged.name + s) for s in ("-wal", "-shm", "-journal"))):
        leftover.unlink(missing_ok=True)
    with source.open("rb") as reading, staged.open("wb") as writing:
        while chunk := reading.read(1 << 20):
            writing.write(chunk)
    return staged


def put_in_place(staged: Path, database: Path, kept: Path) -> Path | None:
    """Keep `database` as `kept` (when there is one), then rename `staged` over it.

    Refused (IN_USE) while another process has the database open or in a write transaction.
    """
    if staged.with_name(staged.name + "-wal").exists():
        raise RuntimeError(f"{staged} still has a write-ahead log")
    wal = database.with_name(database.name + "-wal")
    if not database.exists():
        if wal.exists():  # left by a file deleted without it: it must not be replayed into the new one
            os.replace(wal, kept.with_name(kept.name + "-wal"))
        _install(staged, database)
        return None
    if is_in_use(database):
        raise BackupError(Problem.IN_USE, str(database))
    try:
        _copy_aside(database, kept)
    except sqlite3.DatabaseError as error:
        kept.unlink(missing_ok=True)
        if _problem_of(error) is Problem.IN_USE:
            raise BackupError(Problem.IN_USE, str(database)) from error
        # The database being replaced is damaged: kept as it is, its log beside it.
        shutil.copyfile(database, kept)
        if wal.exists():
            os.replace(wal, kept.with_name(kept.name + "-wal"))
    # Closing the last connection checkpointed the WAL and deleted it; a WAL still there belongs
    # to a process that opened the database meanwhile, and would be replayed into the new file.
    if wal.exists() or is_in_use(database):
        kept.unlink(missing_ok=True)
        raise BackupError(Problem.IN_USE, str(database))
    _fsync(kept)
    _install(staged, database)
    return kept


def _copy_aside(database: Path, kept: Path) -> None:
    with _connect(database) as connection:
        connection.execute("BEGIN EXCLUSIVE")  # waits BUSY_TIMEOUT for a writer's transaction
        connection.execute("ROLLBACK")
        destination = sqlite3.connect(kept)
        try:
            connection.backup(destination)
            destination.execute("PRAGMA journal_mode=DELETE")
        finally:
            destination.close()


def _install(staged: Path, database: Path) -> None:
    _fsync(staged)
    os.replace(staged, database)
    directory = os.open(database.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
