"""The process's exit codes, and the message it stops with when the database cannot be used.

The codes are an interface: operators' scripts test them. They are listed for people in
`nianbao --help` (`dialogs.messages.CLI_EXIT_CODES`) and in the README.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TextIO

from dialogs import messages as msg
from storage.faults import DatabaseFault, Fault


class ExitCode(IntEnum):
    OK = 0
    NOTHING_TO_EXPORT = 1
    BAD_INPUT = 2
    DB_DAMAGED = 10
    DB_NOT_A_DATABASE = 11
    DB_CANNOT_CREATE = 12
    DB_READ_ONLY = 13
    DB_FILE_GONE = 14
    DB_SERVER_GONE = 15
    OUT_NOT_A_DIRECTORY = 16
    OUT_NOT_WRITABLE = 17
    DB_IN_USE = 18
    USE_PG_TOOLS = 19


_FAULT_CODES = {
    Fault.DAMAGED: ExitCode.DB_DAMAGED,
    Fault.NOT_A_DATABASE: ExitCode.DB_NOT_A_DATABASE,
    Fault.CANNOT_CREATE: ExitCode.DB_CANNOT_CREATE,
    Fault.READ_ONLY: ExitCode.DB_READ_ONLY,
    Fault.FILE_GONE: ExitCode.DB_FILE_GONE,
    Fault.SERVER_GONE: ExitCode.DB_SERVER_GONE,
}


def stop_on_fault(error: DatabaseFault, err: TextIO) -> int:
    """Say in Chinese what is wrong with the database and return the exit code for it."""
    print(msg.DB_FAULTS[error.fault.value].format(where=error.where), file=err, flush=True)
    return int(_FAULT_CODES[error.fault])
