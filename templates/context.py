"""The report as plain values: what every output format places, and nothing it must compute.

`templates.render.build_context` fills these from the form declaration and the answers; the
Jinja2 templates and the .docx writer only loop over them. A table is a grid of positioned
cells with their merges, so HTML (rowspan/colspan), Word (gridSpan/vMerge) and the plain-text
layout (text at the cell's first position, empty strings elsewhere) all come from one value.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from dialogs.form import UnitKind


class CellKind(Enum):
    HEADER = "header"  # a column header (centred, bold)
    LABEL = "label"  # a row label
    VALUE = "value"  # a number, or an empty cell awaiting one


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    row: int
    column: int
    kind: CellKind
    rowspan: int = 1
    colspan: int = 1

    @property
    def is_value(self) -> bool:
        return self.kind is CellKind.VALUE

    @property
    def is_merged(self) -> bool:
        return self.rowspan > 1 or self.colspan > 1


@dataclass(frozen=True, slots=True)
class Table:
    id: str
    n_rows: int
    n_columns: int
    header_rows: int
    """How many leading rows are column headers (repeated on each printed page)."""
    rows: tuple[tuple[Cell, ...], ...]
    """For each grid row, the cells that start in it, left to right (HTML's model)."""
    text_rows: tuple[tuple[str, ...], ...]
    """The plain-text grid: each cell's text at its first position, "" where a merge covers."""
    column_weights: tuple[int, ...]
    """Relative column widths; `column_percents` is the same as CSS percentages."""
    column_percents: tuple[str, ...]

    @property
    def cells(self) -> tuple[Cell, ...]:
        return tuple(cell for row in self.rows for cell in row)


@dataclass(frozen=True, slots=True)
class Subsection:
    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReportSection:
    id: str
    heading: str
    paragraphs: tuple[str, ...] = ()
    subsections: tuple[Subsection, ...] = ()
    table: Table | None = None


@dataclass(frozen=True, slots=True)
class ReportContext:
    title: str
    agency: str
    year: int
    unit: UnitKind
    format_version: str
    preamble: tuple[str, ...]
    sections: tuple[ReportSection, ...]
    sign_off: tuple[str, ...] = ()
    """The closing lines of a published report: the agency, then the date (empty when undated)."""

    def section(self, section_id: str) -> ReportSection:
        return next(s for s in self.sections if s.id == section_id)

    def table(self, table_id: str) -> Table:
        return next(s.table for s in self.sections if s.table is not None and s.table.id == table_id)
