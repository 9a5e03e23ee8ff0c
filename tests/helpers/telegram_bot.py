"""Running the real nianbao Application against the Bot API stand-in, and playing its users."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from pydantic import SecretStr
from sqlalchemy import func
from sqlmodel import select

from bot.services.outgoing import invite_link
from bot.services.turns import Turns
from bot.settings import Settings
from bot.telegram_app import build_application, initialized, receiving
from bot.telegram_handlers import NianbaoApp
from bot.telegram_output import read_dialog_data
from dialogs import messages as msg
from dialogs import messages_telegram as tmsg
from dialogs.catalogue import ALL_RULES
from dialogs.report_2021 import form_2021
from storage.db import Database
from storage.tables import (
    ActiveReport,
    Agency,
    Answer,
    AnswerChange,
    DialogPosition,
    Invite,
    Membership,
    Person,
    Report,
    ReportingRound,
)
from tests.helpers.botapi import Json, StandIn

ADMIN = 1001
WEBHOOK_PATH = "nianbao/updates"
WEBHOOK_SECRET = "webhook-secret-for-tests"
NOW = datetime(2025, 1, 10, 2, 0, tzinfo=UTC)
# The bot's invite links, as bot/services/outgoing.py builds them (bot name and token as groups).
_LINK = re.compile(
    re.escape(invite_link("BOT", "TOKEN")).replace("BOT", r"(\w+)").replace("TOKEN", r"([A-Za-z0-9_-]+)")
)


def fixed_clock() -> datetime:
    return NOW


def bot_settings(
    api: StandIn,
    db: Database,
    *,
    admins: tuple[int, ...] = (ADMIN,),
    chats: int = 8,
    webhook_port: int | None = None,
    send_per_second: float = 0,
) -> Settings:
    """The bot on the stand-in; with `webhook_port`, in webhook mode listening on 127.0.0.1 there.

    Unpaced by default: the stand-in enforces no limit unless a test asks it to, and the tests of
    the outbox's pacing run it in virtual time (tests/bot/test_send_rate.py and
    tests/bot/test_webhook_processes.py pace in real time).
    """
    settings = Settings(
        telegram_token=SecretStr(api.token),
        telegram_api_url=api.base_url,
        telegram_file_url=api.base_file_url,
        database_url=db.url,
        admins=admins,
        concurrent_chats=chats,
        send_per_second=send_per_second,
    )
    if webhook_port is not None:
        settings.webhook_url = f"http://127.0.0.1:{webhook_port}/{WEBHOOK_PATH}"
        settings.webhook_secret = SecretStr(WEBHOOK_SECRET)
        settings.listen = f"127.0.0.1:{webhook_port}"
    return settings


@asynccontextmanager
async def running_bot(
    api: StandIn,
    db: Database,
    *,
    clock: Callable[[], datetime] = fixed_clock,
    chats: int = 8,
    webhook_port: int | None = None,
) -> AsyncIterator[NianbaoApp]:
    """The Application on the stand-in (polling, or its webhook), stopped as on SIGTERM at the end."""
    turns = Turns(db, form_2021(), clock, ALL_RULES)
    settings = bot_settings(api, db, chats=chats, webhook_port=webhook_port)
    app = build_application(settings, db, turns, clock=clock)
    async with initialized(app):
        await app.start()
        async with receiving(app, settings):
            if webhook_port is None:
                await api.wait_until_polling()
            yield app


def invite_tokens(text: str) -> list[str]:
    """Every invite token of the links in `text`, in order."""
    return [token for _, token in _LINK.findall(text)]


def invite_token(text: str) -> str:
    match = _LINK.search(text)
    assert match is not None, text
    return match.group(2)


def dialog_buttons(message: Json) -> dict[str, str]:
    """value -> callback data of the dialog buttons on a message."""
    found: dict[str, str] = {}
    for row in StandIn.buttons(message):
        for button in row:
            data = button.callback_data or ""
            press = read_dialog_data(data)
            if press is not None:
                found[press.value] = data
    return found


def token_of(message: Json) -> str | None:
    """The dialog position a message's buttons were made for (the current item id, or a mode).

    Within a row the token also names the cell ("t3.new#2"); only the item is returned.
    """
    for row in StandIn.buttons(message):
        for button in row:
            press = read_dialog_data(button.callback_data or "")
            if press is not None:
                return press.token.partition("#")[0]
    return None


async def next_prompt(api: StandIn, chat: int, timeout: float = 20.0) -> tuple[Json, list[Json]]:  # noqa: ASYNC109
    """Bot messages up to and including the next one with a keyboard (the question)."""
    seen: list[Json] = []
    while True:
        message = await api.next_reply(chat, timeout)
        seen.append(message)
        if StandIn.buttons(message):
            return message, seen


async def table_counts(db: Database) -> dict[str, int]:
    """Rows per table: a refusal must leave every one of them as it was."""
    counts: dict[str, int] = {}
    async with db.session() as session:
        for table in (
            Person,
            Membership,
            Agency,
            Report,
            ReportingRound,
            Answer,
            AnswerChange,
            DialogPosition,
            ActiveReport,
            Invite,
        ):
            result = await session.exec(select(func.count()).select_from(table))
            counts[table.__name__] = int(result.one())
    return counts


async def database_state(db: Database) -> dict[str, object]:
    """Counts plus the mutable columns a refusal might touch (statuses, positions, invites)."""
    state: dict[str, object] = dict(await table_counts(db))
    async with db.session() as session:
        state["reports"] = sorted((r.id, r.status) for r in (await session.exec(select(Report))).all())
        state["positions"] = sorted(
            (p.person_id, p.report_id, p.state) for p in (await session.exec(select(DialogPosition))).all()
        )
        state["active"] = sorted(
            (a.person_id, a.report_id) for a in (await session.exec(select(ActiveReport))).all()
        )
        state["invites"] = sorted(
            (i.id, str(i.used_at), str(i.revoked_at)) for i in (await session.exec(select(Invite))).all()
        )
        state["coordinators"] = sorted(
            (p.id, p.is_coordinator) for p in (await session.exec(select(Person))).all()
        )
    return state


async def open_round_with_agency(api: StandIn, name: str, kind: str, *, year: int = 2024) -> str:
    """The coordinator opens the round (if needed) and adds an agency; returns the invite token."""
    await api.send_text(ADMIN, f"/round {year}")
    opened = await api.next_reply(ADMIN)
    # The usage line also names a year (2024), so only the confirmation proves the round is open
    # (or, opened before, that it still is).
    district = msg.DEFAULT_DISTRICT
    shown = (
        tmsg.ROUND_OPENED.split("{deadline}")[0].format(district=district, year=year),
        tmsg.ROUND_CHANGED.split("{deadline}")[0].format(district=district, year=year),
    )
    assert opened["text"].startswith(shown), opened["text"]
    return await add_agency(api, name, kind)


async def add_agency(api: StandIn, name: str, kind: str) -> str:
    await api.send_text(ADMIN, f"/agency {name} {kind}")
    created = await api.next_reply(ADMIN)
    return invite_token(created["text"])


async def join(api: StandIn, user: int, token: str) -> Json:
    """The user opens the invite link; returns the first question."""
    await api.send_text(user, f"/start {token}")
    prompt, _ = await next_prompt(api, user)
    return prompt
