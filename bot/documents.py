"""Writing the finished report's documents (text, Markdown, HTML, Word) for a snapshot."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from dialogs import messages as msg
from dialogs.form import Form
from dialogs.parsing import AGENCY_NAME_MAX
from storage.tables import Report, as_utc
from templates import build_context, render_docx, render_html, render_markdown, render_text

if TYPE_CHECKING:
    from bot.services.turns import ReportSnapshot, Turns

# What a file name cannot hold on Windows or in a zip, plus blanks; brackets and the like stay.
_UNSAFE = re.compile(r"[\\/:*?\"<>|\s]+")


@dataclass(frozen=True, slots=True)
class Document:
    filename: str
    data: bytes


def file_name(text: str) -> str:
    """`text` as part of a file or folder name: unsafe runs become one "_", none at either end,
    and at most `AGENCY_NAME_MAX` characters (a name stored before names were checked must
    not exceed the file system's 255 bytes)."""
    return _UNSAFE.sub("_", text).strip("_")[:AGENCY_NAME_MAX] or "_"


def signed_on(report: Report, *, zone: tzinfo, now: datetime) -> date:
    """The sign-off date: the day of submission (local time), or today for a draft."""
    moment = report.submitted_at if report.submitted_at is not None else now
    return as_utc(moment).astimezone(zone).date()


def report_documents(form: Form, snapshot: ReportSnapshot, *, signed: date) -> list[Document]:
    """The report in every format, named after the agency and year, signed on `signed`."""
    ctx = build_context(
        form,
        agency=snapshot.agency.name,
        unit=snapshot.unit,
        year=snapshot.report.year,
        answers=snapshot.answers,
        signed_on=signed,
    )
    stem = msg.DOCUMENT_STEM.format(agency=file_name(ctx.agency), year=snapshot.report.year)
    return [
        Document(f"{stem}.txt", render_text(ctx).encode("utf-8")),
        Document(f"{stem}.md", render_markdown(ctx).encode("utf-8")),
        Document(f"{stem}.html", render_html(ctx).encode("utf-8")),
        Document(f"{stem}.docx", render_docx(ctx)),
    ]


def write_documents(documents: list[Document] | tuple[Document, ...], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for doc in documents:
        path = directory / doc.filename
        path.write_bytes(doc.data)
        paths.append(path.resolve())
    return paths


async def write_report_files(turns: Turns, report_id: int, directory: Path) -> list[Path]:
    """The report as it is stored now, in every format, written under `directory`."""
    snapshot = await turns.snapshot(report_id)
    signed = signed_on(snapshot.report, zone=turns.zone, now=turns.clock())
    # Rendering the Word document takes a while: off the event loop.
    documents = await asyncio.to_thread(report_documents, turns.form, snapshot, signed=signed)
    return await asyncio.to_thread(write_documents, documents, directory)
