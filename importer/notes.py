"""What one import found: the answers, the problems line by line, and what was read.

`Coverage` says which sections and tables were found and how many cells of each table were
read, also when the import is refused, so a message can say "found parts 1 to 4, table 3 has
150 of 175 cells" instead of a generic refusal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from dialogs.form import Form, Value
from dialogs.rules import SourceFacts
from importer import messages as msg
from importer.lines import Line
from importer.sniff import DocumentKind

_MAX_QUOTE = 40


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """Something the importer could not place, or placed with a guess; `message` is Chinese."""

    line: int
    """1-based line of the text (for HTML: of the page flattened to lines); 0 = the whole file."""
    text: str
    """The line as printed (trimmed), so the user can find it."""
    message: str
    is_fatal: bool = False

    def describe(self) -> str:
        if self.line <= 0:
            return self.message
        quoted = self.text if len(self.text) <= _MAX_QUOTE else self.text[:_MAX_QUOTE] + "……"
        return msg.LINE_REF.format(line=self.line, text=quoted) + self.message


@dataclass(frozen=True, slots=True)
class TableRead:
    section: str
    """The id of the section that holds the table (the form's section id)."""
    cells_read: int
    """Cells read from the document and placed (before a fatal problem empties the answers)."""
    cells_expected: int
    numbers_found: int = 0
    """Numbers printed in the section, placed or not (a row with one number too many counts them all)."""

    @property
    def is_complete(self) -> bool:
        return self.cells_read == self.cells_expected


@dataclass(frozen=True, slots=True)
class Coverage:
    """What was read of the document, whether or not the import is usable."""

    kind: DocumentKind | None = None
    """The kind of document it was read as, or was refused as."""
    sections: tuple[str, ...] = ()
    """Ids of the form's sections whose headings were found, in order."""
    missing_sections: tuple[str, ...] = ()
    """Ids of the form's headed sections that were not found."""
    tables: tuple[TableRead, ...] = ()

    def table(self, section: str) -> TableRead | None:
        return next((t for t in self.tables if t.section == section), None)

    def describe(self, form: Form) -> str:
        """One Chinese sentence: the sections found, those missing, and the cells of each table."""
        parts = [
            msg.READ_SECTIONS.format(sections=_numbers(form, self.sections))
            if self.sections
            else msg.READ_NO_SECTIONS
        ]
        if self.missing_sections:
            parts.append(msg.MISSING_SECTIONS.format(sections=_numbers(form, self.missing_sections)))
        parts.extend(
            msg.READ_TABLE.format(
                table=_number(form, t.section), read=t.cells_read, expected=t.cells_expected
            )
            for t in self.tables
        )
        return msg.READ_SEPARATOR.join(parts)


def _number(form: Form, section_id: str) -> str:
    """The numeral a section's heading opens with (the heading itself when it has none)."""
    heading = form.section(section_id).heading
    return heading.split(msg.HEADING_NUMBER_END, 1)[0]


def _numbers(form: Form, section_ids: tuple[str, ...]) -> str:
    return msg.LIST_SEPARATOR.join(_number(form, s) for s in section_ids)


@dataclass(frozen=True, slots=True)
class ImportResult:
    answers: dict[str, Value]
    """Answers keyed like the form; empty when the import is not usable."""
    agency: str
    year: int | None
    title: str
    source: SourceFacts
    problems: tuple[ImportProblem, ...] = ()
    read: Coverage = Coverage()
    summary: str = ""
    """`read.describe(form)`: what was read, told with a refusal (empty when nothing was)."""

    @property
    def is_usable(self) -> bool:
        return not any(p.is_fatal for p in self.problems)

    @property
    def errors(self) -> tuple[ImportProblem, ...]:
        return tuple(p for p in self.problems if p.is_fatal)

    @property
    def error(self) -> str:
        """One Chinese message for the fatal problems; empty when the import is usable."""
        errors = self.errors
        if not errors:
            return ""
        told = "\n".join(p.describe() for p in errors)
        return (
            msg.FATAL_PREFIX + told + (msg.READ_SUMMARY.format(summary=self.summary) if self.summary else "")
        )


def failed(message: str, *, kind: DocumentKind | None = None) -> ImportResult:
    """A refused file: nothing read, one fatal problem."""
    return ImportResult(
        answers={},
        agency="",
        year=None,
        title="",
        source=SourceFacts(),
        problems=(ImportProblem(0, "", message, True),),
        read=Coverage(kind=kind),
    )


@dataclass(slots=True)
class Collector:
    """What one import gathers; lives only inside one call."""

    answers: dict[str, Value] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)
    row_labels: dict[str, str] = field(default_factory=dict)
    tables: list[TableRead] = field(default_factory=list)
    old_other_row: bool = False
    missing_rows: dict[str, tuple[str, ...]] = field(default_factory=dict)
    published: date | None = None

    def note(self, line: Line | None, message: str, *, fatal: bool = False) -> None:
        if line is None:
            self.problems.append(ImportProblem(0, "", message, fatal))
        else:
            self.problems.append(ImportProblem(line.number, line.text, message, fatal))

    def count_table(self, section: str, keys: Sequence[str], *, numbers_found: int) -> None:
        """Record how many of a table's cells (`keys`) have been read."""
        read = sum(k in self.answers for k in keys)
        self.tables.append(TableRead(section, read, len(keys), numbers_found))
