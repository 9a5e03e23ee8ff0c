"""The inbox: every update a webhook process received, from its arrival to the start of its handling.

A webhook post is answered only after its update is stored here (`receive`), so an update
Telegram considers delivered is never lost with a process. Handling takes one chat at a time,
under a lock that all processes share (`storage.db.Database.exclusive`), and `take_next` hands out
that chat's oldest waiting update, marking it handled in the same statement: the updates of one
chat are handled in Telegram's order, each once, whichever process received them.

At most once by design, like the outbox's ``sending`` rows: an update whose handling began in a
process that died is not handled again. Its answer was committed with its turn or not at all;
the person sees no reply and carries on (/fill shows where they are). Nothing here commits: the
caller's connection is the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from storage.tables import InboxUpdate, core_table

__all__ = ["backlog", "forget_handled", "receive", "take_next", "waiting_chats"]

_inbox = core_table(InboxUpdate)


def receive(conn: Connection, *, update_id: int, chat_id: int, payload: str, at: datetime) -> bool:
    """Store an update; False if it was already here (Telegram posts an update again when the
    answer to its post did not reach it in time)."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(_inbox)
        .values(update_id=update_id, chat_id=chat_id, payload=payload, received_at=at)
        .on_conflict_do_nothing(index_elements=["update_id"])
    )
    return conn.execute(statement).rowcount == 1


def take_next(conn: Connection, *, chat_id: int, at: datetime) -> tuple[int, str] | None:
    """The chat's oldest update not yet handled, now marked handled; None when none waits.

    Only under the chat's lock: then no other process takes from this chat meanwhile.
    """
    oldest = (
        select(func.min(_inbox.c.update_id))
        .where(_inbox.c.chat_id == chat_id, _inbox.c.handled_at.is_(None))
        .scalar_subquery()
    )
    row = conn.execute(
        update(_inbox)
        .where(_inbox.c.update_id == oldest, _inbox.c.handled_at.is_(None))
        .values(handled_at=at)
        .returning(_inbox.c.update_id, _inbox.c.payload)
    ).first()
    return None if row is None else (int(row[0]), str(row[1]))


def waiting_chats(conn: Connection, *, received_before: datetime, limit: int = 1000) -> Sequence[int]:
    """Chats with an update received before this moment and not yet handled: left by a process
    that stopped before handling them (the receiving process starts at once otherwise)."""
    rows = conn.execute(
        select(_inbox.c.chat_id)
        .where(_inbox.c.handled_at.is_(None), _inbox.c.received_at < received_before)
        .group_by(_inbox.c.chat_id)
        .limit(limit)
    )
    return [int(chat_id) for (chat_id,) in rows]


def backlog(conn: Connection) -> tuple[int, datetime | None]:
    """How many updates wait, and since when the oldest of them."""
    count, oldest = conn.execute(
        select(func.count(), func.min(_inbox.c.received_at)).where(_inbox.c.handled_at.is_(None))
    ).one()
    return int(count), oldest


def forget_handled(conn: Connection, *, before: datetime, keep: timedelta = timedelta(0)) -> int:
    """Delete updates handled before ``before - keep``; they served only to refuse a repeat post."""
    statement = delete(_inbox).where(_inbox.c.handled_at < before - keep)
    return int(conn.execute(statement).rowcount or 0)
