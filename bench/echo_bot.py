"""A bare PTB echo bot: the baseline every nianbao benchmark is compared with.

It answers each text message with the same text and does nothing else, so what the load driver
measures against it is the cost of PTB itself (polling, update dispatch, one sendMessage per update).

    python -m bench.echo_bot --token T --base-url http://127.0.0.1:P/bot --base-file-url http://127.0.0.1:P/file/bot

The same values may come from BOTAPI_TOKEN, BOTAPI_BASE_URL and BOTAPI_BASE_FILE_URL. It is meant to
run against the Bot API stand-in only; ``bench.load`` starts and stops it.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

_LOGGER = logging.getLogger(__name__)


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


# A reply of the size and shape nianbao sends for one table row (its prompt and its buttons),
# so the benchmark can tell the cost of such messages in PTB from nianbao's own work.
_ROW_PROMPT = (
    "已保存：12、1、0、0、0、0（总计 13）。\n"
    "【三、收到和处理申请】第 9/43 项\n"
    "（一）予以公开\n"
    "依次输入 6 个数：自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他（总计列自动计算）。\n"
    "例如：12 3 0 0 1 0；本行全部为 0 可回复「无」；也可以只输入一个数逐格填写。"
)
_ROW_BUTTONS = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton(label, callback_data=f"1|t3.granted|{value}") for label, value in row]
        for row in (
            (("无", "zero_row"), ("本年未收到政府信息公开申请", "no_apps")),
            (("上一步", "back"), ("跳过", "skip"), ("目录", "toc")),
            (("预览", "preview"),),
        )
    ]
)


async def _echo_like_nianbao(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    if message is not None and message.text is not None:
        await message.reply_text(_ROW_PROMPT, reply_markup=_ROW_BUTTONS)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--token", default=os.environ.get("BOTAPI_TOKEN"))
    parser.add_argument("--base-url", default=os.environ.get("BOTAPI_BASE_URL"))
    parser.add_argument("--base-file-url", default=os.environ.get("BOTAPI_BASE_FILE_URL"))
    parser.add_argument(
        "--nianbao-sized-reply",
        action="store_true",
        help="answer every message with a nianbao-sized prompt and keyboard instead of the echo",
    )
    parser.add_argument(
        "--concurrent-updates",
        type=int,
        default=1,
        help="updates processed at once (PTB's concurrent_updates); 1 is PTB's default, in order",
    )
    parser.add_argument(
        "--aiohttp-transport",
        action="store_true",
        help="PTB over nianbao's aiohttp transport (bot/telegram_transport.py) instead of httpx",
    )
    args = parser.parse_args(argv)
    if not (args.token and args.base_url and args.base_file_url):
        parser.error("token, base URL and base file URL are required (flags or BOTAPI_* variables)")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = _parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # httpx logs request URLs at INFO, and a Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    builder = (
        Application.builder().token(args.token).base_url(args.base_url).base_file_url(args.base_file_url)
    )
    if args.aiohttp_transport:
        from bot.telegram_transport import AiohttpTransport

        builder = builder.request(AiohttpTransport()).get_updates_request(AiohttpTransport(pool_size=1))
    if args.concurrent_updates > 1:
        builder = builder.concurrent_updates(args.concurrent_updates)
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, _echo_like_nianbao if args.nianbao_sized_reply else _echo))
    _LOGGER.info("echo bot polling, concurrent_updates=%d", args.concurrent_updates)
    app.run_polling(poll_interval=0, stop_signals=(signal.SIGINT, signal.SIGTERM))


if __name__ == "__main__":
    main()
