"""A report's moves through its lifecycle, and the warnings confirmed at a submission, as rows.

`change_status` is the only writer of `report.status`: it asks `dialogs.lifecycle.transition`
whether the move is allowed, and if so updates the report and records a `status_change` row
(who, when, from, to, the comment) in the caller's transaction. It runs on a synchronous
`Connection` (a dialog turn's, or a session's through `run_sync`) and commits nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection
from sqlmodel import col
from sqlmodel import select as model_select
from sqlmodel.ext.asyncio.session import AsyncSession

from dialogs.engine import Confirmation
from dialogs.lifecycle import Action, Actor, Denied, Status, transition
from storage.tables import Confirmation as ConfirmationRow
from storage.tables import Report, StatusChange, core_table

__all__ = [
    "Changed",
    "change_status",
    "confirmations_of",
    "last_comment",
    "status_changes",
]

_report = core_table(Report)
_status_change = core_table(StatusChange)
_confirmation = core_table(ConfirmationRow)


@dataclass(frozen=True, slots=True)
class Changed:
    """A status change that happened (its row is `change_id`)."""

    change_id: int
    source: Status
    target: Status


def change_status(
    conn: Connection,
    *,
    report_id: int,
    action: Action,
    actor: Actor,
    by: int | None,
    at: datetime,
    comment: str = "",
    confirmations: Iterable[Confirmation] = (),
) -> Changed | Denied:
    """Move the report by `action` if the lifecycle allows it to `actor` from its current state.

    A submission's confirmed warnings are stored with it (a re-submission confirms again).
    """
    query = select(_report.c.status).where(_report.c.id == report_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    current = conn.execute(query).scalar_one()
    target = transition(current, action, actor)
    if isinstance(target, Denied):
        return target
    values: dict[str, object] = {"status": target.value}
    if action in (Action.SUBMIT, Action.RECORD_PUBLISHED):
        values |= {"submitted_at": at, "submitted_by": by}
    conn.execute(update(_report).where(_report.c.id == report_id).values(**values))
    change_id = conn.execute(
        insert(_status_change)
        .values(
            report_id=report_id,
            from_status=Status(current).value,
            to_status=target.value,
            action=action.value,
            by_person_id=by,
            at=at,
            comment=comment.strip(),
        )
        .returning(_status_change.c.id)
    ).scalar_one()
    rows = [
        {
            "report_id": report_id,
            "submission_id": change_id,
            "rule_id": c.rule_id,
            "finding_ref": c.ref,
            "message": c.message,
            "explanation": c.explanation,
            "by_person_id": by,
            "at": at,
        }
        for c in confirmations
    ]
    if rows:
        conn.execute(insert(_confirmation), rows)
    return Changed(change_id, Status(current), target)


async def status_changes(*, session: AsyncSession, report_id: int) -> Sequence[StatusChange]:
    """The report's status history, oldest first."""
    result = await session.exec(
        model_select(StatusChange).where(StatusChange.report_id == report_id).order_by(col(StatusChange.id))
    )
    return result.all()


async def last_comment(*, session: AsyncSession, report_id: int) -> str:
    """The comment of the change that put the report in its current state ('' if none)."""
    changes = await status_changes(session=session, report_id=report_id)
    return changes[-1].comment if changes else ""


async def confirmations_of(
    *, session: AsyncSession, report_id: int, submission_id: int | None = None
) -> Sequence[ConfirmationRow]:
    """The report's confirmed warnings (of one submission, when given), oldest first."""
    query = model_select(ConfirmationRow).where(ConfirmationRow.report_id == report_id)
    if submission_id is not None:
        query = query.where(ConfirmationRow.submission_id == submission_id)
    result = await session.exec(query.order_by(col(ConfirmationRow.id)))
    return result.all()
