"""The whole rule catalogue (DOMAIN.md §3) in one tuple, for the engine and the importer.

Rules that need more than one report (AGG-SUM, AGG-MISSING, AGG-SCOPE) belong to the
coordinator's view and are not here.
"""

from __future__ import annotations

from dialogs.rules import CORE_RULES, Rule
from dialogs.rules_cross_year import CROSS_YEAR_RULES
from dialogs.rules_deadline import DEADLINE_RULES
from dialogs.rules_format import FORMAT_RULES
from dialogs.rules_tables import TABLE_RULES
from dialogs.rules_text import TEXT_RULES

ALL_RULES: tuple[Rule, ...] = (
    *CORE_RULES,
    *TABLE_RULES,
    *CROSS_YEAR_RULES,
    *TEXT_RULES,
    *FORMAT_RULES,
    *DEADLINE_RULES,
)


def rules_by_id() -> dict[str, Rule]:
    """Every rule keyed by its id (ids are unique; a test checks it)."""
    return {rule.id: rule for rule in ALL_RULES}


__all__ = ["ALL_RULES", "CROSS_YEAR_RULES", "FORMAT_RULES", "TABLE_RULES", "TEXT_RULES", "rules_by_id"]
