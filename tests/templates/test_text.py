"""The plain-text report: the layout of the published reports, line for line in the tables."""

from __future__ import annotations

from dialogs.form import Form, UnitKind
from dialogs.report_2021 import S1_SUBSECTIONS, SECTIONS
from templates import ReportContext, build_context, render_text
from tests.helpers.fixtures import SHARED
from tests.templates.builders import RealReport
from tests.templates.official import assert_values, grid_cells

TABLE_IDS = ("t2", "t3", "t4")


def _table_blocks(text: str) -> list[list[list[str]]]:
    """The tab-separated blocks of a text report, in order, as rows of cells."""
    blocks: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in text.split("\n"):
        if "\t" in line:
            current.append(line.split("\t"))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _normalised(rows: list[list[str]]) -> list[list[str]]:
    """Cells stripped and trailing empty cells dropped (the sources carry stray trailing tabs)."""
    out = []
    for row in rows:
        cells = [c.strip() for c in row]
        while cells and not cells[-1]:
            cells.pop()
        out.append(cells)
    return out


def test_tables_match_the_published_reports_line_for_line(ctx: ReportContext, report: RealReport) -> None:
    if report.name.startswith("03_hongze"):
        # 洪泽 publishes the 2019 single （六） row and label typos; its numbers are checked below.
        published = None
    else:
        published = (SHARED / "real_reports" / f"{report.name}.txt").read_text(encoding="utf-8")
    rendered = _table_blocks(render_text(ctx))
    assert len(rendered) == 3
    if published is not None:
        expected = _table_blocks(published)
        assert [_normalised(b) for b in rendered] == [_normalised(b) for b in expected]


def test_every_number_sits_in_its_official_cell(ctx: ReportContext, report: RealReport) -> None:
    for table_id, rows in zip(TABLE_IDS, _table_blocks(render_text(ctx)), strict=True):
        assert_values(table_id, grid_cells(rows), report.answers)


def test_table_rows_have_the_official_cell_counts(ctx: ReportContext) -> None:
    widths = [{len(row) for row in block} for block in _table_blocks(render_text(ctx))]
    assert widths == [{4}, {10}, {15}]


def test_every_narrative_paragraph_is_a_line(ctx: ReportContext, report: RealReport) -> None:
    lines = render_text(ctx).split("\n")
    for paragraph in report.paragraphs:
        assert paragraph in lines


def test_layout_is_title_blank_preamble_then_sections_in_order(
    ctx: ReportContext, report: RealReport
) -> None:
    text = render_text(ctx)
    lines = text.split("\n")
    assert lines[0] == f"{report.agency}{report.year}年政府信息公开工作年度报告"
    assert lines[1] == ""
    assert lines[2] == report.answers["text.preamble"]
    headings = [s.heading for s in SECTIONS if s.heading] + [h for _, h in S1_SUBSECTIONS]
    positions = {h: lines.index(h) for h in headings}
    order = [SECTIONS[1].heading, *(h for _, h in S1_SUBSECTIONS), *(s.heading for s in SECTIONS[2:])]
    assert sorted(positions, key=positions.__getitem__) == order
    assert text.endswith("\n")
    assert not text.endswith("\n\n")


def test_blocks_are_separated_by_exactly_one_blank_line(ctx: ReportContext) -> None:
    lines = render_text(ctx).rstrip("\n").split("\n")
    for before, line, after in zip(lines, lines[1:], lines[2:], strict=False):
        if line == "":
            assert before != ""
            assert after != ""
        elif "\t" not in line and "\t" not in before:
            assert before == "", f"no blank line before {line[:20]}"


def test_government_extras_print_after_oversight_with_full_width_colon(form: Form) -> None:
    answers = {
        "text.s1.oversight": "加强监督。",
        "text.gov.assessment": "无",
        "text.gov.accountability": "无",
    }
    ctx = build_context(form, agency="某镇人民政府", unit=UnitKind.GOVERNMENT, year=2024, answers=answers)
    text = render_text(ctx)
    assert "（五）监督保障\n\n加强监督。\n\n工作考核结果情况：无\n\n责任追究结果情况：无\n\n二、" in text


def test_unanswered_cells_are_empty_but_keep_their_positions(form: Form) -> None:
    ctx = build_context(form, agency="某局", unit=UnitKind.DEPARTMENT, year=2024, answers={})
    blocks = _table_blocks(render_text(ctx))
    assert blocks[0][2] == ["规章", "", "", ""]
    assert blocks[2][3] == [""] * 15
