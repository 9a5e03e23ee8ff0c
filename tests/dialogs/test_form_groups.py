"""Row groups come from the declaration: a row counts in its declared group, whatever its key."""

from __future__ import annotations

from dataclasses import replace

from dialogs.form import Form, RowGroup, UnitKind
from dialogs.report_2021 import form_2021
from dialogs.rules import ReportFacts
from dialogs.rules_text import TEXT_RULES
from dialogs.sentences import applications_sentence
from tests.helpers.rule_reports import YEAR, clean_answers


def _regrouped() -> Form:
    """The 2021 form with 本机关不掌握 declared under 不予公开 (its key keeps the unable_ prefix)."""
    form = form_2021()
    assert form.tables is not None
    outcomes = tuple(
        RowGroup(g.name, (*g.rows, "unable_not_held"))
        if g.name == "不予公开"
        else RowGroup(g.name, tuple(r for r in g.rows if r != "unable_not_held"))
        for g in form.tables.outcomes
    )
    return replace(form, tables=replace(form.tables, outcomes=outcomes))


def test_the_generated_sentence_counts_a_row_in_its_declared_group() -> None:
    answers = clean_answers()
    assert "无法提供2件" in (applications_sentence(form_2021(), answers, YEAR) or "")
    form = _regrouped()
    sentence = applications_sentence(form, answers, YEAR) or ""
    assert "不予公开2件" in sentence
    assert "无法提供" not in sentence


def test_the_text_rule_sums_the_declared_group() -> None:
    form = _regrouped()
    answers = {**clean_answers(), "text.s1.requests": "本年度不予公开2件。"}
    facts = ReportFacts(form, UnitKind.DEPARTMENT, YEAR, answers)
    found = [f for rule in TEXT_RULES for f in rule.run(facts)]
    assert not [f for f in found if f.rule_id == "TXT-APPS"]
    facts = ReportFacts(form_2021(), UnitKind.DEPARTMENT, YEAR, answers)
    found = [f for rule in TEXT_RULES for f in rule.run(facts)]
    assert [f.message for f in found if f.rule_id == "TXT-APPS"] == [
        "一（二）依申请公开「本年度不予公开2件」写不予公开 2 件，但表三总计列「不予公开」为 0。"
    ]
