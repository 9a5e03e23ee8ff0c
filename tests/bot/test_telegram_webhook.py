"""Webhook mode (NIANBAO_WEBHOOK_URL): Telegram posts updates to the bot instead of being polled.

The stand-in plays Telegram's side: setWebhook records the URL and secret, and every update is
POSTed there with the X-Telegram-Bot-Api-Secret-Token header. Posts without that secret must be
refused before any of them reaches the dialog.
"""

from __future__ import annotations

import os
import socket

import aiohttp
import pytest

from bot.telegram_webhook import HEALTH_PATH
from dialogs import messages_telegram as tmsg
from storage.db import Database
from tests.helpers.botapi import StandIn
from tests.helpers.telegram_bot import (
    WEBHOOK_PATH,
    WEBHOOK_SECRET,
    database_state,
    join,
    open_round_with_agency,
    running_bot,
)

STAFF = 3101
STRANGER = 3199


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_report_is_filled_through_the_webhook(api: StandIn, db: Database) -> None:
    port = _free_port()
    async with running_bot(api, db, webhook_port=port):
        assert api.webhook is not None
        assert api.webhook["url"] == f"http://127.0.0.1:{port}/{WEBHOOK_PATH}"
        assert api.webhook["secret_token"] == WEBHOOK_SECRET

        token = await open_round_with_agency(api, "区行政审批局", "部门")
        first = await join(api, STAFF, token)
        assert "第 1/43 项" in first["text"]
        await api.send_text(STAFF, "2 0 15")
        reply = await api.next_reply(STAFF)
        assert "第 2/43 项" in reply["text"]

        await api.send_text(STRANGER, "你好")
        assert (await api.next_reply(STRANGER))["text"] == tmsg.NOT_INVITED
    assert api.webhook_answers
    assert set(api.webhook_answers) == {200}


async def test_posts_without_the_secret_are_refused_and_change_nothing(api: StandIn, db: Database) -> None:
    port = _free_port()
    async with running_bot(api, db, webhook_port=port):
        await open_round_with_agency(api, "区行政审批局", "部门")
        before = await database_state(db)
        forged = {
            "update_id": 990001,
            "message": {
                "message_id": 1,
                "date": 1736474400,
                "chat": {"id": STRANGER, "type": "private", "first_name": "X"},
                "from": {"id": STRANGER, "is_bot": False, "first_name": "X"},
                "text": "/round 2030",
            },
        }
        url = f"http://127.0.0.1:{port}/{WEBHOOK_PATH}"
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guessed"}):
                async with session.post(url, json=forged, headers=headers) as answer:
                    assert answer.status == 403
        # The bot is still there for real updates, and the forged ones left no trace.
        api.add_user(STRANGER)
        await api.send_text(STRANGER, "你好")
        assert (await api.next_reply(STRANGER))["text"] == tmsg.NOT_INVITED
        assert [m["text"] for m in api.bot_messages(STRANGER)] == [tmsg.NOT_INVITED]
        assert await database_state(db) == before


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_health_and_with_the_database_gone_the_person_is_told_nothing_was_saved(
    api: StandIn, db: Database
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    async with running_bot(api, db, webhook_port=port), aiohttp.ClientSession() as session:
        token = await open_round_with_agency(api, "区行政审批局", "部门")
        await join(api, STAFF, token)
        async with session.get(base + HEALTH_PATH) as health:
            assert health.status == 200
            body = await health.json()
            assert body["status"] == "ok"
            assert body["waiting_updates"] == 0
        os.unlink(db.where)  # the database is gone under the running process
        async with session.get(base + HEALTH_PATH) as health:
            assert health.status == 503
            assert (await health.json())["database"] == "unavailable"
        await api.send_text(STAFF, "2 0 15")
        reply = await api.next_reply(STAFF)
    assert reply["text"] == tmsg.DB_UNAVAILABLE
    assert set(api.webhook_answers) == {200}
