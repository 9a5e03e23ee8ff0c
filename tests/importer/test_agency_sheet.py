"""A coordinator's agency list (.xlsx or .csv) read into agencies, every bad row named."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence

import pytest
from docx import Document
from openpyxl import Workbook

from dialogs.form import UnitKind
from importer.agencies import AgencyRow, AgencySheet, read_agency_sheet

Cells = Sequence[object]

TITLE = ["测试区2025年政府信息公开工作年度报告填报单位名单"]
HEADER = ["单位名称", "类型", "联系人", "联系电话"]


def _xlsx(*sheets: list[Cells], titles: tuple[str, ...] = ()) -> bytes:
    workbook = Workbook()
    for blank in list(workbook.worksheets):
        workbook.remove(blank)
    for n, rows in enumerate(sheets):
        sheet = workbook.create_sheet(titles[n] if n < len(titles) else f"Sheet{n + 1}")
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows: list[Cells], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def _district(count: int) -> list[tuple[str, UnitKind, str, str]]:
    """`count` agencies of a district: departments and towns, each with a contact."""
    agencies = []
    for n in range(1, count + 1):
        kind = UnitKind.GOVERNMENT if n % 4 == 0 else UnitKind.DEPARTMENT
        name = f"测试区第{n}镇人民政府" if kind is UnitKind.GOVERNMENT else f"测试区第{n}局"
        agencies.append((name, kind, f"联系人{n}", f"0591-8{n:07d}"))
    return agencies


_KIND_WORDS = {
    UnitKind.DEPARTMENT: ("部门", "政府部门"),
    UnitKind.GOVERNMENT: ("人民政府", "乡镇", "街道", "镇"),
}


def _typed_kind(kind: UnitKind, n: int) -> str:
    words = _KIND_WORDS[kind]
    return words[n % len(words)]


def _rows_of(agencies: list[tuple[str, UnitKind, str, str]]) -> list[Cells]:
    return [
        [name, _typed_kind(kind, n), contact, phone]
        for n, (name, kind, contact, phone) in enumerate(agencies)
    ]


def _expected(agencies: list[tuple[str, UnitKind, str, str]], first_row: int) -> tuple[AgencyRow, ...]:
    return tuple(
        AgencyRow(first_row + n, name, kind, contact, phone)
        for n, (name, kind, contact, phone) in enumerate(agencies)
    )


def _only_error(sheet: AgencySheet) -> str:
    assert sheet.rows == ()
    assert sheet.to_import == ()
    assert len(sheet.errors) == 1, sheet.messages
    return sheet.errors[0].message


# --- good files -------------------------------------------------------------------------------------
def test_a_thirty_row_xlsx_is_read_completely() -> None:
    agencies = _district(30)
    data = _xlsx([TITLE, [], HEADER, *_rows_of(agencies)])
    sheet = read_agency_sheet(data, "名单.xlsx")
    assert sheet.errors == ()
    assert sheet.rows == _expected(agencies, first_row=4)
    assert sheet.to_import == sheet.rows


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ","),
        ("utf-8-sig", ","),
        ("gbk", ","),
        ("gb18030", ","),
        ("utf-8", "\t"),
        ("gbk", "\t"),
        ("utf-16", "\t"),
    ],
)
def test_csv_files_as_excel_saves_them_are_read(encoding: str, delimiter: str) -> None:
    agencies = _district(12)
    data = _csv([TITLE, HEADER, *_rows_of(agencies)], encoding=encoding, delimiter=delimiter)
    sheet = read_agency_sheet(data, "名单.csv")
    assert sheet.errors == ()
    assert sheet.to_import == _expected(agencies, first_row=3)


def test_headers_in_any_order_with_spaces_full_width_and_notes_are_found() -> None:
    rows: list[Cells] = [
        ["  联系电话 ", "类　型（部门/人民政府）", "*单位名称", "联 系 人"],
        ["13800000001", "部门", "测试区财政局", "王五"],
        ["", "人民政府", "测试区马店镇人民政府", ""],
    ]
    sheet = read_agency_sheet(_xlsx(rows), "list.xlsx")
    assert sheet.errors == ()
    assert sheet.rows == (
        AgencyRow(2, "测试区财政局", UnitKind.DEPARTMENT, "王五", "13800000001"),
        AgencyRow(3, "测试区马店镇人民政府", UnitKind.GOVERNMENT, "", ""),
    )


@pytest.mark.parametrize(
    "header",
    [["name", "kind", "contact"], ["Name", "Kind", "Contact"], ["ｎａｍｅ", "ＫＩＮＤ", "ｃｏｎｔａｃｔ"]],
)
def test_english_headers_are_found(header: Cells) -> None:
    data = _csv([header, ["测试区教育局", "部门", "赵六"]])
    assert read_agency_sheet(data, "list.csv").to_import == (
        AgencyRow(2, "测试区教育局", UnitKind.DEPARTMENT, "赵六"),
    )


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("部门", UnitKind.DEPARTMENT),
        ("政府部门", UnitKind.DEPARTMENT),
        (" 部 门 ", UnitKind.DEPARTMENT),
        ("人民政府", UnitKind.GOVERNMENT),
        ("政府", UnitKind.GOVERNMENT),
        ("乡镇", UnitKind.GOVERNMENT),
        ("街道", UnitKind.GOVERNMENT),
        ("镇", UnitKind.GOVERNMENT),
        ("乡", UnitKind.GOVERNMENT),
        ("乡镇（街道）", UnitKind.GOVERNMENT),
    ],
)
def test_the_ways_people_type_the_kind_are_understood(typed: str, kind: UnitKind) -> None:
    sheet = read_agency_sheet(_csv([HEADER[:2], ["测试区某单位", typed]]), "list.csv")
    assert [row.kind for row in sheet.to_import] == [kind]


def test_empty_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers() -> None:
    rows: list[Cells] = [
        HEADER,
        ["测试区甲局", "部门"],
        [],
        [None, None, None],
        ["", "  ", ""],
        ["测试区乙局", "科室"],
    ]
    sheet = read_agency_sheet(_xlsx(rows), "list.xlsx")
    assert [r.row for r in sheet.rows] == [2]
    assert sheet.messages == ("第 6 行「类型」：“科室”不是“部门”或“人民政府”",)


def test_a_phone_number_excel_stored_as_a_number_reads_as_its_digits() -> None:
    rows: list[Cells] = [
        HEADER,
        ["测试区甲局", "部门", "张三", 13800000000],
        ["测试区乙局", "部门", "李四", 13900000000.0],
    ]
    sheet = read_agency_sheet(_xlsx(rows), "list.xlsx")
    assert [r.phone for r in sheet.to_import] == ["13800000000", "13900000000"]


def test_the_list_may_be_on_a_later_sheet_after_instructions() -> None:
    instructions: list[Cells] = [["填表说明：每行填写一个单位，类型填“部门”或“人民政府”。"]]
    listed: list[Cells] = [TITLE, HEADER, ["测试区甲局", "部门"]]
    sheet = read_agency_sheet(_xlsx(instructions, listed, titles=("说明", "名单")), "list.xlsx")
    assert sheet.to_import == (AgencyRow(3, "测试区甲局", UnitKind.DEPARTMENT),)


def test_names_are_trimmed_and_inner_spaces_collapsed() -> None:
    sheet = read_agency_sheet(_csv([HEADER[:2], ["  测试区   行政审批局 ", "部门"]]), "list.csv")
    assert [r.name for r in sheet.to_import] == ["测试区 行政审批局"]


# --- bad rows ---------------------------------------------------------------------------------------
def test_every_bad_row_is_reported_and_nothing_is_imported() -> None:
    too_long = "测" * 61
    rows: list[Cells] = [
        TITLE,
        HEADER,
        ["测试区财政局", "部门", "张三", "1"],  # 3: good
        ["", "部门", "李四", ""],  # 4: no name
        ["测试区教育局", "", "", ""],  # 5: no kind
        ["测试区档案馆", "部门", "", ""],  # 6: good
        ["测试区卫健委", "科室", "", ""],  # 7: unknown kind
        [too_long, "部门", "", ""],  # 8: name too long
        ["测试区财政局", "人民政府", "", ""],  # 9: same name as row 3
        ["测试区自然资源局", "部门", "", ""],  # 10: good
    ]
    sheet = read_agency_sheet(_xlsx(rows), "list.xlsx")
    assert sheet.messages == (
        "第 3、9 行「单位名称」：“测试区财政局”重复出现，每个单位只能填一行",
        "第 4 行「单位名称」：未填写单位名称",
        "第 5 行「类型」：未填写，应为“部门”或“人民政府”",
        "第 7 行「类型」：“科室”不是“部门”或“人民政府”",
        f"第 8 行「单位名称」：“{too_long[:30]}……”有 61 个字，单位名称最多 60 个字",
    )
    assert [e.rows for e in sheet.errors] == [(3, 9), (4,), (5,), (7,), (8,)]
    assert [e.column for e in sheet.errors] == ["单位名称", "单位名称", "类型", "类型", "单位名称"]
    assert [r.name for r in sheet.rows] == ["测试区档案馆", "测试区自然资源局"]
    assert sheet.to_import == ()


def test_a_row_with_two_problems_gets_both_messages() -> None:
    sheet = read_agency_sheet(_csv([HEADER[:2], ["", "科室"]]), "list.csv")
    assert sheet.messages == (
        "第 2 行「单位名称」：未填写单位名称",
        "第 2 行「类型」：“科室”不是“部门”或“人民政府”",
    )


def test_names_that_differ_only_in_spaces_or_full_width_forms_are_duplicates() -> None:
    rows: list[Cells] = [
        HEADER[:2],
        ["测试区(东区)管委会", "部门"],
        ["测试区甲局", "部门"],
        ["测试区（东区） 管委会", "部门"],
    ]
    sheet = read_agency_sheet(_csv(rows), "list.csv")
    assert [e.rows for e in sheet.errors] == [(2, 4)]
    assert sheet.to_import == ()


def test_a_name_over_two_lines_in_one_cell_is_refused() -> None:
    sheet = read_agency_sheet(_xlsx([HEADER[:2], ["测试区\n财政局", "部门"]]), "list.xlsx")
    assert sheet.messages == ("第 2 行「单位名称」：单位名称中有换行或控制字符，请写在一行内",)


def test_the_column_is_named_as_the_file_labels_it() -> None:
    sheet = read_agency_sheet(_csv([["name", "kind"], ["测试区甲局", "office"]]), "list.csv")
    assert sheet.messages == ("第 2 行「kind」：“office”不是“部门”或“人民政府”",)


def test_an_overlong_contact_is_reported() -> None:
    sheet = read_agency_sheet(_csv([HEADER, ["测试区甲局", "部门", "张" * 61, ""]]), "list.csv")
    assert sheet.messages == ("第 2 行「联系人」：内容有 61 个字，最多 60 个字",)


# --- files that cannot be used ----------------------------------------------------------------------
def _docx() -> bytes:
    document = Document()
    document.add_paragraph("测试区财政局")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("名单.csv", "单位名称,类型\n")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "名单.pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "名单.png"),
        (_docx(), "名单.docx"),
        (_zip(), "名单.zip"),
        (b"\x00\x01\x02\x03binary\x00data", "名单.bin"),
    ],
    ids=["pdf", "png", "docx", "zip", "binary"],
)
def test_a_file_that_is_not_a_spreadsheet_gets_one_message_saying_what_to_send(
    data: bytes, filename: str
) -> None:
    message = _only_error(read_agency_sheet(data, filename))
    assert filename in message
    assert ".xlsx" in message
    assert "CSV" in message


def test_an_old_xls_file_is_asked_to_be_saved_as_xlsx_or_csv() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    message = _only_error(read_agency_sheet(ole, "名单.xls"))
    assert "名单.xls" in message
    assert "另存为" in message


def test_a_damaged_xlsx_gets_one_message() -> None:
    data = _xlsx([HEADER, ["测试区甲局", "部门"]])
    message = _only_error(read_agency_sheet(data[: len(data) // 2], "名单.xlsx"))
    assert "名单.xlsx" in message


def test_an_empty_file_gets_one_message() -> None:
    assert "空" in _only_error(read_agency_sheet(b"  \r\n", "名单.csv"))


def test_no_recognizable_header_says_what_was_expected_and_what_was_found() -> None:
    message = _only_error(read_agency_sheet(_csv([["名字", "种类"], ["测试区甲局", "部门"]]), "名单.csv"))
    assert "「单位名称」" in message
    assert "「类型」" in message
    assert "第 1 行是：“名字”“种类”" in message


def test_a_header_without_the_kind_column_names_the_missing_column() -> None:
    message = _only_error(
        read_agency_sheet(_xlsx([TITLE, ["单位名称", "联系人"], ["测试区甲局", "张三"]]), "名单.xlsx")
    )
    assert "第 2 行像是表头，但缺少「类型」列" in message
    assert "“单位名称”“联系人”" in message


def test_a_header_with_no_rows_below_it_says_so() -> None:
    assert "下面没有单位" in _only_error(read_agency_sheet(_csv([TITLE, HEADER]), "名单.csv"))


def test_a_header_with_the_name_column_twice_is_refused() -> None:
    message = _only_error(
        read_agency_sheet(_csv([["单位名称", "类型", "名称"], ["甲", "部门", "乙"]]), "名单.csv")
    )
    assert "「名称」出现了不止一次" in message


def test_a_sheet_far_longer_than_any_district_is_not_imported() -> None:
    rows: list[Cells] = [HEADER[:2], *([f"测试区第{n}局", "部门"] for n in range(10_001))]
    message = _only_error(read_agency_sheet(_csv(rows), "名单.csv"))
    assert "10000" in message
