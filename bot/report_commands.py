"""Operators' commands on one report: `nianbao return|accept|reopen` and `nianbao render`.

The review operations are the coordinators' service (bot/services/coordination.py), shared with
Telegram's /return, /accept and /reopen; this module translates the command line to it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.documents import write_report_files
from bot.services.coordination import OPERATOR, Coordination, DeniedFor, Refused, denied_text
from bot.services.turns import Turns
from dialogs import messages as msg
from dialogs.lifecycle import Action
from storage.db import Database

log = logging.getLogger(__name__)


# What each review subcommand does and says when it is done.
_REVIEWS = {
    "return": (Action.RETURN, msg.CLI_RETURNED),
    "accept": (Action.ACCEPT, msg.CLI_ACCEPTED),
    "reopen": (Action.REOPEN, msg.CLI_REOPENED),
}


async def review_command(
    db: Database,
    command: str,
    *,
    agency: str,
    year: int,
    comment: str,
    at: datetime,
    out: TextIO,
    district: str | None = None,
) -> int:
    """`return` (submitted → returned), `accept` (submitted → accepted, locked) or `reopen`
    (accepted → returned), by the operator, through the coordinators' own service."""
    action, done = _REVIEWS[command]
    outcome = await Coordination(db).review(
        OPERATOR, action, query=agency, year=year, comment=comment, at=at, district=district
    )
    if isinstance(outcome, Refused):
        print(msg.REPORT_UNKNOWN.format(agency=agency, year=year), file=out)
        return 1
    if isinstance(outcome, DeniedFor):
        print(denied_text(outcome), file=out)
        return 1
    log.info("report of %s %s: %s from the command line", agency, year, action.value)
    print(done.format(agency=agency, year=year), file=out)
    return 0


async def render_command(turns: Turns, *, agency: str, year: int, directory: Path, out: TextIO) -> int:
    """The report's documents written again from what is stored now."""
    report = await Coordination(turns.db).report_of(OPERATOR, agency=agency, year=year)
    if isinstance(report, Refused) or report.id is None:
        print(msg.REPORT_UNKNOWN.format(agency=agency, year=year), file=out)
        return 1
    paths = await write_report_files(turns, report.id, directory)
    print(msg.TERM_FILES, file=out)
    for path in paths:
        print(f"  {path}", file=out)
    return 0
