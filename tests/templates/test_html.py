"""The HTML page: standalone, print-ready, tables with the official rowspan/colspan."""

from __future__ import annotations

from templates import ReportContext, render_html
from tests.templates.builders import RealReport
from tests.templates.markup import paragraphs, report_tables, soup, table_cells
from tests.templates.official import assert_layout, assert_values


def test_tables_have_the_official_merges_and_every_number(ctx: ReportContext, report: RealReport) -> None:
    tables = report_tables(soup(render_html(ctx)))
    assert list(tables) == ["t2", "t3", "t4"]
    for table_id, table in tables.items():
        cells = table_cells(table)
        assert_layout(table_id, cells)
        assert_values(table_id, cells, report.answers)


def test_every_narrative_paragraph_is_a_paragraph(ctx: ReportContext, report: RealReport) -> None:
    shown = paragraphs(soup(render_html(ctx)))
    for paragraph in report.paragraphs:
        assert paragraph in shown


def test_page_is_standalone_with_print_style_and_cjk_fonts(ctx: ReportContext) -> None:
    html = render_html(ctx)
    document = soup(html)
    assert html.startswith("<!DOCTYPE html>")
    assert document.find("html")["lang"] == "zh-CN"  # type: ignore[index]
    assert document.find("meta", charset="utf-8") is not None
    assert document.title is not None
    assert document.title.get_text() == ctx.title
    assert [h.get_text() for h in document.find_all("h1")] == [ctx.title]
    assert [h.get_text() for h in document.find_all("h2")] == [s.heading for s in ctx.sections]
    style = document.style.get_text() if document.style else ""
    assert "@media print" in style
    assert "size: A4" in style
    assert '"FangSong", "仿宋_GB2312"' in style
    assert "Noto Serif CJK SC" in style
    assert not document.find_all(["script", "link", "img"])  # nothing fetched: pastes into a CMS as is


def test_column_headers_are_in_thead_so_print_repeats_them(ctx: ReportContext) -> None:
    tables = report_tables(soup(render_html(ctx)))
    assert len(tables["t3"].thead.find_all("tr")) == 3  # type: ignore[union-attr]
    assert len(tables["t4"].thead.find_all("tr")) == 3  # type: ignore[union-attr]
    assert tables["t2"].thead is None
