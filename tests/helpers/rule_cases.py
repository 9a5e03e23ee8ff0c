"""One report per rule that a filled-in report can break, for the submission tests.

Each case starts from `clean_answers()` (a complete, balanced report whose narratives pass every
rule), changes a few answers (and, for cross-year rules, gives last year's answers), and names
the rule whose finding must then block (ERROR) or need confirmation (WARNING) at 提交.
Rules that only an imported document can break (FMT-ROWS, FMT-LABELS, FMT-SECTIONS, DEADLINE,
XY-TEMPLATE) are tested on the checker instead; totals are computed by the dialog, so T3-COL,
T3-SUM and T4-SUM are broken here through stored answers as an imported-then-returned report would.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from dialogs.form import Value
from dialogs.rules import Severity
from dialogs.sentences import preamble_sentence
from tests.helpers.rule_reports import AGENCY, YEAR, clean_answers


@dataclass(frozen=True)
class RuleCase:
    rule_id: str
    severity: Severity
    change: Mapping[str, Value]
    previous_change: Mapping[str, Value] | None = None
    """Last year's report: clean answers of YEAR-1 with these changes (None = no report last year)."""
    expect: tuple[str, ...] = field(default=())
    """Words of the Chinese message the person must see."""
    previous_texts: bool = False
    """Whether last year's report also has this year's narratives (for XY-DUP)."""

    def answers(self) -> dict[str, Value]:
        return {**clean_answers(YEAR), **self.change}

    def previous(self) -> dict[str, Value] | None:
        if self.previous_change is None:
            return None
        last = clean_answers(YEAR - 1)
        if not self.previous_texts:
            last = {k: v for k, v in last.items() if not k.startswith("text.")}
        else:
            last.update({k: v for k, v in clean_answers(YEAR).items() if k.startswith("text.")})
        # Last year's carry-out equals this year's carry-in unless a case says otherwise.
        last.update(
            {
                k.replace("carried_in", "carried_out"): v
                for k, v in self.answers().items()
                if ".carried_in." in k
            }
        )
        return {**last, **self.previous_change}


_NO_FEE_S6 = "本年度无其他需要报告的事项。"

RULE_CASES = (
    RuleCase(
        "T3-BAL",
        Severity.ERROR,
        {"t3.carried_out.natural_person": 3, "t3.carried_out.total": 4},
        expect=("不平衡",),
    ),
    RuleCase("T3-COL", Severity.ERROR, {"t3.granted.total": 9}, expect=("（一）予以公开", "总计为 9")),
    RuleCase(
        "T3-SUM", Severity.ERROR, {"t3.total_processed.natural_person": 99}, expect=("（七）总计为 99",)
    ),
    RuleCase("T4-SUM", Severity.ERROR, {"t4.review.total": 0}, expect=("行政复议", "总计为 0")),
    RuleCase(
        "XY-CARRY",
        Severity.ERROR,
        {},
        previous_change={"t3.carried_out.natural_person": 5},
        expect=("上年结转", "5"),
    ),
    RuleCase(
        "XY-YEAR",
        Severity.ERROR,
        {"text.preamble": preamble_sentence(AGENCY, YEAR - 1)},
        expect=(str(YEAR - 1),),
    ),
    RuleCase("TXT-FEE", Severity.ERROR, {"text.s6": _NO_FEE_S6}, expect=("信息处理费",)),
    RuleCase("FEE-UNIT", Severity.WARNING, {"t2.fees.amount": Decimal("12.345678")}, expect=("12.345678",)),
    RuleCase(
        "AGG-REG",
        Severity.WARNING,
        {"t2.regulations.issued": 1, "t2.regulations.in_force": 1},
        expect=("规章",),
    ),
    RuleCase(
        "XY-STOCK",
        Severity.WARNING,
        {},
        previous_change={"t2.normative_documents.in_force": 50},
        expect=("现行有效",),
    ),
    RuleCase("XY-DUP", Severity.WARNING, {}, previous_change={}, previous_texts=True, expect=("%",)),
    RuleCase(
        "TXT-APPS", Severity.WARNING, {"text.s1.requests": "本年共受理政府信息公开申请17件。"}, expect=("17",)
    ),
    RuleCase("TXT-DOCS", Severity.WARNING, {"text.s1.active": "本年制发行政规范性文件8件。"}, expect=("8",)),
    RuleCase("FMT-SUBSECTIONS", Severity.WARNING, {"text.s1.platform": "无"}, expect=("平台建设",)),
    RuleCase("FMT-S5", Severity.WARNING, {"text.s5": "无。"}, expect=("五",)),
)
