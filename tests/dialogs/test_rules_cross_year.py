"""XY-CARRY per column, XY-STOCK, XY-DUP, XY-YEAR and XY-TEMPLATE."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dialogs.report_2021 import T3_COLUMNS, t3_key
from dialogs.rules import Severity, SourceFacts
from dialogs.rules_cross_year import similarity
from tests.helpers.rule_reports import YEAR, changed, clean_answers, findings, make_facts, with_answers

_PREVIOUS = {
    **{t3_key("carried_out", c.key): 0 for c in T3_COLUMNS},
    "t3.carried_out.natural_person": 1,
    "t3.carried_out.total": 1,
    "t2.normative_documents.in_force": 18,
    "t2.regulations.in_force": 0,
}


def test_matching_last_year_passes_every_cross_year_rule() -> None:
    facts = make_facts(previous=_PREVIOUS)
    for rule_id in ("XY-CARRY", "XY-STOCK", "XY-DUP", "XY-YEAR", "XY-TEMPLATE"):
        assert findings(facts, rule_id) == [], rule_id


def test_carry_over_is_checked_per_column() -> None:
    # The totals agree (1 = 1) but the columns do not: 自然人 0 vs 1, 商业企业 1 vs 0.
    previous = {**_PREVIOUS, "t3.carried_out.natural_person": 0, "t3.carried_out.commercial_enterprise": 1}
    found = findings(make_facts(previous=previous), "XY-CARRY")
    assert {f.keys for f in found} == {
        ("t3.carried_in.natural_person",),
        ("t3.carried_in.commercial_enterprise",),
    }
    assert all(f.severity is Severity.ERROR for f in found)


def test_stock_that_does_not_roll_forward_warns() -> None:
    # 平潭 2023 → 2024: 470 + 62 − 33 = 499, but 440 is reported.
    facts = changed(
        make_facts(previous={"t2.normative_documents.in_force": 470}),
        t2__normative_documents__issued=62,
        t2__normative_documents__abolished=33,
        t2__normative_documents__in_force=440,
        text__s1__management="加强规范性文件库建设。",
    )
    (finding,) = findings(facts, "XY-STOCK")
    assert finding.severity is Severity.WARNING
    assert finding.keys == ("t2.normative_documents.in_force",)
    assert "499" in finding.message
    assert "440" in finding.message


def test_regulation_stock_is_checked_too() -> None:
    facts = changed(make_facts(previous={"t2.regulations.in_force": 11}), t2__regulations__in_force=9)
    (finding,) = findings(facts, "XY-STOCK")
    assert finding.keys == ("t2.regulations.in_force",)


def test_copied_narrative_warns_with_the_percentage() -> None:
    last_year = clean_answers(YEAR - 1)
    (finding,) = findings(make_facts(previous=last_year), "XY-DUP")
    assert finding.severity is Severity.WARNING
    assert "%" in finding.message
    assert "text.s1.management" in finding.keys


def test_rewritten_narrative_passes() -> None:
    last_year = {
        "text.s1.active": "上一年度我们重点围绕营商环境、乡村振兴和重大项目建设发布权威信息。",
        "text.s5": "队伍建设薄弱，人员流动较快，下一步将建立传帮带机制。",
    }
    assert findings(make_facts(previous=last_year), "XY-DUP") == []


def test_similarity_of_unrelated_texts_is_low_and_of_copies_high() -> None:
    text = "严格落实信息发布三审三校制度，规范政府信息公开属性源头认定。"
    assert similarity(text, text.replace("2024", "2023")) == 1.0
    assert similarity(text, "开展政务新媒体专项检查，督促整改表述不规范问题。") < 0.5


@pytest.mark.parametrize(
    ("key", "text", "severity", "quoted"),
    [
        pytest.param(
            "text.preamble",
            "报告中所列数据统计期限自2023年1月1日起至2023年12月31日止。",
            Severity.ERROR,
            "2023年1月1日起至2023年12月31日止",
            id="statistics_period_of_last_year_is_an_error",
        ),
        pytest.param(
            "text.s1.active",
            "2023年，我局在门户网站主动公开政府信息120条。",
            Severity.ERROR,
            "「2023年，我局在门户网站主动公开政府信息120条」",
            id="paragraph_opening_with_last_year_is_an_error",
        ),
        pytest.param(
            "text.s5",
            "2023年，我局存在解读不足的问题。下一步将加强培训，一是完善制度。",
            Severity.WARNING,
            "「2023年，我局存在解读不足的问题」",
            id="last_year_opening_in_section_five_only_warns",
        ),
    ],
)
def test_last_years_date_in_a_narrative_is_flagged(
    key: str, text: str, severity: Severity, quoted: str
) -> None:
    (finding,) = findings(with_answers(make_facts(), {key: text}), "XY-YEAR")
    assert finding.severity is severity
    assert finding.keys == (key,)
    assert quoted in finding.message


def test_statistics_period_with_spaces_is_read() -> None:
    facts = changed(
        make_facts(), text__preamble="本报告所列数据统计期限为 2024 年 1 月 1 日至 2024 年 12 月 31 日。"
    )
    assert findings(facts, "XY-YEAR") == []


def test_title_year_of_last_year_is_an_error() -> None:
    source = SourceFacts(title="某某区教育局2023年政府信息公开工作年度报告")
    (finding,) = findings(make_facts(source=source), "XY-YEAR")
    assert finding.severity is Severity.ERROR
    assert "某某区教育局2023年政府信息公开工作年度报告" in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "与2023年相比，主动公开政府信息增加20条。",
        "本年主动公开政府信息120条，较2023年增长10%。",
        "2023年年报中指出的问题已全部整改。",
        "2025年，本机关将继续加强政策解读。",
        "（一）主动公开情况。2024年，我局主动公开政府信息120条。",
    ],
)
def test_legitimate_year_references_pass(text: str) -> None:
    assert findings(changed(make_facts(), text__s1__active=text), "XY-YEAR") == []


def test_typo_carried_over_from_last_years_file_warns() -> None:
    typo = {"deny_law_forbidden": "2.其他法律行政止公开"}
    facts = make_facts(
        source=SourceFacts(row_labels=typo, old_other_row=True),
        previous_source=SourceFacts(row_labels=typo, old_other_row=True),
    )
    found = findings(facts, "XY-TEMPLATE")
    assert len(found) == 2
    assert all(f.severity is Severity.WARNING for f in found)
    assert any(
        "2.其他法律行政止公开" in f.message and f.keys == ("t3.deny_law_forbidden.total",) for f in found
    )


def test_typo_fixed_this_year_passes() -> None:
    facts = make_facts(
        source=SourceFacts(),
        previous_source=SourceFacts(row_labels={"deny_law_forbidden": "2.其他法律行政止公开"}),
    )
    assert findings(facts, "XY-TEMPLATE") == []


def test_cross_year_rules_are_silent_without_last_year() -> None:
    facts = replace(with_answers(make_facts(), {"t2.normative_documents.in_force": 999}), previous=None)
    assert findings(facts, "XY-STOCK") == []
    assert findings(facts, "XY-DUP") == []
