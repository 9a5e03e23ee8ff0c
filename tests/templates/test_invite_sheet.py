"""The sheet of invite links a coordinator gets back after adding agencies in bulk."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.services.outgoing import invite_link
from dialogs.form import UnitKind
from importer.agencies import read_agency_sheet
from templates.invite_sheet import invite_links_sheet

ROWS = [
    ("测试区财政局", "department", invite_link("nianbao_bot", "a1b2c3")),
    ("测试区马店镇人民政府", "government", invite_link("nianbao_bot", "d4e5f6")),
    ("测试区档案馆", "部门", invite_link("nianbao_bot", "g7h8i9")),
]


def _sheet(data: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(data)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def test_each_agency_has_its_kind_in_chinese_and_its_link() -> None:
    sheet = _sheet(invite_links_sheet(ROWS))
    assert list(sheet.iter_rows(values_only=True)) == [
        ("单位名称", "类型", "邀请链接"),
        ("测试区财政局", "部门", ROWS[0][2]),
        ("测试区马店镇人民政府", "人民政府", ROWS[1][2]),
        ("测试区档案馆", "部门", ROWS[2][2]),
    ]


def test_links_can_be_clicked() -> None:
    sheet = _sheet(invite_links_sheet(ROWS))
    targets = [sheet.cell(row=r, column=3).hyperlink for r in range(2, 2 + len(ROWS))]
    assert [t.target if t is not None else None for t in targets] == [link for _, _, link in ROWS]


def test_the_sheet_can_be_uploaded_again_as_the_agency_list() -> None:
    sheet = read_agency_sheet(invite_links_sheet(ROWS), "邀请链接.xlsx")
    assert sheet.errors == ()
    assert [(r.name, r.kind) for r in sheet.to_import] == [
        ("测试区财政局", UnitKind.DEPARTMENT),
        ("测试区马店镇人民政府", UnitKind.GOVERNMENT),
        ("测试区档案馆", UnitKind.DEPARTMENT),
    ]


def test_a_name_that_looks_like_a_formula_stays_text() -> None:
    sheet = _sheet(invite_links_sheet([("=1+1", "department", invite_link("x", "1"))]))
    assert sheet.cell(row=2, column=1).value == "=1+1"
    assert sheet.cell(row=2, column=1).data_type == "s"


def test_header_stays_on_screen_and_on_every_printed_page() -> None:
    sheet = _sheet(invite_links_sheet(ROWS))
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.cell(row=2, column=1).font.name == "宋体"
    link_width = sheet.column_dimensions["C"].width
    assert link_width is not None
    assert link_width >= len(ROWS[0][2])


def test_no_rows_gives_the_header_only() -> None:
    assert list(_sheet(invite_links_sheet([])).iter_rows(values_only=True)) == [
        ("单位名称", "类型", "邀请链接")
    ]
