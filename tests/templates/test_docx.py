"""The Word document, read back with python-docx: every cell, every paragraph, the merges, fonts, page."""

from __future__ import annotations

import io
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.shared import Mm

from templates import ReportContext, render_docx
from tests.templates.builders import RealReport
from tests.templates.official import Span, assert_layout, assert_values

TEXT_STYLES = {"Report Title", "Report Heading 1", "Report Heading 2", "Report Body"}


def _open(data: bytes) -> Any:
    return docx.Document(io.BytesIO(data))


def _cells(table: Any) -> list[tuple[Span, str]]:
    """Cells with spans read from w:gridSpan and w:vMerge (not from python-docx's cell view)."""
    rows = []
    for tr in table._tbl.tr_lst:
        col = 0
        row = []
        for tc in tr.tc_lst:
            text = "\n".join(p.xpath("string(.)") for p in tc.p_lst)
            row.append((col, tc.grid_span, tc.vMerge, text))
            col += tc.grid_span
        rows.append(row)
    cells: list[tuple[Span, str]] = []
    for r, row in enumerate(rows):
        for col, span, merge, text in row:
            if merge == "continue":
                continue
            rowspan = 1
            if merge == "restart":
                for below in rows[r + 1 :]:
                    if not any(c == col and m == "continue" and s == span for c, s, m, _ in below):
                        break
                    rowspan += 1
            cells.append(((r, col, rowspan, span), text))
    return cells


def test_tables_have_real_merges_in_the_official_layout(ctx: ReportContext, report: RealReport) -> None:
    document = _open(render_docx(ctx))
    assert len(document.tables) == 3
    for table_id, table in zip(("t2", "t3", "t4"), document.tables, strict=True):
        cells = _cells(table)
        assert_layout(table_id, cells)
        assert_values(table_id, cells, report.answers)


def test_merges_are_grid_span_and_vertical_merge_in_the_xml(ctx: ReportContext) -> None:
    t3 = _open(render_docx(ctx)).tables[1]._tbl
    corner = t3.tr_lst[0].tc_lst[0]
    assert corner.grid_span == 3
    assert corner.vMerge == "restart"
    results_part = t3.tr_lst[5].tc_lst[0]
    assert results_part.vMerge == "restart"
    assert [tr.tc_lst[0].vMerge for tr in t3.tr_lst[6:27]] == ["continue"] * 21
    t4 = _open(render_docx(ctx)).tables[2]._tbl
    assert [tc.grid_span for tc in t4.tr_lst[0].tc_lst] == [5, 10]


def test_every_paragraph_is_in_the_document_in_order(ctx: ReportContext, report: RealReport) -> None:
    document = _open(render_docx(ctx))
    texts = [p.text for p in document.paragraphs]
    expected = [ctx.title, *ctx.preamble]
    for section in ctx.sections:
        expected += [section.heading, *section.paragraphs]
        for sub in section.subsections:
            expected += [sub.heading, *sub.paragraphs]
    assert texts == expected
    for paragraph in report.paragraphs:
        assert paragraph in texts


def test_styles_fonts_in_the_east_asian_slot(ctx: ReportContext) -> None:
    document = _open(render_docx(ctx))
    fonts = {"Report Title": "方正小标宋简体", "Report Heading 1": "黑体", "Report Body": "仿宋_GB2312"}
    for name, font in fonts.items():
        assert document.styles[name].element.rPr.rFonts.get(qn("w:eastAsia")) == font
    for paragraph in document.paragraphs:
        assert paragraph.style.name in TEXT_STYLES
        expected = fonts.get(paragraph.style.name, "楷体_GB2312")
        for run in paragraph.runs:
            assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == expected
    title = document.paragraphs[0]
    assert title.style.paragraph_format.alignment == 1  # centred
    body_indent = document.styles["Report Body"].element.pPr.ind
    assert body_indent.get(qn("w:firstLineChars")) == "200"


def test_page_is_a4_with_page_number_field_in_footer(ctx: ReportContext) -> None:
    section = _open(render_docx(ctx)).sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1)
    assert abs(section.page_height - Mm(297)) < Mm(1)
    footer = section.footer.paragraphs[0]._p
    assert [c.get(qn("w:fldCharType")) for c in footer.iter(qn("w:fldChar"))] == ["begin", "separate", "end"]
    assert [i.text.strip() for i in footer.iter(qn("w:instrText"))] == ["PAGE"]


def test_table_header_rows_repeat_on_each_page(ctx: ReportContext) -> None:
    t3 = _open(render_docx(ctx)).tables[1]._tbl
    marked = [tr.trPr is not None and tr.trPr.find(qn("w:tblHeader")) is not None for tr in t3.tr_lst]
    assert marked == [True] * 3 + [False] * 25


def test_same_report_gives_the_same_bytes(ctx: ReportContext) -> None:
    assert render_docx(ctx) == render_docx(ctx)
