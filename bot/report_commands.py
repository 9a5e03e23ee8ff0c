"""Operators' commands on one report: `nianbao return` (back to the agency) and `nianbao render`.

The domain operations are storage's (`repositories.return_report`), shared with Telegram's
/return; this module finds the report named on the command line and says what happened.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TextIO

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.documents import write_report_files
from bot.turn import Turns
from dialogs import messages as msg
from storage import repositories as repo
from storage.db import Database
from storage.tables import Report

log = logging.getLogger(__name__)


async def _find(session: AsyncSession, agency: str, year: int) -> Report | None:
    found = await repo.find_agency(session=session, name=agency)
    if found is None or found.id is None:
        return None
    return await repo.report_for(session=session, agency_id=found.id, year=year, create=False)


async def return_command(
    db: Database, *, agency: str, year: int, comment: str, at: datetime, out: TextIO
) -> int:
    """Status submitted → returned, so the agency can edit it again (in the terminal too)."""
    async with db.session() as session:
        report = await _find(session, agency, year)
        if report is None:
            print(msg.REPORT_UNKNOWN.format(agency=agency, year=year), file=out)
            return 1
        if not await repo.return_report(session=session, report=report, by=None, at=at, comment=comment):
            status = msg.STATUS_NAMES.get(report.status, report.status)
            print(msg.CLI_RETURN_NOT_SUBMITTED.format(agency=agency, year=year, status=status), file=out)
            return 1
    log.info("report %s returned from the command line", report.id)
    print(msg.CLI_RETURNED.format(agency=agency, year=year), file=out)
    return 0


async def render_command(turns: Turns, *, agency: str, year: int, directory: Path, out: TextIO) -> int:
    """The report's documents written again from what is stored now."""
    async with turns.db.session() as session:
        report = await _find(session, agency, year)
    if report is None or report.id is None:
        print(msg.REPORT_UNKNOWN.format(agency=agency, year=year), file=out)
        return 1
    paths = await write_report_files(turns, report.id, directory)
    print(msg.TERM_FILES, file=out)
    for path in paths:
        print(f"  {path}", file=out)
    return 0
