"""The one sender of unprompted messages: drains the outbox (storage/outbox.py) at Telegram's pace.

Reminders, digests, submission summaries and return notices are enqueued as outbox rows by
the transaction that causes them; this worker is the only code that sends them. It owns the
flood rules (bot/pacing.py: at most 25 messages/s overall, 1.1 s between two to one chat, a
429 pauses every send), retries a 429 after the time Telegram asks for, and records a 403 as
"blocked" — which marks the person unreachable, in storage/outbox.py's `mark_blocked` only.
Replies to a person's own message do not come here: they are prompted, and sent directly.

It knows no messenger: it sends through a `Sender` whose typed errors say what happened
(bot/telegram_outbox.py maps PTB's). It runs from PTB's JobQueue (bot/telegram_outbox.py), is
kicked after a turn that enqueued something, and is drained by the reminder job itself so a
reminder run knows its outcome.

Order per chat: the rows of one chat are sent one after another, oldest first; when one of them
has to wait for a later run, the chat's later rows wait with it.

Several processes (issue 15): claims already are (``FOR UPDATE SKIP LOCKED``), so two
processes never send one row. The *rate* is per process here. To share it, the pacer's state
moves into the database: `claim_due` takes a global budget (rows with ``sent_at`` or
``claimed_at`` in the last second across all processes, subtracted from 25) and leaves out
chats with a claim in the last 1.1 s, and a 429 writes a shared ``paused_until`` that every
claim respects; `Pacer` then only spreads a process's own batch. The worker's loop stays as it is.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Protocol

from bot.pacing import Pacer
from storage import outbox as store
from storage.db import Database
from storage.outbox import Buttons, Claimed
from storage.tables import OutboxKind

__all__ = [
    "Blocked",
    "Delivery",
    "Failed",
    "NotSent",
    "Outbox",
    "Outcome",
    "RetryLater",
    "Sender",
]

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

# A row refused with 429 this many times in one drain waits for the next one (or another process).
TRIES_PER_DRAIN = 5
# How long a stopping process lets a drain finish its message in flight before cancelling it.
STOP_GRACE_SECONDS = 5.0
# After a network error with no answer at all: when to try again.
_NETWORK_BACKOFF = timedelta(seconds=60)
# Never "due again at once": a 429 with retry_after 0 must not spin within one drain.
_MIN_WAIT = timedelta(seconds=1)


class RetryLater(Exception):
    """Flood control (429): nothing was delivered; try again after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class Blocked(Exception):
    """The recipient refuses the bot (403): never retried until they write again."""


class NotSent(Exception):
    """No answer came back and the request certainly did not arrive: try again later."""


class Failed(Exception):
    """Given up: rejected (400), or a timeout after which delivery is unknown (never re-sent)."""


class Sender(Protocol):
    async def send(self, chat_id: int, text: str, buttons: Buttons) -> None:
        """Deliver one message, or raise RetryLater / Blocked / NotSent / Failed."""


class Outcome(Enum):
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"
    RETRY = "retry"  # one 429 (a row may have several in one drain)
    DEFERRED = "deferred"  # back to pending for a later drain (network error, or a chat's order)
    SKIPPED = "skipped"  # another sender took it meanwhile


@dataclass(frozen=True, slots=True)
class Delivery:
    row_id: int
    kind: OutboxKind
    outcome: Outcome


class Outbox:
    """Drains due outbox rows: `drain` is one pass, `kick` runs one soon in the background."""

    def __init__(
        self,
        db: Database,
        sender: Sender,
        *,
        clock: Clock,
        pacer: Pacer | None = None,
        workers: int = 8,
        batch: int = 32,
    ) -> None:
        self.db = db
        self.sender = sender
        self.clock = clock
        self.pacer = pacer or Pacer()
        self.workers = workers
        self.batch = batch
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._stopping = False

    def _now(self) -> datetime:
        return self.clock().astimezone(UTC)

    # --- running -------------------------------------------------------------------------------
    def kick(self) -> None:
        """Drain soon, without waiting for it (after a turn that enqueued something).

        Not once the outbox is stopping: a drain started then would outlive the process's database
        and HTTP client, claim rows it can never send, and leave them "sending" for good.
        """
        if self._stopping:
            return
        if self._task is not None and not self._task.done():
            self._again = True  # rows enqueued during the running drain: one more pass after it
            return
        self._task = asyncio.get_running_loop().create_task(self._kicked(), name="nianbao-outbox")

    async def _kicked(self) -> None:
        while True:
            self._again = False
            try:
                await self.drain()
            except Exception:
                log.exception("outbox drain failed; the next run retries from the database")
            if not self._again:
                return

    async def settled(self) -> None:
        """Until the background drain, and any pass kicked meanwhile, has finished (not cancelled)."""
        while self._task is not None and not self._task.done():
            await asyncio.wait({self._task})

    async def stop(self) -> None:
        """Stop a background drain; rows it had claimed but not tried go back to pending.

        The drain is asked to stop between messages first, so a transaction in flight finishes
        and its connection goes back to the pool; only a drain still waiting after
        `STOP_GRACE_SECONDS` (a long 429 pause) is cancelled.
        """
        self._stopping = True
        task, self._task = self._task, None
        if task is not None and not task.done():
            await asyncio.wait({task}, timeout=STOP_GRACE_SECONDS)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    # --- one pass ------------------------------------------------------------------------------
    async def drain(self, *, given_up: set[int] | None = None) -> list[Delivery]:
        """Send every due row; what happened to each, in order of completion.

        ``given_up`` collects the rows this pass left for later (and skips those already in it),
        so a caller draining several times in one run tries each row at most `TRIES_PER_DRAIN` times.
        """
        skip = given_up if given_up is not None else set()
        deliveries: list[Delivery] = []
        while not self._stopping:
            async with self.db.session() as session:
                rows = await store.claim_due(session=session, now=self._now(), limit=self.batch, exclude=skip)
            if not rows:
                break
            chats: dict[int, list[Claimed]] = {}
            for row in rows:
                chats.setdefault(row.chat_id, []).append(row)
            workers = asyncio.Semaphore(self.workers)
            async with asyncio.TaskGroup() as group:
                for chat_rows in chats.values():
                    group.create_task(self._chat(chat_rows, workers, deliveries, skip))
        return deliveries

    async def _chat(
        self, rows: list[Claimed], workers: asyncio.Semaphore, deliveries: list[Delivery], skip: set[int]
    ) -> None:
        untried = [row.id for row in rows]
        try:
            async with workers:
                for row in rows:
                    if self._stopping:
                        break  # the process stops: the rest stay untried, pending again below
                    outcome = await self._deliver(row, deliveries, untried)
                    if outcome is Outcome.DEFERRED:
                        skip.add(row.id)
                        skip.update(untried)
                        break  # the chat's later rows wait with it, to keep their order
        finally:
            if untried:
                # Cancelled (the process stops), or kept back for order: never tried, so pending.
                async with self.db.session() as session:
                    await store.release(session=session, row_ids=untried)

    async def _deliver(self, row: Claimed, deliveries: list[Delivery], untried: list[int]) -> Outcome:
        ids = (row.id, row.kind.value, row.chat_id)
        for attempt in range(1, TRIES_PER_DRAIN + 1):
            await self.pacer.acquire(row.chat_id)
            if attempt > 1:
                async with self.db.session() as session:
                    if not await store.reclaim(session=session, row_id=row.id, now=self._now()):
                        return self._record(deliveries, row, Outcome.SKIPPED)
            if row.id in untried:
                untried.remove(row.id)  # from here on a crash leaves it "sending": at most once
            try:
                await self.sender.send(row.chat_id, row.text, row.buttons)
            except RetryLater as error:
                # Certainly not delivered: pending again at once, so a crash while we wait loses nothing.
                self.pacer.pause(error.seconds)
                wait = max(timedelta(seconds=error.seconds), _MIN_WAIT)
                await self._retry(row, self._now() + wait, str(error))
                self._record(deliveries, row, Outcome.RETRY)
                log.warning("outbox %s (%s) to %s: 429, retry after %.0f s", *ids, error.seconds)
                continue
            except Blocked as error:
                await self._write(
                    store.mark_blocked, row_id=row.id, chat_id=row.chat_id, at=self._now(), error=str(error)
                )
                log.warning("outbox %s (%s) to %s: 403, person marked unreachable", *ids)
                return self._record(deliveries, row, Outcome.BLOCKED)
            except NotSent as error:
                await self._retry(row, self._now() + _NETWORK_BACKOFF, str(error))
                log.warning("outbox %s (%s) to %s: not sent, deferred", *ids)
                return self._record(deliveries, row, Outcome.DEFERRED)
            except Failed as error:
                await self._fail(row, str(error))
                log.warning("outbox %s (%s) to %s: failed: %s", *ids, error)
                return self._record(deliveries, row, Outcome.FAILED)
            except Exception as error:
                await self._fail(row, type(error).__name__)
                log.exception("outbox %s (%s) to %s: unexpected error", *ids)
                return self._record(deliveries, row, Outcome.FAILED)
            await self._write(store.mark_sent, row_id=row.id, at=self._now())
            return self._record(deliveries, row, Outcome.SENT)
        return Outcome.DEFERRED  # pending already (the last 429 put it back); a later drain sends it

    async def _retry(self, row: Claimed, not_before: datetime, error: str) -> None:
        await self._write(store.mark_retry, row_id=row.id, not_before=not_before, error=error)

    async def _fail(self, row: Claimed, error: str) -> None:
        await self._write(store.mark_failed, row_id=row.id, error=error)

    async def _write(self, mark: Callable[..., Awaitable[None]], **values: object) -> None:
        """Record what Telegram answered, even when the worker is being stopped meanwhile:
        a row left "sending" after a known answer would be lost for nothing."""

        async def record() -> None:
            async with self.db.session() as session:
                await mark(session=session, **values)

        task = asyncio.ensure_future(record())
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            await task
            raise

    @staticmethod
    def _record(deliveries: list[Delivery], row: Claimed, outcome: Outcome) -> Outcome:
        deliveries.append(Delivery(row.id, row.kind, outcome))
        return outcome
