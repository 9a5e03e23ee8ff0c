"""A coordinator's list of agencies (an .xlsx or .csv file) read into rows to add in bulk.

The header row is found by its labels wherever it is (below a title row, in any column order,
with full-width characters or spaces around the labels, or in English). Every data row is
checked and every problem is reported with its row and column; the caller adds agencies only
when `AgencySheet.errors` is empty (`AgencySheet.to_import`), so a file is imported whole or not
at all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from dialogs.form import UnitKind
from dialogs.parsing import AGENCY_NAME_MAX, Rejected, parse_agency_name
from importer import messages_agencies as msg
from importer.spreadsheet import MAX_ROWS, Sheet, SheetRow, read_sheets

__all__ = ["CONTACT_MAX", "AgencyRow", "AgencySheet", "SheetError", "read_agency_sheet"]

CONTACT_MAX = 60
"""Characters of a contact name or phone cell (a name, or a couple of numbers)."""
_HEADER_SEARCH = 30
"""Rows looked at for the header: title and note rows above it are a few at most."""
_NAME, _KIND, _CONTACT, _PHONE = "name", "kind", "contact", "phone"
_REQUIRED = (_NAME, _KIND)
_OFFICIAL = {_NAME: msg.NAME, _KIND: msg.KIND, _CONTACT: msg.CONTACT, _PHONE: msg.PHONE}


@dataclass(frozen=True, slots=True)
class AgencyRow:
    row: int
    """The row number the spreadsheet shows."""
    name: str
    kind: UnitKind
    contact: str = ""
    phone: str = ""


@dataclass(frozen=True, slots=True)
class SheetError:
    message: str
    """The Chinese message shown to the coordinator."""
    rows: tuple[int, ...] = ()
    """The rows it is about (two or more for a duplicate name; none for the whole file)."""
    column: str = ""
    """The column label as the file shows it."""


@dataclass(frozen=True, slots=True)
class AgencySheet:
    rows: tuple[AgencyRow, ...]
    """The rows that passed every check, in file order."""
    errors: tuple[SheetError, ...]
    """Every problem found, in file order; empty when the whole file can be imported."""

    @property
    def to_import(self) -> tuple[AgencyRow, ...]:
        """The agencies to add: all of them when nothing is wrong, none otherwise."""
        return () if self.errors else self.rows

    @property
    def messages(self) -> tuple[str, ...]:
        return tuple(e.message for e in self.errors)


def read_agency_sheet(data: bytes, filename: str) -> AgencySheet:
    """The agencies of an uploaded .xlsx or .csv file (UTF-8 with or without BOM, GB18030/GBK;
    comma or tab separated), with one message per problem. Never raises on bad input."""
    sheets = read_sheets(data, filename)
    if isinstance(sheets, Rejected):
        return _failed(sheets.message)
    found = _find_header(sheets)
    if isinstance(found, SheetError):
        return AgencySheet((), (found,))
    sheet, header = found
    if sheet.truncated:
        return _failed(msg.TOO_MANY_ROWS.format(limit=MAX_ROWS))
    body = [r for r in sheet.rows if r.number > header.row]
    if not body:
        return _failed(msg.NO_ROWS.format(row=header.row))
    return _check_rows(body, header)


def _failed(message: str) -> AgencySheet:
    return AgencySheet((), (SheetError(message),))


# --- the header ------------------------------------------------------------------------------------
def _label_key(text: str) -> str:
    """A header label or a kind word as compared: half-width, lower case, without spaces,
    asterisks, colons and bracketed notes (a kind column labelled with its choices, a "*" for required)."""
    text = unicodedata.normalize("NFKC", text)
    # Notes in (...), [...] and the CJK lenticular brackets (full-width parentheses are half-width by now).
    text = re.sub(r"\(.*?\)|\[.*?\]|\u3010.*?\u3011", "", text)
    return re.sub(r"[\s*:_\-]", "", text).lower()


_LABELS = {
    **{_label_key(w): _NAME for w in msg.NAME_LABELS},
    **{_label_key(w): _KIND for w in msg.KIND_LABELS},
    **{_label_key(w): _CONTACT for w in msg.CONTACT_LABELS},
    **{_label_key(w): _PHONE for w in msg.PHONE_LABELS},
}
_KINDS = {
    **{_label_key(w): UnitKind.DEPARTMENT for w in msg.DEPARTMENT_WORDS},
    **{_label_key(w): UnitKind.GOVERNMENT for w in msg.GOVERNMENT_WORDS},
}


@dataclass(frozen=True, slots=True)
class _Header:
    row: int
    columns: dict[str, int]
    """Role (name, kind, contact, phone) → column index."""
    labels: dict[str, str]
    """Role → the label as the file shows it."""
    duplicate: str = ""
    """A role whose label appears in two columns (its label as shown)."""


def _header(row: SheetRow) -> _Header:
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    duplicate = ""
    for index, cell in enumerate(row.cells):
        role = _LABELS.get(_label_key(cell))
        if role is None:
            continue
        if role in columns:
            duplicate = duplicate or cell
            continue
        columns[role] = index
        labels[role] = cell
    return _Header(row.number, columns, labels, duplicate)


def _find_header(sheets: Sequence[Sheet]) -> tuple[Sheet, _Header] | SheetError:
    """The first row (of the first sheet that has one) holding both required labels."""
    best: _Header | None = None
    best_row: SheetRow | None = None
    for sheet in sheets:
        for row in sheet.rows[:_HEADER_SEARCH]:
            header = _header(row)
            if all(role in header.columns for role in _REQUIRED):
                if header.duplicate:
                    return SheetError(msg.HEADER_DUPLICATE.format(row=row.number, column=header.duplicate))
                return sheet, header
            if best is None or len(header.columns) > len(best.columns):
                best, best_row = header, row
    return _no_header(best, best_row)


def _quoted_cells(row: SheetRow) -> str:
    cells = [msg.QUOTED.format(text=c) for c in row.cells[: msg.CELLS_SHOWN]]
    more = msg.CELLS_MORE if len(row.cells) > msg.CELLS_SHOWN else ""
    return "".join(cells) + more


def _no_header(best: _Header | None, row: SheetRow | None) -> SheetError:
    if best is None or row is None:
        return SheetError(msg.NO_HEADER.format(found=msg.FOUND_NOTHING))
    if best.columns:
        missing = "".join(msg.COLUMN.format(label=_OFFICIAL[r]) for r in _REQUIRED if r not in best.columns)
        return SheetError(
            msg.HEADER_INCOMPLETE.format(row=row.number, missing=missing, cells=_quoted_cells(row)),
            (row.number,),
        )
    return SheetError(
        msg.NO_HEADER.format(found=msg.FOUND_ROW.format(row=row.number, cells=_quoted_cells(row)))
    )


# --- the rows --------------------------------------------------------------------------------------
def _cell(row: SheetRow, header: _Header, role: str) -> str:
    index = header.columns.get(role)
    return row.cells[index] if index is not None and index < len(row.cells) else ""


def _name_key(name: str) -> str:
    """Names that differ only in full-width forms or spaces are one agency."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", name))


def _read_name(row: SheetRow, header: _Header) -> str | SheetError:
    raw = _cell(row, header, _NAME)
    column = header.labels[_NAME]
    read = parse_agency_name(raw)
    if isinstance(read, str):
        return read
    text = raw.strip()
    if not text:
        message = msg.NAME_EMPTY.format(row=row.number, column=column)
    elif len(text) > AGENCY_NAME_MAX and not re.search(r"[\r\n]", text):
        shown = text[: msg.NAME_SHOWN] + (msg.CELLS_MORE if len(text) > msg.NAME_SHOWN else "")
        message = msg.NAME_TOO_LONG.format(
            row=row.number, column=column, name=shown, length=len(text), limit=AGENCY_NAME_MAX
        )
    else:
        message = msg.NAME_BAD_CHARACTERS.format(row=row.number, column=column)
    return SheetError(message, (row.number,), column)


def _read_kind(row: SheetRow, header: _Header) -> UnitKind | SheetError:
    raw = _cell(row, header, _KIND)
    column = header.labels[_KIND]
    kind = _KINDS.get(_label_key(raw))
    if kind is not None:
        return kind
    if not raw:
        return SheetError(msg.KIND_EMPTY.format(row=row.number, column=column), (row.number,), column)
    return SheetError(
        msg.KIND_UNKNOWN.format(row=row.number, column=column, value=raw), (row.number,), column
    )


def _read_optional(row: SheetRow, header: _Header, role: str) -> str | SheetError:
    text = re.sub(r"\s+", " ", _cell(row, header, role)).strip()
    if len(text) <= CONTACT_MAX:
        return text
    column = header.labels[role]
    return SheetError(
        msg.FIELD_TOO_LONG.format(row=row.number, column=column, length=len(text), limit=CONTACT_MAX),
        (row.number,),
        column,
    )


def _check_rows(body: Sequence[SheetRow], header: _Header) -> AgencySheet:
    errors: list[SheetError] = []
    read: list[
        tuple[SheetRow, str | SheetError, UnitKind | SheetError, str | SheetError, str | SheetError]
    ] = []
    for row in body:
        fields = (
            _read_name(row, header),
            _read_kind(row, header),
            _read_optional(row, header, _CONTACT),
            _read_optional(row, header, _PHONE),
        )
        errors.extend(v for v in fields if isinstance(v, SheetError))
        read.append((row, *fields))
    named = [(row.number, name) for row, name, *_ in read if isinstance(name, str)]
    duplicates = _duplicates(named, header.labels[_NAME])
    errors.extend(duplicates)
    errors.sort(key=lambda e: e.rows[:1])  # stable: a row's problems stay in column order
    failed = {n for e in errors for n in e.rows}
    rows = tuple(
        AgencyRow(row.number, name, kind, contact, phone)
        for row, name, kind, contact, phone in read
        if row.number not in failed
        and isinstance(name, str)
        and isinstance(kind, UnitKind)
        and isinstance(contact, str)
        and isinstance(phone, str)
    )
    return AgencySheet(rows, tuple(errors))


def _duplicates(named: Sequence[tuple[int, str]], column: str) -> list[SheetError]:
    """One error per name given on more than one row, naming every row it is on."""
    by_name: dict[str, list[tuple[int, str]]] = {}
    for number, name in named:
        by_name.setdefault(_name_key(name), []).append((number, name))
    errors = []
    for same in by_name.values():
        if len(same) > 1:
            numbers = tuple(n for n, _ in same)
            listed = msg.ROWS_SEPARATOR.join(str(n) for n in numbers)
            message = msg.NAME_DUPLICATE.format(rows=listed, column=column, name=same[0][1])
            errors.append(SheetError(message, numbers, column))
    return errors


AGENCY_SHEET_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".tsv")


def is_agency_sheet(filename: str) -> bool:
    """Whether an uploaded file is meant as a list of agencies (a spreadsheet, not a report)."""
    return filename.lower().endswith(AGENCY_SHEET_SUFFIXES)
