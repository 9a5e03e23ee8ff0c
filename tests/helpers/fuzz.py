"""What fuzzing sends (any text, commands, numbers, buttons) and what must hold after each step."""

from __future__ import annotations

import re
from collections.abc import Mapping

from hypothesis import strategies as st

from dialogs.form import Form, UnitKind, Value
from dialogs.rules import CORE_RULES, ReportFacts, Severity, run_rules

CJK = re.compile(r"[\u4e00-\u9fff]")
ARITHMETIC = frozenset({"T3-SUM", "T3-COL", "T4-SUM"})
COMMANDS = ["帮助", "上一步", "跳过", "目录", "预览", "提交", "确认", "完成", "无", "标题", "是", "否", "0"]

numbers = st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=7).map(
    lambda ns: " ".join(map(str, ns))
)
odd_numbers = st.sampled_from(
    ["-3 0 0", "2.5", "三十二", "１ ０ ３", "1,000", "0.12345 万元", "无", "—", "9" * 40]
)
commands = st.one_of(
    st.sampled_from(COMMANDS),
    st.integers(min_value=-2, max_value=60).map(lambda n: f"修改 {n}"),
    st.integers(min_value=-2, max_value=60).map(lambda n: f"目录 {n}"),
    st.text(max_size=12).map(lambda t: f"标题 {t}"),
)
any_text = st.one_of(numbers, numbers, numbers, odd_numbers, commands, st.text(max_size=60))


def broken_tables(form: Form, answers: Mapping[str, Value], unit: UnitKind, year: int) -> list[str]:
    """Every stored total that is not the sum of its stored parts, and every arithmetic finding."""
    wrong = [
        f"{key}={answers.get(key)} (parts give {total})"
        for key, total in form.compute_totals(answers).items()
        if key in answers and answers[key] != total
    ]
    return wrong + [m for rule, m in _errors(form, answers, unit, year) if rule in ARITHMETIC]


def unbalanced_columns(form: Form, answers: Mapping[str, Value], unit: UnitKind, year: int) -> list[str]:
    """Table 三's balance (一 + 二 = 三（七） + 四) where all four cells of a column are stored."""
    return [m for rule, m in _errors(form, answers, unit, year) if rule == "T3-BAL"]


def _errors(form: Form, answers: Mapping[str, Value], unit: UnitKind, year: int) -> list[tuple[str, str]]:
    facts = ReportFacts(form, unit, year, answers, None, "某某区行政审批局")
    return [(f.rule_id, f.message) for f in run_rules(facts, CORE_RULES) if f.severity is Severity.ERROR]
