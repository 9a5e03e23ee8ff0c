"""Updates from a webhook, in each chat's order, whichever of several processes received them.

A load balancer may hand the updates of one chat to different processes, and Telegram may post
one update twice. `receive` stores the update (storage/inbox.py) before the post is answered,
then starts handling its chat; handling takes the chat's lock shared by all processes
(`Database.exclusive`; in one process, a lock per chat is enough) and handles the chat's waiting
updates oldest first until none is left. So whichever process holds the chat handles the update
another process received a moment ago, in order, and the other finds nothing left to do.

Handling is the adapter's (`Handle`: Telegram's update → PTB's handlers); this service knows no
messenger. At most `bound` chats are handled at once per process, like polling mode's
bot/chat_order.py; a chat waiting for its lock holds no slot. `sweep` picks up the chats whose
updates a stopped process received but never started, and forgets old handled updates.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from storage import inbox as store
from storage.db import Database

__all__ = ["CHAT_LOCK", "Handle", "Inbox", "chat_of"]

log = logging.getLogger(__name__)

Handle = Callable[[Mapping[str, Any]], Awaitable[None]]
Clock = Callable[[], datetime]

CHAT_LOCK = 0x6E62  # the advisory-lock namespace of a chat's updates ("nb")
# An update waiting this long was received by a process that did not get to it (it stopped).
ORPHANED_AFTER = timedelta(seconds=30)
# Handled updates are kept this long, to refuse a repeated post of the same update.
KEEP_HANDLED = timedelta(days=1)


def chat_of(update: Mapping[str, Any]) -> int:
    """The chat an update belongs to (its sender's, for updates without a chat), else 0."""
    for kind, body in update.items():
        if kind == "update_id" or not isinstance(body, Mapping):
            continue
        message = body.get("message") if kind == "callback_query" else body
        if isinstance(message, Mapping):
            chat = message.get("chat")
            if isinstance(chat, Mapping) and isinstance(chat.get("id"), int):
                return int(chat["id"])
        sender = body.get("from") or body.get("user")
        if isinstance(sender, Mapping) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return 0


class Inbox:
    def __init__(self, db: Database, handle: Handle, *, clock: Clock, bound: int) -> None:
        self.db = db
        self.handle = handle
        self.clock = clock
        self._slots = asyncio.Semaphore(bound)
        self._chats: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._tasks: set[asyncio.Task[int]] = set()
        self._stopping = False

    async def receive(self, update: Mapping[str, Any]) -> bool:
        """Store an update and start handling its chat; False for one already received.

        Raises `storage.faults.DatabaseFault` when it could not be stored: the post must then be
        refused, so that Telegram posts it again.
        """
        update_id = update.get("update_id")
        if not isinstance(update_id, int):
            raise ValueError("an update without update_id")
        chat_id = chat_of(update)
        payload = json.dumps(update, ensure_ascii=False, separators=(",", ":"))
        new = await self.db.run_transaction(
            lambda conn: store.receive(
                conn, update_id=update_id, chat_id=chat_id, payload=payload, at=self.clock()
            )
        )
        if new:
            self._start(chat_id)
        return new

    def _start(self, chat_id: int) -> None:
        if self._stopping:
            return  # a later process, or this one's sweep after a restart, handles it
        task = asyncio.create_task(self.drain(chat_id), name=f"inbox chat {chat_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, chat_id: int) -> int:
        """Handle the chat's waiting updates, oldest first, until none is left; how many."""
        lock = self._chats.get(chat_id)
        if lock is None:
            lock = self._chats[chat_id] = asyncio.Lock()
        self._waiting[chat_id] = self._waiting.get(chat_id, 0) + 1
        try:
            async with lock, self._slots, self.db.exclusive(CHAT_LOCK, chat_id):
                return await self._handle_waiting(chat_id)
        except Exception:
            log.exception("chat %s: its waiting updates could not be handled now", chat_id)
            return 0
        finally:
            self._waiting[chat_id] -= 1
            if self._waiting[chat_id] == 0:
                del self._waiting[chat_id]
                del self._chats[chat_id]

    async def _handle_waiting(self, chat_id: int) -> int:
        handled = 0
        while not self._stopping:
            taken = await self.db.run_transaction(
                lambda conn: store.take_next(conn, chat_id=chat_id, at=self.clock())
            )
            if taken is None:
                break
            update_id, payload = taken
            try:
                await self.handle(json.loads(payload))
            except Exception:
                # The adapter reports errors to the person itself; this one escaped it.
                log.exception("update %s of chat %s failed", update_id, chat_id)
            handled += 1
        return handled

    async def sweep(self) -> int:
        """Start the chats left waiting by a process that stopped; forget old handled updates."""
        now = self.clock()
        chats = await self.db.run_transaction(
            lambda conn: store.waiting_chats(conn, received_before=now - ORPHANED_AFTER)
        )
        for chat_id in chats:
            if chat_id not in self._chats:
                self._start(chat_id)
        await self.db.run_transaction(lambda conn: store.forget_handled(conn, before=now, keep=KEEP_HANDLED))
        return len(chats)

    async def recover(self) -> int:
        """At start: every chat with a waiting update, however recent (this process was just
        started, so none of them is its own; another process's is simply drained by whichever
        takes the chat's lock first)."""
        now = self.clock()
        chats = await self.db.run_transaction(
            lambda conn: store.waiting_chats(conn, received_before=now + timedelta(seconds=1))
        )
        for chat_id in chats:
            self._start(chat_id)
        return len(chats)

    async def backlog(self) -> tuple[int, datetime | None]:
        return await self.db.run_transaction(store.backlog)

    async def settled(self) -> None:
        """Until every chat this process started handling has nothing left waiting."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def stop(self) -> None:
        """No new handling; the updates in hand finish (a waiting one stays for the next process)."""
        self._stopping = True
        await self.settled()
