"""The government's 汇总 draft: cell-wise sums of the submitted units, who is in and who is missing."""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.aggregate import UnitTables, district_draft, regulation_keys
from dialogs.form import Form, UnitKind, Value, ValueKind
from dialogs.report_2021 import form_2021
from dialogs.rules import CORE_RULES, Finding, ReportFacts, Severity, run_rules
from dialogs.rules_tables import TABLE_RULES
from tests.helpers.district_units import balanced_answers, district_units

FORM = form_2021()
TABLE_RULE_SET = (*CORE_RULES, *TABLE_RULES)
YEAR = 2025


def _numeric_keys(form: Form) -> list[str]:
    return [f.key for f in form.all_fields() if f.kind is not ValueKind.TEXT]


def _errors(
    unit: UnitKind, answers: dict[str, Value], previous: dict[str, Value] | None = None
) -> list[Finding]:
    facts = ReportFacts(FORM, unit, YEAR, answers, previous=previous)
    return [f for f in run_rules(facts, TABLE_RULE_SET) if f.severity is Severity.ERROR]


def test_every_cell_is_the_sum_over_the_submitted_units() -> None:
    units = district_units(FORM, 7, seed=12)
    draft = district_draft(FORM, [u.agency for u in units], units)
    regulations = set(regulation_keys(FORM))
    for key in _numeric_keys(FORM):
        counted = [u for u in units if key not in regulations or u.kind is UnitKind.GOVERNMENT]
        expected = sum((Decimal(u.answers[key]) for u in counted), Decimal(0))
        assert Decimal(draft.answers[key]) == expected, key
    assert any(draft.answers[key] != 0 for key in _numeric_keys(FORM))


def test_counts_stay_integers_and_amounts_stay_decimals() -> None:
    units = district_units(FORM, 4, seed=3)
    draft = district_draft(FORM, [], units)
    for key in _numeric_keys(FORM):
        expected_type = Decimal if FORM.field(key).kind is ValueKind.AMOUNT else int
        assert type(draft.answers[key]) is expected_type, key


def test_a_departments_regulations_are_not_added_in() -> None:
    rng = random.Random(5)
    department = UnitTables(
        "某区教育局", UnitKind.DEPARTMENT, balanced_answers(FORM, UnitKind.DEPARTMENT, rng)
    )
    government = UnitTables(
        "某镇人民政府", UnitKind.GOVERNMENT, balanced_answers(FORM, UnitKind.GOVERNMENT, rng)
    )
    keys = regulation_keys(FORM)
    typed = dict(department.answers) | {key: 7 + n for n, key in enumerate(keys)}
    draft = district_draft(FORM, [], [replace(department, answers=typed), government])
    assert [draft.answers[key] for key in keys] == [government.answers[key] for key in keys]
    assert FORM.tables is not None
    other_row = next(r for r in FORM.documents.rows if r.key != FORM.tables.regulations)
    normative = FORM.documents.key(other_row.key, FORM.documents.columns[0].key)
    assert draft.answers[normative] == int(typed[normative]) + int(government.answers[normative])


def test_departments_only_give_regulations_of_zero_not_blank() -> None:
    units = [u for u in district_units(FORM, 5, seed=9) if u.kind is UnitKind.DEPARTMENT]
    draft = district_draft(FORM, [], units)
    assert [draft.answers[key] for key in regulation_keys(FORM)] == [0] * len(regulation_keys(FORM))


def test_a_cell_no_unit_answered_stays_absent() -> None:
    units = district_units(FORM, 3, seed=4)
    fee = FORM.fee_keys.amount
    draft = district_draft(
        FORM, [], [replace(u, answers={k: v for k, v in u.answers.items() if k != fee}) for u in units]
    )
    assert fee not in draft.answers
    partial = [replace(units[0], answers={k: v for k, v in units[0].answers.items() if k != fee}), *units[1:]]
    assert district_draft(FORM, [], partial).answers[fee] == sum(Decimal(u.answers[fee]) for u in units[1:])


def test_narratives_are_not_in_the_draft() -> None:
    units = district_units(FORM, 2, seed=8)
    overview = FORM.texts.overview
    with_text = [replace(u, answers={**u.answers, overview: f"{u.agency}的概述"}) for u in units]
    assert overview not in district_draft(FORM, [], with_text).answers


def test_missing_lists_the_invited_units_without_a_submission_in_invite_order() -> None:
    units = district_units(FORM, 6, seed=1)
    invited = [u.agency for u in reversed(units)] + ["某区档案馆"]
    submitted = [units[4], units[1], units[2]]
    draft = district_draft(FORM, invited, submitted)
    assert draft.included == (units[4].agency, units[1].agency, units[2].agency)
    assert draft.missing == (units[5].agency, units[3].agency, units[0].agency, "某区档案馆")


def test_a_submitted_unit_missing_from_the_invite_list_is_still_summed() -> None:
    units = district_units(FORM, 2, seed=2)
    draft = district_draft(FORM, [units[0].agency], units)
    assert draft.included == (units[0].agency, units[1].agency)
    assert draft.missing == ()
    key = FORM.requests.row_total(FORM.requests.rows[0].key)
    assert draft.answers[key] == int(units[0].answers[key]) + int(units[1].answers[key])


def test_nobody_submitted_gives_every_invited_unit_as_missing() -> None:
    draft = district_draft(FORM, ["甲局", "乙镇人民政府", "甲局"], [])
    assert draft.answers == {}
    assert draft.included == ()
    assert draft.missing == ("甲局", "乙镇人民政府")


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 8))
def test_the_aggregate_of_units_that_pass_the_table_rules_passes_them_too(seed: int, count: int) -> None:
    last_year = district_units(FORM, count, seed=seed)
    units = district_units(FORM, count, seed=seed + 1, last_year=last_year)
    for unit, before in zip(units, last_year, strict=True):
        assert _errors(unit.kind, dict(unit.answers), dict(before.answers)) == []
    names = [u.agency for u in units]
    previous = district_draft(FORM, names, last_year).answers
    draft = district_draft(FORM, names, units)
    assert _errors(UnitKind.GOVERNMENT, draft.answers, previous) == []


def test_a_unit_out_of_balance_makes_the_aggregate_fail_the_balance_rule() -> None:
    """The property above is not vacuous: a broken unit shows in the sums."""
    units = district_units(FORM, 4, seed=6)
    balance = FORM.balance
    assert balance is not None
    column = balance.grid.parts[0].key
    broken = dict(units[0].answers)
    carried_out = balance.grid.key(balance.carried_out, column)
    broken[carried_out] = int(broken[carried_out]) + 1
    broken.update(FORM.compute_totals(broken))
    draft = district_draft(FORM, [], [replace(units[0], answers=broken), *units[1:]])
    assert {f.rule_id for f in _errors(UnitKind.GOVERNMENT, draft.answers)} == {"T3-BAL"}
