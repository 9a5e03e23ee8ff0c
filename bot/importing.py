"""`nianbao import-report`: read a published report file and store it (bot/services/importing.py)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.services.coordination import OPERATOR
from bot.services.importing import store_import
from dialogs import messages as msg
from dialogs.form import Form, UnitKind
from importer import ImportResult, import_document
from storage.db import Database


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
    stored = await store_import(db, form, result, who=OPERATOR, agency=agency, year=year, unit=unit, at=at)
    print(stored.message, file=out)
    if stored.ok:
        print(result.summary, file=out)  # what was read: the sections and each table's cells
    return 0 if stored.ok else 2
