"""The aiohttp transport under PTB's `Bot`: every kind of Bot API call the bot makes, the errors
PTB must see, and a proxy from the environment, all against the stand-in on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from bot.telegram_transport import AiohttpTransport
from tests.helpers.botapi import StandIn

USER = 4242


def _bot(api: StandIn, *, base_url: str | None = None) -> Bot:
    return Bot(
        api.token,
        base_url=base_url or api.base_url,
        base_file_url=api.base_file_url,
        request=AiohttpTransport(),
        get_updates_request=AiohttpTransport(pool_size=1),
    )


@pytest.fixture
async def bot(api: StandIn) -> AsyncIterator[Bot]:
    api.add_user(USER, first_name="张三")
    async with _bot(api) as running:
        yield running


async def test_messages_with_keyboards_arrive_as_sent(api: StandIn, bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("上一步", callback_data="7|t|back")]])
    sent = await bot.send_message(USER, "【二、主动公开】第 1/43 项", reply_markup=markup)

    stored = api.message(USER, sent.message_id)
    assert stored["text"] == "【二、主动公开】第 1/43 项"
    assert [[b.text for b in row] for row in api.buttons(stored)] == [["上一步"]]
    assert [[b.callback_data for b in row] for row in api.buttons(stored)] == [["7|t|back"]]
    assert sent.chat.id == USER


async def test_documents_upload_and_files_download(api: StandIn, bot: Bot) -> None:
    content = "政府信息公开工作年度报告\n".encode() * 500
    sent = await bot.send_document(USER, content, filename="报告.txt", caption="附件")
    assert sent.document is not None
    assert api.file_bytes(sent.document.file_id) == content
    assert api.bot_messages(USER)[-1]["caption"] == "附件"

    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == content


async def test_a_document_arrives_with_its_chinese_file_name(api: StandIn, bot: Bot) -> None:
    name = "平潭综合实验区2025年政府信息公开工作年度报告.txt"
    sent = await bot.send_document(USER, "正文".encode(), filename=name)

    assert sent.document is not None
    assert sent.document.file_name == name
    call = await api.wait_for_call("sendDocument", chat_id=USER)
    assert call.document_name == name


async def test_updates_are_polled(api: StandIn, bot: Bot) -> None:
    await api.send_text(USER, "12 1 0 0 0 0")
    updates = await bot.get_updates(timeout=1)
    assert [u.message.text for u in updates if u.message is not None] == ["12 1 0 0 0 0"]


async def test_flood_control_reaches_ptb_as_retry_after(
    api: StandIn, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as bot/__main__.py sets it
    api.fail_with_retry_after(3)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(USER, "第一次")
    assert raised.value.retry_after == timedelta(seconds=3)
    await bot.send_message(USER, "第二次")
    assert [m["text"] for m in api.bot_messages(USER)] == ["第二次"]


async def test_a_blocked_user_is_forbidden(api: StandIn, bot: Bot) -> None:
    api.block_user(USER)
    with pytest.raises(Forbidden):
        await bot.send_message(USER, "提醒")


async def test_a_slow_answer_times_out(api: StandIn, bot: Bot) -> None:
    api.hold_responses()
    try:
        with pytest.raises(TimedOut):
            await bot.send_message(USER, "等待", read_timeout=0.2)
    finally:
        api.release_responses()


async def test_an_unreachable_api_is_a_network_error(api: StandIn) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    bot = _bot(api, base_url=f"http://127.0.0.1:{closed_port}/bot")
    with pytest.raises(NetworkError):
        await bot.initialize()
    await bot.shutdown()


async def test_a_proxy_from_the_environment_carries_the_calls(
    api: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where api.telegram.org is blocked, HTTP(S)_PROXY is how the bot reaches it."""
    relayed: list[str] = []

    async def relay(request: web.Request) -> web.Response:
        relayed.append(request.path.rsplit("/", 1)[-1])
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                request.method, str(request.url), data=await request.read(), headers=request.headers
            ) as answer,
        ):
            return web.Response(
                status=answer.status, body=await answer.read(), content_type="application/json"
            )

    proxy = web.Application()
    proxy.router.add_route("*", "/{tail:.*}", relay)
    runner = web.AppRunner(proxy, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    api.add_user(USER)
    try:
        async with _bot(api) as bot:
            await bot.send_message(USER, "经代理发送")
    finally:
        await runner.cleanup()
    assert relayed[:2] == ["getMe", "sendMessage"]
    assert [m["text"] for m in api.bot_messages(USER)] == ["经代理发送"]
