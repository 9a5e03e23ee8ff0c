"""Telegram: an answer is stored only for the question it answers.

A text message carries no token. Two devices of one person share the dialog position, and a
person can type the next answer before the bot's reply arrives; the message's date (and, for a
reply, the question replied to) tells which question it answered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from storage.db import Database
from storage.tables import Answer
from tests.helpers.botapi import Json, StandIn
from tests.helpers.telegram_bot import NOW, join, next_prompt, open_round_with_agency, running_bot, token_of

STAFF = 2101
# The bot takes this long to handle a message; fixed, so no test depends on real time.
HANDLING = timedelta(milliseconds=500)


class _Time:
    """Telegram's clock (message dates) and the bot's, moved on by the test only."""

    def __init__(self) -> None:
        self.now = NOW

    def telegram(self) -> float:
        return self.now.timestamp()

    def bot(self) -> datetime:
        return self.now + HANDLING

    def later(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def time() -> _Time:
    return _Time()


@pytest.fixture
async def api(time: _Time) -> AsyncIterator[StandIn]:
    """The stand-in dating messages by `time` (this module's own `api`)."""
    async with StandIn(wall_clock=time.telegram) as stand_in:
        yield stand_in


@asynccontextmanager
async def _joined(api: StandIn, db: Database, time: _Time) -> AsyncIterator[Json]:
    """The bot on `time`, with STAFF joined to a new agency: yields its first question."""
    async with running_bot(api, db, clock=time.bot):
        token = await open_round_with_agency(api, "某区行政审批局", "部门")
        yield await join(api, STAFF, token)


async def _answers(db: Database) -> dict[str, str]:
    async with db.session() as session:
        return {a.key: a.value for a in (await session.exec(select(Answer))).all()}


async def test_a_message_sent_before_the_current_question_was_shown_is_not_stored_there(
    api: StandIn, db: Database, time: _Time
) -> None:
    async with _joined(api, db, time) as first:
        assert token_of(first) == "t2.regulations"
        time.later(30)
        # Both written before the reply to the first arrives (two devices, or typed ahead).
        await api.send_text(STAFF, "1 0 3")
        await api.send_text(STAFF, "2 1 40")
        saved, _ = await next_prompt(api, STAFF)
        assert "已保存「第二十条第（一）项 — 规章」：1、0、3。" in saved["text"]
        refused, _ = await next_prompt(api, STAFF)
        assert "这条回复是在当前问题显示之前发出的，没有保存" in refused["text"]
        assert "第二十条第（一）项 — 行政规范性文件" in refused["text"]  # the current question again
        assert token_of(refused) == "t2.normative_documents"
        answers = await _answers(db)
        assert answers["t2.regulations.issued"] == "1"
        assert "t2.normative_documents.issued" not in answers

        time.later(20)  # now the person has seen the question and answers it
        await api.send_text(STAFF, "2 1 40")
        saved, _ = await next_prompt(api, STAFF)
        assert "已保存「第二十条第（一）项 — 行政规范性文件」：2、1、40。" in saved["text"]
        assert (await _answers(db))["t2.normative_documents.in_force"] == "40"


async def test_a_reply_to_an_earlier_question_is_refused_and_a_reply_to_the_current_one_is_stored(
    api: StandIn, db: Database, time: _Time
) -> None:
    async with _joined(api, db, time) as regulations:
        time.later(30)
        await api.send_text(STAFF, "1 0 3")
        normative, _ = await next_prompt(api, STAFF)
        time.later(30)
        await api.send_text(STAFF, "9 9 9", reply_to=int(regulations["message_id"]))
        refused, _ = await next_prompt(api, STAFF)
        assert "报告已在别处（另一个窗口或设备）修改" in refused["text"]
        assert (await _answers(db))["t2.regulations.issued"] == "1"
        assert "t2.normative_documents.issued" not in await _answers(db)
        await api.send_text(STAFF, "2 1 40", reply_to=int(normative["message_id"]))
        saved, _ = await next_prompt(api, STAFF)
        assert "已保存「第二十条第（一）项 — 行政规范性文件」：2、1、40。" in saved["text"]
