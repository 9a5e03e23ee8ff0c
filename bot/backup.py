"""`nianbao backup [FILE]` and `nianbao restore FILE`: the SQLite database copied out and put back.

SQLite: storage/backup.py does the work; this module picks the paths, says what happened in
Chinese and returns the exit code. A backup goes by default to `backups/` beside the database
(under the data directory, which the service may write), named by the local time:
`backups/nianbao-20250120-0300.sqlite3`. A restore keeps the database it replaces beside it as
`nianbao.sqlite3.before-restore-<time>`.

PostgreSQL: its own tools do this better (and the dump may be taken from a replica); both
commands print the pg_dump / pg_restore line for the configured database, without its password,
and exit with USE_PG_TOOLS.
"""

from __future__ import annotations

import asyncio
import shlex
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.failures import ExitCode
from bot.settings import Settings
from dialogs import messages as msg
from storage import backup as store
from storage.db import Database, sqlite_url

_EXIT = {
    store.Problem.MISSING: ExitCode.BAD_INPUT,
    store.Problem.NOT_SQLITE: ExitCode.DB_NOT_A_DATABASE,
    store.Problem.NOT_NIANBAO: ExitCode.DB_NOT_A_DATABASE,
    store.Problem.NEWER: ExitCode.DB_NOT_A_DATABASE,
    store.Problem.DAMAGED: ExitCode.DB_DAMAGED,
    store.Problem.IN_USE: ExitCode.DB_IN_USE,
}


def _stamp(settings: Settings, now: datetime) -> str:
    return now.astimezone(settings.zone).strftime("%Y%m%d-%H%M%S")


def _sqlite_file(settings: Settings) -> Path | None:
    """The SQLite database file of the settings; None for PostgreSQL."""
    if not settings.database_url:
        return (settings.data_dir / "nianbao.sqlite3").resolve()
    return store.sqlite_file(settings.database_url)


def _size(size: int) -> str:
    return f"{size / 1024:.1f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def backup_command(settings: Settings, file: str | None, *, now: datetime, out: TextIO, err: TextIO) -> int:
    database = _sqlite_file(settings)
    if database is None:
        print(msg.PG_BACKUP.format(command=_pg_dump(settings, now)), file=err)
        return int(ExitCode.USE_PG_TOOLS)
    name = f"nianbao-{_stamp(settings, now)}.sqlite3"
    target = database.parent / "backups" / name if file is None else Path(file)
    if target.is_dir():
        target = target / name
    if target.exists():
        print(msg.BACKUP_EXISTS.format(path=target), file=err)
        return int(ExitCode.BAD_INPUT)
    try:
        if file is None:
            target.parent.mkdir(exist_ok=True)
        size = store.backup(database, target)
    except store.BackupError as error:
        if error.problem is store.Problem.MISSING:
            print(msg.BACKUP_NO_DATABASE.format(path=database), file=err)
        elif error.problem is store.Problem.DAMAGED:
            print(msg.BACKUP_DAMAGED.format(path=database), file=err)
        else:
            print(msg.DB_FAULTS["not_a_database"].format(where=database), file=err)
        return int(_EXIT[error.problem])
    except OSError as error:
        print(msg.BACKUP_UNWRITABLE.format(path=target, error=error.strerror or error), file=err)
        return int(ExitCode.OUT_NOT_WRITABLE)
    print(msg.BACKUP_DONE.format(path=target.resolve(), size=_size(size)), file=out)
    return int(ExitCode.OK)


def restore_command(settings: Settings, file: str, *, now: datetime, out: TextIO, err: TextIO) -> int:
    database = _sqlite_file(settings)
    if database is None:
        print(msg.PG_RESTORE.format(command=_pg_restore(settings, file)), file=err)
        return int(ExitCode.USE_PG_TOOLS)
    source = Path(file)
    if not source.is_file():
        print(msg.RESTORE_NO_FILE.format(path=source), file=err)
        return int(ExitCode.BAD_INPUT)
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        print(msg.DB_FAULTS["cannot_create"].format(where=database), file=err)
        return int(ExitCode.DB_CANNOT_CREATE)
    if store.is_in_use(database):
        return _refused(store.BackupError(store.Problem.IN_USE), source, database, err)
    staged = store.stage(source, database)
    try:
        revision = store.check_restorable(staged)
        asyncio.run(_migrate(staged))
        kept = store.put_in_place(
            staged, database, database.with_name(f"{database.name}.before-restore-{_stamp(settings, now)}")
        )
    except store.BackupError as error:
        return _refused(error, source, database, err)
    finally:
        for leftover in (staged, staged.with_name(staged.name + "-shm")):
            leftover.unlink(missing_ok=True)
    print(msg.RESTORE_DONE.format(database=database, source=source.resolve(), revision=revision), file=out)
    if kept is not None:
        print(msg.RESTORE_KEPT.format(kept=kept), file=out)
    return int(ExitCode.OK)


async def _migrate(staged: Path) -> None:
    """The staged copy at head (the migrations every start applies), before it is put in place."""
    database = Database(sqlite_url(staged))
    try:
        await database.upgrade()
    finally:
        await database.dispose()


def _refused(error: store.BackupError, source: Path, database: Path, err: TextIO) -> int:
    text = msg.RESTORE_REFUSED[error.problem.value]
    print(text.format(path=source, database=database, detail=error.detail), file=err)
    return int(_EXIT[error.problem])


def _pg_dump(settings: Settings, now: datetime) -> str:
    dump = f"nianbao-{_stamp(settings, now)}.dump"
    return shlex.join(
        ["pg_dump", "--format=custom", *store.pg_options(settings.database_url or ""), f"--file={dump}"]
    )


def _pg_restore(settings: Settings, file: str) -> str:
    return shlex.join(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *store.pg_options(settings.database_url or ""),
            file,
        ]
    )
