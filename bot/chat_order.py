"""Updates of one chat in order, different chats concurrently, at most `bound` at a time.

PTB's `concurrent_updates(True)` runs every update at once, so two quick messages of one
person could be answered against the same position, and its 256-wide pool made the bot
slower under load here (../shared/PERFORMANCE.md). This processor takes a FIFO lock per chat
first and a slot of a small global semaphore second: updates waiting for their own chat hold
no slot, so one busy chat cannot starve the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# PTB's own semaphore must never be the one that queues: it is acquired before the chat lock,
# so a chat's waiting updates would hold its slots. Ours does the bounding instead.
_UNBOUNDED = 1 << 16


class ChatOrderedProcessor(BaseUpdateProcessor):
    def __init__(self, bound: int) -> None:
        super().__init__(_UNBOUNDED)
        self.bound = bound
        self._slots = asyncio.BoundedSemaphore(bound)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock, self._slots:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:
                # Nobody else holds or waits for this lock: forget it, so the dict stays small.
                del self._waiting[key]
                del self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None
