"""Whether this process can do its work: the health endpoint's answer (bot/telegram_webhook.py).

Healthy means the database answers within `TIMEOUT`. The figures beside it (updates waiting to
be handled, the oldest one's age, outbox messages due) are for the operator's eyes and alerts; a
backlog alone does not make a process unhealthy, since restarting it would not clear it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from storage import inbox as inbox_store
from storage import outbox as outbox_store
from storage.db import Database
from storage.tables import as_utc

__all__ = ["TIMEOUT", "Health", "check_health"]

log = logging.getLogger(__name__)

TIMEOUT = 3.0  # seconds: a database slower than this to answer counts as unavailable


@dataclass(frozen=True, slots=True)
class Health:
    database: bool
    waiting_updates: int | None = None
    oldest_waiting_seconds: float | None = None
    outbox_due: int | None = None

    @property
    def ok(self) -> bool:
        return self.database

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.ok else "unavailable",
            "database": "ok" if self.database else "unavailable",
            "waiting_updates": self.waiting_updates,
            "oldest_waiting_seconds": self.oldest_waiting_seconds,
            "outbox_due": self.outbox_due,
            "pid": os.getpid(),
        }


async def check_health(db: Database, clock: Callable[[], datetime]) -> Health:
    now = clock()

    def figures(conn: Connection) -> tuple[int, datetime | None, int]:
        waiting, oldest = inbox_store.backlog(conn)
        return waiting, oldest, outbox_store.due_count(conn, now=now)

    try:
        async with asyncio.timeout(TIMEOUT):
            waiting, oldest, due = await db.run_transaction(figures)
    except Exception as error:  # any failure to answer is "unavailable", with its kind in the log
        log.warning("health check: the database did not answer (%s)", type(error).__name__)
        return Health(database=False)
    age = None if oldest is None else round(max(0.0, (as_utc(now) - as_utc(oldest)).total_seconds()), 3)
    return Health(True, waiting, age, due)
