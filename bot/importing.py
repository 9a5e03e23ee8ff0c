"""Storing a published report read by the importer (`nianbao import-report`, and the bot)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from dialogs import messages as msg
from dialogs.form import Form, UnitKind, Value
from dialogs.parsing import Rejected, parse_agency_name
from dialogs.title import TITLE_KEY
from importer import ImportResult, import_document
from storage import repositories as repo
from storage.db import Database
from storage.tables import ReportStatus


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
    agency: str | None,
    year: int | None,
    unit: UnitKind | None,
    by: int | None,
    at: datetime,
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
        found = await repo.find_agency(session=session, name=name)
        if found is None:
            found = await repo.create_agency(
                session=session, name=name, unit=unit or form.guess_unit_kind(name)
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
        await repo.write_answers(session=session, report_id=report.id, writes=stale + fresh, by=by, at=at)
        report.source = "import"
        await repo.set_status(session=session, report=report, status=ReportStatus.SUBMITTED, by=by, at=at)
        texts = sum(1 for k, v in result.answers.items() if isinstance(v, str) and k != TITLE_KEY)
        numbers = sum(1 for v in result.answers.values() if not isinstance(v, str))
        done = msg.IMPORT_DONE.format(agency=name, year=report_year, numbers=numbers, texts=texts)
        return StoredImport(True, done, report.id)


def read_report_file(path: str, form: Form) -> ImportResult | None:
    """A published report file read by the importer; None when there is no such file."""
    file = Path(path)
    return import_document(file.read_bytes(), file.name, form) if file.is_file() else None


async def import_report_file(
    db: Database,
    form: Form,
    path: str,
    *,
    agency: str | None,
    year: int | None,
    kind: str | None,
    at: datetime,
    out: TextIO,
) -> int:
    result = await asyncio.to_thread(read_report_file, path, form)
    if result is None:
        print(msg.IMPORT_NO_FILE.format(path=path), file=out)
        return 2
    notes = [p for p in result.problems if not p.is_fatal]
    if notes and result.is_usable:
        print(msg.IMPORT_NOTES, file=out)
        for problem in notes:
            print(f"  {problem.describe()}", file=out)
    unit = UnitKind(msg.UNIT_WORDS[kind]) if kind else None
    stored = await store_import(db, form, result, agency=agency, year=year, unit=unit, by=None, at=at)
    print(stored.message, file=out)
    if stored.ok:
        print(result.summary, file=out)  # what was read: the sections and each table's cells
    return 0 if stored.ok else 2
