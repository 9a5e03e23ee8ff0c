"""The coordinators' district operations at the command line: `nianbao round|district|agencies|
dashboard|history`, the same service calls (bot/services/coordination.py) as Telegram's /round,
/district, the agency-list upload, /dashboard and /history, with the same texts.

The operator at the command line has a coordinator's powers in every district; `--district`
names it (default: the only district, or the default one).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from bot.coordinator_views import (
    board_text,
    bulk_done,
    detail_text,
    history_text,
    refused_text,
    sheet_refused,
    sheet_rows,
    totals_text,
)
from bot.failures import ExitCode
from bot.services.coordination import (
    OPERATOR,
    Coordination,
    Districts,
    Refusal,
    Refused,
    default_deadline,
)
from bot.services.outgoing import invite_link
from bot.settings import Settings
from dialogs import messages as msg
from dialogs import messages_telegram as tmsg
from dialogs.form import Form, UnitKind
from importer import read_agency_sheet
from storage.dashboard import BoardFilter
from storage.db import Database
from templates import invite_links_sheet

__all__ = [
    "agencies_command",
    "dashboard_command",
    "district_command",
    "history_command",
    "round_command",
    "totals_command",
]

log = logging.getLogger(__name__)


def _refused(refused: Refused, *, district: str | None, query: str = "") -> str:
    shown = district if refused.refusal is Refusal.UNKNOWN_DISTRICT else query
    return refused_text(
        refused, shown or "", no_round=msg.CLI_NO_ROUND, unknown_district=msg.CLI_UNKNOWN_DISTRICT
    )


def _invite(settings: Settings, token: str) -> str:
    """The deep link when the bot's username is configured, else what to send the bot."""
    return invite_link(settings.bot_username, token) if settings.bot_username else f"/start {token}"


async def round_command(
    db: Database, *, year: int, deadline: date | None, district: str | None, at: datetime, out: TextIO
) -> int:
    coordination = Coordination(db)
    before = await coordination.rounds(OPERATOR, year=year, district=district)
    opened = await coordination.open_round(OPERATOR, year=year, deadline=deadline, at=at, district=district)
    if isinstance(opened, Refused):
        print(_refused(opened, district=district), file=out)
        return ExitCode.BAD_INPUT
    scope, rnd = opened
    if before is not None and not isinstance(before, Refused):
        print(tmsg.ROUND_CHANGED.format(district=scope.name, year=year, deadline=rnd.deadline), file=out)
    else:
        government = default_deadline(year, UnitKind.GOVERNMENT).isoformat()
        text = tmsg.ROUND_OPENED_HEAD.format(
            district=scope.name, year=year, deadline=rnd.deadline.isoformat(), government=government
        )
        text += msg.CLI_ROUND_HINT
        print(text, file=out)
    return 0


async def district_command(db: Database, *, name: str | None, out: TextIO) -> int:
    """Without a name, every district; with one, the district is created (unless it exists)."""
    coordination = Coordination(db)
    if name:
        made = await coordination.pick_district(OPERATOR, name=name)
        if isinstance(made, Refused):
            print(_refused(made, district=name), file=out)
            return ExitCode.BAD_INPUT
        print(msg.CLI_DISTRICT_READY.format(district=made.name), file=out)
        return 0
    listed = await coordination.districts(OPERATOR)
    if not isinstance(listed, Districts) or not listed.mine:
        print(msg.CLI_NO_DISTRICTS, file=out)
        return 0
    for district in listed.mine:
        print(f"  {district.name}", file=out)
    return 0


async def agencies_command(
    db: Database,
    settings: Settings,
    path: str,
    *,
    district: str | None,
    out_dir: Path,
    at: datetime,
    out: TextIO,
) -> int:
    """A list of agencies (.xlsx or .csv) added to the district's latest round, all or none; every
    invite link printed and written as an .xlsx file."""
    try:
        data = await asyncio.to_thread(Path(path).read_bytes)
    except OSError:
        print(msg.CLI_FILE_UNREADABLE.format(path=path), file=out)
        return ExitCode.BAD_INPUT
    sheet = await asyncio.to_thread(read_agency_sheet, data, Path(path).name)
    if sheet.errors or not sheet.rows:
        headline, problems = sheet_refused(sheet)
        print(headline, *(f"  {line}" for line in problems), sep="\n", file=out)
        return ExitCode.BAD_INPUT
    added = await Coordination(db).add_agencies(OPERATOR, sheet_rows(sheet), at=at, district=district)
    if isinstance(added, Refused):
        print(_refused(added, district=district), file=out)
        return ExitCode.BAD_INPUT
    links = [(a.agency.name, a.agency.unit_kind, _invite(settings, a.token)) for a in added.added]
    headline, lines = bulk_done(added, links)
    print(headline, *(f"  {line}" for line in lines), sep="\n", file=out)
    target = out_dir / tmsg.BULK_FILE.format(district=added.district, year=added.year)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(await asyncio.to_thread(invite_links_sheet, links))
    except OSError:
        print(msg.EXPORT_OUT_UNWRITABLE.format(path=out_dir), file=out)
        return ExitCode.OUT_NOT_WRITABLE
    print(msg.CLI_WRITTEN.format(path=target.resolve()), file=out)
    log.info("%s agencies imported from %s at the command line", len(links), path)
    return 0


async def dashboard_command(
    db: Database,
    form: Form,
    settings: Settings,
    *,
    year: int | None,
    district: str | None,
    agency: str | None,
    status: str,
    page: int,
    at: datetime,
    out: TextIO,
) -> int:
    coordination = Coordination(db)
    if agency:
        detail = await coordination.agency_detail(OPERATOR, query=agency, year=year, district=district)
        if isinstance(detail, Refused):
            print(_refused(detail, district=district, query=agency), file=out)
            return 1
        print(detail_text(detail, form, settings), file=out)
        return 0
    board = await coordination.dashboard(
        OPERATOR,
        year=year,
        at=at,
        zone=settings.zone,
        board_filter=BoardFilter(status),
        page=max(page - 1, 0),
        district=district,
    )
    if isinstance(board, Refused):
        print(_refused(board, district=district), file=out)
        return 1
    print(board_text(board, form, settings), file=out)
    return 0


async def history_command(
    db: Database,
    form: Form,
    settings: Settings,
    *,
    agency: str,
    year: int | None,
    district: str | None,
    out: TextIO,
) -> int:
    history = await Coordination(db).history(OPERATOR, query=agency, year=year, district=district)
    if isinstance(history, Refused):
        print(_refused(history, district=district, query=agency), file=out)
        return 1
    print(history_text(history, form, settings), file=out)
    return 0


async def totals_command(
    db: Database, form: Form, *, year: int | None, district: str | None, out: TextIO
) -> int:
    totals = await Coordination(db).totals(OPERATOR, form, year=year, district=district)
    if isinstance(totals, Refused):
        print(_refused(totals, district=district), file=out)
        return 1
    print(totals_text(totals, form, export_hint=msg.CLI_TOTALS_EXPORT_HINT), file=out)
    return 0
