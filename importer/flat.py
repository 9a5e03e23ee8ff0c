"""Flattened text: a table row whose digits ran together ("500000050") cut back into its cells.

Text copied from some portal pages loses the cell borders: a row's label and its numbers are one
paragraph, its digits one run. A run is cut into the row's cells in every way that gives numbers
as printed (no leading zeros), and only the cuts that satisfy the table's identities are kept
(a row's last cell is the sum of the others; table 3's columns add up). One cut left: it is the
row. Several or none: the row is named and left for the person; the importer never guesses.
Telling the label from the digits is `lines.unglue`'s job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from dialogs.form import Form, Value

_MAX_CELL_DIGITS = 9
MAX_SPLITS = 64
"""Cuts enumerated per row at most; more than this is ambiguous anyway."""


def split_runs(runs: Sequence[str], groups: Sequence[int], *, totals: bool) -> list[tuple[int, ...]]:
    """Every way (up to `MAX_SPLITS`) to cut the runs into cells, `groups` giving each group's size.

    Runs are never joined (a space between digits is a cell border). With `totals`, a group's
    last cell is the sum of the others, which decides where that cell ends.
    """
    text = "".join(runs)
    if any(not run.isdigit() for run in runs) or len(text) < sum(groups):
        return []
    borders: list[int] = []
    for run in runs:
        borders.append((borders[-1] if borders else 0) + len(run))
    found: list[tuple[int, ...]] = []

    def limit(pos: int) -> int:
        return next(b for b in borders if b > pos)

    def walk(pos: int, group: int, current: list[int], done: list[int]) -> None:
        if len(found) >= MAX_SPLITS:
            return
        if group == len(groups):
            if pos == len(text):
                found.append(tuple(done))
            return
        size = groups[group]
        left = sum(groups[group:]) - len(current)
        if pos >= len(text) or len(text) - pos < left:
            return
        if totals and len(current) == size - 1:
            total = str(sum(current))
            end = pos + len(total)
            if text.startswith(total, pos) and end <= limit(pos):
                walk(end, group + 1, [], [*done, *current, int(total)])
            return
        for end in range(pos + 1, min(limit(pos), pos + _MAX_CELL_DIGITS) + 1):
            cell = text[pos:end]
            if len(cell) > 1 and cell[0] == "0":
                break
            if len(current) == size - 1:
                walk(end, group + 1, [], [*done, *current, int(cell)])
            else:
                walk(end, group, [*current, int(cell)], done)

    walk(0, 0, [], [])
    return found


# --- the identities the cells must satisfy ---------------------------------------------------
Identity = tuple[tuple[str, ...], tuple[str, ...]]
"""(left keys, right keys): the sum of the left cells equals the sum of the right cells."""


def identities(form: Form) -> list[Identity]:
    """Every computed total of the form (total = sum of its parts) and, per column, its balance
    (new + carried in = processed + carried out; none for a form that declares no balance)."""
    return [*(((f.key,), f.sums) for f in form.computed), *_balance(form)]


def _balance(form: Form) -> Iterable[Identity]:
    balance = form.balance
    if balance is None:
        return
    grid = balance.grid
    for c in grid.columns:
        yield (
            (grid.key(balance.new, c.key), grid.key(balance.carried_in, c.key)),
            (grid.key(balance.processed, c.key), grid.key(balance.carried_out, c.key)),
        )


def holds(identity: Identity, values: Mapping[str, Value]) -> bool | None:
    """Whether the identity holds; None while one of its cells is unknown."""
    left, right = identity
    sides = []
    for keys in (left, right):
        parts = [values.get(k) for k in keys]
        if not all(isinstance(p, int) for p in parts):
            return None
        sides.append(sum(p for p in parts if isinstance(p, int)))
    return sides[0] == sides[1]
