"""The setup answers of a terminal report (agency name, unit kind, year), read and checked."""

from __future__ import annotations

from dialogs import messages as msg
from dialogs.commands import read_command
from dialogs.form import UnitKind
from dialogs.parsing import Rejected, parse_agency_name

KIND_WORDS = {word: UnitKind(kind) for word, kind in msg.TERM_KIND_WORDS.items()}


def read_agency_name(raw: str) -> str | Rejected:
    """The agency name typed at a setup prompt: a reply word is not a name, and the name itself
    must pass `parse_agency_name` (one line, visible characters, not too long)."""
    text = raw.strip()
    if text and (read_command(text) is not None or text in msg.TERM_WORDS):
        return Rejected(msg.TERM_AGENCY_IS_COMMAND.format(name=text))
    return parse_agency_name(raw)
