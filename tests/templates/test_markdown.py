"""The Markdown report: headings with #, inline HTML tables that keep the merged cells."""

from __future__ import annotations

from templates import ReportContext, render_markdown
from tests.templates.builders import RealReport
from tests.templates.markup import markdown_to_html, paragraphs, report_tables, soup, table_cells
from tests.templates.official import assert_layout, assert_values


def test_headings_use_hashes_in_report_order(ctx: ReportContext) -> None:
    lines = render_markdown(ctx).split("\n")
    headings = [line for line in lines if line.startswith("#")]
    expected = [f"# {ctx.title}"]
    for section in ctx.sections:
        expected.append(f"## {section.heading}")
        expected.extend(f"### {sub.heading}" for sub in section.subsections)
    assert headings == expected


def test_rendered_markdown_has_every_paragraph_literally(ctx: ReportContext, report: RealReport) -> None:
    shown = paragraphs(soup(markdown_to_html(render_markdown(ctx))))
    for paragraph in report.paragraphs:
        assert paragraph in shown


def test_rendered_markdown_tables_keep_merges_and_numbers(ctx: ReportContext, report: RealReport) -> None:
    tables = report_tables(soup(markdown_to_html(render_markdown(ctx))))
    assert list(tables) == ["t2", "t3", "t4"]
    for table_id, table in tables.items():
        cells = table_cells(table)
        assert_layout(table_id, cells)
        assert_values(table_id, cells, report.answers)
