"""A complete, clean report to break one cell or sentence at a time (rule tests)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal

from dialogs.catalogue import rules_by_id
from dialogs.form import UnitKind, Value
from dialogs.report_2021 import GOV_EXTRAS, form_2021, t3_key, t4_key
from dialogs.rules import Finding, ReportFacts, SourceFacts, run_rules
from dialogs.sentences import fee_sentence, preamble_sentence, requests_paragraph

YEAR = 2024
AGENCY = "某某区教育局"
# The six part headings as the 2021 template prints them (what a clean imported report has).
OFFICIAL_HEADINGS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)

# Table 三 by row and column (columns not given are 0); balanced in every column.
_T3: dict[str, dict[str, int]] = {
    "new": {"natural_person": 10, "commercial_enterprise": 2},
    "carried_in": {"natural_person": 1},
    "granted": {"natural_person": 5, "commercial_enterprise": 1},
    "partial": {"natural_person": 2},
    "unable_not_held": {"natural_person": 2},
    "other_no_fee": {"natural_person": 1},
    "carried_out": {"natural_person": 1, "commercial_enterprise": 1},
}
_T4 = {("review", "upheld"): 1, ("review", "pending"): 1, ("litigation_direct", "corrected"): 1}


def fixed_texts(year: int) -> dict[str, str]:
    """Plausible narratives that quote no table figures (the generated ones are added apart)."""
    return {
        "text.overview": f"{year}年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政府信息公开工作。",
        "text.s1.active": f"{year}年，本机关在门户网站主动公开政府信息120条，发布政策解读8篇。",
        "text.s1.management": "严格落实信息发布“三审三校”制度，规范政府信息公开属性源头认定。",
        "text.s1.platform": "持续优化政府信息公开专栏，及时更新栏目内容，确保信息准确。",
        "text.s1.oversight": "将政务公开工作纳入年度考核，主动接受社会评议，全年未发生责任追究情况。",
        "text.s5": (
            "本年工作仍存在政策解读形式不够丰富、业务能力有待提升等问题。"
            "下一步，本机关将加强政策解读：一是丰富解读形式，二是定期开展业务培训。"
        ),
    }


def clean_answers(
    year: int = YEAR, *, agency: str = AGENCY, unit: UnitKind = UnitKind.DEPARTMENT
) -> dict[str, Value]:
    form = form_2021()
    answers: dict[str, Value] = {}
    for item in form.items_for(unit):
        for f in item.fields:
            if f.kind.value == "count":
                answers[f.key] = 0
    for row, columns in _T3.items():
        for column, value in columns.items():
            answers[t3_key(row, column)] = value
    for (group, result), value in _T4.items():
        answers[t4_key(group, result)] = value
    answers.update(
        {
            "t2.normative_documents.issued": 3,
            "t2.normative_documents.abolished": 1,
            "t2.normative_documents.in_force": 20,
            "t2.licensing.decisions": 100,
            "t2.penalty.decisions": 5,
            "t2.fees.amount": Decimal("12.35"),
            "s6.processing_fee": Decimal("200"),
        }
    )
    answers.update(form.compute_totals(answers))
    return with_generated_texts(answers, year, agency=agency, unit=unit)


def with_generated_texts(
    answers: Mapping[str, Value], year: int, *, agency: str = AGENCY, unit: UnitKind = UnitKind.DEPARTMENT
) -> dict[str, Value]:
    """The answers plus the fixed narratives and nianbao's generated sentences."""
    out: dict[str, Value] = {**answers, **fixed_texts(year)}
    requests = requests_paragraph(form_2021(), out, year)
    fee = fee_sentence(form_2021(), out, year)
    assert requests is not None
    assert fee is not None
    out["text.s1.requests"] = requests
    out["text.s6"] = fee
    out["text.preamble"] = preamble_sentence(agency, year)
    if unit is UnitKind.GOVERNMENT:
        out.update({key: "无" for key, _ in GOV_EXTRAS})
    return out


def make_facts(
    answers: Mapping[str, Value] | None = None,
    *,
    unit: UnitKind = UnitKind.DEPARTMENT,
    year: int = YEAR,
    previous: Mapping[str, Value] | None = None,
    source: SourceFacts | None = None,
    previous_source: SourceFacts | None = None,
    today: date | None = None,
) -> ReportFacts:
    return ReportFacts(
        form_2021(),
        unit,
        year,
        clean_answers(year, unit=unit) if answers is None else answers,
        previous,
        AGENCY,
        source,
        today,
        previous_source,
    )


def changed(facts: ReportFacts, **answers: Value) -> ReportFacts:
    """The facts with some answers replaced; keys use "__" for "." (t2__fees__amount)."""
    update = {key.replace("__", "."): value for key, value in answers.items()}
    return replace(facts, answers={**facts.answers, **update})


def with_answers(facts: ReportFacts, update: Mapping[str, Value]) -> ReportFacts:
    return replace(facts, answers={**facts.answers, **update})


def findings(facts: ReportFacts, rule_id: str) -> list[Finding]:
    """The findings of one rule of the catalogue."""
    return run_rules(facts, (rules_by_id()[rule_id],))
