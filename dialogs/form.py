"""Types that declare a report form as data.

A form is a list of sections; each section holds the items the dialog asks, in order.
An item asks one or more fields at once (a table-3 row asks six numbers; a narrative asks
one text). Computed fields (totals) are declared with the keys they sum and are never asked.
The tables' layout for the renderers is declared here too, so the engine, the rules, the
renderers and the importer all read one declaration.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

Value = int | Decimal | str
"""A stored answer: a count, an amount (Decimal, never float) or a narrative."""


class ValueKind(Enum):
    COUNT = "count"
    AMOUNT = "amount"
    TEXT = "text"


class UnitKind(Enum):
    """The two kinds of reporting unit in the national format."""

    DEPARTMENT = "department"
    GOVERNMENT = "government"


class Proposal(Enum):
    """Where an item's proposed value comes from (offered, never imposed)."""

    CARRIED_IN = "carried_in"  # last year's carried-out row, per column
    BALANCE = "balance"  # new + carried in - processed total, per column (the balance rule)
    LAST_YEAR_TEXT = "last_year_text"  # last year's narrative as a draft
    GENERATED_TEXT = "generated_text"  # a sentence built from this year's tables


class Shortcut(Enum):
    NO_APPLICATIONS = "no_applications"  # no applications received this year
    NO_REVIEW_LITIGATION = "no_review_litigation"  # no administrative review or litigation


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    label: str
    kind: ValueKind
    unit: str = ""
    sums: tuple[str, ...] = ()
    """Keys this computed field is the sum of; empty for an asked field."""

    @property
    def is_computed(self) -> bool:
        return bool(self.sums)


@dataclass(frozen=True, slots=True)
class Item:
    """One step of the dialog: a question that asks one or more fields."""

    id: str
    section: str
    title: str
    fields: tuple[Field, ...]
    hint: str = ""
    example: str = ""
    optional: bool = False
    only_for: UnitKind | None = None
    proposals: tuple[Proposal, ...] = ()
    shortcuts: tuple[Shortcut, ...] = ()
    none_text: str = ""
    """For a narrative: what the none word (ZERO_ROW) records (the report's wording for "nothing to report")."""

    @property
    def kind(self) -> ValueKind:
        return self.fields[0].kind

    @property
    def is_narrative(self) -> bool:
        return self.kind is ValueKind.TEXT

    def applies_to(self, unit: UnitKind) -> bool:
        return self.only_for is None or self.only_for is unit

    def is_answered_in(self, keys: Container[str]) -> bool:
        """Every field of the item has an answer (`keys`: the answered keys, or the answers)."""
        return all(f.key in keys for f in self.fields)


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    heading: str
    short: str


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True, slots=True)
class Row:
    """A row of a table: `group` is the row group label (e.g. part (3), not disclosed), `label` the leaf."""

    key: str
    label: str
    group: str = ""
    part: str = ""
    """The top-level part the row belongs to (part 3, the results), empty for parts 1, 2 and 4."""


@dataclass(frozen=True, slots=True)
class Form:
    version: str
    sections: tuple[Section, ...]
    items: tuple[Item, ...]
    computed: tuple[Field, ...]
    t3_columns: tuple[Column, ...]
    t3_rows: tuple[Row, ...]
    t4_groups: tuple[Column, ...]
    t4_results: tuple[Column, ...]
    _by_key: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)
    _by_item: dict[str, Item] = field(default_factory=dict, compare=False, repr=False)
    _by_unit: dict[UnitKind, tuple[Item, ...]] = field(default_factory=dict, compare=False, repr=False)
    _kinds: dict[str, ValueKind] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for item in self.items:
            self._by_item[item.id] = item
            for f in item.fields:
                self._by_key[f.key] = f
        for f in self.computed:
            self._by_key[f.key] = f

    # --- lookups -------------------------------------------------------------
    def field(self, key: str) -> Field:
        return self._by_key[key]

    def has_key(self, key: str) -> bool:
        return key in self._by_key

    def item(self, item_id: str) -> Item:
        return self._by_item[item_id]

    def has_item(self, item_id: str) -> bool:
        return item_id in self._by_item

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def items_for(self, unit: UnitKind) -> tuple[Item, ...]:
        """The items asked of this kind of unit, in dialog order."""
        items = self._by_unit.get(unit)
        if items is None:
            items = self._by_unit[unit] = tuple(i for i in self.items if i.applies_to(unit))
        return items

    def value_kinds(self) -> Mapping[str, ValueKind]:
        """Key → kind for every field (asked and computed)."""
        if not self._kinds:
            self._kinds.update({key: f.kind for key, f in self._by_key.items()})
        return self._kinds

    def all_fields(self) -> Iterable[Field]:
        return self._by_key.values()

    # --- computed totals -------------------------------------------------------
    def compute_totals(
        self, answers: Mapping[str, Value], changed: Iterable[str] | None = None
    ) -> dict[str, Value]:
        """Every computed field whose parts are all present, in declaration order.

        Declaration order is dependency order (a row total before a column of totals),
        which a test of the declaration checks. With `changed`, only the totals that depend
        (directly or through other totals) on those keys are computed, reading the other totals
        from `answers`, which must hold them up to date (as stored answers do): a dialog turn
        writes one row, and recomputing the ~30 totals of the whole form every turn adds up.
        """
        fields = self.computed if changed is None else self._affected(changed)
        out: dict[str, Value] = {}
        for f in fields:
            total = 0
            for key in f.sums:
                part = out[key] if key in out else answers.get(key)
                if not isinstance(part, int):
                    break
                total += part
            else:
                out[f.key] = total
        return out

    def _affected(self, changed: Iterable[str]) -> tuple[Field, ...]:
        keys = set(changed)
        affected: list[Field] = []
        for f in self.computed:  # dependency order, so a total's own totals come later
            if keys.intersection(f.sums):
                affected.append(f)
                keys.add(f.key)
        return tuple(affected)
