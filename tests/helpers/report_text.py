"""Assertions on a rendered plain-text report: every table number and every paragraph is there."""

from __future__ import annotations

from collections.abc import Mapping

from dialogs.form import Value
from dialogs.report_2021 import (
    T2_DOC_COLUMNS,
    T2_DOC_ROWS,
    T3_COLUMNS,
    T3_ROWS,
    T4_GROUPS,
    T4_RESULTS,
    T4_TOTAL,
    t3_key,
    t4_key,
)
from dialogs.sentences import format_amount


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("\t") if c.strip()]


def _line_with(lines: list[str], label: str) -> list[str]:
    for line in lines:
        cells = _cells(line)
        if label in cells:
            return cells
    raise AssertionError(f"no table line with the label {label!r}")


def _show(value: Value | None) -> str:
    assert value is not None
    return value if isinstance(value, str) else format_amount(value)


def assert_tables_in_text(text: str, answers: Mapping[str, Value]) -> None:
    lines = text.splitlines()
    for row in T2_DOC_ROWS:
        expected = [_show(answers[f"t2.{row.key}.{c.key}"]) for c in T2_DOC_COLUMNS]
        assert _line_with(lines, row.label)[-3:] == expected, row.label
    for key, label in (("licensing", "行政许可"), ("penalty", "行政处罚"), ("coercion", "行政强制")):
        assert _line_with(lines, label)[-1] == _show(answers[f"t2.{key}.decisions"]), label
    assert _line_with(lines, "行政事业性收费")[-1] == _show(answers["t2.fees.amount"])
    for row in T3_ROWS:
        expected = [_show(answers[t3_key(row.key, c.key)]) for c in T3_COLUMNS]
        assert _line_with(lines, row.label)[-7:] == expected, row.label
    t4 = [_show(answers[t4_key(g.key, r.key)]) for g in T4_GROUPS for r in (*T4_RESULTS, T4_TOTAL)]
    assert any(_cells(line) == t4 for line in lines), "table 四's line of 15 numbers"


def assert_paragraphs_in_text(text: str, narratives: Mapping[str, Value]) -> None:
    for key, value in narratives.items():
        assert isinstance(value, str)
        for paragraph in value.split("\n"):
            if paragraph.strip():
                assert paragraph.strip() in text, f"{key}: {paragraph[:40]}"
