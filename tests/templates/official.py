"""The official merged-cell layout of tables 二, 三 and 四 (DOMAIN.md §1.11), written out by hand.

Independent of templates/tables.py on purpose: the renderers are checked against this list,
not against themselves. Each merge is (row, column, rowspan, colspan) → its label (None where
the cell holds a number).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from dialogs.form import Value
from dialogs.report_2021 import T3_COLUMNS, T3_ROWS, T4_GROUPS, T4_RESULTS, T4_TOTAL, t3_key, t4_key
from dialogs.sentences import format_amount

Span = tuple[int, int, int, int]

SHAPES = {"t2": (14, 4), "t3": (28, 10), "t4": (4, 15)}

MERGES: dict[str, dict[Span, str | None]] = {
    "t2": {
        (0, 0, 1, 4): "第二十条第（一）项",
        (4, 0, 1, 4): "第二十条第（五）项",
        (5, 1, 1, 3): "本年处理决定数量",
        (6, 1, 1, 3): None,
        (7, 0, 1, 4): "第二十条第（六）项",
        (8, 1, 1, 3): "本年处理决定数量",
        (9, 1, 1, 3): None,
        (10, 1, 1, 3): None,
        (11, 0, 1, 4): "第二十条第（八）项",
        (12, 1, 1, 3): "本年收费金额（单位：万元）",
        (13, 1, 1, 3): None,
    },
    "t3": {
        (0, 0, 3, 3): "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        (0, 3, 1, 7): "申请人情况",
        (1, 3, 2, 1): "自然人",
        (1, 4, 1, 5): "法人或其他组织",
        (1, 9, 2, 1): "总计",
        (3, 0, 1, 3): "一、本年新收政府信息公开申请数量",
        (4, 0, 1, 3): "二、上年结转政府信息公开申请数量",
        (5, 0, 22, 1): "三、本年度办理结果",
        (5, 1, 1, 2): "（一）予以公开",
        (6, 1, 1, 2): "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        (7, 1, 8, 1): "（三）不予公开",
        (15, 1, 3, 1): "（四）无法提供",
        (18, 1, 5, 1): "（五）不予处理",
        (23, 1, 3, 1): "（六）其他处理",
        (26, 1, 1, 2): "（七）总计",
        (27, 0, 1, 3): "四、结转下年度继续办理",
    },
    "t4": {
        (0, 0, 1, 5): "行政复议",
        (0, 5, 1, 10): "行政诉讼",
        (1, 0, 2, 1): "结果维持",
        (1, 1, 2, 1): "结果纠正",
        (1, 2, 2, 1): "其他结果",
        (1, 3, 2, 1): "尚未审结",
        (1, 4, 2, 1): "总计",
        (1, 5, 1, 5): "未经复议直接起诉",
        (1, 10, 1, 5): "复议后起诉",
    },
}

T2_VALUES = {
    (2, 1): "t2.regulations.issued",
    (2, 2): "t2.regulations.abolished",
    (2, 3): "t2.regulations.in_force",
    (3, 1): "t2.normative_documents.issued",
    (3, 2): "t2.normative_documents.abolished",
    (3, 3): "t2.normative_documents.in_force",
    (6, 1): "t2.licensing.decisions",
    (9, 1): "t2.penalty.decisions",
    (10, 1): "t2.coercion.decisions",
    (13, 1): "t2.fees.amount",
}


def value_positions(table: str) -> dict[tuple[int, int], str]:
    """Where each answer key's number sits in the official grid."""
    if table == "t2":
        return dict(T2_VALUES)
    if table == "t3":
        return {
            (3 + i, 3 + j): t3_key(row.key, column.key)
            for i, row in enumerate(T3_ROWS)
            for j, column in enumerate(T3_COLUMNS)
        }
    results = (*T4_RESULTS, T4_TOTAL)
    return {
        (3, g * len(results) + j): t4_key(group.key, result.key)
        for g, group in enumerate(T4_GROUPS)
        for j, result in enumerate(results)
    }


def shown(value: Value) -> str:
    return format_amount(value) if not isinstance(value, str) else value


def merges_of(cells: Iterable[tuple[Span, str]]) -> dict[Span, str]:
    return {span: text for span, text in cells if span[2] > 1 or span[3] > 1}


def assert_layout(table: str, cells: Sequence[tuple[Span, str]]) -> None:
    """`cells` (span → text, one per rendered cell) tile the official grid with the official merges."""
    n_rows, n_columns = SHAPES[table]
    covered = [
        (r, c) for (row, col, rs, cs), _ in cells for r in range(row, row + rs) for c in range(col, col + cs)
    ]
    assert sorted(covered) == [(r, c) for r in range(n_rows) for c in range(n_columns)], table
    merges = merges_of(cells)
    assert set(merges) == set(MERGES[table]), table
    for span, label in MERGES[table].items():
        if label is not None:
            assert merges[span] == label, (table, span)


def assert_values(table: str, cells: Sequence[tuple[Span, str]], answers: Mapping[str, Value]) -> None:
    """Every number of `answers` sits in its official cell."""
    at = {(row, col): text for (row, col, _, _), text in cells}
    for position, key in value_positions(table).items():
        assert at[position] == (shown(answers[key]) if key in answers else ""), (table, key)


def grid_cells(rows: Sequence[Sequence[str]]) -> list[tuple[Span, str]]:
    """A plain-text grid as 1×1 cells (the text layout has no merges, only positions)."""
    return [((r, c, 1, 1), text) for r, row in enumerate(rows) for c, text in enumerate(row)]
