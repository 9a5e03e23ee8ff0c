"""Hypothesis strategies for valid reports: random balanced tables with generated narratives."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from dialogs.form import UnitKind, Value
from dialogs.report_2021 import (
    T2_DOC_COLUMNS,
    T3_APPLICANT_COLUMNS,
    T3_RESULT_ROWS,
    T4_GROUPS,
    T4_RESULTS,
    form_2021,
    t3_key,
    t4_key,
)
from tests.helpers.rule_reports import with_generated_texts

_COUNTS = st.one_of(st.just(0), st.integers(0, 3), st.integers(0, 400))


@st.composite
def valid_reports(draw: st.DrawFn) -> tuple[UnitKind, int, dict[str, Value]]:
    """(unit, year, answers): every identity of the format holds; narratives are generated."""
    unit = draw(st.sampled_from(list(UnitKind)))
    year = draw(st.integers(2021, 2030))
    answers: dict[str, Value] = {}
    for column in T3_APPLICANT_COLUMNS:
        processed = 0
        for row in T3_RESULT_ROWS:
            value = draw(_COUNTS)
            answers[t3_key(row.key, column.key)] = value
            processed += value
        carried_out = draw(_COUNTS)
        carried_in = draw(st.integers(0, processed + carried_out))
        answers[t3_key("carried_in", column.key)] = carried_in
        answers[t3_key("carried_out", column.key)] = carried_out
        answers[t3_key("new", column.key)] = processed + carried_out - carried_in
    for group in T4_GROUPS:
        for result in T4_RESULTS:
            answers[t4_key(group.key, result.key)] = draw(_COUNTS)
    for doc_row in ("regulations", "normative_documents"):
        for doc_column in T2_DOC_COLUMNS:
            # Only governments make 规章 (a department's 规章 row is 0/0/0, rule AGG-REG).
            department_regulation = unit is UnitKind.DEPARTMENT and doc_row == "regulations"
            answers[f"t2.{doc_row}.{doc_column.key}"] = 0 if department_regulation else draw(_COUNTS)
    for key in ("t2.licensing.decisions", "t2.penalty.decisions", "t2.coercion.decisions"):
        answers[key] = draw(_COUNTS)
    answers["t2.fees.amount"] = draw(
        st.decimals(min_value=0, max_value=99999, places=draw(st.integers(0, 4)), allow_nan=False)
    )
    fee = draw(st.one_of(st.just(Decimal(0)), st.decimals(min_value=1, max_value=20000, places=2)))
    answers["s6.processing_fee"] = fee
    answers.update(form_2021().compute_totals(answers))
    return unit, year, with_generated_texts(answers, year, unit=unit)
