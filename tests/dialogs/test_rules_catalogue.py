"""The catalogue: ids, severities, titles, and the rules of DOMAIN.md §3 it must hold."""

from __future__ import annotations

import ast
from pathlib import Path

from dialogs.catalogue import ALL_RULES, rules_by_id
from dialogs.rules import CORE_RULES, Severity

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
_FORBIDDEN = ("telegram", "sqlmodel", "sqlalchemy", "jinja2", "bot", "storage", "templates")
_NEW_MODULES = (
    "catalogue",
    "narrative_claims",
    "rules_cross_year",
    "rules_deadline",
    "rules_format",
    "rules_tables",
    "rules_text",
    "textscan",
)


def test_rule_ids_are_unique() -> None:
    ids = [rule.id for rule in ALL_RULES]
    assert len(ids) == len(set(ids))
    assert set(rules_by_id()) == set(ids)


def test_catalogue_holds_every_single_report_rule_with_its_severity() -> None:
    by_id = rules_by_id()
    assert set(SINGLE_REPORT_RULES) <= set(by_id)
    for rule_id, severity in SINGLE_REPORT_RULES.items():
        assert by_id[rule_id].severity is severity, rule_id


def test_core_rules_come_first_and_unchanged() -> None:
    assert ALL_RULES[: len(CORE_RULES)] == CORE_RULES


def test_every_rule_has_a_chinese_title() -> None:
    for rule in ALL_RULES:
        assert rule.title
        assert any("\u4e00" <= ch <= "\u9fff" for ch in rule.title), rule.id


def test_new_rule_modules_import_nothing_outside_the_domain() -> None:
    root = Path(__file__).resolve().parents[2] / "dialogs"
    for name in _NEW_MODULES:
        tree = ast.parse((root / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                assert module.split(".")[0] not in _FORBIDDEN, (name, module)
