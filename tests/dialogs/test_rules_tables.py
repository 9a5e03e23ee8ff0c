"""FEE-UNIT, T3-FEE-LINK and AGG-REG: the table rules the arithmetic checks are blind to."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dialogs.form import UnitKind
from dialogs.rules import Severity
from tests.helpers.rule_reports import changed, findings, make_facts


def test_clean_report_has_no_table_findings() -> None:
    facts = make_facts()
    for rule_id in ("FEE-UNIT", "T3-FEE-LINK", "AGG-REG"):
        assert findings(facts, rule_id) == []


@pytest.mark.parametrize(
    "amount", [Decimal("24252.311082"), Decimal("5949.088667"), Decimal("4166.241619")], ids=str
)
def test_fee_amount_with_more_than_four_decimals_warns(amount: Decimal) -> None:
    (finding,) = findings(changed(make_facts(), t2__fees__amount=amount), "FEE-UNIT")
    assert finding.severity is Severity.WARNING
    assert finding.keys == ("t2.fees.amount",)
    assert "位小数" in finding.message
    assert str(amount) in finding.message


def test_fee_amount_with_four_decimals_passes() -> None:
    assert findings(changed(make_facts(), t2__fees__amount=Decimal("96171.6025")), "FEE-UNIT") == []


def test_department_fee_amount_that_looks_like_yuan_warns() -> None:
    (finding,) = findings(changed(make_facts(), t2__fees__amount=Decimal(2_500_000)), "FEE-UNIT")
    assert finding.severity is Severity.WARNING
    assert finding.keys == ("t2.fees.amount",)
    assert "万元而不是元" in finding.message


def test_city_fee_amount_in_wan_yuan_passes_for_a_government() -> None:
    facts = changed(make_facts(unit=UnitKind.GOVERNMENT), t2__fees__amount=Decimal("2500000"))
    assert findings(facts, "FEE-UNIT") == []


def test_fee_amount_equal_to_a_yuan_figure_in_section_six_warns() -> None:
    facts = changed(
        make_facts(),
        t2__fees__amount=Decimal(3940),
        s6__processing_fee=Decimal(0),
        text__s6="2024年，本机关未收取信息处理费；代收行政事业性收费3940元。",
    )
    (finding,) = findings(facts, "FEE-UNIT")
    assert finding.keys == ("t2.fees.amount",)
    assert "「3940元」" in finding.message


def test_processing_fee_with_fen_fractions_warns() -> None:
    (finding,) = findings(changed(make_facts(), s6__processing_fee=Decimal("12.345")), "FEE-UNIT")
    assert finding.keys == ("s6.processing_fee",)
    assert finding.severity is Severity.WARNING


def test_processing_fee_below_one_yuan_looks_like_wan_yuan() -> None:
    (finding,) = findings(changed(make_facts(), s6__processing_fee=Decimal("0.39")), "FEE-UNIT")
    assert finding.keys == ("s6.processing_fee",)
    assert "万元" in finding.message


def test_unpaid_fee_row_without_fee_statement_in_six_warns() -> None:
    facts = changed(make_facts(), text__s6="2024年，本机关未收取政府信息公开信息处理费。")
    (finding,) = findings(facts, "T3-FEE-LINK")
    assert finding.severity is Severity.WARNING
    assert finding.keys == ("t3.other_no_fee.total", "text.s6")
    assert "（六）其他处理" in finding.message
    assert "1 件" in finding.message


def test_unpaid_fee_row_with_collected_fee_passes() -> None:
    facts = changed(make_facts(), text__s6="2024年，本机关收取政府信息公开信息处理费3940元。")
    assert findings(facts, "T3-FEE-LINK") == []


def test_no_unpaid_fee_row_needs_no_notice_statement() -> None:
    facts = changed(
        make_facts(),
        t3__other_no_fee__natural_person=0,
        t3__other_no_fee__total=0,
        text__s6="2024年，本机关未收取政府信息公开信息处理费。",
    )
    assert findings(facts, "T3-FEE-LINK") == []


def test_department_with_regulations_warns() -> None:
    (finding,) = findings(changed(make_facts(), t2__regulations__issued=1), "AGG-REG")
    assert finding.severity is Severity.WARNING
    assert finding.keys == ("t2.regulations.issued",)
    assert "规章" in finding.message


def test_government_with_regulations_passes() -> None:
    facts = changed(make_facts(unit=UnitKind.GOVERNMENT), t2__regulations__issued=1)
    assert findings(facts, "AGG-REG") == []
