"""Our side of Telegram's flood limits, for every message the bot sends unprompted.

The outbox worker (bot/services/outbox.py), the only sender of reminders, digests, submission summaries
and return notices, draws on one `Pacer` per process, so together they stay under the limits,
and a 429 on any of them pauses all of them.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# Telegram's FAQ: "no more than 30 messages per second" per bot, "one message per second" per
# chat. We keep a margin, since requests leave here paced but arrive with network jitter.
GLOBAL_PER_SECOND = 25
PER_CHAT_INTERVAL = 1.1


class Pacer:
    """Our side of Telegram's flood limits, so that 429s are the exception.

    At most ``per_second`` sends in any one-second window overall, at least ``per_chat_interval``
    seconds between two sends to one chat, and nothing at all while paused by a 429. The clock
    and sleep are injected so tests run in virtual time.
    """

    def __init__(
        self,
        *,
        per_second: int = GLOBAL_PER_SECOND,
        per_chat_interval: float = PER_CHAT_INTERVAL,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.per_second = per_second
        self.per_chat_interval = per_chat_interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._recent: deque[float] = deque()
        self._chat_next: dict[int, float] = {}
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)

    def _wait_needed(self, chat_id: int, now: float) -> float:
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        wait = max(self._paused_until - now, self._chat_next.get(chat_id, now) - now)
        if len(self._recent) >= self.per_second:
            wait = max(wait, self._recent[0] + 1.0 - now)
        return wait

    async def acquire(self, chat_id: int) -> None:
        while True:
            async with self._lock:
                now = self._monotonic()
                wait = self._wait_needed(chat_id, now)
                if wait <= 0:
                    self._recent.append(now)
                    self._chat_next[chat_id] = now + self.per_chat_interval
                    if len(self._chat_next) > 4 * self.per_second * 60:
                        self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
                    return
            await self._sleep(wait)
