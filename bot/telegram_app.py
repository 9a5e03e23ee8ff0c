"""The Telegram bot process: all PTB wiring in one place, and the polling/webhook runner.

`build_application` registers every handler once (PTB's conversationbot pattern); the
dialog position lives in the database, never in PTB, so a restart or a second process
continues where the person was.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bot import telegram_coordinator as coord
from bot import telegram_handlers as h
from bot.chat_order import ChatOrderedProcessor
from bot.reminders import register_reminders
from bot.services.access import Access
from bot.services.coordination import Coordination
from bot.services.outbox import Outbox
from bot.services.outgoing import REVIEW_PREFIX
from bot.services.send_rate import SendRate
from bot.services.turns import Clock, Turns
from bot.settings import Settings
from bot.telegram_outbox import TelegramSender, register_outbox
from bot.telegram_transport import AiohttpTransport, Pacing
from bot.telegram_webhook import WebhookServer
from bot.working_calendar import ChinaCalendar, WorkingCalendar
from dialogs import messages_telegram as tmsg
from storage.db import Database

log = logging.getLogger(__name__)

_STAFF_COMMANDS: tuple[tuple[str, Callable[[Update, h.NianbaoContext], Coroutine[Any, Any, None]]], ...] = (
    ("start", h.on_start),
    ("fill", h.on_fill),
    ("review", h.on_review),
    ("submit", h.on_submit),
    ("status", h.on_status),
    ("agencies", h.on_agencies),
    ("help", h.on_help),
)
_COORDINATOR_COMMANDS: tuple[
    tuple[str, Callable[[Update, h.NianbaoContext], Coroutine[Any, Any, None]]], ...
] = (
    ("round", coord.on_round),
    ("agency", coord.on_agency),
    ("invite", coord.on_invite),
    ("revoke", coord.on_revoke),
    ("coordinator", coord.on_make_coordinator),
    ("district", coord.on_district),
    ("dashboard", coord.on_dashboard),
    ("history", coord.on_history),
    ("return", coord.on_return),
    ("accept", coord.on_accept),
    ("reopen", coord.on_reopen),
    ("totals", coord.on_totals),
    ("export", coord.on_export),
)


def build_application(
    settings: Settings,
    db: Database,
    turns: Turns,
    *,
    clock: Clock,
    calendar: WorkingCalendar | None = None,
) -> h.NianbaoApp:
    if settings.telegram_token is None:
        raise ValueError("NIANBAO_TELEGRAM_TOKEN is not set")
    context_types = ContextTypes(context=h.NianbaoContext, bot_data=h.BotData)
    # Every message of every process on this database, replies and the outbox's alike.
    send_rate = SendRate(db, settings.send_per_second)
    pacing = Pacing(send_rate.acquire, send_rate.hold)
    builder = (
        Application.builder()
        .token(settings.telegram_token.get_secret_value())
        .context_types(context_types)
        .defaults(Defaults(tzinfo=settings.zone))
        .concurrent_updates(ChatOrderedProcessor(settings.concurrent_chats))
        .request(AiohttpTransport(pool_size=settings.concurrent_chats + 4, pacing=pacing))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.webhook_url:
        builder = builder.updater(None)  # updates arrive at bot/telegram_webhook.py's server
    else:
        builder = builder.get_updates_request(AiohttpTransport(pool_size=1))
    if settings.telegram_api_url:
        builder = builder.base_url(settings.telegram_api_url)
    if settings.telegram_file_url:
        builder = builder.base_file_url(settings.telegram_file_url)
    application: h.NianbaoApp = builder.build()
    working_days: WorkingCalendar = calendar or ChinaCalendar()
    # The one sender of everything unprompted (reminders, digests, summaries, notices).
    outbox = Outbox(db, TelegramSender(application.bot), clock=clock)
    application.bot_data.services = h.Services(
        settings=settings,
        db=db,
        turns=turns,
        access=Access(db, frozenset(settings.admins)),
        coordination=Coordination(db),
        form=turns.form,
        clock=clock,
        outbox=outbox,
        calendar=working_days,
    )
    # Answers come only from new messages: an edited earlier message reaches on_edited instead.
    new = filters.UpdateType.MESSAGE
    for name, callback in (*_STAFF_COMMANDS, *_COORDINATOR_COMMANDS):
        application.add_handler(CommandHandler(name, callback, filters=new))
    application.add_handler(
        MessageHandler(new & filters.REPLY & filters.TEXT & ~filters.COMMAND, coord.on_reply)
    )
    application.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, h.on_text))
    application.add_handler(CallbackQueryHandler(coord.on_review_press, pattern=f"^{REVIEW_PREFIX}"))
    application.add_handler(CallbackQueryHandler(coord.on_dashboard_press, pattern=f"^{coord.BOARD_PREFIX}"))
    application.add_handler(CallbackQueryHandler(h.on_press))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, h.on_edited))
    application.add_handler(MessageHandler(new & filters.Document.ALL, coord.on_document))
    application.add_handler(MessageHandler(new & ~filters.COMMAND, h.on_other_message))
    application.add_handler(MessageHandler(new & filters.COMMAND, h.on_unknown_command))
    application.add_error_handler(h.on_error)
    register_outbox(application, outbox)
    register_reminders(application, settings, db, clock, outbox=outbox, calendar=working_days)
    return application


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services: h.Services = application.bot_data.services
    staff = [BotCommand(c, d) for c, d in tmsg.COMMANDS_STAFF]
    await application.bot.set_my_commands(staff)
    chats = await services.access.configured_coordinators()
    for chat_id in chats:
        await h.set_coordinator_commands(application.bot, chat_id)
    # What a restart left in the outbox goes out now, not at the periodic job's first run (which
    # APScheduler skips when the start is slower than its delay).
    services.outbox.kick()
    log.info("bot %s ready; %s coordinators", application.bot.id, len(chats))


async def _post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # The database belongs to the caller (bot/__main__.py disposes it); the application owns
    # only the services object, which must not outlive it.
    application.bot_data.services = None
    log.info("bot stopped")


async def run_bot(settings: Settings, db: Database, turns: Turns) -> int:
    """Runs until SIGINT/SIGTERM: long polling, or a webhook when NIANBAO_WEBHOOK_URL is set."""
    application = build_application(settings, db, turns, clock=turns.clock)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with initialized(application):
        await application.start()
        async with receiving(application, settings):
            await stop.wait()
    return 0


@contextlib.asynccontextmanager
async def receiving(application: h.NianbaoApp, settings: Settings) -> AsyncIterator[None]:
    """Updates arrive for the block: through nianbao's webhook server when NIANBAO_WEBHOOK_URL is
    set (bot/telegram_webhook.py), else by PTB's long polling. On the way out no new update is
    taken, and those in hand finish."""
    if not settings.webhook_url:
        updater = application.updater
        if updater is None:
            raise RuntimeError("the application was built without an updater")
        await updater.start_polling(allowed_updates=Update.ALL_TYPES)
        log.info("polling")
        try:
            yield
        finally:
            if updater.running:
                await updater.stop()
        return
    if settings.webhook_secret is None:
        # Without Telegram's secret token anyone who finds the URL could post updates.
        raise ValueError("NIANBAO_WEBHOOK_SECRET is required with NIANBAO_WEBHOOK_URL")
    server = WebhookServer(
        application,
        url=settings.webhook_url,
        secret=settings.webhook_secret.get_secret_value(),
        listen=settings.listen,
        bound=settings.concurrent_chats,
    )
    await server.start()
    try:
        yield
    finally:
        await server.stop()


@contextlib.asynccontextmanager
async def initialized(application: h.NianbaoApp) -> AsyncIterator[h.NianbaoApp]:
    """`async with application`, plus the post_init/post_shutdown hooks.

    PTB calls those hooks only from run_polling/run_webhook, which own the event loop; this
    process runs inside `asyncio.run` of bot/__main__.py, so it calls them itself.
    """
    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        try:
            yield application
        finally:
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()  # the updates in hand finish, and may still kick the outbox
            # Then the outbox, before the HTTP client closes: rows claimed but not yet tried go back
            # to pending, and no drain is started after this.
            services: h.Services | None = application.bot_data.services
            if services is not None:
                await services.outbox.stop()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
