"""The district workbook: one sheet per table (二, 三, 四), one row per agency, the totals below.

Columns and header labels come from the form (`templates.workbook_columns`); each cell is the
agency's answer as stored, an unanswered cell stays empty (not 0), and the total row is the
cell-wise sum (`dialogs.aggregate.aggregate`). Sheets are set up for printing: a title, frozen
header rows and name column, the CJK font, landscape, fit to the page width, and the header
repeated on every printed page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dialogs.aggregate import UnitTables, aggregate
from dialogs.form import Form, Value, ValueKind
from dialogs.messages import UNIT_NAMES
from templates.workbook_columns import SheetColumn, SheetLayout, workbook_layouts
from templates.xlsx import (
    BORDER,
    CENTER,
    HEADER_FILL,
    LEFT,
    LINE_HEIGHT,
    RIGHT,
    display_width,
    font,
    lines_needed,
    new_workbook,
    print_landscape_fit_to_width,
    put_number,
    put_text,
    workbook_bytes,
)

TITLE = "{district}{year}年政府信息公开工作年度报告汇总表（{heading}）"
NAME_LABEL = "单位名称"
KIND_LABEL = "类型"
TOTAL_LABEL = "合计"
TOTAL_UNITS = "共 {count} 个单位"
FOOTER = "第 &P 页，共 &N 页"
FOOTER_FONT = "宋体,Regular"
LABEL_COLUMNS = 2
"""Agency name and kind, before the numbers."""
_NAME_WIDTH = (16, 40)
_KIND_WIDTH = 10
_VALUE_WIDTH = (9, 14)
_COUNT_FORMAT = "0"
_AMOUNT_FORMAT = "0.00##"
"""万元 to at most 4 decimals (one yuan), as the format's rule FEE-UNIT asks."""
_WIDE = 40
"""A sheet with more columns than this is set up for A3 paper."""


def district_workbook(form: Form, units: Sequence[UnitTables], *, year: int, district: str) -> bytes:
    """An .xlsx of tables 二, 三 and 四 for the district's agencies, in the order given."""
    workbook = new_workbook()
    totals = aggregate(form, (unit.answers for unit in units))
    for layout in workbook_layouts(form):
        sheet: Worksheet = workbook.create_sheet(layout.name)
        _write_sheet(
            sheet,
            layout,
            units,
            totals,
            title=TITLE.format(district=district, year=year, heading=layout.heading),
        )
    workbook.properties.title = TITLE.format(district=district, year=year, heading="").removesuffix("（）")
    workbook.properties.language = "zh-CN"
    return workbook_bytes(workbook)


def _write_sheet(
    sheet: Worksheet,
    layout: SheetLayout,
    units: Sequence[UnitTables],
    totals: Mapping[str, Value],
    *,
    title: str,
) -> None:
    n_columns = LABEL_COLUMNS + len(layout.columns)
    put_text(sheet, 1, 1, title).font = font(bold=True, size=14)
    sheet.cell(row=1, column=1).alignment = CENTER
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n_columns)
    sheet.row_dimensions[1].height = 2 * LINE_HEIGHT
    first_header, depth = 2, layout.depth
    widths = _column_widths(layout, units)
    _write_header(sheet, layout, first_header, widths)
    first_data = first_header + depth
    for r, unit in enumerate(units, first_data):
        kind = UNIT_NAMES.get(unit.kind.value, unit.kind.value)
        _write_row(sheet, r, layout.columns, unit.answers, (unit.agency, kind), bold=False)
    total_row = first_data + len(units)
    _write_row(
        sheet,
        total_row,
        layout.columns,
        totals,
        (TOTAL_LABEL, TOTAL_UNITS.format(count=len(units))),
        bold=True,
    )
    for column, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    _set_up_printing(sheet, first_header, first_data, n_columns)


def _column_widths(layout: SheetLayout, units: Sequence[UnitTables]) -> list[float]:
    longest = max((display_width(u.agency) for u in units), default=0)
    name = min(max(longest + 2, display_width(NAME_LABEL) + 2, _NAME_WIDTH[0]), _NAME_WIDTH[1])
    values = [
        min(max(display_width(c.path[-1]) / 2 + 2, _VALUE_WIDTH[0]), _VALUE_WIDTH[1]) for c in layout.columns
    ]
    return [name, _KIND_WIDTH, *values]


def _header_cell(
    sheet: Worksheet, row: int, column: int, text: str, *, rows: int = 1, columns: int = 1
) -> None:
    put_text(sheet, row, column, text)
    if rows > 1 or columns > 1:
        sheet.merge_cells(
            start_row=row, start_column=column, end_row=row + rows - 1, end_column=column + columns - 1
        )


def _write_header(sheet: Worksheet, layout: SheetLayout, top: int, widths: Sequence[float]) -> None:
    """The label paths as merged cells: a run of columns sharing a label prefix shares its cell;
    a column's last label spans down to the bottom header row."""
    depth, columns = layout.depth, layout.columns
    for r in range(top, top + depth):
        for c in range(1, LABEL_COLUMNS + len(columns) + 1):
            cell = sheet.cell(row=r, column=c)
            cell.font, cell.alignment, cell.border, cell.fill = font(bold=True), CENTER, BORDER, HEADER_FILL
    _header_cell(sheet, top, 1, NAME_LABEL, rows=depth)
    _header_cell(sheet, top, 2, KIND_LABEL, rows=depth)
    lines = [1] * depth
    for level in range(depth):
        i = 0
        while i < len(columns):
            path = columns[i].path
            if level >= len(path):
                i += 1
                continue
            end = i + 1
            if level < len(path) - 1:
                while end < len(columns) and _shares(columns[end], path, level):
                    end += 1
            leaf = level == len(path) - 1
            rows = depth - level if leaf else 1
            column = LABEL_COLUMNS + 1 + i
            _header_cell(sheet, top + level, column, path[level], rows=rows, columns=end - i)
            width = sum(widths[LABEL_COLUMNS + j] for j in range(i, end))
            lines[level] = max(lines[level], -(-lines_needed(path[level], width) // rows))
            i = end
    for level, count in enumerate(lines):
        sheet.row_dimensions[top + level].height = count * LINE_HEIGHT + 4


def _shares(column: SheetColumn, path: tuple[str, ...], level: int) -> bool:
    """`column` sits under the same label as `path` at `level`, with more labels below it."""
    return len(column.path) > level + 1 and column.path[: level + 1] == path[: level + 1]


def _write_row(
    sheet: Worksheet,
    row: int,
    columns: Sequence[SheetColumn],
    answers: Mapping[str, Value],
    labels: tuple[str, str],
    *,
    bold: bool,
) -> None:
    for c, text in enumerate(labels, 1):
        cell = put_text(sheet, row, c, text)
        cell.font, cell.alignment, cell.border = font(bold=bold), LEFT, BORDER
    for c, column in enumerate(columns, LABEL_COLUMNS + 1):
        value = answers.get(column.key)
        if isinstance(value, str):
            cell = put_text(sheet, row, c, value)
        else:
            number_format = _AMOUNT_FORMAT if column.kind is ValueKind.AMOUNT else _COUNT_FORMAT
            cell = put_number(sheet, row, c, value, number_format)
        cell.font, cell.alignment, cell.border = font(bold=bold), RIGHT, BORDER


def _set_up_printing(sheet: Worksheet, first_header: int, first_data: int, n_columns: int) -> None:
    sheet.freeze_panes = sheet.cell(row=first_data, column=LABEL_COLUMNS + 1).coordinate
    paper = Worksheet.PAPERSIZE_A3 if n_columns > _WIDE else Worksheet.PAPERSIZE_A4
    print_landscape_fit_to_width(sheet, title_rows=f"{first_header}:{first_data - 1}", paper=paper)
    sheet.print_title_cols = f"A:{get_column_letter(LABEL_COLUMNS)}"
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    footer = sheet.oddFooter
    if footer is not None:  # a new sheet always has one
        footer.center.text = FOOTER
        footer.center.font = FOOTER_FONT
