"""The setup answers of a terminal report (agency name, unit kind, year), read and checked."""

from __future__ import annotations

from dialogs import messages as msg
from dialogs.commands import read_command
from dialogs.form import UnitKind

# storage.tables.Agency.name holds 200; a real agency name is far shorter.
MAX_AGENCY_NAME = 100

KIND_WORDS = {word: UnitKind(kind) for word, kind in msg.TERM_KIND_WORDS.items()}


def agency_name_problem(name: str) -> str | None:
    """Why `name` cannot be an agency's name (empty, a reply word, too long), or None."""
    text = name.strip()
    if not text:
        return msg.TERM_EMPTY_AGENCY
    if read_command(text) is not None or text in msg.TERM_WORDS:
        return msg.TERM_AGENCY_IS_COMMAND.format(name=text)
    if len(text) > MAX_AGENCY_NAME:
        return msg.TERM_AGENCY_TOO_LONG.format(limit=MAX_AGENCY_NAME)
    return None


def read_year(line: str, *, default: int, latest: int) -> int | None:
    text = line.strip()
    for suffix in msg.YEAR_SUFFIXES:
        text = text.removesuffix(suffix).strip()
    if text in msg.TERM_DEFAULT_WORDS:
        return default
    if text.isdigit() and len(text) == 4 and 2019 <= int(text) <= latest:
        return int(text)
    return None
