"""District totals: the cell-wise sum of the agencies' tables (DOMAIN.md §2.4).

Sums keep every linear identity of the format (row totals, the results total, the balance, table 4
totals), so if each unit passes, the aggregate passes. Narratives are not summed.

`district_draft` is the government's draft for the whole district: the sums over the submitted
units, which units it includes and which invited units are still missing (AGG-MISSING).
Regulations are made only by a people's government (DOMAIN.md §1.4, rule AGG-REG), so a
department's regulations cells, usually 0 and otherwise entered by mistake, are not added in:
they would be counted twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from dialogs.form import Form, UnitKind, Value, ValueKind


@dataclass(frozen=True, slots=True)
class UnitTables:
    """One agency's stored answers (key → value, as `storage.repositories.load_answers` returns them)."""

    agency: str
    kind: UnitKind
    answers: Mapping[str, Value]


@dataclass(frozen=True, slots=True)
class DistrictDraft:
    answers: dict[str, Value]
    """The cell-wise sums (numbers only; the coordinator writes the narratives)."""
    included: tuple[str, ...]
    """The agencies summed, in the order given."""
    missing: tuple[str, ...]
    """The invited agencies with no submitted report, in the order invited."""


def aggregate(form: Form, reports: Iterable[Mapping[str, Value]]) -> dict[str, Value]:
    """Every numeric field summed over `reports`; a field is present if any report has it."""
    numeric = [(f.key, f.kind is ValueKind.AMOUNT) for f in form.all_fields() if f.kind is not ValueKind.TEXT]
    totals: dict[str, int | Decimal] = {}
    for answers in reports:
        for key, _ in numeric:
            value = answers.get(key)
            if value is None or isinstance(value, str):
                continue
            totals[key] = totals.get(key, 0) + value  # int + Decimal is a Decimal
    for key, is_amount in numeric:  # an amount stays a Decimal even if every unit typed an integer
        if is_amount and key in totals:
            totals[key] = Decimal(totals[key])
    return dict(totals)


def regulation_keys(form: Form) -> tuple[str, ...]:
    """The cells of the documents row only a people's government may fill (the regulations row of table 2)."""
    if form.tables is None:
        return ()
    documents = form.documents
    return tuple(documents.key(form.tables.regulations, c.key) for c in documents.columns)


def summable_answers(form: Form, unit: UnitTables) -> Mapping[str, Value]:
    """The unit's answers as they count in a government's sums: a department's regulations count 0."""
    if unit.kind is UnitKind.GOVERNMENT:
        return unit.answers
    excluded = set(regulation_keys(form))
    # Kept as 0 rather than dropped, so an answered row stays present in the sums.
    return {k: 0 if k in excluded else v for k, v in unit.answers.items()}


def district_draft(form: Form, invited: Sequence[str], submitted: Sequence[UnitTables]) -> DistrictDraft:
    """The whole-district draft over `submitted` (agencies are told apart by name); `invited` names every
    agency of the round, so those without a submitted report are listed as missing."""
    included = tuple(unit.agency for unit in submitted)
    done = set(included)
    return DistrictDraft(
        answers=aggregate(form, (summable_answers(form, unit) for unit in submitted)),
        included=included,
        missing=tuple(name for name in dict.fromkeys(invited) if name not in done),
    )
