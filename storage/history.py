"""A report's history for its coordinator: every change of an answer and of its status, oldest first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import AnswerChange, Person, StatusChange, as_utc

__all__ = ["Entry", "report_history"]

_Change = TypeVar("_Change", AnswerChange, StatusChange)


@dataclass(frozen=True, slots=True)
class Entry:
    at: datetime
    by: str
    """The person's name (their Telegram name, else their id); '' for the command line."""
    key: str | None
    """The answer's key; None for a status change."""
    old: str | None
    new: str | None
    action: str = ""
    comment: str = ""


async def _with_people(
    session: AsyncSession, model: type[_Change], report_id: int
) -> Sequence[tuple[_Change, Person | None]]:
    """The report's rows of `model`, oldest first, each with the person who made it."""
    result = await session.exec(
        select(model, Person)
        .outerjoin(Person, col(Person.id) == col(model.by_person_id))
        .where(col(model.report_id) == report_id)
        .order_by(col(model.id))
    )
    return result.all()


async def report_history(*, session: AsyncSession, report_id: int) -> list[Entry]:
    names: dict[int, str] = {}
    answers = await _with_people(session, AnswerChange, report_id)
    statuses = await _with_people(session, StatusChange, report_id)

    def name(person: Person | None) -> str:
        if person is None or person.id is None:
            return ""
        return names.setdefault(person.id, person.display_name or str(person.telegram_id or person.id))

    entries = [Entry(as_utc(c.at), name(p), c.key, c.old_value, c.new_value) for c, p in answers]
    entries += [
        Entry(as_utc(s.at), name(p), None, s.from_status, s.to_status, s.action, s.comment)
        for s, p in statuses
    ]
    # Stable: within one moment answers (written first in a submitting turn) come before the status.
    return sorted(entries, key=lambda e: e.at)
