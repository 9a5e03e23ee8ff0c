"""Storing a published report read by the importer, for the CLI and Telegram alike.

The report is recorded as published (`Action.RECORD_PUBLISHED` of the lifecycle) by whoever
imports it: a coordinator in Telegram or the operator at the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.coordination import Who
from dialogs import messages as msg
from dialogs.form import Form, UnitKind, Value
from dialogs.lifecycle import Action, Denied
from dialogs.parsing import Rejected, parse_agency_name
from dialogs.title import TITLE_KEY
from importer import ImportResult
from storage import repositories as repo
from storage.db import Database

__all__ = ["StoredImport", "store_import"]


@dataclass(frozen=True, slots=True)
class StoredImport:
    ok: bool
    message: str
    report_id: int | None = None


async def store_import(
    db: Database,
    form: Form,
    result: ImportResult,
    *,
    who: Who,
    agency: str | None,
    year: int | None,
    unit: UnitKind | None,
    at: datetime,
    district_id: int | None = None,
) -> StoredImport:
    """Write an imported report as that agency's report of that year (status submitted)."""
    if not result.is_usable:
        return StoredImport(False, result.error)
    if not (agency or result.agency).strip():
        return StoredImport(False, msg.IMPORT_NEED_AGENCY)
    name = parse_agency_name(agency or result.agency)
    if isinstance(name, Rejected):
        return StoredImport(False, name.message)
    report_year = year or result.year
    if report_year is None:
        return StoredImport(False, msg.IMPORT_NEED_YEAR)
    async with db.session() as session:
        found = await repo.find_agency(session=session, name=name, district_id=district_id)
        if found is None:
            found = await repo.create_agency(
                session=session, name=name, unit=unit or form.guess_unit_kind(name), district_id=district_id
            )
        report = await repo.report_for(session=session, agency_id=found.id or 0, year=report_year)
        if report is None or report.id is None:
            return StoredImport(False, msg.IMPORT_NEED_YEAR)
        existing = await repo.load_answers(session=session, form=form, report_id=report.id)
        if report.source == "dialog" and existing:
            return StoredImport(False, msg.IMPORT_EXISTS.format(agency=name, year=report_year))
        stale: list[tuple[str, Value | None, str]] = [
            (k, None, "") for k in existing if k not in result.answers
        ]
        fresh: list[tuple[str, Value | None, str]] = [(k, v, "import") for k, v in result.answers.items()]
        by = who.person_id
        await repo.write_answers(session=session, report_id=report.id, writes=stale + fresh, by=by, at=at)
        report.source = "import"
        recorded = await repo.apply_action(
            session=session, report=report, action=Action.RECORD_PUBLISHED, actor=who.actor, by=by, at=at
        )
        if isinstance(recorded, Denied):  # an accepted report is not overwritten by an import
            await session.rollback()
            status = msg.STATUS_NAMES[recorded.status.value]
            return StoredImport(False, msg.IMPORT_LOCKED.format(agency=name, year=report_year, status=status))
        texts = sum(1 for k, v in result.answers.items() if isinstance(v, str) and k != TITLE_KEY)
        numbers = sum(1 for v in result.answers.values() if not isinstance(v, str))
        done = msg.IMPORT_DONE.format(agency=name, year=report_year, numbers=numbers, texts=texts)
        return StoredImport(True, done, report.id)
