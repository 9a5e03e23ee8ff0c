"""The overall send rate (bot/services/send_rate.py): one process in memory, several through PostgreSQL.

The PostgreSQL cases run two `SendRate`s on two engines, as two processes, and measure only
lower bounds of elapsed time (a loaded machine makes sends later, never earlier): shared, two
processes together take as long as one sending all the messages.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.services.send_rate import SendRate
from storage.db import Database


class VirtualTime:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_one_process_spaces_its_messages_one_interval_apart() -> None:
    clock = VirtualTime()
    rate = SendRate(None, 5, monotonic=clock.monotonic, sleep=clock.sleep)
    moments = []
    for _ in range(6):
        await rate.acquire()
        moments.append(round(clock.now, 6))
    assert moments == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


async def test_a_429_holds_every_message_for_its_retry_after() -> None:
    clock = VirtualTime()
    rate = SendRate(None, 5, monotonic=clock.monotonic, sleep=clock.sleep)
    await rate.acquire()
    await rate.hold(3.0)
    await rate.acquire()
    assert clock.now == pytest.approx(3.0)


async def test_zero_means_unpaced() -> None:
    clock = VirtualTime()
    rate = SendRate(None, 0, monotonic=clock.monotonic, sleep=clock.sleep)
    for _ in range(100):
        await rate.acquire()
    assert clock.now == 0.0


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_processes_share_one_rate(db: Database) -> None:
    other = Database(db.url)
    try:
        first, second = SendRate(db, 20), SendRate(other, 20)
        assert first.shared
        assert second.shared
        start = time.monotonic()
        await asyncio.gather(*(rate.acquire() for rate in (first, second) for _ in range(30)))
        elapsed = time.monotonic() - start
    finally:
        await other.dispose()
    # 60 messages at 20/s between them: at least 59 intervals (alone, each would be done in 1.45 s).
    assert elapsed >= 59 / 20 - 0.1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_429_seen_by_one_process_holds_the_other(db: Database) -> None:
    other = Database(db.url)
    try:
        first, second = SendRate(db, 20), SendRate(other, 20)
        await first.hold(1.5)
        start = time.monotonic()
        await second.acquire()
        waited = time.monotonic() - start
    finally:
        await other.dispose()
    assert waited >= 1.4


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_sqlite_bot_keeps_its_rate_in_memory(db: Database) -> None:
    assert not SendRate(db, 20).shared


async def test_without_its_database_a_process_paces_alone_and_still_sends() -> None:
    """The apology that an answer was not saved must still go out while PostgreSQL is down."""
    gone = Database("postgresql://nobody@127.0.0.1:1/none")  # nothing listens on port 1
    clock = VirtualTime()
    try:
        rate = SendRate(gone, 5, monotonic=clock.monotonic, sleep=clock.sleep)
        assert rate.shared
        for _ in range(3):
            await rate.acquire()
    finally:
        await gone.dispose()
    assert clock.now == pytest.approx(0.4)
