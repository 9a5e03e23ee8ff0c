"""The sheet a coordinator gets back after adding agencies in bulk: each agency with its invite link.

Its first two columns carry the agency list's own header labels, so the file can be uploaded
again as a list (the link column is ignored there).
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dialogs.messages import UNIT_NAMES
from templates.xlsx import (
    BORDER,
    CENTER,
    HEADER_FILL,
    LEFT,
    display_width,
    font,
    new_workbook,
    print_landscape_fit_to_width,
    put_text,
    workbook_bytes,
)

HEADER = ("单位名称", "类型", "邀请链接")
SHEET_TITLE = "邀请链接"
_MIN_WIDTHS = (16, 10, 30)
_MAX_WIDTH = 80


def _kind_label(kind: str) -> str:
    """The kind as the list shows it: a stored kind ("department") in Chinese, a Chinese one as is."""
    return UNIT_NAMES.get(kind, kind)


def invite_links_sheet(rows: Sequence[tuple[str, str, str]]) -> bytes:
    """An .xlsx of (agency name, kind, invite link) rows under the header 单位名称 / 类型 / 邀请链接;
    the kind may be stored ("department", "government") or Chinese (部门, 人民政府)."""
    workbook = new_workbook()
    sheet: Worksheet = workbook.create_sheet(SHEET_TITLE)
    for column, label in enumerate(HEADER, 1):
        cell = put_text(sheet, 1, column, label)
        cell.font, cell.alignment, cell.border, cell.fill = font(bold=True), CENTER, BORDER, HEADER_FILL
    widths = [display_width(label) for label in HEADER]
    for r, (name, kind, link) in enumerate(rows, 2):
        for column, text in enumerate((name, _kind_label(kind), link), 1):
            cell = put_text(sheet, r, column, text)
            cell.font, cell.alignment, cell.border = font(), LEFT, BORDER
            widths[column - 1] = max(widths[column - 1], display_width(text))
        link_cell = sheet.cell(row=r, column=len(HEADER))
        if link.startswith(("https://", "http://")):
            link_cell.hyperlink = link
    for column, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(column)].width = min(
            max(width + 2, _MIN_WIDTHS[column - 1]), _MAX_WIDTH
        )
    sheet.freeze_panes = "A2"
    print_landscape_fit_to_width(sheet, title_rows="1:1")
    return workbook_bytes(workbook)
