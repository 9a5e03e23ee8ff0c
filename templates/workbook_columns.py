"""The columns of the district workbook's sheets, read from the form declaration.

Each table becomes one row per agency: every number cell of the table is a column, headed by
the labels above it in the official table, top to bottom (`SheetColumn.path`). Adjacent columns
sharing a label are printed under one merged header cell; a label with nothing below it spans
down to the last header row.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.form import Form, Grid, ValueKind

SHEET_NAMES = ("表二", "表三", "表四")
"""The tables' names as reports and coordinators call them (table 二: 主动公开, 三: 申请, 四: 复议诉讼)."""
ROW_LABEL = "{group} {label}"
"""A row of table 三 under its group (（三）不予公开 1.属于国家秘密): each group numbers its rows from 1."""


@dataclass(frozen=True, slots=True)
class SheetColumn:
    key: str
    path: tuple[str, ...]
    """The header labels of this column, top to bottom."""
    kind: ValueKind


@dataclass(frozen=True, slots=True)
class SheetLayout:
    name: str
    heading: str
    """The report section the table belongs to (二、主动公开政府信息情况 …)."""
    columns: tuple[SheetColumn, ...]

    @property
    def depth(self) -> int:
        """Header rows: the longest label path."""
        return max((len(c.path) for c in self.columns), default=1)


def _column(form: Form, key: str, *path: str) -> SheetColumn:
    return SheetColumn(key, tuple(p for p in path if p), form.field(key).kind)


def _heading(form: Form, columns: tuple[SheetColumn, ...]) -> str:
    """The heading of the section whose items ask these cells."""
    asked = next(c.key for c in columns if not form.field(c.key).is_computed)
    return form.section(form.item_of(asked).section).heading


def _layout(form: Form, name: str, columns: tuple[SheetColumn, ...]) -> SheetLayout:
    return SheetLayout(name, _heading(form, columns), columns)


def table_2_columns(form: Form) -> SheetLayout:
    """表二: item heading (第二十条第（一）项) / row (规章) / value header (本年制发件数)."""
    columns = tuple(
        _column(form, key, block.heading, label, header)
        for block in form.blocks
        for label, keys in block.rows
        for header, key in zip(block.headers, keys, strict=True)
    )
    return _layout(form, SHEET_NAMES[0], columns)


def table_3_columns(form: Form) -> SheetLayout:
    """表三: all rows × all columns, in table order; row (with its group) / column."""
    grid = form.requests
    columns = tuple(
        _column(form, grid.key(row.key, column.key), _row_label(row.group, row.label), column.label)
        for row in grid.rows
        for column in grid.columns
    )
    return _layout(form, SHEET_NAMES[1], columns)


def _row_label(group: str, label: str) -> str:
    return ROW_LABEL.format(group=group, label=label) if group else label


def table_4_columns(form: Form) -> SheetLayout:
    """表四: 行政复议 / result, and 行政诉讼 / 未经复议直接起诉 or 复议后起诉 / result."""
    grid: Grid = form.appeals
    columns = tuple(
        _column(form, grid.key(row.key, column.key), row.group, row.label, column.label)
        for row in grid.rows
        for column in grid.columns
    )
    return _layout(form, SHEET_NAMES[2], columns)


def workbook_layouts(form: Form) -> tuple[SheetLayout, ...]:
    return (table_2_columns(form), table_3_columns(form), table_4_columns(form))
