"""Database failures a person can do something about, named so the adapters can explain them.

A damaged or foreign SQLite file, a directory or file the process may not write, a database
file deleted under a running process, a PostgreSQL server that is gone: each is a `Fault`,
raised as `DatabaseFault` from `storage.db.Database`. Anything else (a bug, a constraint
violation) keeps its own exception type.
"""

from __future__ import annotations

import sqlite3
from enum import Enum


class Fault(Enum):
    DAMAGED = "damaged"
    NOT_A_DATABASE = "not_a_database"
    CANNOT_CREATE = "cannot_create"
    READ_ONLY = "read_only"
    FILE_GONE = "file_gone"
    SERVER_GONE = "server_gone"


class DatabaseFault(Exception):
    """The database cannot be used; `where` is the file path or the server's database name."""

    def __init__(self, fault: Fault, where: str) -> None:
        super().__init__(f"{fault.value}: {where}")
        self.fault = fault
        self.where = where


# SQLite's primary result codes (the low byte of an extended code): https://sqlite.org/rescode.html
_SQLITE_FAULTS = {
    8: Fault.READ_ONLY,  # SQLITE_READONLY
    11: Fault.DAMAGED,  # SQLITE_CORRUPT
    14: Fault.CANNOT_CREATE,  # SQLITE_CANTOPEN
    26: Fault.NOT_A_DATABASE,  # SQLITE_NOTADB
}
# SQLSTATE classes and codes that mean the server or the connection to it is gone.
_PG_GONE_CLASSES = ("08",)  # connection_exception
_PG_GONE_CODES = ("57P01", "57P02", "57P03")  # admin_shutdown, crash_shutdown, cannot_connect_now


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def fault_of(error: BaseException, *, is_sqlite: bool) -> Fault | None:
    """The fault behind `error` (SQLAlchemy wraps the driver's error; we look down the chain)."""
    for cause in _chain(error):
        if isinstance(cause, DatabaseFault):
            return cause.fault
        if is_sqlite:
            if isinstance(cause, sqlite3.Error):
                code = getattr(cause, "sqlite_errorcode", None)
                if isinstance(code, int) and (code & 0xFF) in _SQLITE_FAULTS:
                    return _SQLITE_FAULTS[code & 0xFF]
            continue
        if getattr(cause, "connection_invalidated", False):
            return Fault.SERVER_GONE
        # A refused or vanished socket while connecting reaches us as the bare OSError.
        if isinstance(cause, OSError):
            return Fault.SERVER_GONE
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str) and (state.startswith(_PG_GONE_CLASSES) or state in _PG_GONE_CODES):
            return Fault.SERVER_GONE
    return None
