"""The Bot API stand-in, checked against the real PTB Application over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from telegram import BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit, ParseMode
from telegram.error import BadRequest, Conflict, EndPointNotFound, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.helpers.botapi import BotCall, Button, OutputKind, StandIn

App = Application[Any, Any, Any, Any, Any, Any]
USER = 4242


class FakeClock:
    """Monotonic time that only moves when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message is None:
        return
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Yes", callback_data="yes"), InlineKeyboardButton("No", callback_data="no")]]
    )
    await update.message.reply_text("Pick one", reply_markup=keyboard)


async def _pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    await query.edit_message_text(f"You chose {query.data}")


async def _edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.edited_message
    if message is not None:
        await message.reply_text(f"edited: {message.text}")


async def _return_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    if message is None or message.document is None:
        return
    file = await message.document.get_file()
    data = await file.download_as_bytearray()
    await message.reply_chat_action("upload_document")
    await message.reply_document(bytes(data), filename=f"echo-{message.document.file_name}")


def _build(api: StandIn) -> App:
    return (
        Application.builder().token(api.token).base_url(api.base_url).base_file_url(api.base_file_url).build()
    )


@pytest.fixture
async def fake_clock_api() -> AsyncIterator[tuple[StandIn, FakeClock]]:
    clock = FakeClock()
    async with StandIn(clock=clock) as standin:
        yield standin, clock


@pytest.fixture
async def bot_app(api: StandIn) -> AsyncIterator[App]:
    app = _build(api)
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, _echo))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT, _edited))
    app.add_handler(MessageHandler(filters.Document.ALL, _return_document))
    app.add_handler(CallbackQueryHandler(_pressed))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0)
        await api.wait_until_polling()
        yield app
        await app.updater.stop()
        await app.stop()


@pytest.fixture
async def plain_app(api: StandIn) -> AsyncIterator[App]:
    """An initialised application that does not poll: for calling the bot's methods directly."""
    async with _build(api) as app:
        yield app


async def test_echo_bot_answers_text(api: StandIn, bot_app: App) -> None:
    sent = await api.send_text(USER, "你好, bot", first_name="Li")

    reply = await api.next_reply(USER)

    assert reply["text"] == "你好, bot"
    assert reply["chat"]["id"] == USER
    assert reply["from"]["id"] == api.bot_user["id"]
    assert reply["message_id"] > sent["message_id"]
    call = await api.wait_for_call("sendMessage", chat_id=USER)
    assert (call.text, call.is_ok) == ("你好, bot", True)


async def test_replies_come_in_order_for_several_messages(api: StandIn, bot_app: App) -> None:
    for number in range(5):
        await api.send_text(USER, f"m{number}")

    replies = await api.wait_for_messages(USER, 5)

    assert [r["text"] for r in replies] == [f"m{n}" for n in range(5)]


async def test_button_press_is_answered_and_edits_the_message(api: StandIn, bot_app: App) -> None:
    await api.send_text(USER, "/start")
    menu = await api.next_reply(USER)
    assert api.buttons(menu) == [[Button("Yes", "yes"), Button("No", "no")]]

    query = await api.press(USER, menu, "yes")
    edit = await api.wait_for_call("editMessageText", chat_id=USER)

    assert edit.text == "You chose yes"
    assert query["id"] in api.callback_answers
    now = api.message(USER, menu["message_id"])
    assert now["text"] == "You chose yes"
    assert api.buttons(now) == []  # an edit without reply_markup drops the keyboard, as in Telegram
    outputs = await api.wait_for_outputs(USER, 2)
    assert [o.kind for o in outputs] == [OutputKind.MESSAGE, OutputKind.EDIT]
    assert api.buttons(outputs[0].message) != []  # snapshots keep what the user saw then


async def test_pressing_a_button_the_message_lacks_is_a_test_error(api: StandIn, bot_app: App) -> None:
    await api.send_text(USER, "/start")
    menu = await api.next_reply(USER)

    with pytest.raises(ValueError, match="no button"):
        await api.press(USER, menu, "maybe")


async def test_edited_message_reaches_the_bot(api: StandIn, bot_app: App) -> None:
    original = await api.send_text(USER, "12")
    await api.next_reply(USER)

    await api.edit_text(USER, original["message_id"], "13")

    assert (await api.next_reply(USER))["text"] == "edited: 13"


async def test_user_document_round_trips_through_get_file_and_send_document(
    api: StandIn, bot_app: App
) -> None:
    data = bytes(range(256)) * 40

    await api.send_document(USER, "年报.docx", data)
    reply = await api.next_reply(USER)

    assert reply["document"]["file_name"] == "echo-年报.docx"
    assert api.file_bytes(reply["document"]["file_id"]) == data
    call = await api.wait_for_call("sendDocument", chat_id=USER)
    assert (call.document_name, call.document_bytes) == ("echo-年报.docx", data)
    assert await api.wait_for_call("sendChatAction", chat_id=USER)


async def test_commands_are_recorded_per_scope(api: StandIn, plain_app: App) -> None:
    bot = plain_app.bot
    await bot.set_my_commands([BotCommand("start", "begin"), BotCommand("back", "go back")])
    await bot.set_my_commands([BotCommand("status", "progress")], scope=BotCommandScopeChat(USER))

    assert api.commands_for() == [("start", "begin"), ("back", "go back")]
    assert api.commands_for(USER) == [("status", "progress")]
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(USER))] == ["status"]

    await bot.delete_my_commands(scope=BotCommandScopeChat(USER))
    assert api.commands_for(USER) == []
    assert api.commands_for() != []


async def test_retry_after_is_raised_with_its_seconds(
    api: StandIn, plain_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22 warns when retry_after is read as int
    api.add_user(USER)
    api.fail_with_retry_after(7, count=1)

    with pytest.raises(RetryAfter) as raised:
        await plain_app.bot.send_message(USER, "reminder")

    assert raised.value.retry_after == timedelta(seconds=7)
    assert (await plain_app.bot.send_message(USER, "reminder")).text == "reminder"
    assert [c.error_code for c in api.sent if c.method == "sendMessage"] == [429, None]


async def test_blocked_user_raises_forbidden(api: StandIn, plain_app: App) -> None:
    api.add_user(USER)
    api.block_user(USER)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await plain_app.bot.send_message(USER, "reminder")

    api.unblock_user(USER)
    await plain_app.bot.send_message(USER, "reminder")


async def test_sending_to_a_chat_that_never_started_the_bot_fails(api: StandIn, plain_app: App) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await plain_app.bot.send_message(USER + 1, "hello")


async def test_per_chat_limit_answers_429_within_one_second(
    fake_clock_api: tuple[StandIn, FakeClock], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    api, clock = fake_clock_api
    api.add_user(USER)
    api.enforce_limits(per_chat_per_s=1, global_per_s=30)
    async with _build(api) as app:
        await app.bot.send_message(USER, "first")
        with pytest.raises(RetryAfter) as raised:
            await app.bot.send_message(USER, "second")
        clock.now += 1.0
        await app.bot.send_message(USER, "second, a second later")

    assert raised.value.retry_after == timedelta(seconds=1)
    assert api.limit_violations == 1


async def test_global_limit_counts_every_chat(
    fake_clock_api: tuple[StandIn, FakeClock], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    api, clock = fake_clock_api
    for user in range(3):
        api.add_user(USER + user)
    api.enforce_limits(per_chat_per_s=1, global_per_s=2)
    async with _build(api) as app:
        await app.bot.send_message(USER, "a")
        clock.now += 0.5
        await app.bot.send_message(USER + 1, "b")
        with pytest.raises(RetryAfter):
            await app.bot.send_message(USER + 2, "c")
        clock.now += 0.6  # the first send has left the one-second window
        await app.bot.send_message(USER + 2, "c")

    assert api.limit_violations == 1
    assert [c.chat_id for c in api.sent if c.is_ok and c.method == "sendMessage"] == [
        USER,
        USER + 1,
        USER + 2,
    ]


async def test_unknown_method_answers_not_found(api: StandIn, plain_app: App) -> None:
    with pytest.raises(EndPointNotFound):
        await plain_app.bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": USER})

    call: BotCall = api.sent[-1]
    assert (call.method, call.error_code) == ("sendTelepathy", 404)


@pytest.mark.parametrize(
    ("text", "options", "error"),
    [
        ("x" * (MessageLimit.MAX_TEXT_LENGTH + 1), {}, "Message is too long"),
        ("<b>unclosed", {"parse_mode": ParseMode.HTML}, "Can't parse entities"),
        ("<div>no</div>", {"parse_mode": ParseMode.HTML}, "(?i)unsupported start tag"),
        ("3.5 万元", {"parse_mode": ParseMode.MARKDOWN_V2}, "reserved"),
        (
            "pick",
            {
                "reply_markup": InlineKeyboardMarkup(
                    [
                        [
                            InlineKeyboardButton(
                                "too long",
                                callback_data="x" * (InlineKeyboardButtonLimit.MAX_CALLBACK_DATA + 1),
                            )
                        ]
                    ]
                )
            },
            "Button_data_invalid",
        ),
    ],
)
async def test_telegram_rejects_what_it_would_reject(
    api: StandIn, plain_app: App, text: str, options: dict[str, Any], error: str
) -> None:
    api.add_user(USER)

    with pytest.raises(BadRequest, match=error):
        await plain_app.bot.send_message(USER, text, **options)


async def test_html_is_shown_as_plain_text(api: StandIn, plain_app: App) -> None:
    api.add_user(USER)

    message = await plain_app.bot.send_message(
        USER, "<b>第一部分</b> &lt;总则&gt;", parse_mode=ParseMode.HTML
    )

    assert message.text == "第一部分 <总则>"


async def test_editing_without_change_is_not_modified(api: StandIn, plain_app: App) -> None:
    api.add_user(USER)
    message = await plain_app.bot.send_message(USER, "same")

    with pytest.raises(BadRequest, match="not modified"):
        await plain_app.bot.edit_message_text("same", chat_id=USER, message_id=message.message_id)


async def test_second_instance_polling_terminates_the_first(api: StandIn, plain_app: App) -> None:
    waiting = asyncio.create_task(plain_app.bot.get_updates(timeout=30))
    await api.wait_until_polling()

    async with _build(api) as second_instance:
        assert await second_instance.bot.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await waiting


@pytest.mark.parametrize(
    ("disposition", "received"),
    [
        # What browsers, PTB's httpx transport and nianbao's send: the UTF-8 name as is.
        ('filename="平潭2025年报告.txt"', "平潭2025年报告.txt"),
        # RFC 5987/7578's extended form wins over the plain fallback beside it.
        ("filename=\"report.txt\"; filename*=utf-8''%E5%B9%B3%E6%BD%AD.txt", "平潭.txt"),
        # A percent-encoded plain name is not decoded: Telegram shows it as sent.
        ('filename="%E5%B9%B3%E6%BD%AD.txt"', "%E5%B9%B3%E6%BD%AD.txt"),
    ],
)
async def test_uploaded_file_names_are_read_as_telegram_reads_them(
    api: StandIn, disposition: str, received: str
) -> None:
    api.add_user(USER)
    boundary = "nianbao-boundary"
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="chat_id"\r\n\r\n'
        f"{USER}\r\n"
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="document"; {disposition}\r\n'
        "Content-Type: text/plain\r\n\r\n"
        "正文\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{api.base_url}{api.token}/sendDocument", data=body, headers=headers) as response,
    ):
        answer = await response.json()

    assert answer["ok"], answer
    assert answer["result"]["document"]["file_name"] == received
    call = await api.wait_for_call("sendDocument", chat_id=USER)
    assert call.document_name == received
