"""FMT-* structure rules and the DEADLINE rule."""

from __future__ import annotations

from datetime import date

import pytest

from dialogs.form import UnitKind
from dialogs.report_2021 import GOV_EXTRAS
from dialogs.rules import Severity, SourceFacts
from tests.helpers.rule_reports import OFFICIAL_HEADINGS, changed, findings, make_facts

FORMAT_RULES = (
    "FMT-SECTIONS",
    "FMT-SUBSECTIONS",
    "FMT-GOV-EXTRA",
    "FMT-ROWS",
    "FMT-LABELS",
    "FMT-TITLE",
    "FMT-S5",
)


@pytest.mark.parametrize("unit", list(UnitKind))
def test_clean_report_passes_every_format_rule(unit: UnitKind) -> None:
    facts = make_facts(
        unit=unit,
        source=SourceFacts(title="某某区教育局2024年政府信息公开工作年度报告", headings=OFFICIAL_HEADINGS),
    )
    for rule_id in (*FORMAT_RULES, "FMT-LEN", "DEADLINE"):
        assert findings(facts, rule_id) == [], rule_id


def test_export_artifacts_in_headings_are_accepted() -> None:
    headings = ("## 一、总体情况", *(f"#### {h}" for h in OFFICIAL_HEADINGS[1:]))
    assert findings(make_facts(source=SourceFacts(headings=headings)), "FMT-SECTIONS") == []


def test_pre_2019_headings_are_an_error() -> None:
    headings = ("一、概述", "二、主动公开政府信息", "三、依申请公开政府信息", "四、收费及减免情况")
    (finding,) = findings(make_facts(source=SourceFacts(headings=headings)), "FMT-SECTIONS")
    assert finding.severity is Severity.ERROR
    assert "一、概述" in finding.message


def test_missing_subsection_warns() -> None:
    (finding,) = findings(changed(make_facts(), text__s1__platform="无"), "FMT-SUBSECTIONS")
    assert finding.severity is Severity.WARNING
    assert finding.keys == ("text.s1.platform",)
    assert "（四）政府信息公开平台建设" in finding.message


def test_government_answers_to_the_three_questions_pass_even_if_none() -> None:
    facts = make_facts(unit=UnitKind.GOVERNMENT)
    assert all(facts.text(key) == "无" for key, _ in GOV_EXTRAS)
    assert findings(changed(facts, text__s1__oversight="定期检查。"), "FMT-GOV-EXTRA") == []


def test_government_with_an_empty_answer_warns() -> None:
    facts = changed(make_facts(unit=UnitKind.GOVERNMENT), text__gov__social_review="")
    (finding,) = findings(facts, "FMT-GOV-EXTRA")
    assert finding.severity is Severity.WARNING
    assert finding.keys == ("text.gov.social_review",)
    assert "社会评议结果情况" in finding.message


def test_imported_government_report_without_the_words_warns() -> None:
    answers = {
        k: v for k, v in make_facts(unit=UnitKind.GOVERNMENT).answers.items() if not k.startswith("text.gov.")
    }
    facts = make_facts(answers, unit=UnitKind.GOVERNMENT, source=SourceFacts())
    facts = changed(facts, text__s1__oversight="将政务公开纳入绩效考核。今年无责任追究情况。")
    (finding,) = findings(facts, "FMT-GOV-EXTRA")
    assert finding.severity is Severity.WARNING
    assert finding.keys == ("text.s1.oversight",)
    assert "未找到：社会评议" in finding.message


def test_department_needs_no_government_extras() -> None:
    facts = changed(make_facts(), text__s1__oversight="定期检查。")
    assert findings(facts, "FMT-GOV-EXTRA") == []


def test_old_single_other_row_is_an_error() -> None:
    (finding,) = findings(make_facts(source=SourceFacts(old_other_row=True)), "FMT-ROWS")
    assert finding.severity is Severity.ERROR
    assert "t3.other_no_fee.total" in finding.keys
    assert "（六）其他处理" in finding.message


def test_a_table_row_the_document_left_out_is_an_error_pointing_at_its_cells() -> None:
    keys = ("t2.regulations.issued", "t2.regulations.abolished", "t2.regulations.in_force")
    (finding,) = findings(make_facts(source=SourceFacts(missing_rows={"规章": keys})), "FMT-ROWS")
    assert finding.severity is Severity.ERROR
    assert finding.keys == keys
    assert "表二缺少国家格式的「规章」行" in finding.message


def test_misspelt_row_label_warns() -> None:
    source = SourceFacts(row_labels={"deny_law_forbidden": "2.其他法律行政止公开"})
    (finding,) = findings(make_facts(source=source), "FMT-LABELS")
    assert finding.severity is Severity.WARNING
    assert finding.keys == ("t3.deny_law_forbidden.total",)
    assert "「2.其他法律行政止公开」" in finding.message


@pytest.mark.parametrize("label", ["2. 其他法律行政法规禁止公开", "(三) 不予公开2、其他法律行政法规禁止公开"])
def test_row_label_export_artifacts_are_not_typos(label: str) -> None:
    source = SourceFacts(row_labels={"t3.deny_law_forbidden": label})
    assert findings(make_facts(source=source), "FMT-LABELS") == []


@pytest.mark.parametrize(
    "title",
    [
        "平潭综合实验区2024年度政府信息公开工作年度报告",
        "# 孟津区科技和工业信息化局 2024 年政府信息公开 工作年度报告",
    ],
)
def test_title_variants_pass(title: str) -> None:
    assert findings(make_facts(source=SourceFacts(title=title)), "FMT-TITLE") == []


def test_title_without_the_standard_wording_warns() -> None:
    (finding,) = findings(make_facts(source=SourceFacts(title="2024年政务公开工作总结")), "FMT-TITLE")
    assert finding.severity is Severity.WARNING
    assert "「2024年政务公开工作总结」" in finding.message


@pytest.mark.parametrize(
    ("text", "lacking"),
    [
        ("下一步，我局将加强培训，一是完善制度。", "存在的主要问题"),
        ("我局政务公开工作仍存在不足。", "具体的改进措施"),
    ],
)
def test_section_five_without_problems_or_measures_warns(text: str, lacking: str) -> None:
    (finding,) = findings(changed(make_facts(), text__s5=text), "FMT-S5")
    assert finding.severity is Severity.WARNING
    assert finding.keys == ("text.s5",)
    assert lacking in finding.message


def test_empty_section_five_warns() -> None:
    (finding,) = findings(changed(make_facts(), text__s5="无。"), "FMT-S5")
    assert finding.keys == ("text.s5",)


def test_long_overall_section_is_info_only() -> None:
    (finding,) = findings(changed(make_facts(), text__s1__active="主动公开。" * 300), "FMT-LEN")
    assert finding.severity is Severity.INFO
    assert "text.s1.active" in finding.keys


@pytest.mark.parametrize(
    ("unit", "published", "late"),
    [
        (UnitKind.DEPARTMENT, date(2025, 1, 31), False),
        (UnitKind.DEPARTMENT, date(2025, 2, 1), True),
        (UnitKind.GOVERNMENT, date(2025, 3, 31), False),
        (UnitKind.GOVERNMENT, date(2025, 4, 1), True),
    ],
)
def test_imported_report_published_late_warns(unit: UnitKind, published: date, late: bool) -> None:
    found = findings(make_facts(unit=unit, source=SourceFacts(published=published)), "DEADLINE")
    assert bool(found) is late
    if late:
        assert found[0].severity is Severity.WARNING
        # 条例第四十九条: departments by 31 January, people's governments by 31 March.
        deadline = "2025年1月31日" if unit is UnitKind.DEPARTMENT else "2025年3月31日"
        shown = f"{published.year}年{published.month}月{published.day}日"
        assert f"报告于 {shown} 公布" in found[0].message
        assert f"法定公布期限 {deadline}" in found[0].message


def test_deadline_reminder_from_today() -> None:
    assert findings(make_facts(today=date(2025, 1, 5)), "DEADLINE") == []
    (soon,) = findings(make_facts(today=date(2025, 1, 25)), "DEADLINE")
    assert soon.severity is Severity.INFO
    assert "6 天" in soon.message
    (late,) = findings(make_facts(today=date(2025, 2, 3)), "DEADLINE")
    assert late.severity is Severity.WARNING
