"""The overall Bot API send rate, shared by every process of one bot.

Telegram allows a bot about 30 messages a second in all. `SendRate.acquire` is awaited before
every message the bot sends (replies and the outbox's alike; bot/telegram_transport.py calls it),
and returns when this message's slot has come. Slots are one ``1 / per_second`` apart: in memory
for one process (SQLite), and on PostgreSQL through one row all processes move forward
(storage/send_rate.py), so N processes together stay under the same limit.

A process reserves the slots for every message waiting at that moment in one statement, so
under load the database sees one round trip per batch, not per message. A 429's retry_after
holds every process (`hold`). ``per_second`` 0 switches pacing off (a Bot API stand-in in a
benchmark, or a bot allowed more by Telegram).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable

from storage import send_rate as store
from storage.db import Database

__all__ = ["SendRate"]

log = logging.getLogger(__name__)

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class SendRate:
    def __init__(
        self,
        db: Database | None,
        per_second: float,
        *,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """``db`` None, or a SQLite one: this process alone sends, its slots are kept in memory."""
        self.per_second = per_second
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._db = db if db is not None and not db.is_sqlite else None
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_local = 0.0  # in memory: the next free slot (monotonic seconds)
        self._slots: deque[float] = deque()  # reserved in the database, not yet used
        self._lock = asyncio.Lock()
        self._queued = 0

    @property
    def shared(self) -> bool:
        return self._db is not None

    async def acquire(self) -> None:
        """Wait for this message's slot."""
        if self.interval == 0.0:
            return
        self._queued += 1
        try:
            async with self._lock:
                slot = await self._slot()
        finally:
            self._queued -= 1
        wait = slot - self._monotonic()
        if wait > 0:
            await self._sleep(wait)

    async def _slot(self) -> float:
        now = self._monotonic()
        if self._db is None:
            return self._local_slot(now)
        while self._slots and self._slots[0] < now - self.interval:
            self._slots.popleft()  # a slot that passed unused is not spent later in a burst
        if not self._slots:
            count = self._queued  # this message and every one queued behind it
            db = self._db
            try:
                delay = await db.run_transaction(
                    lambda conn: store.reserve(conn, count=count, interval=self.interval)
                )
            except Exception as error:
                # The database is gone: what the bot still sends (its apology that an answer
                # was not saved) is paced by this process alone until it is back.
                log.warning("shared send rate unavailable (%s); pacing in this process", type(error).__name__)
                return self._local_slot(now)
            first = self._monotonic() + delay
            self._slots.extend(first + i * self.interval for i in range(count))
        return self._slots.popleft()

    def _local_slot(self, now: float) -> float:
        slot = max(self._next_local, now)
        self._next_local = slot + self.interval
        return slot

    async def hold(self, seconds: float) -> None:
        """Telegram said 429: nobody sends for ``seconds``."""
        if self.interval == 0.0:
            return
        until = self._monotonic() + seconds
        self._next_local = max(self._next_local, until)
        self._slots.clear()
        if self._db is not None:
            db = self._db
            try:
                await db.run_transaction(lambda conn: store.hold(conn, seconds=seconds))
            except Exception:
                log.warning("the shared send rate could not be held for %.1f s", seconds, exc_info=True)
