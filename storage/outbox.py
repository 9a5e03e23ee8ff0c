"""The outbox: every message sent unprompted, as rows, from enqueue to sent | blocked | failed.

Rows are enqueued in the transaction of the event that causes them (a reminder's claim, a
submission, a return), so a crash between that commit and the send loses nothing, and the
unique ``dedupe_key`` keeps one event from enqueueing a message twice. bot/services/outbox.py is the one
sender: it claims due rows, sends, and records the outcome here. Nothing here commits; the
caller's session (or the turn's connection) is the transaction.

Claims. ``claim_due`` moves a batch of due pending rows to ``sending`` in one statement; on
PostgreSQL the rows are picked ``FOR UPDATE SKIP LOCKED``, so several processes claim disjoint
batches without waiting for each other; SQLite has a single writer, which serialises claims.

A stale ``sending`` row is at most once by design: it is never sent again. The worker gives
rows it had claimed but not yet tried back (``release``) when it is stopped, and puts a row
back to pending itself after a 429 or a network error (Telegram certainly did not deliver it),
so a row stays ``sending`` only when a request was in flight when the process died, or its
answer could not be recorded. Whether Telegram delivered it then is unknowable; a duplicated
notice to an official is worse than one that the next reminder rung, the dashboard or the
digest ("delivery unknown") covers.

People Telegram refuses (403) are marked unreachable here, in ``mark_blocked``, and nowhere
else; they are reachable again when they next write to the bot (storage/turn_store.py).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import OutboxKind, OutboxMessage, OutboxStatus, Person, as_utc, core_table

__all__ = [
    "Buttons",
    "Claimed",
    "Outgoing",
    "claim_due",
    "due_count",
    "enqueue",
    "enqueue_now",
    "mark_blocked",
    "mark_failed",
    "mark_retry",
    "mark_sent",
    "reclaim",
    "release",
]

_outbox = core_table(OutboxMessage)
_person = core_table(Person)

Buttons = tuple[tuple[tuple[str, str], ...], ...]
"""Rows of (label, callback data)."""

_ERROR_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message to enqueue."""

    chat_id: int
    kind: OutboxKind
    text: str
    dedupe_key: str
    buttons: Buttons = ()


@dataclass(frozen=True, slots=True)
class Claimed:
    """A row this sender has claimed (status ``sending``)."""

    id: int
    chat_id: int
    kind: OutboxKind
    text: str
    buttons: Buttons


def _insert(dialect_name: str) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING (SQLite and PostgreSQL alike)."""
    return (pg_insert if dialect_name == "postgresql" else sqlite_insert)(_outbox)


def enqueue(conn: Connection, messages: Iterable[Outgoing], *, at: datetime) -> None:
    """Insert the messages as pending rows; a dedupe key already there is left as it is.

    Takes the synchronous connection of the transaction that causes the messages (a dialog
    turn runs on one, bot/services/turns.py); `enqueue_now` is the same for an async session.
    """
    rows = [
        {
            "chat_id": m.chat_id,
            "kind": m.kind.value,
            "text": m.text,
            "buttons": json.dumps(m.buttons, ensure_ascii=False) if m.buttons else None,
            "dedupe_key": m.dedupe_key,
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
            "not_before": as_utc(at),
            "created_at": as_utc(at),
        }
        for m in messages
    ]
    if rows:
        conn.execute(_insert(conn.dialect.name).on_conflict_do_nothing(index_elements=["dedupe_key"]), rows)


async def enqueue_now(*, session: AsyncSession, messages: Iterable[Outgoing], at: datetime) -> None:
    batch = list(messages)
    await session.run_sync(lambda sync: enqueue(sync.connection(), batch, at=at))


def _buttons(data: str | None) -> Buttons:
    if not data:
        return ()
    return tuple(tuple((str(label), str(value)) for label, value in row) for row in json.loads(data))


async def claim_due(
    *, session: AsyncSession, now: datetime, limit: int, exclude: Collection[int] = ()
) -> list[Claimed]:
    """Move up to ``limit`` due pending rows (oldest first) to ``sending``; the rows claimed.

    ``exclude``: rows this sender has given up on in its current run (a few at most).
    """
    due = (
        select(_outbox.c.id)
        .where(_outbox.c.status == OutboxStatus.PENDING.value, _outbox.c.not_before <= as_utc(now))
        .order_by(_outbox.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite renders no FOR UPDATE
    )
    if exclude:
        due = due.where(_outbox.c.id.not_in(list(exclude)))
    statement = (
        update(_outbox)
        .where(_outbox.c.id.in_(due.scalar_subquery()), _outbox.c.status == OutboxStatus.PENDING.value)
        .values(status=OutboxStatus.SENDING.value, claimed_at=as_utc(now), attempts=_outbox.c.attempts + 1)
        .returning(_outbox.c.id, _outbox.c.chat_id, _outbox.c.kind, _outbox.c.text, _outbox.c.buttons)
    )
    result = await (await session.connection()).execute(statement)
    claimed = [
        Claimed(int(row_id), int(chat_id), OutboxKind(kind), text, _buttons(buttons))
        for row_id, chat_id, kind, text, buttons in result.all()
    ]
    return sorted(claimed, key=lambda c: c.id)


async def reclaim(*, session: AsyncSession, row_id: int, now: datetime) -> bool:
    """Claim one row again that this sender put back after a 429; False if another took it."""
    result = await (await session.connection()).execute(
        update(_outbox)
        .where(_outbox.c.id == row_id, _outbox.c.status == OutboxStatus.PENDING.value)
        .values(status=OutboxStatus.SENDING.value, claimed_at=as_utc(now), attempts=_outbox.c.attempts + 1)
    )
    return bool(result.rowcount)


async def _finish(session: AsyncSession, row_id: int, **values: object) -> None:
    await (await session.connection()).execute(update(_outbox).where(_outbox.c.id == row_id).values(**values))


async def mark_sent(*, session: AsyncSession, row_id: int, at: datetime) -> None:
    await _finish(session, row_id, status=OutboxStatus.SENT.value, sent_at=as_utc(at), error=None)


async def mark_failed(*, session: AsyncSession, row_id: int, error: str) -> None:
    await _finish(session, row_id, status=OutboxStatus.FAILED.value, error=error[:_ERROR_LENGTH])


async def mark_retry(*, session: AsyncSession, row_id: int, not_before: datetime, error: str) -> None:
    """Back to pending: Telegram certainly did not deliver it (429, or no answer at all)."""
    await _finish(
        session,
        row_id,
        status=OutboxStatus.PENDING.value,
        not_before=as_utc(not_before),
        error=error[:_ERROR_LENGTH],
    )


async def release(*, session: AsyncSession, row_ids: Collection[int]) -> None:
    """Give back claimed rows that were never tried (the sender stops, or keeps a chat's order)."""
    if not row_ids:
        return
    await (await session.connection()).execute(
        update(_outbox)
        .where(_outbox.c.id.in_(list(row_ids)), _outbox.c.status == OutboxStatus.SENDING.value)
        .values(status=OutboxStatus.PENDING.value, attempts=_outbox.c.attempts - 1)
    )


async def mark_blocked(*, session: AsyncSession, row_id: int, chat_id: int, at: datetime, error: str) -> None:
    """Telegram answered 403: the row is blocked, and its person unreachable until they write again.

    The one place that marks people unreachable; a person marked before keeps the first date.
    """
    await _finish(session, row_id, status=OutboxStatus.BLOCKED.value, error=error[:_ERROR_LENGTH])
    await (await session.connection()).execute(
        update(_person)
        .where(_person.c.telegram_id == chat_id, _person.c.unreachable_since.is_(None))
        .values(unreachable_since=as_utc(at))
    )


def due_count(conn: Connection, *, now: datetime) -> int:
    """Pending rows already due: messages that should be on their way (the health check's figure)."""
    statement = select(func.count()).where(
        _outbox.c.status == OutboxStatus.PENDING.value, _outbox.c.not_before <= as_utc(now)
    )
    return int(conn.execute(statement).scalar_one())
