"""Writing the finished report's documents (text, Markdown, HTML, Word) for a snapshot."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path

from bot.turn import ReportSnapshot, Turns
from dialogs import messages as msg
from dialogs.form import Form
from templates import build_context, render_docx, render_html, render_markdown, render_text

_UNSAFE = re.compile(r"[\\/:*?\"<>|\s]+")


@dataclass(frozen=True, slots=True)
class Document:
    filename: str
    data: bytes


def report_documents(form: Form, snapshot: ReportSnapshot) -> list[Document]:
    """The report in every format, named after the agency and year."""
    ctx = build_context(
        form,
        agency=snapshot.agency.name,
        unit=snapshot.unit,
        year=snapshot.report.year,
        answers=snapshot.answers,
    )
    stem = _UNSAFE.sub("_", msg.DOCUMENT_STEM.format(agency=snapshot.agency.name, year=snapshot.report.year))
    return [
        Document(f"{stem}.txt", render_text(ctx).encode("utf-8")),
        Document(f"{stem}.md", render_markdown(ctx).encode("utf-8")),
        Document(f"{stem}.html", render_html(ctx).encode("utf-8")),
        Document(f"{stem}.docx", render_docx(ctx)),
    ]


def write_documents(documents: list[Document], directory: Path) -> list[Path]:
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
    # Rendering the Word document takes a while: off the event loop.
    documents = await asyncio.to_thread(report_documents, turns.form, snapshot)
    return await asyncio.to_thread(write_documents, documents, directory)
