"""The catalogue against the real reports: their `checks` say which rules must fail.

JSON rule names map to catalogue ids below. TEXT_VS_TABLE covers TXT-APPS, TXT-RL and TXT-DOCS;
FORMAT_ROW_LABELS is FMT-ROWS (the 2019 （六） row) plus FMT-LABELS (the typo). A JSON "INFO"
result (淮安's 政策性文件 ≠ 行政规范性文件) must not become a warning.

Findings the JSON checks do not cover are listed in EXTRA with the reason; none is an ERROR.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs.catalogue import ALL_RULES
from dialogs.rules import Finding, Severity, run_rules
from tests.helpers.fixtures import REAL_REPORTS, SEEDS, load_json
from tests.helpers.real_facts import real_facts
from tests.helpers.seed_facts import seed_facts

CHECK_RULES: dict[str, tuple[str, ...]] = {
    "T3_BALANCE": ("T3-BAL",),
    "T3_RESULTS_SUM_EQ_TOTAL": ("T3-SUM",),
    "T3_ROW_TOTAL_COLUMN": ("T3-COL",),
    "T4_GROUP_TOTAL": ("T4-SUM",),
    "TEXT_VS_TABLE": ("TXT-APPS", "TXT-RL", "TXT-DOCS"),
    "CROSS_YEAR_CARRY": ("XY-CARRY",),
    "CROSS_YEAR_IN_FORCE": ("XY-STOCK",),
    "FORMAT_ROW_LABELS": ("FMT-ROWS", "FMT-LABELS"),
    "S6_FEE_REPORTED": ("TXT-FEE",),
    "DEADLINE": ("DEADLINE",),
}

# Findings outside the JSON checks, each a real property of the published text.
EXTRA: dict[str, set[tuple[str, Severity]]] = {
    # None of the three reports names 社会评议 and 责任追究 in 监督保障 (淮安 not even 考核),
    # which 条例第五十条第四项 asks of governments; 淮安 and 平潭 write more than 1000 字 in 总体情况.
    "01_huaian_city_2024": {("FMT-GOV-EXTRA", Severity.WARNING), ("FMT-LEN", Severity.INFO)},
    "03_hongze_district_2024": {("FMT-GOV-EXTRA", Severity.WARNING)},
    "04_pingtan_zone_2024": {("FMT-GOV-EXTRA", Severity.WARNING), ("FMT-LEN", Severity.INFO)},
}


def _findings(path: Path) -> list[Finding]:
    return run_rules(real_facts(path), ALL_RULES)


def _checks(path: Path, result: str) -> set[str]:
    return {c["rule"] for c in load_json(path)["checks"] if c["result"] == result}


def test_every_real_report_is_here() -> None:
    assert {p.stem for p in REAL_REPORTS} == set(EXTRA)


@pytest.mark.parametrize("path", REAL_REPORTS, ids=lambda p: p.stem)
def test_every_failed_check_is_found(path: Path) -> None:
    found = {f.rule_id for f in _findings(path)}
    for rule in _checks(path, "FAIL"):
        assert set(CHECK_RULES[rule]) & found, rule


@pytest.mark.parametrize("path", REAL_REPORTS, ids=lambda p: p.stem)
def test_no_finding_where_the_json_says_pass(path: Path) -> None:
    failed = {rid for rule in _checks(path, "FAIL") for rid in CHECK_RULES[rule]}
    passed = {rid for rule in _checks(path, "PASS") | _checks(path, "INFO") for rid in CHECK_RULES[rule]}
    for finding in _findings(path):
        assert finding.rule_id in failed or finding.rule_id not in passed, finding


@pytest.mark.parametrize("path", REAL_REPORTS, ids=lambda p: p.stem)
def test_findings_are_exactly_the_failed_checks_and_the_listed_extras(path: Path) -> None:
    found = {(f.rule_id, f.severity) for f in _findings(path)}
    failed = {rid for rule in _checks(path, "FAIL") for rid in CHECK_RULES[rule]}
    assert {(rid, sev) for rid, sev in found if rid not in failed} == EXTRA[path.stem]
    assert not [f for f in _findings(path) if f.severity is Severity.ERROR and f.rule_id not in failed]


def test_hongze_text_contradiction_quotes_the_sentence_and_the_cell() -> None:
    path = next(p for p in REAL_REPORTS if "hongze" in p.stem)
    (finding,) = [f for f in _findings(path) if f.rule_id == "TXT-APPS"]
    assert finding.severity is Severity.WARNING
    assert finding.keys == ("text.s1.requests", "t3.new.total")
    assert "区政府办代表区政府受理政府信息公开申请17件" in finding.message
    assert "95" in finding.message


def test_hongze_old_row_is_an_error_and_typo_a_warning() -> None:
    path = next(p for p in REAL_REPORTS if "hongze" in p.stem)
    by_id = {f.rule_id: f for f in _findings(path)}
    assert by_id["FMT-ROWS"].severity is Severity.ERROR
    assert by_id["FMT-LABELS"].severity is Severity.WARNING
    assert "其他法律行政止公开" in by_id["FMT-LABELS"].message


def test_pingtan_stock_warning_names_the_expected_stock() -> None:
    path = next(p for p in REAL_REPORTS if "pingtan" in p.stem)
    (finding,) = [f for f in _findings(path) if f.rule_id == "XY-STOCK"]
    assert finding.keys == ("t2.normative_documents.in_force",)
    assert "499" in finding.message
    assert "440" in finding.message


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_seed_reports_produce_no_error(path: Path) -> None:
    errors = [f for f in run_rules(seed_facts(path), ALL_RULES) if f.severity is Severity.ERROR]
    assert errors == []


def test_seed_township_gets_the_expected_prompts() -> None:
    # 马店镇: 依申请公开 does not say 未收到, 六 says only "无", 监督保障 names only 责任追究.
    path = next(p for p in SEEDS if p.stem.startswith("004"))
    found = {(f.rule_id, f.severity) for f in run_rules(seed_facts(path), ALL_RULES)}
    assert found == {
        ("TXT-ZERO", Severity.WARNING),
        ("TXT-FEE", Severity.WARNING),
        ("FMT-GOV-EXTRA", Severity.WARNING),
    }
