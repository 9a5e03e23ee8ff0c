"""nianbao's Telegram bot against the bare PTB echo bot, in one run, through the same stand-in.

The bare echo bot is stock PTB (httpx underneath); nianbao runs PTB over its own aiohttp transport
(bot/telegram_transport.py). So each round also runs the echo bot on that transport: nianbao
against it is nianbao's own cost per reply, apart from what the transport saves.

200 invited staff (by default) each open their report with /fill and type 10 answers (tables 二
and 三, one reply each), all at once; the echo bot gets the same number of users and messages.
Both bots run as separate processes against `tests.helpers.botapi.StandIn` on 127.0.0.1 (see
bench/load.py). Rounds alternate echo / nianbao; the table shows every round, then the medians
and the ratios nianbao / echo. Run it with::

    .venv/bin/python -m bench.bot_bench
    .venv/bin/python -m bench.bot_bench --users 200 --rounds 3 --chats 4
    .venv/bin/python -m bench.bot_bench --database-url postgresql://user@127.0.0.1:5432/bench

The staff are seeded straight into a fresh database (round, agency, report, membership, active
report) before the bot starts, so only dialog turns are measured.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from bench.load import ECHO_BOT, Action, LoadResult, SendText, format_table, median_result, run_load, scripted
from dialogs.form import UnitKind
from storage import repositories as repo
from storage.db import Database, sqlite_url

# The stand-in has no flood limit and the echo bots no limiter: nianbao's overall send rate
# (NIANBAO_SEND_PER_SECOND, Telegram's 25/s by default) must not be what is measured.
SEND_PER_SECOND = "100000"

FIRST_USER = 100_000
ANSWERS = (
    "0 0 3",  # 规章
    "1 0 12",  # 规范性文件
    "5",  # 行政许可
    "2",  # 行政处罚
    "0",  # 行政强制
    "1.5",  # 行政事业性收费
    "12 1 0 0 0 0",  # 表三 本年新收
    "1 0 0 0 0 0",  # 上年结转
    "5 0 0 0 0 0",  # 予以公开
    "1 0 0 0 0 0",  # 部分公开
)
NIANBAO_BOT = ("{python}", "-m", "bench.nianbao_bot")


def staff_actions(user_id: int) -> Sequence[Action]:
    return [SendText("/fill"), *(SendText(answer) for answer in ANSWERS)]


def echo_actions(user_id: int) -> Sequence[Action]:
    return [SendText(f"message {n}") for n in range(len(ANSWERS) + 1)]


async def seed(url: str, users: int) -> None:
    """A round with one agency per simulated staff member, each invited and active."""
    db = Database(url)
    try:
        await db.upgrade()
        async with db.session() as session:
            rnd = await repo.open_round(
                session=session, year=2024, deadline=date(2025, 1, 31), created_by=None
            )
            for n in range(users):
                agency = await repo.create_agency(
                    session=session, name=f"测试单位{n:04d}", unit=UnitKind.DEPARTMENT
                )
                person = await repo.telegram_person(session=session, telegram_id=FIRST_USER + n)
                if person is None or person.id is None or agency.id is None:
                    raise RuntimeError("seeding failed")
                await repo.add_member(session=session, person_id=person.id, agency_id=agency.id)
                report = await repo.report_for(
                    session=session, agency_id=agency.id, year=rnd.year, round_id=rnd.id
                )
                if report is None or report.id is None:
                    raise RuntimeError("seeding failed")
                await repo.set_active_report(session=session, person_id=person.id, report_id=report.id)
    finally:
        await db.dispose()


def _echo_round(args: argparse.Namespace, flag: str | None, label: str) -> LoadResult:
    """One round of the echo bot (with `flag`, a variant of it) under the staff's load."""
    return asyncio.run(
        run_load(
            (*ECHO_BOT, flag) if flag else ECHO_BOT,
            scripted(echo_actions),
            users=args.users,
            label=label,
            reply_timeout=args.reply_timeout,
            first_user_id=FIRST_USER,
        )
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="nianbao bot vs the PTB echo bot, same stand-in, same run.")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chats", type=int, default=4, help="NIANBAO_CONCURRENT_CHATS for the nianbao bot")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: a fresh SQLite file)")
    parser.add_argument("--reply-timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 1000 or not 1 <= args.rounds <= 10:
        parser.error("--users must be 1..1000 and --rounds 1..10")

    echo: list[LoadResult] = []
    sized: list[LoadResult] = []
    transport: list[LoadResult] = []
    nianbao: list[LoadResult] = []
    for number in range(args.rounds):
        # The echo bot on nianbao's own transport (bot/telegram_transport.py): what is left of the
        # gap once PTB's HTTP layer is the same on both sides, i.e. nianbao's own work per reply.
        transport.append(
            _echo_round(args, "--aiohttp-transport", f"PTB echo on nianbao's transport, round {number + 1}")
        )
        # The echo bot again, answering with a nianbao-sized prompt and keyboard: what such
        # messages cost in PTB and httpx alone, apart from anything nianbao does.
        sized.append(
            _echo_round(args, "--nianbao-sized-reply", f"PTB echo, nianbao-sized reply, round {number + 1}")
        )
        echo.append(_echo_round(args, None, f"PTB echo, round {number + 1}"))
        with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as directory:
            url = args.database_url or sqlite_url(Path(directory) / "bench.sqlite3")
            if args.database_url and number > 0:
                parser.error("--database-url needs --rounds 1 (each round needs an empty database)")
            asyncio.run(seed(url, args.users))
            env = {
                "NIANBAO_DATABASE_URL": url,
                "NIANBAO_CONCURRENT_CHATS": str(args.chats),
                "NIANBAO_DATA_DIR": directory,
                "NIANBAO_SEND_PER_SECOND": SEND_PER_SECOND,
            }
            nianbao.append(
                asyncio.run(
                    run_load(
                        NIANBAO_BOT,
                        scripted(staff_actions),
                        users=args.users,
                        label=f"nianbao (chats={args.chats}), round {number + 1}",
                        reply_timeout=args.reply_timeout,
                        env=env,
                        first_user_id=FIRST_USER,
                    )
                )
            )
    echo_median = median_result(echo, "PTB echo, median")
    sized_median = median_result(sized, "PTB echo, nianbao-sized reply, median")
    transport_median = median_result(transport, "PTB echo on nianbao's transport, median")
    nianbao_median = median_result(nianbao, f"nianbao (chats={args.chats}), median")
    print(
        format_table(
            [*echo, *sized, *transport, *nianbao, echo_median, sized_median, transport_median, nianbao_median]
        )
    )
    print()
    print(f"{args.users} users x {len(ANSWERS) + 1} inputs each, {args.rounds} rounds")
    print(f"p50 ratio nianbao/echo: {nianbao_median.p50_ms / echo_median.p50_ms:.2f} (target <= 1.3)")
    print(f"p95 ratio nianbao/echo: {nianbao_median.p95_ms / echo_median.p95_ms:.2f}")
    print(
        f"p50 ratio nianbao/echo with a nianbao-sized reply: {nianbao_median.p50_ms / sized_median.p50_ms:.2f}; "
        f"that echo / the bare echo: {sized_median.p50_ms / echo_median.p50_ms:.2f}"
    )
    print(
        f"nianbao / the echo bot on nianbao's transport: p50 {nianbao_median.p50_ms / transport_median.p50_ms:.2f}, "
        f"CPU per reply {nianbao_median.bot_cpu_ms_per_reply / transport_median.bot_cpu_ms_per_reply:.2f} "
        "(nianbao's own work: database turn, dialog, larger messages)"
    )
    print(f"throughput ratio nianbao/echo: {nianbao_median.replies_per_s / echo_median.replies_per_s:.2f}")
    print(
        f"peak RSS MiB: echo {echo_median.peak_rss_mib:.0f}, nianbao {nianbao_median.peak_rss_mib:.0f}; "
        f"CPU ms/reply: echo {echo_median.bot_cpu_ms_per_reply:.2f}, "
        f"echo on nianbao's transport {transport_median.bot_cpu_ms_per_reply:.2f}, "
        f"nianbao {nianbao_median.bot_cpu_ms_per_reply:.2f}"
    )


if __name__ == "__main__":
    main()
