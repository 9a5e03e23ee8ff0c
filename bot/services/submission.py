"""What a submission tells the coordinators: the summary, enqueued in the submitting turn itself.

`enqueue_summary` runs inside the turn's transaction (bot/services/turns.py), so the report's new status
and its summaries to every coordinator commit together: a crash right after the commit loses no
summary, and a turn that rolls back enqueues none. The outbox (bot/services/outbox.py) delivers them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.engine import Connection

from bot.services.outgoing import review_buttons, split_text
from dialogs import messages_telegram as tmsg
from dialogs.engine import Confirmation
from dialogs.form import Form, Value
from dialogs.summary import key_figures
from storage.access import coordinator_chat_ids, person_name
from storage.outbox import Outgoing, enqueue
from storage.tables import OutboxKind

__all__ = ["enqueue_summary", "submission_summary"]


def submission_summary(
    form: Form,
    *,
    agency: str,
    year: int,
    answers: Mapping[str, Value],
    confirmations: Sequence[Confirmation],
    submitted_by: str,
) -> str:
    figures = key_figures(form, answers)
    lines = [
        tmsg.SUBMITTED_SUMMARY.format(
            agency=agency,
            year=year,
            by=submitted_by,
            new=figures.new or 0,
            processed=figures.processed or 0,
            carried=figures.carried_out or 0,
            review=figures.review or 0,
            litigation=figures.litigation or 0,
        )
    ]
    if confirmations:
        warnings = "\n".join(f"! {c.message}" for c in confirmations)
        lines.append(tmsg.SUMMARY_WARNINGS.format(warnings=warnings))
    else:
        lines.append(tmsg.SUMMARY_NO_WARNINGS)
    explanation = next((c.explanation.strip() for c in confirmations if c.explanation.strip()), "")
    if explanation:
        lines.append(tmsg.SUMMARY_EXPLANATION.format(text=explanation))
    return "\n".join(lines)


def enqueue_summary(
    conn: Connection,
    form: Form,
    *,
    report_id: int,
    agency: str,
    year: int,
    person_id: int,
    answers: Mapping[str, Value],
    confirmations: Sequence[Confirmation],
    at: datetime,
) -> int:
    """The summary to every coordinator, in the caller's transaction; how many chats get it."""
    text = submission_summary(
        form,
        agency=agency,
        year=year,
        answers=answers,
        confirmations=confirmations,
        submitted_by=person_name(conn, person_id),
    )
    chats = coordinator_chat_ids(conn, report_id=report_id)
    chunks = split_text(text)
    # One submission is one committed turn, so it enqueues once; the key only has to be new
    # (a report returned and submitted again gets a summary again).
    event = uuid.uuid4().hex
    enqueue(
        conn,
        (
            Outgoing(
                chat,
                OutboxKind.SUBMISSION_SUMMARY,
                chunk,
                f"{OutboxKind.SUBMISSION_SUMMARY.value}:{report_id}:{event}:{chat}:{n}",
                buttons=review_buttons(report_id) if n == len(chunks) - 1 else (),
            )
            for chat in chats
            for n, chunk in enumerate(chunks)
        ),
        at=at,
    )
    return len(chats)
