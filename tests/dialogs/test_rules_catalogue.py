"""The catalogue: ids, severities, titles, and the rules of DOMAIN.md §3 it must hold."""

from __future__ import annotations

import importlib
import pkgutil

import dialogs
from dialogs import messages as msg
from dialogs.catalogue import ALL_RULES, rules_by_id
from dialogs.engine import ReportInfo
from dialogs.form import UnitKind
from dialogs.rules import Rule, Severity
from tests.helpers.dialog import DEPARTMENT_FILL, Driver, fill

# Every DOMAIN.md §3 rule that can be checked on one report (AGG-SUM, AGG-MISSING and
# AGG-SCOPE need the coordinator's set of reports; PUB-TEXT needs the published page).
SINGLE_REPORT_RULES = {
    "T3-BAL": Severity.ERROR,
    "T3-SUM": Severity.ERROR,
    "T3-COL": Severity.ERROR,
    "T4-SUM": Severity.ERROR,
    "NUM-TYPE": Severity.ERROR,
    "FEE-UNIT": Severity.WARNING,
    "T3-FEE-LINK": Severity.WARNING,
    "XY-CARRY": Severity.ERROR,
    "XY-STOCK": Severity.WARNING,
    "XY-DUP": Severity.WARNING,
    "XY-YEAR": Severity.ERROR,
    "XY-TEMPLATE": Severity.WARNING,
    "TXT-APPS": Severity.WARNING,
    "TXT-RL": Severity.WARNING,
    "TXT-DOCS": Severity.WARNING,
    "TXT-ZERO": Severity.WARNING,
    "TXT-FEE": Severity.ERROR,
    "FMT-SECTIONS": Severity.ERROR,
    "FMT-SUBSECTIONS": Severity.WARNING,
    "FMT-GOV-EXTRA": Severity.WARNING,
    "FMT-ROWS": Severity.ERROR,
    "FMT-LABELS": Severity.WARNING,
    "FMT-TITLE": Severity.WARNING,
    "FMT-S5": Severity.WARNING,
    "FMT-LEN": Severity.INFO,
    "DEADLINE": Severity.WARNING,
    "AGG-REG": Severity.WARNING,
}


def test_rule_ids_are_unique() -> None:
    ids = [rule.id for rule in ALL_RULES]
    assert len(ids) == len(set(ids))
    assert set(rules_by_id()) == set(ids)


def test_catalogue_holds_every_single_report_rule_with_its_severity() -> None:
    by_id = rules_by_id()
    assert set(SINGLE_REPORT_RULES) <= set(by_id)
    for rule_id, severity in SINGLE_REPORT_RULES.items():
        assert by_id[rule_id].severity is severity, rule_id


def _declared_rule_sets() -> dict[str, tuple[Rule, ...]]:
    """Every module-level tuple of rules in any dialogs module, found by importing them all."""
    found: dict[str, tuple[Rule, ...]] = {}
    for info in pkgutil.iter_modules(dialogs.__path__, "dialogs."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, tuple) and value and all(isinstance(r, Rule) for r in value):
                found[f"{info.name}.{name}"] = value
    return found


def test_every_rule_declared_in_dialogs_is_in_the_catalogue_once() -> None:
    # A rule module whose tuple is left out of dialogs/catalogue.py would never run for a clerk.
    declared = _declared_rule_sets()
    assert "dialogs.rules.CORE_RULES" in declared  # the scan sees the rules the engine uses by default
    for where, rules in declared.items():
        for rule in rules:
            assert ALL_RULES.count(rule) == 1, (where, rule.id)


def test_review_checklist_shows_every_catalogue_rule_once() -> None:
    driver = Driver(info=ReportInfo("某某区行政审批局", UnitKind.DEPARTMENT, 2024), rules=ALL_RULES)
    fill(driver, DEPARTMENT_FILL)
    lines = driver.last_text.splitlines()
    start = lines.index(msg.REVIEW_CHECKLIST) + 1
    shown = [line[2:] for line in lines[start : start + len(ALL_RULES)] if line[:2] in {"✓ ", "✗ ", "! "}]
    assert sorted(shown) == sorted(rule.title for rule in ALL_RULES)
    assert len(set(shown)) == len(shown)  # two rules with one title could not be told apart


def test_every_rule_has_a_chinese_title() -> None:
    for rule in ALL_RULES:
        assert rule.title
        assert any("\u4e00" <= ch <= "\u9fff" for ch in rule.title), rule.id
