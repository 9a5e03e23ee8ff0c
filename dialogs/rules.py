"""Rules a report must satisfy: ids, severities, Chinese messages, and small pure checks.

A rule declares its id, severity, title and message templates once. Its check looks at
`ReportFacts` (the form, the unit, the year, the answers and, when known, last year's answers)
and yields `Hit`s: the cells it points at and the figures its message quotes. `Rule.run`
turns each hit into a `Finding` with the rule's severity and message, so no check restates
either. Severity ERROR blocks 提交; WARNING needs an explicit confirmation or explanation;
INFO is shown only. A rule whose cases differ in severity declares each case's message with
its severity. The catalogue is a tuple of rules; more rules are added by adding entries, not
by changing the engine. Tables, rows and keys come from the form in the facts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum

from dialogs.form import Form, Grid, UnitKind, Value, ValueKind


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
    missing_rows: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Rows of the form the document does not print (official label → the row's cell keys), such
    as a department's table 二 without its 规章 row; their cells are asked in the dialog."""
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
class Message:
    """A message template (str.format fields); `severity` only where a case differs from its rule's."""

    template: str
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """What a check found: the cells it points at, which message and the message's fields."""

    keys: tuple[str, ...] = ()
    case: str = ""
    fields: Mapping[str, object] = field(default_factory=dict)


def hit(*keys: str, case: str = "", **fields: object) -> Hit:
    return Hit(keys, case, fields)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    title: str
    check: Callable[[ReportFacts], Iterable[Hit]]
    messages: Mapping[str, str | Message]
    """Case → message template; the case "" is the rule's main message."""

    def __post_init__(self) -> None:
        if not self.messages:
            raise ValueError(f"rule {self.id} declares no message")

    def finding(self, found: Hit) -> Finding:
        declared = self.messages[found.case]
        message = declared if isinstance(declared, Message) else Message(declared)
        return Finding(
            self.id, message.severity or self.severity, message.template.format(**found.fields), found.keys
        )

    def run(self, facts: ReportFacts) -> Iterator[Finding]:
        for found in self.check(facts):
            yield self.finding(found)


def _sum_mismatch(facts: ReportFacts, total_key: str, part_keys: Iterable[str]) -> tuple[int, int] | None:
    """(stored total, sum of its parts) when both are known and differ; None otherwise."""
    parts = [facts.count(k) for k in part_keys]
    total = facts.count(total_key)
    if total is None or any(p is None for p in parts):
        return None
    expected = sum(p for p in parts if p is not None)
    return None if expected == total else (total, expected)


def _row_sums(facts: ReportFacts, grid: Grid) -> Iterable[tuple[str, str, tuple[int, int]]]:
    """(row label, total key, (total, sum)) for each row whose total is not the sum of its parts."""
    if not grid.total:
        return
    for row in grid.rows:
        key = grid.row_total(row.key)
        found = _sum_mismatch(facts, key, (grid.key(row.key, c.key) for c in grid.parts))
        if found:
            yield row.label, key, found


# --- table arithmetic ------------------------------------------------------------------
def _t3_balance(facts: ReportFacts) -> Iterable[Hit]:
    balance = facts.form.balance
    if balance is None:
        return
    grid = balance.grid
    for col in grid.columns:
        rows = (balance.new, balance.carried_in, balance.processed, balance.carried_out)
        values = [facts.count(grid.key(r, col.key)) for r in rows]
        if any(v is None for v in values):
            continue
        new, ci, tp, co = (v for v in values if v is not None)
        if new + ci != tp + co:
            yield hit(
                grid.key(balance.carried_out, col.key),
                column=col.label,
                new=new,
                carried_in=ci,
                left=new + ci,
                processed=tp,
                carried_out=co,
                right=tp + co,
            )


def _t3_results_sum(facts: ReportFacts) -> Iterable[Hit]:
    """Each column's processed total is the sum of the rows it is declared to sum."""
    balance = facts.form.balance
    if balance is None:
        return
    grid = balance.grid
    summed = _summed_rows(facts.form, grid, balance.processed)
    for col in grid.columns:
        key = grid.key(balance.processed, col.key)
        found = _sum_mismatch(facts, key, (grid.key(r, col.key) for r in summed))
        if found:
            yield hit(key, column=col.label, total=found[0], expected=found[1])


def _summed_rows(form: Form, grid: Grid, row: str) -> tuple[str, ...]:
    """The rows a computed row sums (read from its first column's declaration)."""
    prefix = f"{grid.id}."
    sums = form.field(grid.key(row, grid.parts[0].key)).sums
    return tuple(key.removeprefix(prefix).rsplit(".", 1)[0] for key in sums)


def _t3_row_totals(facts: ReportFacts) -> Iterable[Hit]:
    if facts.form.balance is None:
        return
    for label, key, found in _row_sums(facts, facts.form.balance.grid):
        yield hit(key, row=label, total=found[0], expected=found[1])


def _t4_sums(facts: ReportFacts) -> Iterable[Hit]:
    if facts.form.tables is None:
        return
    for label, key, found in _row_sums(facts, facts.form.appeals):
        yield hit(key, group=label, total=found[0], expected=found[1])


def _num_type(facts: ReportFacts) -> Iterable[Hit]:
    """Every number the report asks: the table cells, and for a report filled in nianbao the
    amounts of the narrative sections too (an imported report states 六's 信息处理费 in prose
    only, which TXT-FEE checks)."""
    sections = {i.section for i in facts.form.items if not i.is_narrative}
    if facts.source is not None:
        sections -= {i.section for i in facts.form.items if i.is_narrative}
    for item in facts.form.items_for(facts.unit):
        if item.section not in sections:
            continue
        for f in item.fields:
            value = facts.answers.get(f.key)
            if f.kind is ValueKind.COUNT:
                if value is None and not item.optional:
                    yield hit(f.key, case="missing", label=f.label)
                elif value is not None and (not isinstance(value, int) or value < 0):
                    yield hit(f.key, case="count", label=f.label, value=value)
            elif f.kind is ValueKind.AMOUNT:
                if value is None:
                    yield hit(f.key, case="missing", label=f.label)
                elif not isinstance(value, Decimal | int) or value < 0:
                    yield hit(f.key, case="amount", label=f.label, value=value)


def _xy_carry(facts: ReportFacts) -> Iterable[Hit]:
    if facts.previous is None:
        return
    for key, before_key in facts.form.carry_over.items():
        now = facts.count(key)
        before = facts.previous.get(before_key)
        if now is None or not isinstance(before, int):
            continue
        if now != before:
            yield hit(key, column=_column_label(facts.form, key), now=now, before=before)


def _column_label(form: Form, key: str) -> str:
    grid = form.requests if form.balance is None else form.balance.grid
    return grid.column(key.rsplit(".", 1)[-1]).label


CORE_RULES: tuple[Rule, ...] = (
    Rule(
        "NUM-TYPE",
        Severity.ERROR,
        "数字齐全且为非负数",
        _num_type,
        {
            "missing": "「{label}」未填写（没有请填 0）。",
            "count": "「{label}」应为非负整数，现为「{value}」。",
            "amount": "「{label}」应为非负数，现为「{value}」。",
        },
    ),
    Rule(
        "T3-COL",
        Severity.ERROR,
        "表三每行总计等于各类申请人之和",
        _t3_row_totals,
        {"": "表三「{row}」行：总计为 {total}，但各类申请人之和为 {expected}。"},
    ),
    Rule(
        "T3-SUM",
        Severity.ERROR,
        "表三（七）总计等于各项办理结果之和",
        _t3_results_sum,
        {"": "表三「{column}」列：（七）总计为 {total}，但（一）至（六）各项之和为 {expected}。"},
    ),
    Rule(
        "T3-BAL",
        Severity.ERROR,
        "表三勾稽关系：一 + 二 = 三（七）+ 四",
        _t3_balance,
        {
            "": "表三「{column}」列不平衡：本年新收 {new} + 上年结转 {carried_in} = {left}，"
            "办理结果总计 {processed} + 结转下年度 {carried_out} = {right}。"
        },
    ),
    Rule(
        "T4-SUM",
        Severity.ERROR,
        "表四各组总计等于四项之和",
        _t4_sums,
        {"": "表四「{group}」：总计为 {total}，但结果维持、结果纠正、其他结果、尚未审结之和为 {expected}。"},
    ),
    Rule(
        "XY-CARRY",
        Severity.ERROR,
        "上年结转等于去年的结转下年度",
        _xy_carry,
        {"": "表三「{column}」列：本年「上年结转」为 {now}，但去年报告的「结转下年度继续办理」为 {before}。"},
    ),
)


def run_rules(facts: ReportFacts, rules: Iterable[Rule] = CORE_RULES) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        findings.extend(rule.run(facts))
    return findings
