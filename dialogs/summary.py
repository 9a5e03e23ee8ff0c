"""A compact, chat-sized view of the answers (the preview), built from the form declaration.

This is not the published report (templates/ renders that); it lists every item with its
number so the person can ask to edit item 12 by its number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from dialogs import messages as msg
from dialogs.form import Form, Grid, Item, Value
from dialogs.sentences import format_amount


def value_text(value: Value | None) -> str:
    if value is None:
        return msg.PREVIEW_UNANSWERED
    if isinstance(value, Decimal):
        return format_amount(value)
    return str(value)


def _clip(text: str, limit: int = 60) -> str:
    flat = text.replace("\n", " ")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def preview_text(
    form: Form, items: Iterable[Item], answers: Mapping[str, Value], skipped: Iterable[str] = ()
) -> str:
    items = tuple(items)
    skipped_ids = set(skipped)
    done = sum(i.is_answered_in(answers) for i in items)
    lines = [msg.PREVIEW_HEADER.format(done=done, total=len(items))]
    section = ""
    for n, item in enumerate(items, start=1):
        if item.section != section:
            section = item.section
            lines.append(msg.PREVIEW_SECTION.format(section=form.section(section).short))
        values = [answers.get(f.key) for f in item.fields]
        if all(v is None for v in values):
            shown = msg.PREVIEW_SKIPPED if item.id in skipped_ids else msg.PREVIEW_UNANSWERED
        elif item.is_narrative:
            shown = _clip(str(values[0]))
        else:
            shown = " ".join(value_text(v) for v in values)
            total_key = item.fields[0].key.rsplit(".", 1)[0] + ".total"
            if len(values) > 1 and total_key in answers:
                shown += msg.PREVIEW_TOTAL.format(total=value_text(answers[total_key]))
        lines.append(msg.PREVIEW_LINE.format(number=n, title=item.title, value=shown))
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class KeyFigures:
    """The figures coordinators look at first (None while unanswered); litigation sums both groups."""

    new: int | None
    carried_in: int | None
    processed: int | None
    carried_out: int | None
    review: int | None
    litigation: int | None


def key_figures(form: Form, answers: Mapping[str, Value]) -> KeyFigures:
    """The requests table's balance rows (their totals) and the appeals table's rows: the appeal
    group (litigation) summed, the rest (review) apart."""
    balance, tables = form.balance, form.tables
    if balance is None or tables is None:
        raise LookupError(f"form {form.version} declares no balance or no tables")
    requests, appeals, litigation = balance.grid, tables.appeals, tables.appeal_group

    def count(grid: Grid, rows: Iterable[str]) -> int | None:
        values = [answers.get(grid.row_total(row)) for row in rows]
        found = [v for v in values if isinstance(v, int)]
        return sum(found) if found else None

    return KeyFigures(
        new=count(requests, [balance.new]),
        carried_in=count(requests, [balance.carried_in]),
        processed=count(requests, [balance.processed]),
        carried_out=count(requests, [balance.carried_out]),
        review=count(appeals, [r.key for r in appeals.rows if r.group != litigation]),
        litigation=count(appeals, [r.key for r in appeals.rows_in_group(litigation)]),
    )
