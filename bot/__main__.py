"""Entry point: `nianbao` (the assistant) and the operators' subcommands.

Builds settings → database → services → adapter here and passes each one down; nothing is
built at import time.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from bot.failures import stop_on_fault
from bot.log_redaction import configure_logging
from bot.services.turns import Turns
from bot.settings import Settings
from dialogs import messages as msg
from dialogs.catalogue import ALL_RULES
from dialogs.form import Form
from dialogs.parsing import FIRST_REPORT_YEAR, Rejected, parse_report_year
from dialogs.report_2021 import form_2021
from storage.dashboard import BoardFilter
from storage.db import Database
from storage.faults import DatabaseFault, Fault

log = logging.getLogger("nianbao")


def utc_clock() -> datetime:
    return datetime.now(UTC)


def _report_year(text: str) -> int:
    """A --year option: a finished or the running year, not before the regulation (argparse type)."""
    current = utc_clock().year
    year = parse_report_year(text, default=current - 1, current=current)
    if isinstance(year, Rejected) or not text.strip():
        raise argparse.ArgumentTypeError(
            msg.BAD_YEAR.format(first=FIRST_REPORT_YEAR, latest=current, default=current - 1)
        )
    return year


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nianbao",
        description=msg.CLI_DESCRIPTION,
        epilog=msg.CLI_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help=msg.CLI_HELP["run"])
    db = sub.add_parser("db", help=msg.CLI_HELP["db"])
    db.add_argument("action", choices=["upgrade"], help=msg.CLI_HELP["db.action"])
    imp = sub.add_parser("import-report", help=msg.CLI_HELP["import-report"])
    imp.add_argument("file", help=msg.CLI_HELP["file"])
    imp.add_argument("--agency", help=msg.CLI_HELP["agency"])
    imp.add_argument("--year", type=_report_year, help=msg.CLI_HELP["year"])
    imp.add_argument(
        "--kind",
        choices=msg.UNIT_CHOICES,
        help=msg.CLI_HELP["kind"],
    )
    chk = sub.add_parser("check", help=msg.CLI_HELP["check"])
    chk.add_argument("files", nargs="+", help=msg.CLI_HELP["files"])
    chk.add_argument("--previous", help=msg.CLI_HELP["previous"])
    chk.add_argument("--kind", choices=msg.UNIT_CHOICES, help=msg.CLI_HELP["kind"])
    chk.add_argument("--json", action="store_true", help=msg.CLI_HELP["json"])
    exp = sub.add_parser("export", help=msg.CLI_HELP["export"])
    exp.add_argument("--year", type=_report_year, required=True, help=msg.CLI_HELP["export.year"])
    exp.add_argument("--out", default=None, help=msg.CLI_HELP["out"])
    exp.add_argument("--district", default=None, help=msg.CLI_HELP["district"])
    ret = sub.add_parser("return", help=msg.CLI_HELP["return"])
    ret.add_argument("--agency", required=True, help=msg.CLI_HELP["report.agency"])
    ret.add_argument("--year", type=int, required=True, help=msg.CLI_HELP["report.year"])
    ret.add_argument("--comment", default="", help=msg.CLI_HELP["comment"])
    ret.add_argument("--district", default=None, help=msg.CLI_HELP["district"])
    for name in ("accept", "reopen"):
        review = sub.add_parser(name, help=msg.CLI_HELP[name])
        review.add_argument("--agency", required=True, help=msg.CLI_HELP["report.agency"])
        review.add_argument("--year", type=int, required=True, help=msg.CLI_HELP["report.year"])
        review.add_argument("--district", default=None, help=msg.CLI_HELP["district"])
        if name == "reopen":
            review.add_argument("--comment", default="", help=msg.CLI_HELP["reopen.comment"])
    rnd = sub.add_parser("round", help=msg.CLI_HELP["round"])
    rnd.add_argument("--year", type=_report_year, required=True, help=msg.CLI_HELP["report.year"])
    rnd.add_argument("--deadline", type=date.fromisoformat, default=None, help=msg.CLI_HELP["deadline"])
    rnd.add_argument("--district", default=None, help=msg.CLI_HELP["district"])
    dis = sub.add_parser("district", help=msg.CLI_HELP["district.command"])
    dis.add_argument("name", nargs="?", default=None, help=msg.CLI_HELP["district.name"])
    ags = sub.add_parser("agencies", help=msg.CLI_HELP["agencies"])
    ags.add_argument("file", help=msg.CLI_HELP["agencies.file"])
    ags.add_argument("--district", default=None, help=msg.CLI_HELP["district"])
    ags.add_argument("--out", default=None, help=msg.CLI_HELP["out"])
    board = sub.add_parser("dashboard", help=msg.CLI_HELP["dashboard"])
    board.add_argument("--year", type=int, default=None, help=msg.CLI_HELP["report.year"])
    board.add_argument("--district", default=None, help=msg.CLI_HELP["district"])
    board.add_argument("--agency", default=None, help=msg.CLI_HELP["dashboard.agency"])
    board.add_argument(
        "--status", choices=[f.value for f in BoardFilter], default="all", help=msg.CLI_HELP["status"]
    )
    board.add_argument("--page", type=int, default=1, help=msg.CLI_HELP["page"])
    his = sub.add_parser("history", help=msg.CLI_HELP["history"])
    his.add_argument("--agency", required=True, help=msg.CLI_HELP["report.agency"])
    his.add_argument("--year", type=int, default=None, help=msg.CLI_HELP["report.year"])
    his.add_argument("--district", default=None, help=msg.CLI_HELP["district"])
    tot = sub.add_parser("totals", help=msg.CLI_HELP["totals"])
    tot.add_argument("--year", type=int, default=None, help=msg.CLI_HELP["report.year"])
    tot.add_argument("--district", default=None, help=msg.CLI_HELP["district"])
    ren = sub.add_parser("render", help=msg.CLI_HELP["render"])
    ren.add_argument("--agency", required=True, help=msg.CLI_HELP["report.agency"])
    ren.add_argument("--year", type=int, required=True, help=msg.CLI_HELP["report.year"])
    ren.add_argument("--out", default=None, help=msg.CLI_HELP["out"])
    bak = sub.add_parser("backup", help=msg.CLI_HELP["backup"])
    bak.add_argument("file", nargs="?", default=None, help=msg.CLI_HELP["backup.file"])
    res = sub.add_parser("restore", help=msg.CLI_HELP["restore"])
    res.add_argument("file", help=msg.CLI_HELP["restore.file"])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # PTB 22 hands RetryAfter.retry_after over as a timedelta with this set (and warns without it).
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    args = _parser().parse_args(argv)
    settings = Settings()
    command = args.command or "run"
    is_bot = command == "run" and settings.telegram_token is not None
    configure_logging(settings, is_bot=is_bot)
    if command == "check":
        from bot.check import run_check

        return run_check(
            args.files, previous=args.previous, kind=args.kind, as_json=args.json, out=sys.stdout
        )
    try:
        if command in ("backup", "restore"):
            # Before _async_main: the database is copied or replaced, not opened and migrated.
            from bot.backup import backup_command, restore_command

            if command == "backup":
                return backup_command(settings, args.file, now=utc_clock(), out=sys.stdout, err=sys.stderr)
            return restore_command(settings, args.file, now=utc_clock(), out=sys.stdout, err=sys.stderr)
        return asyncio.run(_async_main(command, args, settings))
    except DatabaseFault as error:
        # Expected trouble (a damaged or read-only file, a server gone): a message, not a traceback.
        log.debug("stopped: %s", error, exc_info=error)
        return stop_on_fault(error, sys.stderr)


def _database(settings: Settings) -> Database:
    try:
        url = settings.resolved_database_url()
    except OSError as error:  # the data directory cannot be created
        raise DatabaseFault(Fault.CANNOT_CREATE, str(settings.data_dir.resolve())) from error
    return Database(url)


async def _async_main(command: str, args: argparse.Namespace, settings: Settings) -> int:
    db = _database(settings)
    try:
        await db.upgrade()
        if command == "db":
            return 0
        form = form_2021()
        turns = Turns(db, form, utc_clock, ALL_RULES, zone=settings.zone)
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
                db,
                form,
                args.year,
                settings.output_dir if args.out is None else args.out,
                zone=settings.zone,
                now=utc_clock(),
                district=args.district,
            )
        if command in ("round", "district", "agencies", "dashboard", "history", "totals"):
            return await _district_command(command, args, settings, db, form)
        if command in ("return", "accept", "reopen"):
            from bot.report_commands import review_command

            return await review_command(
                db,
                command,
                agency=args.agency,
                year=args.year,
                comment=getattr(args, "comment", ""),
                at=utc_clock(),
                out=sys.stdout,
                district=args.district,
            )
        if command == "render":
            from bot.report_commands import render_command

            directory = Path(settings.output_dir if args.out is None else args.out)
            return await render_command(
                turns, agency=args.agency, year=args.year, directory=directory, out=sys.stdout
            )
        if settings.telegram_token is not None:
            from bot.telegram_app import run_bot

            return await run_bot(settings, db, turns)
        from bot.terminal import Terminal

        terminal = Terminal(db, turns, form, utc_clock, sys.stdin, sys.stdout, settings.output_dir)
        return await terminal.run()
    finally:
        await db.dispose()


async def _district_command(
    command: str, args: argparse.Namespace, settings: Settings, db: Database, form: Form
) -> int:
    from bot import district_commands as cmd

    out = sys.stdout
    if command == "round":
        return await cmd.round_command(
            db, year=args.year, deadline=args.deadline, district=args.district, at=utc_clock(), out=out
        )
    if command == "district":
        return await cmd.district_command(db, name=args.name, out=out)
    if command == "agencies":
        directory = Path(settings.output_dir if args.out is None else args.out)
        return await cmd.agencies_command(
            db, settings, args.file, district=args.district, out_dir=directory, at=utc_clock(), out=out
        )
    if command == "dashboard":
        return await cmd.dashboard_command(
            db,
            form,
            settings,
            year=args.year,
            district=args.district,
            agency=args.agency,
            status=args.status,
            page=args.page,
            at=utc_clock(),
            out=out,
        )
    if command == "totals":
        return await cmd.totals_command(db, form, year=args.year, district=args.district, out=out)
    return await cmd.history_command(
        db, form, settings, agency=args.agency, year=args.year, district=args.district, out=out
    )


if __name__ == "__main__":
    sys.exit(main())
