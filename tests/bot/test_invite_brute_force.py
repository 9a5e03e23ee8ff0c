"""Guessing invite tokens: a few refused tries per person, then a wait, across restarts."""

from __future__ import annotations

from datetime import datetime, timedelta

from dialogs import messages_telegram as tmsg
from storage.access import INVITE_TRIES, INVITE_TRY_WINDOW
from storage.db import Database
from tests.helpers.botapi import StandIn
from tests.helpers.telegram_bot import NOW, join, open_round_with_agency, running_bot, token_of

GUESSER = 5101
NEIGHBOUR = 5102
WAIT = tmsg.INVITE_TOO_MANY_TRIES.format(minutes=1)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


async def _guess(api: StandIn, user: int, token: str) -> str:
    await api.send_text(user, f"/start {token}")
    return str((await api.next_reply(user))["text"])


async def test_wrong_tokens_are_refused_then_even_the_right_one_waits_for_the_window(
    api: StandIn, db: Database
) -> None:
    clock = Clock()
    async with running_bot(api, db, clock=clock):
        token = await open_round_with_agency(api, "区行政审批局", "部门")
        for n in range(INVITE_TRIES - 1):
            assert await _guess(api, GUESSER, f"guess-{n}") == tmsg.INVITE_INVALID
    # A restart (or another process on the same database) does not forget the tries.
    async with running_bot(api, db, clock=clock):
        assert await _guess(api, GUESSER, "guess-last") == tmsg.INVITE_INVALID
        assert "分钟后再打开邀请链接" in WAIT
        assert await _guess(api, GUESSER, "guess-more") == WAIT
        clock.now += INVITE_TRY_WINDOW / 2
        assert await _guess(api, GUESSER, token) == WAIT  # the right token is not even looked at
        # Someone else is not held back by the guesser.
        assert await _guess(api, NEIGHBOUR, "typo") == tmsg.INVITE_INVALID
        clock.now += INVITE_TRY_WINDOW / 2 + timedelta(seconds=1)
        prompt = await join(api, GUESSER, token)
        assert token_of(prompt) == "t2.regulations"  # joined: the first question of the report
