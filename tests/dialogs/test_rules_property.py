"""Property: nianbao's generated sentences never trip a rule, whatever the (valid) numbers."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings

from dialogs.catalogue import ALL_RULES
from dialogs.form import UnitKind, Value
from dialogs.rules import Severity, run_rules
from tests.helpers.random_reports import valid_reports
from tests.helpers.rule_reports import make_facts

TEXT_RULES = {"TXT-APPS", "TXT-RL", "TXT-DOCS", "TXT-ZERO", "TXT-FEE", "T3-FEE-LINK", "XY-YEAR"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_reports())
def test_valid_tables_with_generated_sentences_raise_no_error_or_warning(
    report: tuple[UnitKind, int, dict[str, Value]],
) -> None:
    unit, year, answers = report
    fees, processing = answers["t2.fees.amount"], answers["s6.processing_fee"]
    # The same nonzero figure in the 万元 cell and the 元 fee is itself a warning (FEE-UNIT).
    assume(not (isinstance(fees, Decimal) and fees != 0 and fees == processing))
    facts = make_facts(answers, unit=unit, year=year)
    findings = run_rules(facts, ALL_RULES)
    blocking = [f for f in findings if f.severity is not Severity.INFO]
    assert blocking == []
    assert not [f for f in findings if f.rule_id in TEXT_RULES]
