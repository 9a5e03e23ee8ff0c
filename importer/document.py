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

from dialogs.form import Form
from dialogs.rules import SourceFacts
from importer import layout, tables
from importer import messages as msg
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
_TABLES: dict[str, tuple[_TableReader, Callable[[Form], list[str]]]] = {
    layout.TABLE2_SECTION: (tables.read_table2, tables.table2_keys),
    layout.TABLE3_SECTION: (tables.read_table3, tables.table3_keys),
    layout.TABLE4_SECTION: (tables.read_table4, tables.table4_keys),
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
    for index, (_, heading_text) in missing:
        later = next((headings[f.index][1] for f in found if f.index > index), None)
        if later is None:  # nothing after it: the text stops early
            out.note(None, msg.MISSING_HEADING.format(heading=heading_text), fatal=True)
        else:  # the parts after it are there: its heading is printed in words not recognised
            out.note(None, msg.MISSING_HEADING_INSIDE.format(heading=heading_text, later=later), fatal=True)
    for heading in found:
        official = headings[heading.index][1]
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
        out.answers[layout.PREAMBLE_KEY] = "\n".join(line.text for line in preamble_lines)

    for n, heading in enumerate(found):
        end = found[n + 1].position if n + 1 < len(found) else len(lines)
        body = lines[heading.position + 1 : end]
        if heading.rest is not None:
            body = [heading.rest, *body]
        section_id, official = headings[heading.index]
        _read_section(section_id, official, body, lines[heading.position], form, out)

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
        sections=tuple(headings[h.index][0] for h in found),
        missing_sections=tuple(section_id for _, (section_id, _) in missing),
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
    section_id: str, heading: str, lines: Sequence[Line], heading_line: Line, form: Form, out: Collector
) -> None:
    if section_id in _TABLES:
        read, keys = _TABLES[section_id]
        read(lines, heading_line, heading, form, out)
        found = sum(len(table_cells(line)[1]) for line in lines)
        out.count_table(section_id, keys(form), numbers_found=found)
        return
    match section_id:
        case layout.OVERALL_SECTION:
            read_overall(lines, out)
        case layout.S5_SECTION:
            read_paragraphs(layout.S5_TEXT_KEY, lines, heading, heading_line, out)
        case layout.S6_SECTION:
            paragraphs = strip_signature(list(lines), out)
            read_paragraphs(layout.S6_TEXT_KEY, paragraphs, heading, heading_line, out)
            read_processing_fee(paragraphs, heading_line, out)
