"""Thin PTB callbacks: translate an update into an engine input, send the replies back.

No dialog logic lives here: what to ask, what an answer means and where to go next are the
engine's (dialogs/engine.py); who may do what is bot/services/access.py's; coordinator operations
are in bot/telegram_coordinator.py. A turn is committed (bot/services/turns.py) before its replies are
sent, so a crash between the two loses no answer, only a message the person can ask for
again with /fill.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext, ExtBot

from bot.services.access import (
    INVITE_TRY_WINDOW,
    Access,
    Caller,
    FillRight,
    InviteRefused,
    Refusal,
    active_fill,
)
from bot.services.coordination import Coordination
from bot.services.outbox import Outbox
from bot.services.outgoing import read_resume_data, resume_data
from bot.services.turns import Clock, Refused, TurnResult, Turns
from bot.settings import Settings
from bot.telegram_output import (
    ButtonPress,
    dialog_keyboard,
    keyboard,
    message_chunks,
    read_dialog_data,
)
from bot.working_calendar import WorkingCalendar
from dialogs import messages as msg
from dialogs import messages_telegram as tmsg
from dialogs.commands import Command
from dialogs.engine import Event, Input, Press, Resume, Text
from dialogs.form import Form
from storage.db import Database
from storage.faults import DatabaseFault
from storage.tables import Role

log = logging.getLogger(__name__)
INVITE_WAIT_MINUTES = max(1, int(INVITE_TRY_WINDOW.total_seconds()) // 60)


@dataclass(slots=True)
class Services:
    settings: Settings
    db: Database
    turns: Turns
    access: Access
    coordination: Coordination
    form: Form
    clock: Clock
    outbox: Outbox
    calendar: WorkingCalendar


class BotData:
    """`application.bot_data`: the services, set once by `build_application`."""

    __slots__ = ("services",)

    def __init__(self) -> None:
        self.services: Services | None = None


class NianbaoContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The callback context with typed access to the services (PTB's contexttypesbot pattern)."""

    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("build_application did not set the services")
        return services


NianbaoApp = Application[ExtBot[None], NianbaoContext, dict[Any, Any], dict[Any, Any], BotData, Any]


# --- sending ------------------------------------------------------------------------------------
async def send_text(
    context: NianbaoContext, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """`text` in as many messages as the length limit needs; the keyboard goes on the last one."""
    for chunk, chunk_markup in message_chunks(text, markup):
        await context.bot.send_message(chat_id, chunk, reply_markup=chunk_markup)


async def send_turn(context: NianbaoContext, chat_id: int, result: TurnResult) -> None:
    for reply in result.replies:
        markup = dialog_keyboard(result.report_id, reply.token, reply.choices)
        text = reply.text
        if Event.SUBMITTED in result.events and reply is result.replies[-1]:
            text = f"{text}{tmsg.FILES_FOLLOW}"  # here the files come as messages, see deliver_submission
        await send_text(context, chat_id, text, markup)


async def set_coordinator_commands(bot: ExtBot[None], chat_id: int) -> None:
    commands = [BotCommand(c, d) for c, d in (*tmsg.COMMANDS_STAFF, *tmsg.COMMANDS_COORDINATOR)]
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:
        # A coordinator who never opened the chat has no chat yet; the menu comes on /start.
        log.info("commands for coordinator chat %s not set: %s", chat_id, type(error).__name__)


# --- the dialog turn -------------------------------------------------------------------------------
def _chat_and_user(update: Update) -> tuple[int, int] | None:
    if update.effective_chat is None or update.effective_user is None:
        return None
    return update.effective_chat.id, update.effective_user.id


async def run_turn(context: NianbaoContext, chat_id: int, right: FillRight, event: Input) -> None:
    await answer_turn(
        context, chat_id, await context.services.turns.handle(right.person_id, right.report_id, event)
    )


async def answer_turn(context: NianbaoContext, chat_id: int, result: TurnResult) -> None:
    await send_turn(context, chat_id, result)
    if Event.SUBMITTED in result.events:
        await deliver_submission(context, chat_id, result)


async def caller_turn(
    context: NianbaoContext,
    chat_id: int,
    user_id: int,
    event: Input,
    *,
    report_id: int | None = None,
    sent_at: datetime | None = None,
) -> None:
    """The person's turn in their active report, or why not: one transaction for both."""
    outcome = await context.services.turns.handle_caller(user_id, event, report_id=report_id, sent_at=sent_at)
    if isinstance(outcome, Refused):
        await _explain(context, chat_id, user_id, outcome.who, outcome.refusal)
        return
    await answer_turn(context, chat_id, outcome)


async def _explain(
    context: NianbaoContext, chat_id: int, user_id: int, who: Caller | None, refusal: Refusal
) -> None:
    """Why nothing was filled, and what the person can do instead."""
    services = context.services
    if refusal is Refusal.NOT_INVITED:
        if services.access.is_coordinator(who, user_id):
            await send_text(context, chat_id, tmsg.COORDINATOR_HELP)
        else:
            await send_text(context, chat_id, tmsg.NOT_INVITED)
        return
    if refusal is Refusal.STALE_REPORT:
        await send_text(context, chat_id, tmsg.STALE_BUTTON)
        return
    if who is not None:
        await offer_reports(context, chat_id, who)


async def offer_reports(context: NianbaoContext, chat_id: int, who: Caller) -> None:
    services = context.services
    reports = await services.access.member_reports(who)
    if not reports:
        coordinator = services.access.is_coordinator(who, who.telegram_id)
        await send_text(context, chat_id, tmsg.COORDINATOR_HELP if coordinator else tmsg.NO_REPORT)
        return
    buttons = [
        (
            tmsg.AGENCY_BUTTON.format(
                agency=agency.name,
                year=report.year,
                status=msg.STATUS_NAMES.get(report.status, report.status),
            ),
            resume_data(report.id or 0),
        )
        for report, agency in reports
    ]
    await send_text(context, chat_id, tmsg.CHOOSE_AGENCY, keyboard(buttons))


async def _dialog(update: Update, context: NianbaoContext, event: Input) -> None:
    ids = _chat_and_user(update)
    if ids is None:
        return
    chat_id, user_id = ids
    await caller_turn(context, chat_id, user_id, event)


async def on_text(update: Update, context: NianbaoContext) -> None:
    """A typed answer, applied only to the question it answers.

    A text carries no token. A reply to one of our questions takes that question's (from its
    buttons); any other text is dated: one sent before the current question was shown (from a
    second device, or typed ahead) answered an earlier one, and the turn refuses it.
    """
    message = update.message
    ids = _chat_and_user(update)
    if message is None or message.text is None or ids is None:
        return
    chat_id, user_id = ids
    replied = _replied_press(message.reply_to_message, context.bot.id)
    if replied is not None:
        event = Text(message.text, replied.token)
        await caller_turn(context, chat_id, user_id, event, report_id=replied.report_id)
        return
    await caller_turn(context, chat_id, user_id, Text(message.text), sent_at=message.date)


def _replied_press(replied: Message | None, bot_id: int) -> ButtonPress | None:
    """The report and token of the bot's question `replied` is, read from its dialog buttons."""
    if replied is None or replied.from_user is None or replied.from_user.id != bot_id:
        return None
    markup = replied.reply_markup
    for row in markup.inline_keyboard if markup is not None else ():
        for button in row:
            press = read_dialog_data(button.callback_data) if isinstance(button.callback_data, str) else None
            if press is not None and press.token:  # an over-long token is sent empty: unknown
                return press
    return None


async def on_fill(update: Update, context: NianbaoContext) -> None:
    await _dialog(update, context, Resume())


async def on_review(update: Update, context: NianbaoContext) -> None:
    await _dialog(update, context, Text(Command.PREVIEW.value))


async def on_submit(update: Update, context: NianbaoContext) -> None:
    await _dialog(update, context, Text(Command.SUBMIT.value))


async def on_status(update: Update, context: NianbaoContext) -> None:
    await _dialog(update, context, Text(Command.STATUS.value))


async def _identified(update: Update, context: NianbaoContext) -> tuple[int, int, Caller | None] | None:
    """The chat, the user and who the user is to nianbao (None: nobody invited them)."""
    ids = _chat_and_user(update)
    if ids is None:
        return None
    chat_id, user_id = ids
    return chat_id, user_id, await context.services.access.caller(user_id)


async def on_help(update: Update, context: NianbaoContext) -> None:
    identified = await _identified(update, context)
    if identified is None:
        return
    chat_id, user_id, who = identified
    access = context.services.access
    coordinator = access.is_coordinator(who, user_id)
    right = active_fill(who)
    if who is None and not coordinator:
        await send_text(context, chat_id, tmsg.NOT_INVITED)
        return
    if coordinator:
        await send_text(context, chat_id, tmsg.COORDINATOR_HELP)
    if isinstance(right, FillRight):
        await send_text(context, chat_id, tmsg.STAFF_HELP)
        await run_turn(context, chat_id, right, Text(Command.HELP.value))


async def on_agencies(update: Update, context: NianbaoContext) -> None:
    identified = await _identified(update, context)
    if identified is None:
        return
    chat_id, user_id, who = identified
    if who is None:
        await _explain(context, chat_id, user_id, who, Refusal.NOT_INVITED)
        return
    await offer_reports(context, chat_id, who)


async def on_start(update: Update, context: NianbaoContext) -> None:
    """`/start` alone greets; `/start <token>` (the invite deep link) binds the person."""
    ids = _chat_and_user(update)
    if ids is None or update.effective_user is None:
        return
    chat_id, user_id = ids
    services = context.services
    token = context.args[0] if context.args else ""
    if token:
        now = services.clock()
        if await services.access.invite_tries_exhausted(telegram_id=user_id, now=now):
            log.info("invite not checked for user %s: too many refused tokens", user_id)
            await send_text(context, chat_id, tmsg.INVITE_TOO_MANY_TRIES.format(minutes=INVITE_WAIT_MINUTES))
            return
        try:
            redeemed = await services.access.redeem(
                token=token,
                telegram_id=user_id,
                display_name=update.effective_user.full_name,
                now=now,
            )
        except InviteRefused:
            log.info("invite refused for user %s", user_id)
            await send_text(context, chat_id, tmsg.INVITE_INVALID)
            return
        log.info("user %s joined as %s (person %s)", user_id, redeemed.role.value, redeemed.person_id)
        if redeemed.role is Role.COORDINATOR:
            await set_coordinator_commands(context.bot, chat_id)
            await send_text(context, chat_id, tmsg.BECAME_COORDINATOR)
            return
        agency, report = redeemed.agency, redeemed.report
        if agency is None or report is None or report.id is None:
            raise LookupError("a staff invite was redeemed without a report")
        await send_text(context, chat_id, tmsg.JOINED.format(agency=agency.name, year=report.year))
        await run_turn(context, chat_id, FillRight(redeemed.person_id, report.id), Resume())
        return
    who = await context.services.access.caller(user_id)
    if services.access.is_coordinator(who, user_id):
        await set_coordinator_commands(context.bot, chat_id)
    right = active_fill(who)
    if isinstance(right, Refusal):
        await _explain(context, chat_id, user_id, who, right)
        return
    await run_turn(context, chat_id, right, Resume())


async def on_press(update: Update, context: NianbaoContext) -> None:
    query = update.callback_query
    ids = _chat_and_user(update)
    if query is None:
        return
    # Always answered, first: the person's client shows a spinner until it is.
    await query.answer()
    if ids is None or query.data is None:
        return
    chat_id, user_id = ids
    report_id = read_resume_data(query.data)
    if report_id is not None:
        who = await context.services.access.caller(user_id)
        switched = await context.services.access.switch_to(who, report_id)
        if isinstance(switched, Refusal) or who is None:
            await send_text(context, chat_id, tmsg.NOT_INVITED if who is None else tmsg.NOT_YOURS)
            return
        report, agency = switched
        await send_text(context, chat_id, tmsg.SWITCHED.format(agency=agency.name, year=report.year))
        await run_turn(context, chat_id, FillRight(who.person_id, report_id), Resume())
        return
    press = read_dialog_data(query.data)
    if press is None:
        who = await context.services.access.caller(user_id)
        right = active_fill(who)
        refusal = right if isinstance(right, Refusal) else Refusal.STALE_REPORT
        await _explain(context, chat_id, user_id, who, refusal)
        return
    # A button of another report (the person switched agencies since) is never applied here.
    await caller_turn(context, chat_id, user_id, Press(press.value, press.token), report_id=press.report_id)


async def _note(update: Update, context: NianbaoContext, text: str) -> None:
    """`text` to a known person; strangers get only the explanation of how to get an invite."""
    identified = await _identified(update, context)
    if identified is None:
        return
    chat_id, _user_id, who = identified
    await send_text(context, chat_id, tmsg.NOT_INVITED if who is None else text)


async def on_edited(update: Update, context: NianbaoContext) -> None:
    """An edit of an earlier message is not an answer to the current question."""
    await _note(update, context, tmsg.EDIT_NOT_APPLIED)


MAX_SHOWN_COMMAND = 40  # characters of an unknown command echoed back


async def on_other_message(update: Update, context: NianbaoContext) -> None:
    await _note(update, context, tmsg.NOT_TEXT)


async def on_unknown_command(update: Update, context: NianbaoContext) -> None:
    """A command the bot does not have (a typo, or one from another bot): say so, store nothing."""
    text = update.effective_message.text if update.effective_message else None
    word = (text or "/").split(maxsplit=1)[0].partition("@")[0][:MAX_SHOWN_COMMAND]
    await _note(update, context, tmsg.UNKNOWN_COMMAND.format(command=word))


async def on_error(update: object, context: NianbaoContext) -> None:
    """The one place unexpected errors end up: logged with ids, a short apology sent.

    A database that cannot be used (its server gone, its file read-only) is not a bug: one
    line in the log, and the person learns that this message was not saved and should be sent
    again. The bot keeps running and answers again once the database is back.
    """
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(context.error, DatabaseFault):
        log.error("update %s not handled: database unavailable (%s)", update_id, context.error)
        apology = tmsg.DB_UNAVAILABLE
    else:
        log.error("update %s failed", update_id, exc_info=context.error)
        apology = tmsg.ERROR_APOLOGY
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, apology)
        except TelegramError:
            log.warning("apology to chat %s failed", update.effective_chat.id)


# --- submission ---------------------------------------------------------------------------------
async def deliver_submission(context: NianbaoContext, chat_id: int, result: TurnResult) -> None:
    """The finished report to the person who submitted it (their reply); the coordinators'
    summaries were enqueued with the submission (bot/services/submission.py): the outbox sends them now.

    The documents are the ones rendered before the submission was committed (bot/services/turns.py).
    """
    services = context.services
    try:
        snapshot = await services.turns.snapshot(result.report_id)
        caption = tmsg.FILES_CAPTION.format(agency=snapshot.agency.name, year=snapshot.report.year)
        for document in result.documents:
            await context.bot.send_document(
                chat_id, document.data, filename=document.filename, caption=caption
            )
    finally:
        services.outbox.kick()  # the submitter's files first, as before; then the summaries
    log.info("report %s delivered to user %s", result.report_id, chat_id)
