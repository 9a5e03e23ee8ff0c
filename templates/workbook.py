"""The district workbook: one sheet per table (二, 三, 四), one row per agency, the totals below.

Columns and header labels come from the form (`templates.workbook_columns`); each cell is the
agency's answer as stored, an unanswered cell stays empty (not 0), and the total row is the
cell-wise sum (`dialogs.aggregate.aggregate`). Sheets are set up for printing: a title, frozen
header rows and name column, the CJK font, landscape, fit to the page width, and the header
repeated on every printed page.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import xlsxwriter
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from dialogs.aggregate import UnitTables, aggregate
from dialogs.form import Form, Value, ValueKind
from dialogs.messages import UNIT_NAMES
from templates.workbook_columns import SheetColumn, SheetLayout, workbook_layouts
from templates.xlsx import (
    DOCUMENT_DATE,
    FONT_NAME,
    FONT_SIZE,
    HEADER_FILL_RGB,
    LINE_HEIGHT,
    display_width,
    fixed_package,
    lines_needed,
)

TITLE = "{district}{year}年政府信息公开工作年度报告汇总表（{heading}）"
NAME_LABEL = "单位名称"
KIND_LABEL = "类型"
TOTAL_LABEL = "合计"
TOTAL_UNITS = "共 {count} 个单位"
FOOTER = "第 &P 页，共 &N 页"
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
_A4, _A3 = 9, 8  # Excel's paper size codes


def district_workbook(form: Form, units: Sequence[UnitTables], *, year: int, district: str) -> bytes:
    """An .xlsx of tables 二, 三 and 四 for the district's agencies, in the order given.

    Written with XlsxWriter: a district of thousands of agencies has half a million styled
    cells, which openpyxl takes a minute to build and save.
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            # Text stays text: a name like "=HYPERLINK(...)" must not run in the coordinator's Excel.
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    styles = _Styles(book)
    totals = aggregate(form, (unit.answers for unit in units))
    for layout in workbook_layouts(form):
        sheet = book.add_worksheet(layout.name)
        _write_sheet(
            sheet,
            styles,
            layout,
            units,
            totals,
            title=TITLE.format(district=district, year=year, heading=layout.heading),
        )
    title = TITLE.format(district=district, year=year, heading="").removesuffix("（）")
    book.set_properties({"title": title, "created": DOCUMENT_DATE.replace(tzinfo=None)})
    book.close()
    return fixed_package(buffer.getvalue())


class _Styles:
    """The workbook's cell formats, made once (XlsxWriter shares a format among its cells)."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        base = {"font_name": FONT_NAME, "font_size": FONT_SIZE, "border": 1, "valign": "vcenter"}
        self.title = book.add_format({**base, "border": 0, "bold": True, "font_size": 14, "align": "center"})
        self.header = book.add_format(
            {**base, "bold": True, "align": "center", "text_wrap": True, "bg_color": HEADER_FILL_RGB}
        )
        self.label = {
            bold: book.add_format({**base, "bold": bold, "align": "left", "text_wrap": True})
            for bold in (False, True)
        }
        self.number = {
            (bold, kind): book.add_format(
                {**base, "bold": bold, "align": "right", "num_format": number_format}
            )
            for bold in (False, True)
            for kind, number_format in ((ValueKind.COUNT, _COUNT_FORMAT), (ValueKind.AMOUNT, _AMOUNT_FORMAT))
        }

    def value(self, kind: ValueKind, *, bold: bool) -> Format:
        return self.number[(bold, ValueKind.AMOUNT if kind is ValueKind.AMOUNT else ValueKind.COUNT)]


def _write_sheet(
    sheet: Worksheet,
    styles: _Styles,
    layout: SheetLayout,
    units: Sequence[UnitTables],
    totals: Mapping[str, Value],
    *,
    title: str,
) -> None:
    n_columns = LABEL_COLUMNS + len(layout.columns)
    sheet.merge_range(0, 0, 0, n_columns - 1, _text(title), styles.title)
    sheet.set_row(0, 2 * LINE_HEIGHT)
    first_header, depth = 1, layout.depth  # 0-based rows
    widths = _column_widths(layout, units)
    _write_header(sheet, styles, layout, first_header, widths)
    first_data = first_header + depth
    plain = [(c.key, styles.value(c.kind, bold=False)) for c in layout.columns]
    for r, unit in enumerate(units, first_data):
        kind = UNIT_NAMES.get(unit.kind.value, unit.kind.value)
        _write_row(sheet, styles, r, plain, unit.answers, (unit.agency, kind), bold=False)
    bold = [(c.key, styles.value(c.kind, bold=True)) for c in layout.columns]
    labels = (TOTAL_LABEL, TOTAL_UNITS.format(count=len(units)))
    _write_row(sheet, styles, first_data + len(units), bold, totals, labels, bold=True)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    _set_up_printing(sheet, first_header, first_data, n_columns)


def _text(text: str) -> str:
    """Characters the file format forbids (control characters) dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _column_widths(layout: SheetLayout, units: Sequence[UnitTables]) -> list[float]:
    longest = max((display_width(u.agency) for u in units), default=0)
    name = min(max(longest + 2, display_width(NAME_LABEL) + 2, _NAME_WIDTH[0]), _NAME_WIDTH[1])
    values = [
        min(max(display_width(c.path[-1]) / 2 + 2, _VALUE_WIDTH[0]), _VALUE_WIDTH[1]) for c in layout.columns
    ]
    return [name, _KIND_WIDTH, *values]


def _write_header(
    sheet: Worksheet, styles: _Styles, layout: SheetLayout, top: int, widths: Sequence[float]
) -> None:
    """The label paths as merged cells: a run of columns sharing a label prefix shares its cell;
    a column's last label spans down to the bottom header row."""
    depth, columns = layout.depth, layout.columns

    def put(row: int, column: int, text: str, *, rows: int = 1, span: int = 1) -> None:
        if rows > 1 or span > 1:
            sheet.merge_range(row, column, row + rows - 1, column + span - 1, _text(text), styles.header)
        else:
            sheet.write_string(row, column, _text(text), styles.header)

    put(top, 0, NAME_LABEL, rows=depth)
    put(top, 1, KIND_LABEL, rows=depth)
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
            put(top + level, LABEL_COLUMNS + i, path[level], rows=rows, span=end - i)
            width = sum(widths[LABEL_COLUMNS + j] for j in range(i, end))
            lines[level] = max(lines[level], -(-lines_needed(path[level], width) // rows))
            i = end
    for level, count in enumerate(lines):
        sheet.set_row(top + level, count * LINE_HEIGHT + 4)


def _shares(column: SheetColumn, path: tuple[str, ...], level: int) -> bool:
    """`column` sits under the same label as `path` at `level`, with more labels below it."""
    return len(column.path) > level + 1 and column.path[: level + 1] == path[: level + 1]


def _write_row(
    sheet: Worksheet,
    styles: _Styles,
    row: int,
    cells: Sequence[tuple[str, Format]],
    answers: Mapping[str, Value],
    labels: tuple[str, str],
    *,
    bold: bool,
) -> None:
    """One agency's (or the total's) row: its labels, then each (key, format) cell of the sheet."""
    label = styles.label[bold]
    for c, text in enumerate(labels):
        sheet.write_string(row, c, _text(text), label)
    for c, (key, style) in enumerate(cells, LABEL_COLUMNS):
        value = answers.get(key)
        if value is None:
            sheet.write_blank(row, c, None, style)  # an unanswered cell is empty, not 0
        elif isinstance(value, str):
            sheet.write_string(row, c, _text(value), label)
        else:
            sheet.write_number(row, c, value, style)


def _set_up_printing(sheet: Worksheet, first_header: int, first_data: int, n_columns: int) -> None:
    """Frozen header rows and label columns; landscape, one page wide, the header rows and the
    label columns repeated on every page, page numbers in the footer."""
    sheet.freeze_panes(first_data, LABEL_COLUMNS)
    sheet.set_landscape()
    sheet.set_paper(_A3 if n_columns > _WIDE else _A4)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(first_header, first_data - 1)
    sheet.repeat_columns(0, LABEL_COLUMNS - 1)
    sheet.center_horizontally()
    sheet.set_margins(left=0.4, right=0.4)
    sheet.set_footer(f'&C&"{FONT_NAME},Regular"{FOOTER}')
