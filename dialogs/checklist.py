"""The review's checklist: every rule of the catalogue with what it found on this report.

The review runs the same rules as `nianbao check`, and shows each rule by its own findings:
✗ an error, ! a warning, i an information, ✓ nothing found. A rule that read an answer of an
item not yet filled cannot have passed: it is shown as waiting for those items (○), and its
findings about nothing but those items are not repeated (the item is listed as missing).
Which answers a rule reads is recorded while it runs, so no rule has to declare its keys.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from dialogs.form import Item, Value
from dialogs.rules import Finding, ReportFacts, Rule, Severity

MARKS = {Severity.ERROR: "✗", Severity.WARNING: "!", Severity.INFO: "i"}
PASSED = "✓"
WAITING = "○"


class _ReadKeys(Mapping[str, Value]):
    """The answers, remembering every key looked up (`get`, `in` and `[]` all come here)."""

    def __init__(self, answers: Mapping[str, Value]) -> None:
        self._answers = answers
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Value:
        self.read.add(key)
        return self._answers[key]

    def __iter__(self) -> Iterator[str]:
        self.read.update(self._answers)
        return iter(self._answers)

    def __len__(self) -> int:
        return len(self._answers)


@dataclass(frozen=True, slots=True)
class RuleStatus:
    rule: Rule
    findings: tuple[Finding, ...]
    """What the rule found, less what is only about unfilled items."""
    waiting_for: tuple[Item, ...]
    """Unfilled items whose answers the rule needs before it can pass."""

    @property
    def mark(self) -> str:
        severities = {f.severity for f in self.findings}
        for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
            if severity in severities:
                return MARKS[severity]
        return WAITING if self.waiting_for else PASSED


def rule_statuses(facts: ReportFacts, rules: Sequence[Rule], missing: Sequence[Item]) -> list[RuleStatus]:
    """Each rule run once on `facts`; `missing` are the items still to be filled."""
    missing_keys = {f.key: item for item in missing for f in item.fields}
    statuses = []
    for rule in rules:
        answers = _ReadKeys(facts.answers)
        found = tuple(rule.run(replace(facts, answers=answers)))
        kept = tuple(f for f in found if not (f.keys and set(f.keys) <= missing_keys.keys()))
        waiting = {id(item): item for key, item in missing_keys.items() if key in answers.read}
        statuses.append(RuleStatus(rule, kept, tuple(waiting.values())))
    return statuses
