"""What every Excel file nianbao writes shares: the CJK font, borders, text kept as text, and
bytes that depend only on the content (no clock read, as for the Word report).
"""

from __future__ import annotations

import io
import math
import unicodedata
import zipfile
from datetime import UTC, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

FONT_NAME = "宋体"
FONT_SIZE = 10
LINE_HEIGHT = 14
"""Points per line of `FONT_SIZE` text, for header rows whose labels wrap."""
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_DOCUMENT_DATE = datetime(*_ZIP_EPOCH, tzinfo=UTC)
DOCUMENT_DATE = _DOCUMENT_DATE
_THIN = Side(style="thin")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL_RGB = "#F2F2F2"
HEADER_FILL = PatternFill("solid", fgColor=HEADER_FILL_RGB.lstrip("#"))
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")


def font(*, bold: bool = False, size: int = FONT_SIZE) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold)


def put_text(sheet: Worksheet, row: int, column: int, text: str) -> Cell:
    """A text cell that stays text: a leading "=" is not a formula (a name like "=HYPERLINK(…)"
    must not run in the coordinator's Excel), and characters the file format forbids are dropped."""
    cell = sheet.cell(row=row, column=column)
    if not isinstance(cell, Cell):
        raise TypeError(f"{cell.coordinate} is inside a merged range: text goes in its top-left cell")
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.data_type = "s"
    return cell


def put_number(
    sheet: Worksheet, row: int, column: int, value: int | Decimal | None, number_format: str
) -> Cell:
    """A number cell; None leaves it empty (an unanswered cell is not 0)."""
    cell = sheet.cell(row=row, column=column)
    if not isinstance(cell, Cell):
        raise TypeError(f"{cell.coordinate} is inside a merged range")
    cell.value = value
    cell.number_format = number_format
    return cell


def print_landscape_fit_to_width(
    sheet: Worksheet, *, title_rows: str, paper: str = Worksheet.PAPERSIZE_A4
) -> None:
    """Landscape, every column on one page width, as many pages down as needed, `title_rows`
    ("2:3") repeated at the top of each page."""
    setup = sheet.page_setup
    setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    setup.paperSize = paper
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # 0: no limit on the pages down
    properties = sheet.sheet_properties.pageSetUpPr
    if properties is None:
        properties = sheet.sheet_properties.pageSetUpPr = PageSetupProperties()
    properties.fitToPage = True
    sheet.print_title_rows = title_rows
    sheet.print_options.horizontalCentered = True


def display_width(text: str) -> int:
    """Width in Excel's units of one Latin character: a CJK or full-width character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def lines_needed(text: str, width: float) -> int:
    """Lines `text` wraps to in a cell `width` wide (at least one)."""
    return max(1, math.ceil(display_width(text) / max(width - 1, 1)))


def new_workbook() -> Workbook:
    """A workbook without the blank sheet openpyxl starts with: sheets are added by name."""
    workbook = Workbook()
    for blank in list(workbook.worksheets):
        workbook.remove(blank)
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    """The .xlsx package with fixed document dates and entry timestamps."""
    workbook.properties.created = workbook.properties.modified = _DOCUMENT_DATE
    buffer = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return fixed_package(buffer.getvalue())


def fixed_package(data: bytes) -> bytes:
    """An .xlsx package re-zipped with every entry's timestamp fixed, so the bytes depend only on
    the content."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(entry, source.read(info.filename))
    return out.getvalue()
