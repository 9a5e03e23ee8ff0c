"""The coordinator's export: every report of a year in every format, a summary table, and the
district totals (cell-wise sums of the submitted reports) rendered like a report."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import sys
import zipfile
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from bot.documents import Document, file_name, report_documents, signed_on
from bot.failures import ExitCode
from bot.services.coordination import OPERATOR, Coordination, Refused, Who
from bot.services.turns import ReportSnapshot
from dialogs import messages as msg
from dialogs.aggregate import DistrictDraft, UnitTables, district_draft
from dialogs.form import Form, UnitKind, Value
from dialogs.lifecycle import is_finished
from dialogs.summary import key_figures
from storage.db import Database
from storage.tables import Agency, Report
from templates.workbook import district_workbook

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ExportBundle:
    year: int
    report_count: int
    documents: tuple[Document, ...]
    failed: tuple[str, ...] = ()
    """The agencies whose report could not be rendered (the rest is exported all the same)."""

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for doc in self.documents:
                archive.writestr(doc.filename, doc.data)
        return buffer.getvalue()


def _cell(value: int | None) -> str:
    return "" if value is None else str(value)


def _summary_csv(form: Form, rows: list[tuple[Report, Agency, dict[str, Value]]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(msg.EXPORT_SUMMARY_HEADER)
    for report, agency, answers in rows:
        figures = key_figures(form, answers)
        writer.writerow(
            [
                agency.name,
                msg.UNIT_NAMES.get(agency.unit_kind, agency.unit_kind),
                msg.STATUS_NAMES.get(report.status, report.status),
                report.submitted_at.isoformat() if report.submitted_at else "",
                *(
                    _cell(v)
                    for v in (
                        figures.new,
                        figures.carried_in,
                        figures.processed,
                        figures.carried_out,
                        figures.review,
                        figures.litigation,
                    )
                ),
            ]
        )
    # A BOM so that Excel opens the Chinese text correctly.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _units_text(district: str, year: int, draft: DistrictDraft) -> str:
    """Which units the aggregate draft sums and which are missing from it."""
    lines = [msg.EXPORT_UNITS_HEADER.format(district=district, year=year, count=len(draft.included))]
    lines += [f"  {name}" for name in draft.included]
    lines.append(msg.EXPORT_UNITS_MISSING.format(count=len(draft.missing)))
    lines += [f"  {name}" for name in draft.missing]
    return "\n".join(lines) + "\n"


async def build_export(
    db: Database,
    form: Form,
    year: int,
    *,
    zone: tzinfo,
    now: datetime,
    who: Who = OPERATOR,
    district: str | None = None,
) -> ExportBundle | Refused:
    """The district's reports of `year` in every format, its workbook of every table (one row per
    handed-in report, a total row) and the government's aggregate draft with the units it sums."""
    # A report that cannot be rendered is named in `failed`, not fatal.
    found = await Coordination(db).year_reports(who, form, year=year, district=district)
    if isinstance(found, Refused):
        return found
    district_name, agencies, rows = found
    finished = [(report, agency, answers) for report, agency, answers in rows if is_finished(report.status)]
    units = [UnitTables(agency.name, UnitKind(agency.unit_kind), answers) for _, agency, answers in finished]
    workbook = await asyncio.to_thread(district_workbook, form, units, year=year, district=district_name)
    draft = district_draft(form, [a.name for a in agencies], units)
    documents: list[Document] = [
        Document(msg.EXPORT_SUMMARY_FILE.format(year=year), _summary_csv(form, rows)),
        Document(msg.EXPORT_WORKBOOK_FILE.format(district=district_name, year=year), workbook),
        Document(
            f"{file_name(msg.EXPORT_AGGREGATE_DIR)}/{msg.EXPORT_UNITS_FILE}",
            _units_text(district_name, year, draft).encode("utf-8"),
        ),
    ]
    failed: list[str] = []
    for report, agency, answers in rows:
        snapshot = ReportSnapshot(report, agency, answers, None)
        signed = signed_on(report, zone=zone, now=now)
        try:
            rendered = await asyncio.to_thread(report_documents, form, snapshot, signed=signed)
        except Exception:
            # One report's content must not cost the coordinator the whole year's export.
            log.exception("export %s: report %s could not be rendered", year, report.id)
            failed.append(agency.name)
            continue
        folder = file_name(agency.name)
        documents.extend(Document(f"{folder}/{doc.filename}", doc.data) for doc in rendered)
    if units:
        name = msg.EXPORT_AGGREGATE_AGENCY.format(district=district_name, count=len(units))
        pseudo = ReportSnapshot(
            Report(agency_id=0, year=year),
            Agency(name=name, unit_kind=UnitKind.GOVERNMENT.value),
            draft.answers,
            None,
        )
        signed = signed_on(pseudo.report, zone=zone, now=now)
        for doc in await asyncio.to_thread(report_documents, form, pseudo, signed=signed):
            documents.append(Document(f"{file_name(msg.EXPORT_AGGREGATE_DIR)}/{doc.filename}", doc.data))
    return ExportBundle(year, len(rows), tuple(documents), tuple(failed))


async def export_year(
    db: Database,
    form: Form,
    year: int,
    out_dir: Path | str,
    *,
    zone: tzinfo,
    now: datetime,
    district: str | None = None,
) -> int:
    bundle = await build_export(db, form, year, zone=zone, now=now, district=district)
    if isinstance(bundle, Refused):  # the operator has every district: only a name can be wrong
        print(msg.CLI_UNKNOWN_DISTRICT.format(district=district), file=sys.stderr)
        return ExitCode.BAD_INPUT
    if bundle.report_count == 0:
        print(msg.EXPORT_NONE.format(year=year))
        return 1
    target = Path(out_dir) / f"nianbao-{year}.zip"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(bundle.zip_bytes())
    except (FileExistsError, NotADirectoryError):  # --out names a file, or a path through one
        print(msg.EXPORT_OUT_NOT_DIR.format(path=out_dir), file=sys.stderr)
        return ExitCode.OUT_NOT_A_DIRECTORY
    except OSError:  # no permission, a read-only or special file system (/proc), a full disk
        print(msg.EXPORT_OUT_UNWRITABLE.format(path=out_dir), file=sys.stderr)
        return ExitCode.OUT_NOT_WRITABLE
    print(msg.EXPORT_DONE.format(year=year, count=bundle.report_count, path=target.resolve()))
    for agency in bundle.failed:
        print(msg.EXPORT_FAILED.format(agency=agency))
    return 1 if bundle.failed else 0
