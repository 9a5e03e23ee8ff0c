"""Rules a report must satisfy: ids, severities, Chinese messages, and small pure checks.

A rule looks at `ReportFacts` (the form, the unit, the year, the answers and, when known,
last year's answers) and yields `Finding`s. Severity ERROR blocks 提交; WARNING needs an
explicit confirmation or explanation; INFO is shown only. The catalogue is a tuple of rules;
more rules are added by adding entries, not by changing the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum

from dialogs.form import Form, UnitKind, Value, ValueKind
from dialogs.report_2021 import (
    T3_APPLICANT_COLUMNS,
    T3_COLUMNS,
    T3_RESULT_ROWS,
    T3_ROWS,
    T4_GROUPS,
    T4_RESULTS,
    t3_key,
    t4_key,
)


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY_LABELS = {Severity.ERROR: "错误", Severity.WARNING: "提示", Severity.INFO: "信息"}


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    severity: Severity
    message: str
    keys: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        """A stable reference for confirmations: the rule and the cells it points at."""
        return f"{self.rule_id}:{','.join(self.keys)}" if self.keys else self.rule_id


@dataclass(frozen=True, slots=True)
class SourceFacts:
    """What an imported document showed beyond its numbers (read by the format rules)."""

    title: str = ""
    headings: tuple[str, ...] = ()
    """Top-level headings (一、… 六、) as printed, in order."""
    row_labels: Mapping[str, str] = field(default_factory=dict)
    """Table-三 row key → the label as printed, for rows whose label differs from the official one."""
    old_other_row: bool = False
    """The 2019 trial format's single （六）其他处理 row instead of the three 2021 rows."""
    published: date | None = None


@dataclass(frozen=True, slots=True)
class ReportFacts:
    form: Form
    unit: UnitKind
    year: int
    answers: Mapping[str, Value]
    previous: Mapping[str, Value] | None = None
    agency: str = ""
    source: SourceFacts | None = None
    """Set for imported reports; None for reports filled in nianbao."""
    today: date | None = None
    """The caller's date (Asia/Shanghai), for the publication-deadline reminder; rules never read the clock."""
    previous_source: SourceFacts | None = None
    """What last year's imported document showed (for typos and old rows carried over)."""

    def count(self, key: str) -> int | None:
        value = self.answers.get(key)
        return value if isinstance(value, int) else None

    def text(self, key: str) -> str:
        value = self.answers.get(key)
        return value if isinstance(value, str) else ""

    def amount(self, key: str) -> Decimal | None:
        """A 万元/元 amount (an int is accepted as a whole amount)."""
        value = self.answers.get(key)
        if isinstance(value, Decimal):
            return value
        return Decimal(value) if isinstance(value, int) else None

    def previous_count(self, key: str) -> int | None:
        value = None if self.previous is None else self.previous.get(key)
        return value if isinstance(value, int) else None


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    title: str
    check: Callable[[ReportFacts], Iterable[Finding]]


def column_label(column: str) -> str:
    return next(c.label for c in T3_COLUMNS if c.key == column)


def balance_expected(answers: Mapping[str, Value], column: str) -> int | None:
    """一 + 二 − （七） for one column of table 三, or None while a part is missing."""
    parts = [answers.get(t3_key(r, column)) for r in ("new", "carried_in", "total_processed")]
    if not all(isinstance(p, int) for p in parts):
        return None
    new, carried_in, processed = (p for p in parts if isinstance(p, int))
    return new + carried_in - processed


# --- table arithmetic ------------------------------------------------------------------
def _t3_balance(facts: ReportFacts) -> Iterable[Finding]:
    for col in T3_COLUMNS:
        values = [
            facts.count(t3_key(r, col.key)) for r in ("new", "carried_in", "total_processed", "carried_out")
        ]
        if any(v is None for v in values):
            continue
        new, ci, tp, co = (v for v in values if v is not None)
        if new + ci != tp + co:
            yield Finding(
                "T3-BAL",
                Severity.ERROR,
                f"表三「{col.label}」列不平衡：本年新收 {new} + 上年结转 {ci} = {new + ci}，"
                f"办理结果总计 {tp} + 结转下年度 {co} = {tp + co}。",
                (t3_key("carried_out", col.key),),
            )


def _sum_mismatch(facts: ReportFacts, total_key: str, part_keys: Iterable[str]) -> tuple[int, int] | None:
    """(stored total, sum of its parts) when both are known and differ; None otherwise."""
    parts = [facts.count(k) for k in part_keys]
    total = facts.count(total_key)
    if total is None or any(p is None for p in parts):
        return None
    expected = sum(p for p in parts if p is not None)
    return None if expected == total else (total, expected)


def _t3_results_sum(facts: ReportFacts) -> Iterable[Finding]:
    for col in T3_COLUMNS:
        key = t3_key("total_processed", col.key)
        found = _sum_mismatch(facts, key, (t3_key(r.key, col.key) for r in T3_RESULT_ROWS))
        if found:
            message = (
                f"表三「{col.label}」列：（七）总计为 {found[0]}，但（一）至（六）各项之和为 {found[1]}。"
            )
            yield Finding("T3-SUM", Severity.ERROR, message, (key,))


def _t3_row_totals(facts: ReportFacts) -> Iterable[Finding]:
    for row in T3_ROWS:
        key = t3_key(row.key, "total")
        found = _sum_mismatch(facts, key, (t3_key(row.key, c.key) for c in T3_APPLICANT_COLUMNS))
        if found:
            message = f"表三「{row.label}」行：总计为 {found[0]}，但各类申请人之和为 {found[1]}。"
            yield Finding("T3-COL", Severity.ERROR, message, (key,))


def _t4_sums(facts: ReportFacts) -> Iterable[Finding]:
    for group in T4_GROUPS:
        key = t4_key(group.key, "total")
        found = _sum_mismatch(facts, key, (t4_key(group.key, r.key) for r in T4_RESULTS))
        if found:
            message = (
                f"表四「{group.label}」：总计为 {found[0]}，"
                f"但结果维持、结果纠正、其他结果、尚未审结之和为 {found[1]}。"
            )
            yield Finding("T4-SUM", Severity.ERROR, message, (key,))


def _num_type(facts: ReportFacts) -> Iterable[Finding]:
    """Every number the report asks: the table cells, and for a report filled in nianbao the
    信息处理费 of 六 (an imported report states it in prose only, which TXT-FEE checks)."""
    sections = ("s2", "s3", "s4") if facts.source is not None else ("s2", "s3", "s4", "s6")
    for item in facts.form.items_for(facts.unit):
        if item.section not in sections:
            continue
        for f in item.fields:
            value = facts.answers.get(f.key)
            if f.kind is ValueKind.COUNT:
                if value is None and not item.optional:
                    yield Finding(
                        "NUM-TYPE", Severity.ERROR, f"「{f.label}」未填写（没有请填 0）。", (f.key,)
                    )
                elif value is not None and (not isinstance(value, int) or value < 0):
                    yield Finding(
                        "NUM-TYPE", Severity.ERROR, f"「{f.label}」应为非负整数，现为「{value}」。", (f.key,)
                    )
            elif f.kind is ValueKind.AMOUNT:
                if value is None:
                    yield Finding(
                        "NUM-TYPE", Severity.ERROR, f"「{f.label}」未填写（没有请填 0）。", (f.key,)
                    )
                elif not isinstance(value, Decimal | int) or value < 0:
                    yield Finding(
                        "NUM-TYPE", Severity.ERROR, f"「{f.label}」应为非负数，现为「{value}」。", (f.key,)
                    )


def _xy_carry(facts: ReportFacts) -> Iterable[Finding]:
    if facts.previous is None:
        return
    for col in T3_COLUMNS:
        now = facts.count(t3_key("carried_in", col.key))
        before = facts.previous.get(t3_key("carried_out", col.key))
        if now is None or not isinstance(before, int):
            continue
        if now != before:
            yield Finding(
                "XY-CARRY",
                Severity.ERROR,
                f"表三「{col.label}」列：本年「上年结转」为 {now}，但去年报告的「结转下年度继续办理」为 {before}。",
                (t3_key("carried_in", col.key),),
            )


CORE_RULES: tuple[Rule, ...] = (
    Rule("NUM-TYPE", Severity.ERROR, "数字齐全且为非负数", _num_type),
    Rule("T3-COL", Severity.ERROR, "表三每行总计等于各类申请人之和", _t3_row_totals),
    Rule("T3-SUM", Severity.ERROR, "表三（七）总计等于各项办理结果之和", _t3_results_sum),
    Rule("T3-BAL", Severity.ERROR, "表三勾稽关系：一 + 二 = 三（七）+ 四", _t3_balance),
    Rule("T4-SUM", Severity.ERROR, "表四各组总计等于四项之和", _t4_sums),
    Rule("XY-CARRY", Severity.ERROR, "上年结转等于去年的结转下年度", _xy_carry),
)


def run_rules(facts: ReportFacts, rules: Iterable[Rule] = CORE_RULES) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        findings.extend(rule.check(facts))
    return findings
