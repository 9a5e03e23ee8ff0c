"""Synthetic agencies of a district round: varied, balanced tables built from the Form alone.

Every unit passes the table arithmetic (row totals, the results total, the balance, table 四
totals); a department's 规章 row is 0, as the format asks. Values are drawn from a seeded
`random.Random`, so a test's units are the same on every run.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from decimal import Decimal

from dialogs.aggregate import UnitTables, regulation_keys
from dialogs.form import Form, UnitKind, Value, ValueKind


def _count(rng: random.Random) -> int:
    """Mostly small, sometimes 0, sometimes large: the spread of real district reports."""
    return rng.choice((0, 0, rng.randint(1, 9), rng.randint(10, 400)))


def _amount(rng: random.Random) -> Decimal:
    places = rng.randint(0, 4)
    return Decimal(rng.randint(0, 999_999)).scaleb(-places)


def _balance_requests(
    form: Form, answers: dict[str, Value], rng: random.Random, previous: Mapping[str, Value] | None
) -> None:
    """Set each column's new applications so that new + carried in = processed + carried out;
    with `previous`, the carried-in row is last year's carried-out row (XY-CARRY)."""
    balance = form.balance
    assert balance is not None
    grid = balance.grid
    processed_rows = [
        key.removeprefix(f"{grid.id}.").rsplit(".", 1)[0]
        for key in form.field(grid.key(balance.processed, grid.parts[0].key)).sums
    ]
    for column in grid.parts:
        processed = sum(int(answers[grid.key(row, column.key)]) for row in processed_rows)
        carried_out = int(answers[grid.key(balance.carried_out, column.key)])
        carried_in_key = grid.key(balance.carried_in, column.key)
        if previous is None:
            carried_in = rng.randint(0, processed + carried_out)
        else:
            carried_in = int(previous[form.carry_over[carried_in_key]])
            carried_out = max(carried_out, carried_in - processed)
            answers[grid.key(balance.carried_out, column.key)] = carried_out
        answers[carried_in_key] = carried_in
        answers[grid.key(balance.new, column.key)] = processed + carried_out - carried_in


def balanced_answers(
    form: Form, kind: UnitKind, rng: random.Random, previous: Mapping[str, Value] | None = None
) -> dict[str, Value]:
    """Every number the unit is asked, drawn, then balanced, with the computed totals stored."""
    answers: dict[str, Value] = {}
    for item in form.items_for(kind):
        for field in item.fields:
            if field.kind is ValueKind.COUNT:
                answers[field.key] = _count(rng)
            elif field.kind is ValueKind.AMOUNT:
                answers[field.key] = _amount(rng)
    _balance_requests(form, answers, rng, previous)
    if kind is UnitKind.DEPARTMENT:
        for key in regulation_keys(form):
            answers[key] = 0
    answers.update(form.compute_totals(answers))
    return answers


def district_units(
    form: Form, count: int, *, seed: int, last_year: Sequence[UnitTables] = ()
) -> list[UnitTables]:
    """`count` agencies, departments and governments mixed, with distinct names; with
    `last_year`, the same agencies a year on, each carrying in what it carried out."""
    rng = random.Random(seed)
    units = []
    for n in range(1, count + 1):
        kind = UnitKind.GOVERNMENT if n % 3 == 0 else UnitKind.DEPARTMENT
        name = f"测试区第{n}镇人民政府" if kind is UnitKind.GOVERNMENT else f"测试区第{n}局"
        previous = last_year[n - 1].answers if last_year else None
        units.append(UnitTables(name, kind, balanced_answers(form, kind, rng, previous)))
    return units
