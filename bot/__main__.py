"""Entry point: `nianbao` (the assistant) and the operators' subcommands.

Builds settings → database → services → adapter here and passes each one down; nothing is
built at import time.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.settings import Settings
from bot.turn import Turns
from dialogs.catalogue import ALL_RULES
from dialogs.report_2021 import form_2021
from storage.db import Database

log = logging.getLogger("nianbao")

DESCRIPTION = """年报助手 nianbao — 政府信息公开工作年度报告填报助手
The assistant for the annual government information disclosure report.

不带参数运行：有 NIANBAO_TELEGRAM_TOKEN 时启动 Telegram 机器人，否则在终端中逐项填报。
Without arguments: the Telegram bot when NIANBAO_TELEGRAM_TOKEN is set, else the terminal dialog."""


def utc_clock() -> datetime:
    return datetime.now(UTC)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nianbao", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="运行助手（默认）/ run the assistant (default)")
    db = sub.add_parser("db", help="数据库 / database")
    db.add_argument("action", choices=["upgrade"], help="upgrade: 应用全部迁移 / apply every migration")
    imp = sub.add_parser(
        "import-report", help="导入已发布的年报（文本或网页）/ import a published report (text or HTML)"
    )
    imp.add_argument("file", help="报告文件 / the report file (.txt, .html)")
    imp.add_argument(
        "--agency", help="单位全称（默认取报告标题中的单位）/ agency name (default: from the title)"
    )
    imp.add_argument(
        "--year", type=int, help="报告年度（默认取标题中的年度）/ report year (default: from the title)"
    )
    imp.add_argument(
        "--kind",
        choices=["部门", "人民政府"],
        help="单位类型（新单位必填）/ unit kind (required for a new agency)",
    )
    chk = sub.add_parser("check", help="检查已发布的年报 / check published reports")
    chk.add_argument("files", nargs="+", help="报告文件 / report files (.txt, .html)")
    chk.add_argument(
        "--previous", help="上一年度的报告，用于跨年检查 / last year's report, for the cross-year rules"
    )
    chk.add_argument(
        "--kind", choices=["部门", "人民政府"], help="单位类型 / unit kind (default: from the title)"
    )
    chk.add_argument("--json", action="store_true", help="以 JSON 输出 / print JSON")
    exp = sub.add_parser(
        "export", help="导出某年度全部报告及汇总 / export a year's reports and the district totals"
    )
    exp.add_argument("--year", type=int, required=True, help="报告年度 / report year")
    exp.add_argument("--out", default=None, help="输出目录 / output directory")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    command = args.command or "run"
    is_bot = command == "run" and settings.telegram_token is not None
    logging.basicConfig(
        level=logging.INFO if is_bot else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs request URLs at INFO, and a Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    if command == "check":
        from bot.check import run_check

        return run_check(
            args.files, previous=args.previous, kind=args.kind, as_json=args.json, out=sys.stdout
        )
    return asyncio.run(_async_main(command, args, settings))


async def _async_main(command: str, args: argparse.Namespace, settings: Settings) -> int:
    db = Database(settings.resolved_database_url())
    try:
        await db.upgrade()
        if command == "db":
            return 0
        form = form_2021()
        turns = Turns(db, form, utc_clock, ALL_RULES)
        if command == "import-report":
            from bot.importing import import_report_file

            return await import_report_file(
                db,
                form,
                args.file,
                agency=args.agency,
                year=args.year,
                kind=args.kind,
                at=utc_clock(),
                out=sys.stdout,
            )
        if command == "export":
            from bot.export import export_year

            return await export_year(
                db, form, args.year, settings.output_dir if args.out is None else args.out
            )
        if settings.telegram_token is not None:
            from bot.telegram_app import run_bot

            return await run_bot(settings, db, turns)
        from bot.terminal import Terminal

        terminal = Terminal(db, turns, form, utc_clock, sys.stdin, sys.stdout, settings.output_dir)
        return await terminal.run()
    finally:
        await db.dispose()


if __name__ == "__main__":
    sys.exit(main())
