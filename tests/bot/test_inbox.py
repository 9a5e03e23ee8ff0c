"""The inbox service (bot/services/inbox.py) as two processes on one database see it.

Two `Inbox`es on two engines stand for two webhook processes. What must hold: one chat is
handled by one of them at a time, oldest update first, even when the other received the later
update; other chats meanwhile go on; a repeated post is handled once; an update a stopped process
received but never started is handled by the next one. The handler here only records what it was
given, when, and takes its time where a test needs a slow first update.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.services.inbox import Inbox, chat_of
from storage.db import Database

ALICE = 7001
BOB = 7002


def _text(update_id: int, chat: int, text: str) -> dict[str, Any]:
    person = {"id": chat, "is_bot": False, "first_name": "P"}
    message = {"message_id": update_id, "date": 1, "chat": {"id": chat, "type": "private"}, "from": person}
    return {"update_id": update_id, "message": {**message, "text": text}}


class Recorder:
    """What the handlers did, in order: ("start" | "end", update_id)."""

    def __init__(self, slow: Mapping[int, float] = {}) -> None:
        self.events: list[tuple[str, int]] = []
        self.slow = slow

    def handler(self) -> Callable[[Mapping[str, Any]], Any]:
        async def handle(update: Mapping[str, Any]) -> None:
            update_id = int(update["update_id"])
            self.events.append(("start", update_id))
            await asyncio.sleep(self.slow.get(update_id, 0.0))
            self.events.append(("end", update_id))

        return handle

    def handled(self) -> list[int]:
        return [update_id for kind, update_id in self.events if kind == "start"]


def _now() -> datetime:
    return datetime.now(UTC)


@asynccontextmanager
async def two_inboxes(db: Database, recorder: Recorder) -> AsyncIterator[tuple[Inbox, Inbox]]:
    """Two processes: the test's database and a second engine on the same one."""
    other = Database(db.url)
    first = Inbox(db, recorder.handler(), clock=_now, bound=4)
    second = Inbox(other, recorder.handler(), clock=_now, bound=4)
    try:
        yield first, second
    finally:
        await first.stop()
        await second.stop()
        await other.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_chat_is_handled_by_one_process_at_a_time_oldest_update_first(db: Database) -> None:
    recorder = Recorder(slow={1: 0.3})
    async with two_inboxes(db, recorder) as (first, second):
        assert await first.receive(_text(1, ALICE, "0 0 3"))  # slow to handle
        await asyncio.sleep(0.05)  # the first process is handling it
        assert await second.receive(_text(2, ALICE, "1 0 12"))  # the same chat, the other process
        assert await second.receive(_text(3, BOB, "5"))  # another chat
        await first.settled()
        await second.settled()
    # Alice's second update waited for her first, though another process received it; Bob's did not.
    alice = [event for event in recorder.events if event[1] in (1, 2)]
    assert alice == [("start", 1), ("end", 1), ("start", 2), ("end", 2)]
    assert recorder.events.index(("end", 3)) < recorder.events.index(("end", 1))


async def test_a_repeated_post_of_an_update_is_handled_once(db: Database) -> None:
    recorder = Recorder()
    async with two_inboxes(db, recorder) as (first, second):
        update = _text(10, ALICE, "0 0 3")
        assert await first.receive(update)
        assert not await second.receive(update)  # Telegram posted it again, the balancer chose the other
        assert not await first.receive(update)
        await first.settled()
        await second.settled()
    assert recorder.handled() == [10]


async def test_what_a_stopped_process_received_is_handled_by_the_next_one_in_order(db: Database) -> None:
    recorder = Recorder()
    async with two_inboxes(db, recorder) as (first, second):
        await first.stop()  # stopping: it still stores (the post is answered) but starts nothing
        for update_id, text in ((20, "0 0 3"), (21, "1 0 12"), (22, "5")):
            assert await first.receive(_text(update_id, ALICE, text))
        assert recorder.handled() == []
        waiting, oldest = await second.backlog()
        assert waiting == 3
        assert oldest is not None
        assert await second.recover() == 1  # one chat waiting
        await second.settled()
        assert await second.backlog() == (0, None)
    assert recorder.handled() == [20, 21, 22]


def test_an_update_belongs_to_its_chat_or_else_its_sender() -> None:
    assert chat_of(_text(1, ALICE, "x")) == ALICE
    press = {
        "update_id": 2,
        "callback_query": {"id": "q", "from": {"id": BOB}, "message": {"chat": {"id": ALICE}}},
    }
    assert chat_of(press) == ALICE
    inline = {"update_id": 3, "inline_query": {"id": "q", "from": {"id": BOB}, "query": ""}}
    assert chat_of(inline) == BOB
    assert chat_of({"update_id": 4}) == 0
