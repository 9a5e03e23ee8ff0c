"""District totals: the cell-wise sum of the agencies' tables (DOMAIN.md §2.4).

Sums keep every linear identity of the format (row totals, the results total, the balance, table 4
totals), so if each unit passes, the aggregate passes. Narratives are not summed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from dialogs.form import Form, Value, ValueKind


def aggregate(form: Form, reports: Iterable[Mapping[str, Value]]) -> dict[str, Value]:
    """Every numeric field summed over `reports`; a field is present if any report has it."""
    totals: dict[str, int | Decimal] = {}
    for answers in reports:
        for field in form.all_fields():
            value = answers.get(field.key)
            if field.kind is ValueKind.TEXT or value is None or isinstance(value, str):
                continue
            if field.kind is ValueKind.AMOUNT:
                totals[field.key] = Decimal(totals.get(field.key, 0)) + Decimal(value)
            else:
                totals[field.key] = int(totals.get(field.key, 0)) + int(value)
    return dict(totals)
