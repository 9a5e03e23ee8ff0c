"""The district workbook: tables 二, 三 and 四 with one row per agency and the totals, read back with openpyxl."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from dialogs.aggregate import UnitTables
from dialogs.form import Form, Value
from dialogs.messages import UNIT_NAMES
from dialogs.report_2021 import form_2021
from templates.workbook import district_workbook
from tests.helpers.district_units import district_units

FORM = form_2021()
YEAR = 2025
DISTRICT = "测试区"
SHEETS = ("表二", "表三", "表四")


def _table_2(form: Form) -> list[tuple[str, tuple[str, ...]]]:
    """(key, header labels top to bottom) of every cell of table 二, in table order."""
    return [
        (key, (block.heading, label, header))
        for block in form.blocks
        for label, keys in block.rows
        for header, key in zip(block.headers, keys, strict=True)
    ]


def _table_3(form: Form) -> list[tuple[str, tuple[str, ...]]]:
    grid = form.requests
    return [(grid.key(r.key, c.key), (r.group, r.label, c.label)) for r in grid.rows for c in grid.columns]


def _table_4(form: Form) -> list[tuple[str, tuple[str, ...]]]:
    grid = form.appeals
    return [
        (grid.key(r.key, c.key), tuple(p for p in (r.group, r.label, c.label) if p))
        for r in grid.rows
        for c in grid.columns
    ]


CELLS = {"表二": _table_2(FORM), "表三": _table_3(FORM), "表四": _table_4(FORM)}


def _open(data: bytes) -> dict[str, Worksheet]:
    workbook = load_workbook(io.BytesIO(data))
    return {sheet.title: sheet for sheet in workbook.worksheets}


def _row_of(sheet: Worksheet, text: str) -> int:
    return next(r for r in range(1, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == text)


def _shown(sheet: Worksheet, row: int, column: int) -> object:
    """What a cell shows: the top-left value of the merged range it is in."""
    anchor = _anchor(sheet, row, column)
    return sheet.cell(row=anchor[0], column=anchor[1]).value


def _anchor(sheet: Worksheet, row: int, column: int) -> tuple[int, int]:
    """The cell that carries the text and style of the merged range (row, column) is in."""
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            return merged.min_row, merged.min_col
    return row, column


def _labels_above(sheet: Worksheet, column: int, first: int, last: int) -> tuple[object, ...]:
    """The labels of a column's header rows, top to bottom, a label merged down counted once."""
    return tuple(
        _shown(sheet, r, column) for r in range(first, last + 1) if not _is_merged_down(sheet, r, column)
    )


def _is_merged_down(sheet: Worksheet, row: int, column: int) -> bool:
    return any(
        m.min_row < row <= m.max_row and m.min_col <= column <= m.max_col for m in sheet.merged_cells.ranges
    )


def _value(cell_value: object) -> Value | None:
    """A number read back: ints stay ints, amounts compared as decimals."""
    if cell_value is None or isinstance(cell_value, int | str):
        return cell_value
    assert isinstance(cell_value, float)
    return Decimal(str(cell_value))


def _sum(units: Sequence[UnitTables], key: str) -> Value | None:
    present = [u.answers[key] for u in units if key in u.answers]
    if not present:
        return None
    if any(isinstance(v, Decimal) for v in present):
        return sum((Decimal(v) for v in present), Decimal(0))
    return sum(int(v) for v in present)


@pytest.fixture(scope="module")
def units() -> list[UnitTables]:
    """Six agencies with varied numbers; one left a row of table 三 and all of table 四 blank."""
    made = district_units(FORM, 6, seed=2025)
    grid = FORM.requests
    blank_row = {grid.key(grid.rows[3].key, c.key) for c in grid.columns}
    blank = {
        k: v
        for k, v in made[2].answers.items()
        if k not in blank_row and not k.startswith(f"{FORM.appeals.id}.")
    }
    made[2] = replace(made[2], answers=blank)
    return made


@pytest.fixture(scope="module")
def sheets(units: list[UnitTables]) -> dict[str, Worksheet]:
    return _open(district_workbook(FORM, units, year=YEAR, district=DISTRICT))


def test_one_sheet_per_table() -> None:
    assert tuple(_open(district_workbook(FORM, [], year=YEAR, district=DISTRICT))) == SHEETS


@pytest.mark.parametrize("name", SHEETS)
def test_every_cell_is_the_units_answer_and_blank_stays_blank(
    sheets: dict[str, Worksheet], units: list[UnitTables], name: str
) -> None:
    sheet = sheets[name]
    for unit in units:
        r = _row_of(sheet, unit.agency)
        assert sheet.cell(row=r, column=2).value == UNIT_NAMES[unit.kind.value]
        for offset, (key, _) in enumerate(CELLS[name]):
            shown = _value(sheet.cell(row=r, column=3 + offset).value)
            assert shown == unit.answers.get(key), (unit.agency, key)
    assert sheet.max_column == 2 + len(CELLS[name])


def test_unanswered_cells_are_empty_not_zero(sheets: dict[str, Worksheet], units: list[UnitTables]) -> None:
    blank = units[2]
    for name in ("表三", "表四"):
        sheet = sheets[name]
        r = _row_of(sheet, blank.agency)
        unanswered = [n for n, (key, _) in enumerate(CELLS[name]) if key not in blank.answers]
        assert unanswered
        assert [sheet.cell(row=r, column=3 + n).value for n in unanswered] == [None] * len(unanswered)
        others = [
            sheet.cell(row=_row_of(sheet, u.agency), column=3 + unanswered[0]).value
            for u in units
            if u is not blank
        ]
        assert None not in others


@pytest.mark.parametrize("name", SHEETS)
def test_the_total_row_is_the_sum_of_the_units(
    sheets: dict[str, Worksheet], units: list[UnitTables], name: str
) -> None:
    sheet = sheets[name]
    r = _row_of(sheet, "合计")
    assert r == _row_of(sheet, units[-1].agency) + 1
    assert sheet.cell(row=r, column=2).value == f"共 {len(units)} 个单位"
    totals = [_value(sheet.cell(row=r, column=3 + n).value) for n in range(len(CELLS[name]))]
    assert totals == [_sum(units, key) for key, _ in CELLS[name]]
    assert any(t not in (None, 0) for t in totals)


@pytest.mark.parametrize("name", SHEETS)
def test_header_labels_are_the_forms_labels(
    sheets: dict[str, Worksheet], units: list[UnitTables], name: str
) -> None:
    sheet = sheets[name]
    header = _row_of(sheet, "单位名称")
    first_data = _row_of(sheet, units[0].agency)
    assert _shown(sheet, first_data - 1, 2) == "类型"
    for offset, (key, labels) in enumerate(CELLS[name]):
        shown = _labels_above(sheet, 3 + offset, header, first_data - 1)
        if name == "表三":
            group, label, column = labels
            top = shown[0]
            assert isinstance(top, str)
            assert label in top, key
            assert group in top, key
            assert shown[1:] == (column,), key
        else:
            assert shown == labels, key


def test_table_3_has_a_two_row_header_with_each_row_label_merged_over_its_columns(
    sheets: dict[str, Worksheet],
) -> None:
    sheet = sheets["表三"]
    header = _row_of(sheet, "单位名称")
    grid = FORM.requests
    spans = sorted(
        (m.min_col, m.max_col) for m in sheet.merged_cells.ranges if m.min_row == m.max_row == header
    )
    width = len(grid.columns)
    assert spans == [(3 + n * width, 2 + (n + 1) * width) for n in range(len(grid.rows))]
    assert sheet.cell(row=header + 1, column=3).value == grid.columns[0].label
    assert sheet.cell(row=header + 2, column=1).value != "单位名称"


def test_the_title_names_the_district_year_and_table(sheets: dict[str, Worksheet]) -> None:
    for name in SHEETS:
        title = sheets[name].cell(row=1, column=1).value
        assert isinstance(title, str)
        assert DISTRICT in title
        assert str(YEAR) in title
    assert FORM.section("s3").heading in str(sheets["表三"].cell(row=1, column=1).value)


@pytest.mark.parametrize("name", SHEETS)
def test_sheets_are_set_up_for_printing(
    sheets: dict[str, Worksheet], units: list[UnitTables], name: str
) -> None:
    sheet = sheets[name]
    header = _row_of(sheet, "单位名称")
    first_data = _row_of(sheet, units[0].agency)
    assert sheet.freeze_panes == f"C{first_data}"
    assert sheet.print_title_rows == f"${header}:${first_data - 1}"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth in (None, 1)  # absent means 1, the OOXML default
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr is not None
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    for r in (header, first_data, _row_of(sheet, "合计")):
        for c in (1, 3, sheet.max_column):
            anchor = _anchor(sheet, r, c)
            assert sheet.cell(row=anchor[0], column=anchor[1]).font.name == "宋体"
    width = sheet.column_dimensions["A"].width
    assert width is not None
    assert width >= max(len(u.agency) for u in units) * 2
    assert all(sheet.column_dimensions[letter].width for letter in ("B", "C"))


def test_a_name_that_looks_like_a_formula_stays_text(units: list[UnitTables]) -> None:
    tricky = [replace(units[0], agency='=HYPERLINK("http://127.0.0.1","x")'), *units[1:]]
    sheet = _open(district_workbook(FORM, tricky, year=YEAR, district=DISTRICT))["表二"]
    r = _row_of(sheet, tricky[0].agency)
    assert sheet.cell(row=r, column=1).data_type == "s"


def test_the_same_units_give_the_same_bytes(units: list[UnitTables]) -> None:
    first = district_workbook(FORM, units, year=YEAR, district=DISTRICT)
    assert district_workbook(FORM, units, year=YEAR, district=DISTRICT) == first


def test_no_units_gives_the_headers_and_an_empty_total_row() -> None:
    sheet = _open(district_workbook(FORM, [], year=YEAR, district=DISTRICT))["表三"]
    r = _row_of(sheet, "合计")
    assert r == _row_of(sheet, "单位名称") + 2
    assert [sheet.cell(row=r, column=c).value for c in range(3, sheet.max_column + 1)] == [None] * len(
        CELLS["表三"]
    )
