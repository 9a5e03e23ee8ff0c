"""Types that declare a report form as data.

A form is a list of sections; each section holds the items the dialog asks, in order.
An item asks one or more fields at once (a table-3 row asks six numbers; a narrative asks
one text). Computed fields (totals) are declared with the keys they sum and are never asked.
The tables (rows, row groups, columns, column groups, the printed blocks, the rows an earlier
format printed as one), the identities between their cells (the balance of the requests table),
the proposals (carry-over, stock) and the roles of the sections and of the narratives are declared
here too, so the engine, the rules, the renderers and the importer all read one declaration and
none of them names a key of a particular form.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import TypeVar

_T = TypeVar("_T")

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


class SectionRole(Enum):
    """What part of the report a section is, for the readers that treat each part its own way (the
    importer reads the overview's subsections, the tables' cells and the narratives apart)."""

    PREAMBLE = "preamble"
    OVERVIEW = "overview"  # the opening text, then the subsections of `Narratives`
    DOCUMENTS = "documents"  # the printed blocks of the proactive-disclosure table
    REQUESTS = "requests"  # the requests table
    APPEALS = "appeals"  # the review and litigation table
    PROBLEMS = "problems"
    OTHER_MATTERS = "other_matters"  # its narrative and the processing fee


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
    role: SectionRole | None = None
    """The part of the report the section is (None for a form whose readers need no roles)."""


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    group: str = ""
    """The column group label printed above this column and its neighbours of the same group."""


@dataclass(frozen=True, slots=True)
class Row:
    """A row of a table: `group` is the row group label (e.g. part (3), not disclosed), `label` the leaf."""

    key: str
    label: str
    group: str = ""
    part: str = ""
    """The top-level part the row belongs to (part 3, the results), empty for parts 1, 2 and 4."""


@dataclass(frozen=True, slots=True)
class Grid:
    """A table of rows × columns whose cells are keyed `{id}.{row}.{column}`.

    `total` names the column that is the computed sum of the others (empty when none);
    `heading` is printed above all columns and `corner` in the top-left cell.
    """

    id: str
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]
    total: str = ""
    heading: str = ""
    corner: str = ""

    def key(self, row: str, column: str) -> str:
        return f"{self.id}.{row}.{column}"

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)

    def has_row(self, key: str) -> bool:
        return any(r.key == key for r in self.rows)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def parts(self) -> tuple[Column, ...]:
        """The asked columns (every column but the total)."""
        return tuple(c for c in self.columns if c.key != self.total)

    @property
    def row_parts(self) -> tuple[str, ...]:
        """The top-level parts the rows are printed under (table 3's results), in table order."""
        return tuple(dict.fromkeys(r.part for r in self.rows if r.part))

    def rows_in_group(self, group: str) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.group == group)

    def row_total(self, row: str) -> str:
        """The key of the row's total cell (the row's only cell when the grid has no total column)."""
        return self.key(row, self.total or self.columns[0].key)


@dataclass(frozen=True, slots=True)
class RowGroup:
    """Rows reported together under one name (the requests table's withheld outcome is eight rows)."""

    name: str
    """The wording narratives use for the group (the 2021 form: "withheld" in Chinese); sentences and text rules read it."""
    rows: tuple[str, ...]
    """Row keys of the group's grid, in table order."""


@dataclass(frozen=True, slots=True)
class Balance:
    """Per column of `grid`: new + carried_in = processed + carried_out (row keys of `grid`).

    The engine refuses a carried-out row that breaks it and proposes the one that keeps it;
    the rules check it; sums over reports keep it.
    """

    grid: Grid
    new: str
    carried_in: str
    processed: str
    carried_out: str

    def expected(self, answers: Mapping[str, Value], column: str) -> int | None:
        """new + carried_in - processed for one column, or None while a part is missing."""
        parts = [answers.get(self.grid.key(r, column)) for r in (self.new, self.carried_in, self.processed)]
        if not all(isinstance(p, int) for p in parts):
            return None
        new, carried_in, processed = (p for p in parts if isinstance(p, int))
        return new + carried_in - processed

    def closing_keys(self) -> tuple[str, ...]:
        """The asked cells of the carried-out row, the ones the identity decides."""
        return tuple(self.grid.key(self.carried_out, c.key) for c in self.grid.parts)


@dataclass(frozen=True, slots=True)
class Stock:
    """A stock carried from year to year: in_force = last year's in_force + issued - abolished."""

    label: str
    issued: str
    abolished: str
    in_force: str


@dataclass(frozen=True, slots=True)
class Block:
    """One printed block of a table: a heading, its value headers and (label, cell keys) rows."""

    heading: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class Narratives:
    """Which narrative item plays which part of the report (keys of the form's items)."""

    preamble: str
    overview: str
    """The opening text of the overview section, before its subsections."""
    subsections: tuple[str, ...]
    """The overview's topics, in report order; their item titles are the printed headings."""
    requests: str
    """The topic that quotes the requests table (proposed a sentence built from it)."""
    oversight: str
    """The topic the government-only extras are printed in."""
    government_extras: tuple[str, ...]
    problems: str
    other_matters: str

    @property
    def overall(self) -> tuple[str, ...]:
        """Every narrative of the overview section, in report order."""
        return (self.overview, *self.subsections, *self.government_extras)

    @property
    def all(self) -> tuple[str, ...]:
        return (self.preamble, *self.overall, self.problems, self.other_matters)


@dataclass(frozen=True, slots=True)
class Fees:
    """The money cells: the fee amount of the disclosed decisions (10k yuan), the processing fee (yuan), and the
    requests-table row of applications dropped after an unpaid fee notice."""

    amount: str
    processing_fee: str
    unpaid_row: str


@dataclass(frozen=True, slots=True)
class Tables:
    """The tables of a form: the documents (part of table 2), requests (3) and appeals (4), the
    printed blocks of table 2, the outcome groups of table 3 and the government-only regulations row."""

    documents: Grid
    blocks: tuple[Block, ...]
    requests: Grid
    outcomes: tuple[RowGroup, ...]
    appeals: Grid
    appeal_group: str
    """The row group of `appeals` that narratives name together (litigation: direct + after review)."""
    regulations: str
    """The `documents` row only a government with the power may fill."""
    legacy_rows: Mapping[str, str] = field(default_factory=dict)
    """A `requests` row group an earlier format printed as one row → the row of the group that takes
    its numbers (the others read 0): the 2019 trial format's single row for other processing."""


@dataclass(frozen=True, slots=True)
class Form:
    version: str
    sections: tuple[Section, ...]
    items: tuple[Item, ...]
    computed: tuple[Field, ...]
    tables: Tables | None = None
    balance: Balance | None = None
    carry_over: Mapping[str, str] = field(default_factory=dict)
    """This year's key → last year's key it is proposed from (and checked against)."""
    stocks: tuple[Stock, ...] = ()
    narratives: Narratives | None = None
    fees: Fees | None = None
    title_format: str = "{agency}{year}"
    """The default title, with {agency} and {year}."""
    government_markers: tuple[str, ...] = ()
    """Words in an agency's name that mark a people's government."""
    _by_key: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)
    _by_item: dict[str, Item] = field(default_factory=dict, compare=False, repr=False)
    _by_unit: dict[UnitKind, tuple[Item, ...]] = field(default_factory=dict, compare=False, repr=False)
    _kinds: dict[str, ValueKind] = field(default_factory=dict, compare=False, repr=False)
    _by_field_item: dict[str, Item] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for item in self.items:
            self._by_item[item.id] = item
            for f in item.fields:
                self._by_key[f.key] = f
                self._by_field_item[f.key] = item
        for f in self.computed:
            self._by_key[f.key] = f

    # --- lookups -------------------------------------------------------------
    # A form without tables or narrative roles (a test's toy form) is valid; asking it for
    # them is a programming error, raised here with the part that is missing.
    def _declared(self, part: _T | None, what: str) -> _T:
        if part is None:
            raise LookupError(f"form {self.version} declares no {what}")
        return part

    @property
    def requests(self) -> Grid:
        """The requests table (table 3 of the 2021 form)."""
        return self._declared(self.tables, "tables").requests

    @property
    def appeals(self) -> Grid:
        """The review and litigation table (table 4)."""
        return self._declared(self.tables, "tables").appeals

    @property
    def documents(self) -> Grid:
        """The documents block of table 2 (regulations and normative documents)."""
        return self._declared(self.tables, "tables").documents

    @property
    def blocks(self) -> tuple[Block, ...]:
        """The printed blocks of table 2."""
        return self._declared(self.tables, "tables").blocks

    @property
    def texts(self) -> Narratives:
        return self._declared(self.narratives, "narrative roles")

    @property
    def fee_keys(self) -> Fees:
        return self._declared(self.fees, "fee cells")

    @property
    def t3_columns(self) -> tuple[Column, ...]:
        """The requests table's columns (kept for templates/importer.py until it moves)."""
        return self.requests.columns

    @property
    def t3_rows(self) -> tuple[Row, ...]:
        return self.requests.rows

    @property
    def t4_groups(self) -> tuple[Row, ...]:
        return self.appeals.rows

    @property
    def t4_results(self) -> tuple[Column, ...]:
        return self.appeals.columns

    def guess_unit_kind(self, agency: str) -> UnitKind:
        """A people's government (county, district, town, street) or a department, from the name."""
        return (
            UnitKind.GOVERNMENT if any(m in agency for m in self.government_markers) else UnitKind.DEPARTMENT
        )

    def default_title(self, agency: str, year: int) -> str:
        return self.title_format.format(agency=agency, year=year)

    @property
    def legacy_rows(self) -> Mapping[str, str]:
        """Row groups of the requests table an earlier format printed as one row → the row taking it."""
        return self._declared(self.tables, "tables").legacy_rows

    def section_for(self, role: SectionRole) -> Section:
        """The section that plays `role`."""
        found = next((s for s in self.sections if s.role is role), None)
        return self._declared(found, f"section for {role.value}")

    def outcome(self, name: str) -> RowGroup:
        """The requests table's outcome group of that name."""
        return next(g for g in self._declared(self.tables, "tables").outcomes if g.name == name)

    def outcome_of(self, row: str) -> RowGroup:
        return next(g for g in self._declared(self.tables, "tables").outcomes if row in g.rows)

    def shortcut_targets(self, items: Iterable[Item], shortcut: Shortcut) -> list[Item]:
        """The items a shortcut sets to 0: those that declare it."""
        return [i for i in items if shortcut in i.shortcuts]

    def item_of(self, key: str) -> Item:
        """The item that asks `key`."""
        return self._by_field_item[key]

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
