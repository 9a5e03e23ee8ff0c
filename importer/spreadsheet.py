"""An uploaded spreadsheet (.xlsx, or .csv as Excel and WPS save it) as rows of cell texts.

Pure: bytes in, `Sheet`s out, or `Rejected` with a Chinese message saying what the file is and
what to save it as. Row numbers are the ones the spreadsheet shows (1 for its first row, also in
a CSV file, whose records Excel shows one per row), so messages can point at them. Fully empty
rows are left out; what the rows mean is for the caller (`importer.agencies`).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

from openpyxl import load_workbook

from dialogs.parsing import Rejected
from importer import messages_agencies as msg
from importer.sniff import Upload

__all__ = ["MAX_COLUMNS", "MAX_ROWS", "Sheet", "SheetRow", "read_sheets"]

MAX_ROWS = 10_000
"""Rows read per sheet: a district or a city has a few hundred agencies; a sheet that claims a
million rows (a stray format applied to whole columns) is not read to its end."""
MAX_COLUMNS = 64
"""Columns read per row: the header is among the first ones, whatever the column order."""
_SNIFF_LINES = 20
_XLSX_NAMES = (".xlsx", ".xlsm")
_XLSX_PART = "xl/workbook.xml"
# Files people send instead of a sheet that a text decoder would take for text (PDF, RTF, images, archives).
_NOT_TEXT = (
    b"%PDF-",
    b"{\\rtf",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"Rar!",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",
)


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int
    """The row number the spreadsheet shows."""
    cells: tuple[str, ...]
    """Cell texts from column A on, trimmed of surrounding spaces."""


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    rows: tuple[SheetRow, ...]
    """The rows with at least one non-empty cell, in order."""
    truncated: bool = False
    """More than `MAX_ROWS` rows: the rest was not read."""


def read_sheets(data: bytes, filename: str) -> tuple[Sheet, ...] | Rejected:
    """Every worksheet of an .xlsx file, or the one sheet of a CSV file (UTF-8 with or without
    BOM, UTF-16, GB18030/GBK; comma or tab separated)."""
    upload = Upload(data, filename)
    if not data.strip():
        return Rejected(msg.SHEET_EMPTY.format(name=upload.name))
    if upload.is_zip:
        if _XLSX_PART in _zip_names(data) or upload.lower.endswith(_XLSX_NAMES):
            return _read_xlsx(upload)
        return Rejected(msg.NOT_A_SPREADSHEET.format(name=upload.name))
    if upload.is_ole:
        old_excel = upload.lower.endswith((".xls", ".et"))
        return Rejected((msg.OLD_EXCEL if old_excel else msg.NOT_A_SPREADSHEET).format(name=upload.name))
    if data.lstrip().startswith(_NOT_TEXT) or _is_binary(upload):
        return Rejected(msg.NOT_A_SPREADSHEET.format(name=upload.name))
    text = upload.text
    if text is None:
        return Rejected(msg.SHEET_UNDECODABLE.format(name=upload.name))
    return _read_csv(text, upload.name)


def _zip_names(data: bytes) -> set[str]:
    """The entries of a zip package (a Word file, an .xlsx, an archive); none if it is damaged."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()


def _is_binary(upload: Upload) -> bool:
    """NUL bytes, other than in UTF-16 text (Excel's "Unicode text" export)."""
    return b"\x00" in upload.head and not upload.head.startswith((b"\xff\xfe", b"\xfe\xff"))


def _cell_text(value: object) -> str:
    """A cell as text: a phone number Excel stored as 13800000000.0 reads 13800000000."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _row(number: int, values: object) -> SheetRow | None:
    cells = tuple(_cell_text(v) for v in values) if isinstance(values, tuple | list) else ()
    while cells and not cells[-1]:
        cells = cells[:-1]
    return SheetRow(number, cells) if cells else None


def _read_xlsx(upload: Upload) -> tuple[Sheet, ...] | Rejected:
    try:
        workbook = load_workbook(io.BytesIO(upload.data), read_only=True, data_only=True)
    except Exception:
        # A damaged or foreign zip fails in many ways inside openpyxl (BadZipFile, KeyError,
        # ValueError, XML errors); each means the same to the person who sent it.
        return Rejected(msg.XLSX_DAMAGED.format(name=upload.name))
    try:
        sheets = []
        for worksheet in workbook.worksheets:
            rows: list[SheetRow] = []
            truncated = False
            for number, values in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), 1):
                if number > MAX_ROWS:
                    truncated = True
                    break
                row = _row(number, values)
                if row is not None:
                    rows.append(row)
            sheets.append(Sheet(worksheet.title, tuple(rows), truncated))
    except Exception:
        return Rejected(msg.XLSX_DAMAGED.format(name=upload.name))
    finally:
        workbook.close()
    return tuple(sheets)


def _delimiter(text: str) -> str:
    """Tab when the first lines hold one (Excel's "Unicode text", a paste from a sheet), else comma:
    a comma-separated file has no tabs, while names in a tab-separated one may hold commas."""
    head = text.splitlines()[:_SNIFF_LINES]
    return "\t" if any("\t" in line for line in head) else ","


def _read_csv(text: str, name: str) -> tuple[Sheet, ...] | Rejected:
    rows: list[SheetRow] = []
    truncated = False
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for number, values in enumerate(reader, 1):
            if number > MAX_ROWS:
                truncated = True
                break
            row = _row(number, values[:MAX_COLUMNS])
            if row is not None:
                rows.append(row)
    except csv.Error:
        return Rejected(msg.NOT_A_SPREADSHEET.format(name=name))
    return (Sheet(name, tuple(rows), truncated),)
