"""build_context: order, headings, paragraphs, totals and number formatting."""

from __future__ import annotations

from decimal import Decimal

from dialogs.form import Form, UnitKind, Value
from dialogs.report_2021 import GOV_EXTRAS, S1_SUBSECTIONS, SECTIONS
from templates import ReportContext, build_context
from tests.templates.builders import RealReport
from tests.templates.official import assert_layout, assert_values


def _build(form: Form, answers: dict[str, Value], unit: UnitKind = UnitKind.DEPARTMENT) -> ReportContext:
    return build_context(form, agency="某某区教育局", unit=unit, year=2025, answers=answers)


def test_title_is_agency_year_and_fixed_wording(form: Form) -> None:
    assert _build(form, {}).title == "某某区教育局2025年政府信息公开工作年度报告"


def test_sections_follow_the_official_order_and_wording(form: Form) -> None:
    ctx = _build(form, {})
    assert [s.heading for s in ctx.sections] == [s.heading for s in SECTIONS if s.id != "preamble"]
    assert [sub.heading for sub in ctx.section("s1").subsections] == [h for _, h in S1_SUBSECTIONS]


def test_unanswered_report_has_empty_cells_and_no_paragraphs(form: Form) -> None:
    ctx = _build(form, {})
    assert ctx.preamble == ()
    assert all(not s.paragraphs for s in ctx.sections)
    for table_id in ("t2", "t3", "t4"):
        assert all(c.text == "" for c in ctx.table(table_id).cells if c.is_value)


def test_tables_have_the_official_merges_and_every_number(form: Form, report: RealReport) -> None:
    ctx = _build(form, report.answers)
    for table_id in ("t2", "t3", "t4"):
        table = ctx.table(table_id)
        cells = [((c.row, c.column, c.rowspan, c.colspan), c.text) for c in table.cells]
        assert_layout(table_id, cells)
        assert_values(table_id, cells, report.answers)


def test_totals_are_computed_when_not_stored(form: Form) -> None:
    answers: dict[str, Value] = {"t3.new.natural_person": 3, "t3.new.commercial_enterprise": 2}
    answers |= {f"t3.new.{c}": 0 for c in ("research_institution", "social_welfare_org", "legal_service_org")}
    answers["t3.new.other_org"] = 1
    answers |= {"t4.review.upheld": 1, "t4.review.corrected": 2, "t4.review.other": 0, "t4.review.pending": 4}
    ctx = _build(form, answers)
    assert ctx.table("t3").text_rows[3][-1] == "6"
    assert ctx.table("t4").text_rows[3][4] == "7"


def test_a_stored_total_is_shown_as_stored(form: Form) -> None:
    answers: dict[str, Value] = {f"t4.review.{r}": 1 for r in ("upheld", "corrected", "other", "pending")}
    answers["t4.review.total"] = 5  # wrong on purpose: the rules report it, the renderer prints it
    assert _build(form, answers).table("t4").text_rows[3][4] == "5"


def test_amounts_have_no_trailing_zeros_or_exponent(form: Form) -> None:
    for stored, text in (
        (Decimal("12.3500"), "12.35"),
        (Decimal("7545.0"), "7545"),
        (Decimal("1E+3"), "1000"),
    ):
        assert _build(form, {"t2.fees.amount": stored}).table("t2").text_rows[13][1] == text


def test_paragraphs_split_on_newlines_and_drop_blank_lines(form: Form) -> None:
    ctx = _build(form, {"text.s5": "第一段。\r\n\n  \u3000\u3000第二段。  \n"})
    assert ctx.section("s5").paragraphs == ("第一段。", "第二段。")


def test_government_extras_follow_oversight_with_their_titles(form: Form) -> None:
    answers: dict[str, Value] = {"text.s1.oversight": "监督。", **{key: "无" for key, _ in GOV_EXTRAS}}
    answers["text.gov.accountability"] = "未发生责任追究。\n继续落实。"
    oversight = _build(form, answers, UnitKind.GOVERNMENT).section("s1").subsections[-1]
    assert oversight.paragraphs == (
        "监督。",
        "工作考核结果情况：无",
        "社会评议结果情况：无",
        "责任追究结果情况：未发生责任追究。",
        "继续落实。",
    )


def test_departments_do_not_print_government_extras(form: Form) -> None:
    answers: dict[str, Value] = {"text.s1.oversight": "监督。", "text.gov.assessment": "无"}
    assert _build(form, answers).section("s1").subsections[-1].paragraphs == ("监督。",)


def test_other_matters_state_the_fee_when_no_text_was_written(form: Form) -> None:
    assert _build(form, {"s6.processing_fee": Decimal("0")}).section("s6").paragraphs == (
        "2025年，本机关未收取政府信息公开信息处理费。",
    )
    written = _build(form, {"s6.processing_fee": Decimal("300"), "text.s6": "收取300元。"})
    assert written.section("s6").paragraphs == ("收取300元。",)
