"""Tables 二, 三 and 四 laid out cell by cell as in the format's attachment (DOMAIN.md §1.11).

Rows, columns and their labels come from the form declaration; the few header labels the
declaration does not carry (信息内容, 申请人情况, …) are the official wording, kept here.
Each builder places cells on a grid that refuses overlaps and holes, so a layout mistake
fails loudly instead of producing a shifted table.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from dialogs.form import Column, Form, Row, Value
from dialogs.sentences import format_amount
from templates.context import Cell, CellKind, Table

# The one official label of the attachment that the form declaration does not name.
T2_CONTENT = "信息内容"

T2_WEIGHTS = (40, 20, 20, 20)
T3_WEIGHTS = (8, 11, 25, 8, 8, 8, 8, 8, 8, 8)


def format_value(value: Value | None) -> str:
    """A table cell: counts as digits, 万元 amounts without trailing zeros, nothing if unanswered."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_amount(value)
    return str(value)


class _Grid:
    """Cells placed at (row, column) with spans; `table()` checks that they tile the grid."""

    def __init__(self, n_rows: int, n_columns: int) -> None:
        self.n_rows = n_rows
        self.n_columns = n_columns
        self._cells: list[Cell] = []
        self._taken: set[tuple[int, int]] = set()

    def put(
        self, row: int, column: int, text: str, kind: CellKind, *, rowspan: int = 1, colspan: int = 1
    ) -> None:
        covered = {(r, c) for r in range(row, row + rowspan) for c in range(column, column + colspan)}
        if covered & self._taken or row + rowspan > self.n_rows or column + colspan > self.n_columns:
            raise ValueError(f"cell at ({row}, {column}) overlaps another cell or leaves the grid")
        self._taken |= covered
        self._cells.append(Cell(text, row, column, kind, rowspan, colspan))

    def table(self, table_id: str, *, header_rows: int, weights: tuple[int, ...]) -> Table:
        if len(self._taken) != self.n_rows * self.n_columns:
            raise ValueError(f"table {table_id} has cells missing")
        if len(weights) != self.n_columns:
            raise ValueError(f"table {table_id} needs {self.n_columns} column weights")
        rows = tuple(
            tuple(sorted((c for c in self._cells if c.row == r), key=lambda c: c.column))
            for r in range(self.n_rows)
        )
        grid = [[""] * self.n_columns for _ in range(self.n_rows)]
        for cell in self._cells:
            grid[cell.row][cell.column] = cell.text
        total = sum(weights)
        return Table(
            id=table_id,
            n_rows=self.n_rows,
            n_columns=self.n_columns,
            header_rows=header_rows,
            rows=rows,
            text_rows=tuple(tuple(r) for r in grid),
            column_weights=weights,
            column_percents=tuple(f"{w * 100 / total:.2f}%" for w in weights),
        )


def table_2(form: Form, values: Mapping[str, Value]) -> Table:
    """表二: 14 rows × 4 columns; the （五）（六）（八） value cells span the three value columns."""
    blocks = [(b.heading, b.headers, b.rows) for b in form.blocks]
    n_rows = sum(2 + len(rows) for _, _, rows in blocks)
    grid = _Grid(n_rows, 4)
    r = 0
    for heading, headers, rows in blocks:
        span = 3 // len(headers)
        grid.put(r, 0, heading, CellKind.HEADER, colspan=4)
        grid.put(r + 1, 0, T2_CONTENT, CellKind.HEADER)
        for i, header in enumerate(headers):
            grid.put(r + 1, 1 + i * span, header, CellKind.HEADER, colspan=span)
        r += 2
        for label, keys in rows:
            grid.put(r, 0, label, CellKind.LABEL)
            for i, key in enumerate(keys):
                grid.put(r, 1 + i * span, format_value(values.get(key)), CellKind.VALUE, colspan=span)
            r += 1
    return grid.table("t2", header_rows=0, weights=T2_WEIGHTS)


def _runs(rows: tuple[Row, ...] | tuple[Column, ...], attribute: str) -> dict[int, int]:
    """Index of the first row of each run of equal non-empty `attribute` → the run's length."""
    runs: dict[int, int] = {}
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or getattr(rows[i], attribute) != getattr(rows[start], attribute):
            if getattr(rows[start], attribute):
                runs[start] = i - start
            start = i
    return runs


def table_3(form: Form, values: Mapping[str, Value]) -> Table:
    """表三: 3 header rows + one row per declared row, 3 label columns + 7 number columns."""
    table = form.requests
    columns, rows = table.columns, table.rows
    labels = 3
    grid = _Grid(3 + len(rows), labels + len(columns))
    grid.put(0, 0, table.corner, CellKind.HEADER, rowspan=3, colspan=labels)
    grid.put(0, labels, table.heading, CellKind.HEADER, colspan=len(columns))
    column_groups = _runs(columns, "group")
    for i, column in enumerate(columns):
        if not column.group:
            grid.put(1, labels + i, column.label, CellKind.HEADER, rowspan=2)
            continue
        if i in column_groups:
            grid.put(1, labels + i, column.group, CellKind.HEADER, colspan=column_groups[i])
        grid.put(2, labels + i, column.label, CellKind.HEADER)
    parts = _runs(rows, "part")
    groups = _runs(rows, "group")
    for i, row in enumerate(rows):
        r = 3 + i
        if not row.part:
            grid.put(r, 0, row.label, CellKind.LABEL, colspan=labels)
        else:
            if i in parts:
                grid.put(r, 0, row.part, CellKind.LABEL, rowspan=parts[i])
            if not row.group:
                grid.put(r, 1, row.label, CellKind.LABEL, colspan=labels - 1)
            else:
                if i in groups:
                    grid.put(r, 1, row.group, CellKind.LABEL, rowspan=groups[i])
                grid.put(r, 2, row.label, CellKind.LABEL)
        for j, column in enumerate(columns):
            grid.put(r, labels + j, format_value(values.get(table.key(row.key, column.key))), CellKind.VALUE)
    return grid.table("t3", header_rows=3, weights=T3_WEIGHTS)


def table_4(form: Form, values: Mapping[str, Value]) -> Table:
    """表四: 行政复议 (5 columns) and 行政诉讼 (two groups of 5), one row of 15 numbers."""
    table = form.appeals
    results = table.columns
    n = len(results)
    grid = _Grid(4, n * len(table.rows))
    row_groups = _runs(table.rows, "group")
    for g, group in enumerate(table.rows):
        if not group.group:
            # A group of its own (review): its label over its results, which span two header rows.
            grid.put(0, g * n, group.label, CellKind.HEADER, colspan=n)
            for j, result in enumerate(results):
                grid.put(1, g * n + j, result.label, CellKind.HEADER, rowspan=2)
            continue
        if g in row_groups:
            grid.put(0, g * n, group.group, CellKind.HEADER, colspan=n * row_groups[g])
        grid.put(1, g * n, group.label, CellKind.HEADER, colspan=n)
        for j, result in enumerate(results):
            grid.put(2, g * n + j, result.label, CellKind.HEADER)
    for g, group in enumerate(table.rows):
        for j, result in enumerate(results):
            grid.put(3, g * n + j, format_value(values.get(table.key(group.key, result.key))), CellKind.VALUE)
    return grid.table("t4", header_rows=3, weights=(1,) * grid.n_columns)
