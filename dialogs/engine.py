"""The dialog engine: (form, report info, answers, state, one input) → Step.

Rules of this module:
- Pure and synchronous: no I/O, no clock, no randomness. The same arguments give the same Step.
- The state is small and JSON-serialisable (`DialogState.to_json`); answers live apart and
  are passed in; every change to them is returned as `writes` for storage to commit before
  the replies are sent.
- Bad input never moves the position and never changes answers: it returns the same state,
  no writes, and one reply that says what was expected.
- Totals are computed (written alongside the parts), never asked.
- Modes: ASK (one item at a time), TOC (choosing a part), REVIEW (all items seen; submit here),
  CONFIRM (warnings listed, waiting for the confirm-submission word or an explanation),
  TITLE (the report title proposed, waiting for the accept word or the published title), SUBMITTED (read only).
- Buttons carry the position they were made for; a press from an older message is refused
  rather than applied to whatever question is current. A typed answer carries the position it
  was typed at when the adapter knows it (`Text.token`): two terminals or two devices on one
  report share the position, so an answer typed at one item must not be stored in the next.
- A change a person may not have meant waits in the state (`pending`) for an explicit
  confirmation: a shortcut that would set non-zero numbers to 0, a narrative that is only a
  number. The wait survives a restart; anything but the confirmation leaves the answers as
  they were.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import Enum
from typing import Any

from dialogs import messages as msg
from dialogs.checklist import MARKS, WAITING, RuleStatus, rule_statuses
from dialogs.commands import Command, read_command
from dialogs.form import Balance, Field, Form, Item, Proposal, Shortcut, UnitKind, Value, ValueKind
from dialogs.parsing import Rejected, count_tokens, parse_narrative, parse_value, parse_values
from dialogs.rules import CORE_RULES, Finding, ReportFacts, Rule, Severity
from dialogs.sentences import format_amount, generated_text
from dialogs.summary import preview_text, value_text
from dialogs.title import TITLE_KEY, default_title, parse_title, report_title

REVIEW = "@review"


class Mode(Enum):
    ASK = "ask"
    TOC = "toc"
    REVIEW = "review"
    CONFIRM = "confirm"
    TITLE = "title"
    SUBMITTED = "submitted"


class Pending(Enum):
    """A change waiting for the person's explicit confirmation (see the module rules)."""

    NO_APPS = "no_apps"  # the no-applications shortcut over non-zero numbers of table 3
    NO_REVIEW = "no_review"  # the no-review-or-litigation shortcut over non-zero numbers of table 4
    NARRATIVE = "narrative"  # a narrative that is only a number or punctuation (in `pending_text`)


@dataclass(frozen=True, slots=True)
class DialogState:
    item: str | None = None
    mode: Mode = Mode.ASK
    cell: int = 0
    return_to: str | None = None
    narrative_open: bool = False
    skipped: tuple[str, ...] = ()
    pending: Pending | None = None
    pending_text: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "mode": self.mode.value,
            "cell": self.cell,
            "return_to": self.return_to,
            "narrative_open": self.narrative_open,
            "skipped": list(self.skipped),
            "pending": self.pending.value if self.pending else None,
            "pending_text": self.pending_text,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DialogState:
        return cls(
            item=data.get("item"),
            mode=Mode(data.get("mode", Mode.ASK.value)),
            cell=int(data.get("cell", 0)),
            return_to=data.get("return_to"),
            narrative_open=bool(data.get("narrative_open", False)),
            skipped=tuple(data.get("skipped", ())),
            pending=Pending(data["pending"]) if data.get("pending") else None,
            pending_text=str(data.get("pending_text", "")),
        )

    @property
    def token(self) -> str:
        """Where the person is; buttons and answers carry it so stale ones can be recognised.

        The cell is part of it: a number typed for one column must not land in the next.
        """
        if self.mode is Mode.ASK and self.item:
            return self.item if self.cell == 0 else f"{self.item}#{self.cell}"
        return self.mode.value


# The token of a text the adapter knows is older than the current question without knowing
# which question it answered (a Telegram message sent before the current question was asked).
OUTDATED = "@outdated"


# --- inputs and outputs -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Text:
    """Typed text; `token` is the state token of the question it answers, None when unknown."""

    raw: str
    token: str | None = None


@dataclass(frozen=True, slots=True)
class Press:
    """A button press: the choice's value and the state token the button was made for."""

    value: str
    token: str


@dataclass(frozen=True, slots=True)
class Resume:
    """Show the current question again (start of a session, /fill, after a restart)."""


Input = Text | Press | Resume


@dataclass(frozen=True, slots=True)
class Choice:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    choices: tuple[Choice, ...] = ()
    token: str = ""


@dataclass(frozen=True, slots=True)
class Write:
    key: str
    value: Value | None
    raw: str = ""


class Event(Enum):
    SUBMITTED = "submitted"
    PREVIEW = "preview"  # the first reply is the preview: adapters may show the rendered report instead


@dataclass(frozen=True, slots=True)
class ReportInfo:
    agency: str
    unit: UnitKind
    year: int
    previous: Mapping[str, Value] | None = None


@dataclass(frozen=True, slots=True)
class Confirmation:
    """A warning the person confirmed at submission (with their explanation, if they gave one)."""

    rule_id: str
    ref: str
    message: str
    explanation: str = ""


@dataclass(frozen=True, slots=True)
class Step:
    state: DialogState
    writes: tuple[Write, ...] = ()
    replies: tuple[Reply, ...] = ()
    events: tuple[Event, ...] = ()
    confirmations: tuple[Confirmation, ...] = ()
    """With `Event.SUBMITTED`: the warnings confirmed by this submission (stored with it)."""


@dataclass(slots=True)
class _Turn:
    """Mutable scratch space for one call of `step`; never escapes it."""

    form: Form
    info: ReportInfo
    answers: dict[str, Value]
    rules: tuple[Rule, ...]
    writes: list[Write] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def items(self) -> tuple[Item, ...]:
        return self.form.items_for(self.info.unit)

    def index(self, item_id: str) -> int:
        return next(i for i, it in enumerate(self.items) if it.id == item_id)

    def write(self, key: str, value: Value | None, raw: str = "") -> None:
        self.writes.append(Write(key, value, raw))
        if value is None:
            self.answers.pop(key, None)
        else:
            self.answers[key] = value

    def write_numbers(self, fields: tuple[Field, ...], values: list[int | Decimal], raw: str) -> None:
        """Write the parts, then every total whose value they change."""
        for f, v in zip(fields, values, strict=True):
            self.write(f.key, v, raw)
        for key, total in self.form.compute_totals(self.answers, changed=(f.key for f in fields)).items():
            if self.answers.get(key) != total:
                self.write(key, total)

    def count(self, key: str) -> int:
        value = self.answers.get(key)
        return value if isinstance(value, int) else 0

    def is_answered(self, item: Item) -> bool:
        return item.is_answered_in(self.answers)

    def facts(self) -> ReportFacts:
        return ReportFacts(
            self.form, self.info.unit, self.info.year, self.answers, self.info.previous, self.info.agency
        )


def step(
    form: Form,
    info: ReportInfo,
    answers: Mapping[str, Value],
    state: DialogState,
    event: Input,
    *,
    rules: tuple[Rule, ...] = CORE_RULES,
) -> Step:
    """Advance the dialog by one input. Never raises for any input text."""
    turn = _Turn(form, info, dict(answers), rules)
    fitted = _fitted_state(turn, state)
    if fitted.item is None and fitted.mode is Mode.ASK:
        fitted = replace(fitted, item=_first_unanswered(turn, -1) or REVIEW)
        if fitted.item == REVIEW:
            fitted = replace(fitted, item=None, mode=Mode.REVIEW)
    if isinstance(event, Resume) or (state.item is not None and fitted != state):
        # A position that had to be moved shows its question first: the input was meant for
        # a question that is no longer there.
        return _show(turn, fitted)
    state = fitted
    if isinstance(event, Press) and event.token != state.token:
        command = read_command(event.value)
        if command is None or command[0] not in _GLOBAL_COMMANDS:
            return _show(turn, state, lead=msg.UNKNOWN_BUTTON)
    if isinstance(event, Text) and event.token is not None and event.token != state.token:
        command = read_command(event.raw)
        if command is None or command[0] not in _GLOBAL_COMMANDS:
            return _show(
                turn, state, lead=msg.OUTDATED_ANSWER if event.token == OUTDATED else msg.STALE_ANSWER
            )
    raw = event.value if isinstance(event, Press) else event.raw
    command = read_command(raw)
    if state.mode is Mode.SUBMITTED:
        if command and command[0] is Command.PREVIEW:
            return _preview(turn, state)
        return _show(turn, state, lead=msg.SUBMITTED_LOCKED)
    if state.pending is not None:
        if command is not None and command[0] is Command.CONFIRM_CHANGE:
            return _apply_pending(turn, state)
        cleared = replace(state, pending=None, pending_text="")
        if state.pending is not Pending.NARRATIVE:
            return _show(turn, cleared, lead=msg.SHORTCUT_CANCELLED)
        state = cleared  # a narrative not confirmed: whatever comes now is its rewrite (or a command)
    if command is not None:
        name, arg = command
        handled = _global_command(turn, state, name, arg)
        if handled is not None:
            return handled
    match state.mode:
        case Mode.TOC:
            return _toc_choice(turn, state, raw)
        case Mode.REVIEW:
            return _show(turn, state)
        case Mode.TITLE:
            return _title_answer(turn, state, raw, command)
        case Mode.CONFIRM:
            return _confirm_with_explanation(turn, state, raw)
        case _:
            return _answer(turn, state, raw, command)


def _fitted_state(turn: _Turn, state: DialogState) -> DialogState:
    """`state` made to fit this form and unit kind; a stored state may not.

    A position is saved between turns and may outlive what it points at: the unit kind
    changed (the government-only items disappear), or the declaration changed (a row lost a
    cell). Such a position is moved to the nearest valid one instead of raising.
    """
    ids = {i.id for i in turn.items}
    if state.item is not None and state.item not in ids:
        state = replace(state, item=None, cell=0, narrative_open=False)
    if state.pending is not None and (state.mode is not Mode.ASK or state.item is None):
        state = replace(state, pending=None, pending_text="")
    if state.item is not None:
        item = turn.form.item(state.item)
        if item.is_narrative or not 0 <= state.cell < len(item.fields):
            state = replace(state, cell=0)
    else:
        state = replace(state, cell=0)
    if state.return_to not in (None, REVIEW) and state.return_to not in ids:
        state = replace(state, return_to=None)
    return state


_GLOBAL_COMMANDS = frozenset(
    {Command.TOC, Command.PREVIEW, Command.HELP, Command.SUBMIT, Command.STATUS, Command.TITLE}
)
_MENUS = (Mode.TOC, Mode.CONFIRM, Mode.TITLE)
"""Modes that are left for the question (or the review) they were opened from."""


def _global_command(turn: _Turn, state: DialogState, name: Command, arg: str) -> Step | None:
    match name:
        case Command.HELP:
            return _show(turn, state, lead=msg.HELP)
        case Command.PREVIEW:
            return _preview(turn, state)
        case Command.STATUS:
            return _show(turn, state, lead=_progress_line(turn))
        case Command.TOC:
            if arg:
                return _toc_choice(turn, replace(state, mode=Mode.TOC), arg)
            return _toc(turn, state)
        case Command.EDIT:
            return _edit(turn, state, arg)
        case Command.SUBMIT:
            return _submit(turn, state)
        case Command.CONFIRM_SUBMIT:
            if state.mode is Mode.CONFIRM:
                return _submit(turn, state, confirmed=True)
            return _show(turn, state, lead=msg.CONFIRM_NOTHING)
        case Command.TITLE:
            return _show(turn, replace(_leave_menu(state), mode=Mode.TITLE))
        case Command.RETURN if state.mode in _MENUS:
            return _show(turn, _leave_menu(state))
        case Command.BACK:
            if state.mode in _MENUS:
                return _show(turn, _leave_menu(state))
            if state.mode is Mode.REVIEW:
                last = turn.items[-1]
                return _show(turn, DialogState(item=last.id, skipped=state.skipped))
            return _back(turn, state)
    return None


def _leave_menu(state: DialogState) -> DialogState:
    if state.item and state.item != REVIEW:
        return replace(state, mode=Mode.ASK)
    return replace(state, item=None, mode=Mode.REVIEW)


# --- the report title -------------------------------------------------------------------------
def _title_answer(turn: _Turn, state: DialogState, raw: str, command: tuple[Command, str] | None) -> Step:
    """The accept word keeps the title shown; a text is the published title (validated, one line)."""
    info = turn.info
    if command is not None and command[0] is Command.ACCEPT:
        turn.notes.append(
            msg.TITLE_KEPT.format(title=report_title(turn.form, turn.answers, info.agency, info.year))
        )
        return _show(turn, _leave_menu(state))
    title = parse_title(raw)
    if isinstance(title, Rejected):
        return _show(turn, state, lead=title.message)
    # The default is not stored: it follows the agency's name if a coordinator corrects it.
    turn.write(TITLE_KEY, None if title == default_title(turn.form, info.agency, info.year) else title, raw)
    turn.notes.append(msg.TITLE_SAVED.format(title=title))
    return _show(turn, _leave_menu(state))


def _title_prompt(turn: _Turn, state: DialogState, head: list[str]) -> Step:
    title = report_title(turn.form, turn.answers, turn.info.agency, turn.info.year)
    text = "\n".join([*head, msg.TITLE_PROMPT.format(title=title)])
    choices = (Choice(msg.BTN_ACCEPT, Command.ACCEPT.value), Choice(msg.BTN_RETURN, Command.RETURN.value))
    return Step(state, tuple(turn.writes), (Reply(text, choices, state.token),))


# --- answering the current item -------------------------------------------------------------
def _answer(turn: _Turn, state: DialogState, raw: str, command: tuple[Command, str] | None) -> Step:
    if state.item is None or not turn.form.has_item(state.item):
        return _show(turn, replace(state, item=None, mode=Mode.REVIEW))
    item = turn.form.item(state.item)
    name = command[0] if command else None
    match name:
        case Command.SKIP:
            return _skip(turn, state, item)
        case Command.ACCEPT:
            return _accept_proposal(turn, state, item)
        case Command.LAST_YEAR:
            return _adopt_last_year(turn, state, item)
        case Command.DONE:
            if not item.is_narrative:
                return _show(turn, state, lead=msg.DONE_NOT_NARRATIVE)
            if item.fields[0].key not in turn.answers:
                return _show(turn, state, lead=msg.EMPTY_NARRATIVE)
            return _advance(turn, state, item)
        case Command.NO_APPS | Command.NO_REVIEW:
            return _shortcut(turn, state, item, name)
        case Command.CONFIRM_CHANGE:
            return _show(turn, state, lead=msg.CONFIRM_NOTHING)
        case Command.ZERO_ROW if item.is_narrative and item.none_text:
            # The none word at an item that may have nothing to report: the report's wording, once.
            turn.write(item.fields[0].key, item.none_text, raw)
            turn.notes.append(msg.NONE_RECORDED.format(text=item.none_text))
            return _advance(turn, replace(state, narrative_open=False, skipped=_unskip(state, item)), item)
        case Command.ZERO_ROW if not item.is_narrative and state.cell == 0:
            # Amounts are Decimal like a typed "0" gives, so the value survives storage unchanged.
            zeros: list[int | Decimal] = [
                Decimal(0) if f.kind is ValueKind.AMOUNT else 0 for f in item.fields
            ]
            return _store_numbers(turn, state, item, zeros, raw)
        case Command.RETURN:
            return _back(turn, state)
    if item.is_narrative:
        return _narrative(turn, state, item, raw)
    return _numbers(turn, state, item, raw)


def _narrative(turn: _Turn, state: DialogState, item: Item, raw: str) -> Step:
    text = parse_narrative(raw)
    if isinstance(text, Rejected):
        return _show(turn, state, lead=text.message)
    if _is_bare_number_or_punctuation(text):
        return _show(turn, replace(state, pending=Pending.NARRATIVE, pending_text=text))
    return _store_narrative(turn, state, item, text, raw)


def _is_bare_number_or_punctuation(text: str) -> bool:
    """Only digits, punctuation and symbols: a number typed at the wrong question, or a stray key."""
    return all(
        ch.isdigit() or ch.isspace() or unicodedata.category(ch)[0] in "PS"
        for ch in unicodedata.normalize("NFKC", text)
    )


def _store_narrative(turn: _Turn, state: DialogState, item: Item, text: str, raw: str) -> Step:
    previous = turn.answers.get(item.fields[0].key)
    if state.narrative_open and isinstance(previous, str) and previous:
        text = f"{previous}\n{text}"
    return _write_narrative(turn, state, item, text, raw)


def _write_narrative(turn: _Turn, state: DialogState, item: Item, text: str, raw: str) -> Step:
    """`text` as the item's whole answer; the narrative stays open for further paragraphs."""
    turn.write(item.fields[0].key, text, raw)
    new_state = replace(state, narrative_open=True, skipped=_unskip(state, item))
    lead = msg.NARRATIVE_APPENDED.format(title=item.title, count=text.count("\n") + 1)
    return _show(turn, new_state, lead=lead, prompt=False)


def _numbers(turn: _Turn, state: DialogState, item: Item, raw: str) -> Step:
    fields = item.fields
    if len(fields) > 1 and (state.cell > 0 or count_tokens(raw) == 1):
        cell_field = fields[state.cell]
        value = parse_value(raw, cell_field)
        if isinstance(value, Rejected):
            return _show(turn, state, lead=value.message)
        refusal = _balance_refusal(turn, item, {cell_field.key: value})
        if refusal:
            return _show(turn, state, lead=refusal)
        turn.write_numbers((cell_field,), [value], raw)
        if state.cell + 1 < len(fields):
            saved = msg.SAVED_CELL.format(
                title=item.title, label=_leaf_label(cell_field), value=value_text(value)
            )
            return _show(turn, replace(state, cell=state.cell + 1), lead=saved)
        return _completed(turn, replace(state, cell=0), item)
    values = parse_values(raw, fields)
    if isinstance(values, Rejected):
        return _show(turn, state, lead=values.message)
    return _store_numbers(turn, state, item, values, raw)


def _store_numbers(
    turn: _Turn, state: DialogState, item: Item, values: list[int | Decimal], raw: str
) -> Step:
    refusal = _balance_refusal(turn, item, {f.key: v for f, v in zip(item.fields, values, strict=True)})
    if refusal:
        return _show(turn, state, lead=refusal)
    turn.write_numbers(item.fields, values, raw)
    return _completed(turn, replace(state, cell=0), item)


def _completed(turn: _Turn, state: DialogState, item: Item) -> Step:
    """An item got all its values: confirm them, re-check the balance, move on."""
    if len(item.fields) > 1:
        values = msg.LIST_SEP.join(value_text(turn.answers.get(f.key)) for f in item.fields)
        total_key = _row_total_key(turn.form, item)
        total = turn.answers.get(total_key) if total_key else None
        turn.notes.append(
            msg.SAVED_ROW.format(title=item.title, values=values, total=value_text(total))
            if total is not None
            else msg.SAVED_VALUES.format(title=item.title, values=values)
        )
    else:
        value = value_text(turn.answers.get(item.fields[0].key))
        turn.notes.append(msg.SAVED_VALUES.format(title=item.title, values=value))
    closing = _closing_item(turn.form)
    if (
        closing is not None
        and _feeds_balance(turn.form, item)
        and item.id != closing.id
        and _balance_broken(turn)
    ):
        turn.notes.append(msg.BALANCE_RECHECK)
        return_to = state.return_to or (state.item if state.item != item.id else None)
        target = DialogState(item=closing.id, return_to=return_to, skipped=_unskip(state, item))
        return _show(turn, target)
    return _advance(turn, replace(state, skipped=_unskip(state, item)), item)


def _row_total_key(form: Form, item: Item) -> str | None:
    first = item.fields[0].key
    candidate = first.rsplit(".", 1)[0] + ".total"
    return candidate if form.has_key(candidate) and form.field(candidate).is_computed else None


def _closing_item(form: Form) -> Item | None:
    """The item that asks the balance's carried-out row (None for a form without a balance)."""
    if form.balance is None:
        return None
    return form.item_of(form.balance.closing_keys()[0])


def _feeds_balance(form: Form, item: Item) -> bool:
    """An item of the balance's table: changing it may break the balance."""
    return form.balance is not None and item.fields[0].key.startswith(f"{form.balance.grid.id}.")


def _balance_broken(turn: _Turn) -> bool:
    balance = turn.form.balance
    if balance is None:
        return False
    grid = balance.grid
    if not all(grid.key(balance.carried_out, c.key) in turn.answers for c in grid.columns):
        return False
    for col in grid.columns:
        expected = balance.expected(turn.answers, col.key)
        if expected is not None and turn.answers.get(grid.key(balance.carried_out, col.key)) != expected:
            return True
    return False


def _balance_column(balance: Balance, key: str) -> str | None:
    """The column of a carried-out cell, or None for any other key."""
    for column in balance.grid.columns:
        if key == balance.grid.key(balance.carried_out, column.key):
            return column.key
    return None


def _balance_refusal(turn: _Turn, item: Item, values: Mapping[str, Value]) -> str | None:
    """The balance rule at entry: a carried-out row that breaks it is refused with the arithmetic."""
    balance = turn.form.balance
    if balance is None:
        return None
    grid = balance.grid
    for key, value in values.items():
        column = _balance_column(balance, key)
        expected = None if column is None else balance.expected(turn.answers, column)
        if column is None or expected is None:
            continue
        new, ci = turn.count(grid.key(balance.new, column)), turn.count(grid.key(balance.carried_in, column))
        processed = turn.count(grid.key(balance.processed, column))
        figures = {"column": grid.column(column).label, "new": new, "carried_in": ci, "processed": processed}
        if expected < 0:
            return msg.BALANCE_NEGATIVE.format(item_number=_first_result_number(turn, balance), **figures)
        if value != expected:
            return msg.BALANCE_BROKEN.format(
                left=new + ci, right=processed + int(value), carried_out=value, expected=expected, **figures
            )
    return None


def _first_result_number(turn: _Turn, balance: Balance) -> int:
    """The dialog number of the first item summed into the processed total."""
    processed = turn.form.field(balance.grid.key(balance.processed, balance.grid.parts[0].key))
    return turn.index(turn.form.item_of(processed.sums[0]).id) + 1


def _unskip(state: DialogState, item: Item) -> tuple[str, ...]:
    return tuple(s for s in state.skipped if s != item.id)


# --- proposals and shortcuts ---------------------------------------------------------------
def _proposed_numbers(turn: _Turn, item: Item) -> list[int | Decimal] | None:
    balance = turn.form.balance
    if Proposal.BALANCE in item.proposals and balance is not None:
        columns = [_balance_column(balance, f.key) for f in item.fields]
        expected = [None if c is None else balance.expected(turn.answers, c) for c in columns]
        if all(e is not None and e >= 0 for e in expected):
            return [e for e in expected if e is not None]
    carry_over = turn.form.carry_over
    if Proposal.CARRIED_IN in item.proposals and turn.info.previous is not None:
        prev = turn.info.previous
        values = [prev.get(carry_over[f.key]) if f.key in carry_over else None for f in item.fields]
        if all(isinstance(v, int) for v in values):
            return [v for v in values if isinstance(v, int)]
    return None


def _proposed_text(turn: _Turn, item: Item) -> str | None:
    if Proposal.GENERATED_TEXT not in item.proposals:
        return None
    return generated_text(
        turn.form, item.fields[0].key, turn.answers, agency=turn.info.agency, year=turn.info.year
    )


def _last_year_text(turn: _Turn, item: Item) -> str | None:
    if Proposal.LAST_YEAR_TEXT not in item.proposals or turn.info.previous is None:
        return None
    value = turn.info.previous.get(item.fields[0].key)
    return value if isinstance(value, str) and value.strip() else None


def _accept_proposal(turn: _Turn, state: DialogState, item: Item) -> Step:
    if item.is_narrative:
        text = _proposed_text(turn, item)
        if text is None:
            return _show(turn, state, lead=msg.NOTHING_TO_ACCEPT)
        return _write_narrative(turn, state, item, text, msg.BTN_ADOPT)
    values = _proposed_numbers(turn, item)
    if values is None or state.cell != 0:
        return _show(turn, state, lead=msg.NOTHING_TO_ACCEPT)
    return _store_numbers(turn, state, item, values, msg.BTN_ACCEPT)


def _adopt_last_year(turn: _Turn, state: DialogState, item: Item) -> Step:
    text = _last_year_text(turn, item)
    if text is None:
        return _show(turn, state, lead=msg.NOTHING_TO_ACCEPT)
    return _write_narrative(turn, state, item, text, msg.BTN_LAST_YEAR)


_SHORTCUT_PENDING = {
    Shortcut.NO_APPLICATIONS: Pending.NO_APPS,
    Shortcut.NO_REVIEW_LITIGATION: Pending.NO_REVIEW,
}


def _shortcut(turn: _Turn, state: DialogState, item: Item, name: Command) -> Step:
    wanted = Shortcut.NO_APPLICATIONS if name is Command.NO_APPS else Shortcut.NO_REVIEW_LITIGATION
    if wanted not in item.shortcuts:
        return _show(turn, state, lead=msg.SHORTCUT_NOT_HERE)
    if _overwritten_rows(turn, wanted):
        # Numbers already typed are not set to 0 by one word: the person sees them and confirms.
        return _show(turn, replace(state, pending=_SHORTCUT_PENDING[wanted], pending_text=""))
    return _apply_shortcut(turn, state, wanted)


def _shortcut_targets(turn: _Turn, wanted: Shortcut) -> list[Item]:
    return turn.form.shortcut_targets(turn.items, wanted)


def _after_shortcut(turn: _Turn, targets: list[Item]) -> str | None:
    """The item asked next: the first of the targets' section, after the first target, that the
    shortcut did not fill (no applications still leaves last year's carried-in to ask); None
    when the shortcut filled the rest of its section."""
    first = turn.index(targets[0].id)
    target_ids = {i.id for i in targets}
    for item in turn.items[first + 1 :]:
        if item.section != targets[0].section:
            return None
        if item.id not in target_ids:
            return item.id
    return None


def _overwritten_rows(turn: _Turn, wanted: Shortcut) -> list[str]:
    """One line per row the shortcut would change: its title and its non-zero cells."""
    rows = []
    for item in _shortcut_targets(turn, wanted):
        cells = [(f, turn.answers.get(f.key)) for f in item.fields]
        shown = [f"{_leaf_label(f)} {value_text(v)}" for f, v in cells if v is not None and v != 0]
        if shown:
            rows.append(msg.SHORTCUT_OVERWRITE_ROW.format(title=item.title, values=msg.LIST_SEP.join(shown)))
    return rows


def _apply_pending(turn: _Turn, state: DialogState) -> Step:
    cleared = replace(state, pending=None, pending_text="")
    item = turn.form.item(state.item) if state.item else None
    if state.pending is Pending.NARRATIVE:
        if item is None or not item.is_narrative:
            return _show(turn, cleared)
        return _store_narrative(turn, cleared, item, state.pending_text, state.pending_text)
    wanted = Shortcut.NO_APPLICATIONS if state.pending is Pending.NO_APPS else Shortcut.NO_REVIEW_LITIGATION
    return _apply_shortcut(turn, cleared, wanted)


def _pending_prompt(turn: _Turn, state: DialogState, head: list[str]) -> Step:
    item = turn.form.item(state.item or "")
    if state.pending is Pending.NARRATIVE:
        lines = [*head, msg.NARRATIVE_SUSPICIOUS.format(text=state.pending_text)]
        if item.none_text:
            lines.append(msg.GOV_NONE_OK)
        choices = (
            Choice(msg.BTN_CONFIRM_TEXT, Command.CONFIRM_CHANGE.value),
            *_item_choices(turn, state, item),
        )
        return Step(state, tuple(turn.writes), (Reply("\n".join(lines), choices, state.token),))
    wanted = Shortcut.NO_APPLICATIONS if state.pending is Pending.NO_APPS else Shortcut.NO_REVIEW_LITIGATION
    word = msg.BTN_NO_APPS if wanted is Shortcut.NO_APPLICATIONS else msg.BTN_NO_REVIEW
    rows = "\n".join(_overwritten_rows(turn, wanted))
    text = "\n".join([*head, msg.SHORTCUT_OVERWRITE.format(shortcut=word, rows=rows)])
    choices = (
        Choice(msg.BTN_CONFIRM_ZERO, Command.CONFIRM_CHANGE.value),
        Choice(msg.BTN_CANCEL, Command.RETURN.value),
    )
    return Step(state, tuple(turn.writes), (Reply(text, choices, state.token),))


def _apply_shortcut(turn: _Turn, state: DialogState, wanted: Shortcut) -> Step:
    targets = _shortcut_targets(turn, wanted)
    if wanted is Shortcut.NO_APPLICATIONS:
        lead, word = msg.SHORTCUT_NO_APPS, msg.BTN_NO_APPS
    else:
        lead, word = msg.SHORTCUT_NO_REVIEW, msg.BTN_NO_REVIEW
    next_item = _after_shortcut(turn, targets)
    fields = tuple(f for i in targets for f in i.fields)
    turn.write_numbers(fields, [0] * len(fields), word)
    turn.notes.append(lead)
    skipped = tuple(s for s in state.skipped if s not in {i.id for i in targets})
    if next_item is not None:
        return _show(turn, DialogState(item=next_item, return_to=state.return_to, skipped=skipped))
    return _advance(turn, replace(state, cell=0, skipped=skipped), targets[-1])


# --- navigation ------------------------------------------------------------------------------
def _first_unanswered(turn: _Turn, after: int) -> str | None:
    for item in turn.items[after + 1 :]:
        if not turn.is_answered(item):
            return item.id
    return None


def _advance(turn: _Turn, state: DialogState, item: Item) -> Step:
    if state.return_to is not None:
        turn.notes.append(msg.EDIT_RETURN)
        if state.return_to == REVIEW:
            return _show(turn, DialogState(item=None, mode=Mode.REVIEW, skipped=state.skipped))
        return _show(turn, DialogState(item=state.return_to, skipped=state.skipped))
    nxt = _first_unanswered(turn, turn.index(item.id))
    if nxt is None:
        return _show(turn, DialogState(item=None, mode=Mode.REVIEW, skipped=state.skipped))
    return _show(turn, DialogState(item=nxt, skipped=state.skipped))


def _skip(turn: _Turn, state: DialogState, item: Item) -> Step:
    skipped = state.skipped
    if not turn.is_answered(item) and item.id not in skipped:
        skipped = (*skipped, item.id)
        turn.notes.append(msg.SKIPPED.format(title=item.title))
    return _advance(turn, replace(state, cell=0, narrative_open=False, skipped=skipped), item)


def _back(turn: _Turn, state: DialogState) -> Step:
    if state.item is None or not turn.form.has_item(state.item):
        return _show(turn, state)
    if state.cell > 0:
        return _show(turn, replace(state, cell=state.cell - 1))
    idx = turn.index(state.item)
    if idx == 0:
        return _show(turn, state, lead=msg.BACK_AT_START)
    return _show(turn, DialogState(item=turn.items[idx - 1].id, skipped=state.skipped))


def _sections_in_dialog_order(turn: _Turn) -> list[str]:
    order: list[str] = []
    for item in turn.items:
        if item.section not in order:
            order.append(item.section)
    return order


def _toc(turn: _Turn, state: DialogState, lead: str | None = None) -> Step:
    sections = _sections_in_dialog_order(turn)
    lines = [msg.TOC_HEADER]
    choices = []
    for n, sid in enumerate(sections, start=1):
        items = [i for i in turn.items if i.section == sid]
        done = sum(turn.is_answered(i) for i in items)
        name = turn.form.section(sid).short
        lines.append(msg.TOC_LINE.format(number=n, name=name, done=done, total=len(items)))
        choices.append(Choice(f"{n}. {name}", str(n)))
    choices.append(Choice(msg.BTN_RETURN, Command.RETURN.value))
    toc_state = replace(state, mode=Mode.TOC)
    text = "\n".join(([lead] if lead else []) + lines)
    return Step(toc_state, tuple(turn.writes), (Reply(text, tuple(choices), toc_state.token),))


def _toc_choice(turn: _Turn, state: DialogState, raw: str) -> Step:
    sections = _sections_in_dialog_order(turn)
    choice = raw.strip()
    number = parse_value(choice, Field("toc", "", ValueKind.COUNT))
    if isinstance(number, Rejected) or not 1 <= int(number) <= len(sections):
        return _toc(turn, state, lead=msg.TOC_BAD_CHOICE.format(count=len(sections)))
    sid = sections[int(number) - 1]
    items = [i for i in turn.items if i.section == sid]
    target = next((i for i in items if not turn.is_answered(i)), items[0])
    return _show(turn, DialogState(item=target.id, skipped=state.skipped))


def _find_items(turn: _Turn, query: str) -> list[Item]:
    q = query.strip()
    number = parse_value(q, Field("edit", "", ValueKind.COUNT))
    if not isinstance(number, Rejected) and 1 <= int(number) <= len(turn.items):
        return [turn.items[int(number) - 1]]
    exact = [i for i in turn.items if q in (i.id, i.title)]
    if exact:
        return exact
    return [i for i in turn.items if q and (q in i.title or any(q in f.label for f in i.fields))]


def _edit(turn: _Turn, state: DialogState, query: str) -> Step:
    if not query.strip():
        return _show(turn, state, lead=msg.EDIT_USAGE)
    matches = _find_items(turn, query)
    if not matches:
        return _show(turn, state, lead=msg.EDIT_NOT_FOUND.format(query=query.strip()))
    if len(matches) > 1:
        listed = msg.LIST_SEP.join(f"{turn.index(m.id) + 1}.{m.title}" for m in matches[:6])
        first = turn.index(matches[0].id) + 1
        return _show(
            turn, state, lead=msg.EDIT_AMBIGUOUS.format(query=query.strip(), matches=listed, first=first)
        )
    target = matches[0]
    if state.mode in (Mode.REVIEW, Mode.CONFIRM):
        return_to: str | None = REVIEW
    elif state.return_to is not None:
        return_to = state.return_to
    else:
        return_to = state.item if state.item != target.id else None
    turn.notes.append(msg.EDIT_START.format(title=target.title))
    return _show(turn, DialogState(item=target.id, return_to=return_to, skipped=state.skipped))


# --- review and submission ---------------------------------------------------------------------
def _missing_items(turn: _Turn) -> list[Item]:
    return [i for i in turn.items if not i.optional and not turn.is_answered(i)]


@dataclass(frozen=True, slots=True)
class _Checks:
    """What stands between the report and submission, worked out once per turn."""

    missing: list[Item]
    statuses: list[RuleStatus]

    def findings(self, severity: Severity) -> list[Finding]:
        return [f for s in self.statuses for f in s.findings if f.severity is severity]

    @property
    def errors(self) -> list[Finding]:
        return self.findings(Severity.ERROR)

    @property
    def warnings(self) -> list[Finding]:
        return self.findings(Severity.WARNING)

    @property
    def is_blocked(self) -> bool:
        return bool(self.missing or self.errors)


def _checks(turn: _Turn) -> _Checks:
    missing = _missing_items(turn)
    return _Checks(missing, rule_statuses(turn.facts(), turn.rules, missing))


def _item_ref(turn: _Turn, item: Item) -> str:
    return f"{turn.index(item.id) + 1}.{item.title}"


def _item_of_key(turn: _Turn, key: str) -> Item | None:
    """The item that asks `key`, or for a total the item that asks its first part."""
    for item in turn.items:
        if any(f.key == key for f in item.fields):
            return item
    if turn.form.has_key(key):
        for part in turn.form.field(key).sums:
            found = _item_of_key(turn, part)
            if found is not None:
                return found
    return None


def _blockers(turn: _Turn, checks: _Checks) -> list[str]:
    """What to fill and what to correct, each with the edit command that gets there."""
    lines = []
    if checks.missing:
        lines.append(msg.REVIEW_MISSING)
        lines.extend(
            msg.REVIEW_MISSING_LINE.format(ref=_item_ref(turn, i), number=turn.index(i.id) + 1)
            for i in checks.missing
        )
    if checks.errors:
        lines.append(msg.REVIEW_ERRORS)
        for finding in checks.errors:
            item = next((i for k in finding.keys if (i := _item_of_key(turn, k)) is not None), None)
            if item is None:
                lines.append(f"{MARKS[Severity.ERROR]} {finding.message}")
            else:
                number = turn.index(item.id) + 1
                lines.append(msg.REVIEW_ERROR_LINE.format(message=finding.message, number=number))
    return lines


def _review_text(turn: _Turn, checks: _Checks) -> str:
    done = sum(turn.is_answered(i) for i in turn.items)
    lines = [
        msg.REVIEW_HEADER.format(done=done, total=len(turn.items)),
        msg.REVIEW_TITLE.format(
            title=report_title(turn.form, turn.answers, turn.info.agency, turn.info.year)
        ),
        *_blockers(turn, checks),
    ]
    lines.append(_checklist(turn, checks))
    for severity, heading in ((Severity.WARNING, msg.REVIEW_WARNINGS), (Severity.INFO, msg.REVIEW_INFOS)):
        found = checks.findings(severity)
        if found:
            lines.append(heading)
            lines.extend(f"{MARKS[severity]} {f.message}" for f in found)
    if not checks.is_blocked and not checks.warnings:
        lines.append(msg.REVIEW_OK)
    lines.append(msg.REVIEW_NEXT_BLOCKED if checks.is_blocked else msg.REVIEW_NEXT)
    return "\n".join(lines)


_WAITING_SHOWN = 5  # item numbers named per waiting rule; the missing list above names them all


def _checklist(turn: _Turn, checks: _Checks) -> str:
    """Every rule with what it found; a rule that needs an unfilled item has not passed."""
    lines = [msg.REVIEW_CHECKLIST]
    for status in checks.statuses:
        line = f"{status.mark} {status.rule.title}"
        if status.mark == WAITING:
            waiting = status.waiting_for
            numbers = msg.LIST_SEP.join(str(turn.index(i.id) + 1) for i in waiting[:_WAITING_SHOWN])
            if len(waiting) > _WAITING_SHOWN:
                line += msg.REVIEW_WAITING_MANY.format(numbers=numbers, count=len(waiting))
            else:
                line += msg.REVIEW_WAITING.format(numbers=numbers)
        lines.append(line)
    return "\n".join(lines)


def _submit(
    turn: _Turn, state: DialogState, *, confirmed: bool = False, explanation: str = "", lead: str = ""
) -> Step:
    checks = _checks(turn)
    warnings = checks.warnings
    if checks.is_blocked:
        # Exactly what to do, item by item; no submit button or prompt until it is done.
        review_state = DialogState(item=None, mode=Mode.REVIEW, skipped=state.skipped)
        text = "\n".join([msg.SUBMIT_BLOCKED, *_blockers(turn, checks), msg.REVIEW_NEXT_BLOCKED])
        return Step(
            review_state, tuple(turn.writes), (Reply(text, _review_choices(checks), review_state.token),)
        )
    if warnings and not confirmed:
        confirm_state = replace(state, mode=Mode.CONFIRM)
        text = "\n".join(
            [*([lead] if lead else []), msg.SUBMIT_CONFIRM, *(f"! {f.message}" for f in warnings)]
        )
        choices = (
            Choice(msg.BTN_CONFIRM_SUBMIT, Command.CONFIRM_SUBMIT.value),
            Choice(msg.BTN_RETURN, Command.RETURN.value),
        )
        return Step(confirm_state, tuple(turn.writes), (Reply(text, choices, confirm_state.token),))
    if not confirmed and state.mode is Mode.CONFIRM:
        # The warnings went away while waiting (another clerk edited): nothing was confirmed, so
        # the person sees the review and submits from there.
        review_state = DialogState(item=None, mode=Mode.REVIEW, skipped=state.skipped)
        return Step(review_state, tuple(turn.writes), (_review_reply(turn, review_state, lead, checks),))
    confirmations = tuple(Confirmation(f.rule_id, f.ref, f.message, explanation) for f in warnings)
    done = DialogState(item=None, mode=Mode.SUBMITTED)
    reply = Reply(msg.SUBMIT_DONE, (), done.token)
    return Step(done, tuple(turn.writes), (reply,), (Event.SUBMITTED,), confirmations)


def _confirm_with_explanation(turn: _Turn, state: DialogState, raw: str) -> Step:
    """At the warnings only the confirm-submission command or an explanation with its prefix
    (`msg.EXPLANATION_PREFIXES`) submits; anything else shows the warnings again."""
    explanation = _explanation(raw)
    if explanation is None:
        return _submit(turn, state, lead=msg.CONFIRM_HOW)
    return _submit(turn, state, confirmed=True, explanation=explanation)


def _explanation(raw: str) -> str | None:
    text = raw.strip()
    for prefix in msg.EXPLANATION_PREFIXES:
        if text.startswith(prefix):
            return text.removeprefix(prefix).strip() or None
    return None


def _review_choices(checks: _Checks) -> tuple[Choice, ...]:
    submit = () if checks.is_blocked else (Choice(msg.BTN_SUBMIT, Command.SUBMIT.value),)
    return (
        *submit,
        Choice(msg.BTN_PREVIEW, Command.PREVIEW.value),
        Choice(msg.BTN_TOC, Command.TOC.value),
        Choice(msg.BTN_TITLE, Command.TITLE.value),
        Choice(msg.BTN_BACK, Command.BACK.value),
    )


def _review_reply(turn: _Turn, state: DialogState, lead: str = "", checks: _Checks | None = None) -> Reply:
    checks = checks or _checks(turn)
    text = "\n".join(([lead] if lead else []) + [_review_text(turn, checks)])
    return Reply(text, _review_choices(checks), state.token)


def _preview(turn: _Turn, state: DialogState) -> Step:
    text = preview_text(turn.form, turn.items, turn.answers, state.skipped)
    shown = _show(turn, state)
    return Step(shown.state, shown.writes, (Reply(text), *shown.replies), (Event.PREVIEW,))


def _progress_line(turn: _Turn) -> str:
    done = sum(turn.is_answered(i) for i in turn.items)
    return msg.PROGRESS_DONE.format(done=done, total=len(turn.items))


# --- prompts -----------------------------------------------------------------------------------
def _show(turn: _Turn, state: DialogState, *, lead: str | None = None, prompt: bool = True) -> Step:
    """The reply for `state`: notes gathered this turn, `lead`, then the question itself."""
    head = [*turn.notes, *([lead] if lead else [])]
    if state.mode is Mode.TOC:
        return _toc(turn, state, lead="\n".join(head) or None)
    if state.mode is Mode.SUBMITTED:
        return Step(
            state, tuple(turn.writes), (Reply("\n".join(head) or msg.SUBMITTED_LOCKED, (), state.token),)
        )
    if state.mode is Mode.TITLE:
        return _title_prompt(turn, state, head)
    if state.mode is Mode.REVIEW or state.item is None or not turn.form.has_item(state.item):
        review = DialogState(item=None, mode=Mode.REVIEW, skipped=state.skipped)
        return Step(review, tuple(turn.writes), (_review_reply(turn, review, "\n".join(head)),))
    if state.mode is Mode.CONFIRM:
        return _submit(turn, state)
    if state.pending is not None:
        return _pending_prompt(turn, state, head)
    item = turn.form.item(state.item)
    if not prompt:
        choices = _item_choices(turn, state, item)
        return Step(state, tuple(turn.writes), (Reply("\n".join(head), choices, state.token),))
    text = "\n".join([*head, _prompt_text(turn, state, item)])
    return Step(state, tuple(turn.writes), (Reply(text, _item_choices(turn, state, item), state.token),))


def _prompt_text(turn: _Turn, state: DialogState, item: Item) -> str:
    section = turn.form.section(item.section).short
    idx = turn.index(item.id) + 1
    lines = [msg.PROGRESS.format(section=section, index=idx, total=len(turn.items)), item.title]
    if item.is_narrative:
        lines.append(item.hint)
        current = turn.answers.get(item.fields[0].key)
        if isinstance(current, str) and current and not state.narrative_open:
            lines.append(msg.NARRATIVE_CURRENT.format(text=current))
        else:
            generated = _proposed_text(turn, item)
            if generated:
                lines.append(msg.PROPOSAL_TEXT.format(text=generated))
            last_year = _last_year_text(turn, item)
            if last_year:
                lines.append(msg.PROPOSAL_LAST_YEAR.format(text=last_year))
        if item.optional:
            lines.append(msg.NARRATIVE_OPTIONAL)
        return "\n".join(lines)
    if len(item.fields) > 1 and state.cell > 0:
        f = item.fields[state.cell]
        lines.append(
            msg.CELL_PROMPT.format(label=_leaf_label(f), index=state.cell + 1, count=len(item.fields))
        )
        return "\n".join(lines)
    lines.append(item.hint)
    tip = msg.EXAMPLE.format(example=item.example)
    if len(item.fields) > 1:
        tip += msg.ITEM_SEP + msg.ROW_ZERO_TIP
    lines.append(tip)
    if turn.is_answered(item):
        lines.append(
            msg.CURRENT_VALUE.format(
                value=msg.LIST_SEP.join(value_text(turn.answers[f.key]) for f in item.fields)
            )
        )
    proposed = _proposed_numbers(turn, item)
    if Proposal.BALANCE in item.proposals and proposed is not None:
        lines.append(msg.PROPOSAL_BALANCE.format(values=_values_line(item, proposed)))
    elif Proposal.CARRIED_IN in item.proposals:
        if proposed is not None:
            lines.append(msg.PROPOSAL_CARRIED_IN.format(values=_values_line(item, proposed)))
        elif turn.info.previous is None:
            lines.append(msg.PROPOSAL_CARRIED_IN_NONE)
    return "\n".join(lines)


def _leaf_label(f: Field) -> str:
    """The column part of a field label (the text after its last full-width colon)."""
    return f.label.rsplit(msg.LABEL_SEP, 1)[-1]


def _values_line(item: Item, values: list[int | Decimal]) -> str:
    return msg.LIST_SEP.join(
        f"{_leaf_label(f)} {format_amount(v)}" for f, v in zip(item.fields, values, strict=True)
    )


def _item_choices(turn: _Turn, state: DialogState, item: Item) -> tuple[Choice, ...]:
    choices: list[Choice] = []
    if item.is_narrative:
        if item.fields[0].key in turn.answers:
            choices.append(Choice(msg.BTN_DONE, Command.DONE.value))
        if _proposed_text(turn, item):
            choices.append(Choice(msg.BTN_ADOPT, Command.ACCEPT.value))
        if _last_year_text(turn, item):
            choices.append(Choice(msg.BTN_LAST_YEAR, Command.LAST_YEAR.value))
    else:
        if state.cell == 0 and _proposed_numbers(turn, item) is not None:
            choices.append(Choice(msg.BTN_ACCEPT, Command.ACCEPT.value))
        if len(item.fields) > 1 and state.cell == 0:
            choices.append(Choice(msg.BTN_NONE, Command.ZERO_ROW.value))
        if Shortcut.NO_APPLICATIONS in item.shortcuts and state.cell == 0:
            choices.append(Choice(msg.BTN_NO_APPS, Command.NO_APPS.value))
        if Shortcut.NO_REVIEW_LITIGATION in item.shortcuts and state.cell == 0:
            choices.append(Choice(msg.BTN_NO_REVIEW, Command.NO_REVIEW.value))
    choices.extend(
        (
            Choice(msg.BTN_BACK, Command.BACK.value),
            Choice(msg.BTN_SKIP, Command.SKIP.value),
            Choice(msg.BTN_TOC, Command.TOC.value),
            Choice(msg.BTN_PREVIEW, Command.PREVIEW.value),
        )
    )
    return tuple(choices)
