"""Lines → an `ImportResult`: split at the top-level headings, read each section, say what was read.

Rules of the reader, in the order they matter:
- The form's headed sections split the document; their headings must appear in order, each
  alone on its line (or opening it). A missing heading means the file is cut off or is not a
  report (fatal).
- Whatever cannot be placed is reported line by line (`ImportProblem`), never dropped silently.
  A problem that makes the numbers unreliable (a missing row, a row with the wrong count of
  numbers) is fatal: `is_usable` is False and `answers` is empty, so the caller stores nothing.
  `read` still says which sections were found and how many cells of each table were read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dialogs.form import Form, Section, SectionRole
from dialogs.rules import SourceFacts
from importer import messages as msg
from importer import tables
from importer.front import read_front, title_year_agency
from importer.lines import Line, fold, table_cells
from importer.notes import Collector, Coverage, ImportResult, failed
from importer.sections import (
    Heading,
    match_heading,
    read_overall,
    read_paragraphs,
    read_processing_fee,
    section_headings,
    strip_signature,
)
from importer.sniff import DocumentKind

_TableReader = Callable[[Sequence[Line], Line, str, Form, Collector], None]
_TABLES: dict[SectionRole, tuple[_TableReader, Callable[[Form], list[str]]]] = {
    SectionRole.DOCUMENTS: (tables.read_table2, tables.table2_keys),
    SectionRole.REQUESTS: (tables.read_table3, tables.table3_keys),
    SectionRole.APPEALS: (tables.read_table4, tables.table4_keys),
}


def read_lines(lines: list[Line], form: Form, *, kind: DocumentKind | None = None) -> ImportResult:
    if not lines:
        return failed(msg.EMPTY, kind=kind)
    out = Collector()
    headings = section_headings(form)
    found: list[Heading] = []
    for position, line in enumerate(lines):
        heading = match_heading(line, position, headings)
        if heading is not None and all(heading.index > h.index for h in found):
            found.append(heading)
    if not found:
        rows = sum(1 for line in lines if len(table_cells(line)[1]) > 1)
        return failed(msg.NOT_A_REPORT.format(lines=len(lines), rows=rows), kind=kind)
    missing = [(index, h) for index, h in enumerate(headings) if all(f.index != index for f in found)]
    for index, section in missing:
        later = next((headings[f.index].heading for f in found if f.index > index), None)
        if later is None:  # nothing after it: the text stops early
            out.note(None, msg.MISSING_HEADING.format(heading=section.heading), fatal=True)
        else:  # the parts after it are there: its heading is printed in words not recognised
            out.note(
                None, msg.MISSING_HEADING_INSIDE.format(heading=section.heading, later=later), fatal=True
            )
    for heading in found:
        official = headings[heading.index].heading
        if fold(heading.printed) != fold(official):
            out.note(
                lines[heading.position],
                msg.HEADING_DIFFERS.format(printed=heading.printed, official=official),
            )

    title, preamble_lines = read_front(lines[: found[0].position], out)
    year, agency = title_year_agency(title, [line.text for line in preamble_lines])
    if year is None:
        out.note(None, msg.NO_YEAR)
    if preamble_lines:
        out.answers[form.texts.preamble] = "\n".join(line.text for line in preamble_lines)

    for n, heading in enumerate(found):
        end = found[n + 1].position if n + 1 < len(found) else len(lines)
        body = lines[heading.position + 1 : end]
        if heading.rest is not None:
            body = [heading.rest, *body]
        _read_section(headings[heading.index], body, lines[heading.position], form, out)

    source = SourceFacts(
        title=title,
        headings=tuple(h.printed for h in found),
        row_labels=dict(out.row_labels),
        old_other_row=out.old_other_row,
        missing_rows=dict(out.missing_rows),
        published=out.published,
    )
    problems = tuple(sorted(out.problems, key=lambda p: p.line))
    usable = not any(p.is_fatal for p in problems)
    read = Coverage(
        kind=kind,
        sections=tuple(headings[h.index].id for h in found),
        missing_sections=tuple(section.id for _, section in missing),
        tables=tuple(out.tables),
    )
    return ImportResult(
        answers=out.answers if usable else {},
        agency=agency,
        year=year,
        title=title,
        source=source,
        problems=problems,
        read=read,
        summary=read.describe(form),
    )


def _read_section(
    section: Section, lines: Sequence[Line], heading_line: Line, form: Form, out: Collector
) -> None:
    """Each part of the report by its role: tables cell by cell, narratives into the form's keys."""
    heading = section.heading
    if section.role in _TABLES:
        read, keys = _TABLES[section.role]
        read(lines, heading_line, heading, form, out)
        found = sum(len(table_cells(line)[1]) for line in lines)
        out.count_table(section.id, keys(form), numbers_found=found)
        return
    match section.role:
        case SectionRole.OVERVIEW:
            read_overall(lines, form, out)
        case SectionRole.PROBLEMS:
            read_paragraphs(form.texts.problems, lines, heading, heading_line, out)
        case SectionRole.OTHER_MATTERS:
            paragraphs = strip_signature(list(lines), out)
            read_paragraphs(form.texts.other_matters, paragraphs, heading, heading_line, out)
            read_processing_fee(paragraphs, heading_line, form.fee_keys.processing_fee, out)
