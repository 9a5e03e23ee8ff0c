"""The whole benchmark suite in one run, on generated data, written as one Markdown table.

    .venv/bin/python -m bench                      # a province: 10,000 agencies, 500 staff at once
    .venv/bin/python -m bench --quick --out /tmp/r.md   # a smoke size, under a minute

1. Bot round: 500 invited staff each type /fill and 10 answers, all at once, through the Bot API
   stand-in (tests/helpers/botapi.py), against, in each round and in this order:
   the stock PTB echo bot (httpx), the echo bot on nianbao's aiohttp transport, nianbao on SQLite,
   nianbao on PostgreSQL (both long polling, one process), and nianbao on PostgreSQL by webhook
   with one and with two processes behind a round-robin balancer (tests/helpers/balancer.py).
   Every nianbao process runs against a copy of the same province: 10,000 agencies (every fifth
   without staff, every third report handed in with a complete report's answers), the 500 staff
   invited to 500 of its open reports. Medians over the rounds; ratios to both echo bots.
2. Data figures on that province (bench.district_bench: dashboard, aggregate, export workbook),
   the reminder scan on bench.reminder_bench's district, one message's transaction
   (bench.turn_bench), rendering and importing one report (bench.render_bench), and reminder
   delivery under Telegram's limits; on SQLite and on the embedded PostgreSQL where a database
   is involved.

Targets (issue 15) are shown with pass/miss next to the figures they judge. Only 127.0.0.1 and
local Unix sockets are used.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import psutil

from bench import district_bench, reminder_bench, render_bench, turn_bench
from bench.bot_bench import ANSWERS, FIRST_USER, NIANBAO_BOT, SEND_PER_SECOND, echo_actions, staff_actions
from bench.load import ECHO_BOT, LoadResult, Webhook, median_result, run_load, scripted
from bench.seeding import Seeded, clone_database, invite_staff
from storage.db import Database, sqlite_url
from tests.helpers.postgres import PostgresCluster, postgres_cluster

__all__ = ["CASES", "Sizes", "main", "run_suite"]

_REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True)
class Sizes:
    agencies: int = 10_000
    staff: int = 500
    rounds: int = 3
    runs: int = 5  # medians of the data figures
    turns: int = 400
    render_runs: int = 10
    recipients: int = 100  # reminder delivery at Telegram's pace (real time: recipients / 25 s)
    chats: int = 4  # NIANBAO_CONCURRENT_CHATS
    reply_timeout: float = 60.0
    pdf: bool = True  # import the report printed to PDF (needs chromium)


QUICK = Sizes(
    agencies=60,
    staff=4,
    rounds=1,
    runs=1,
    turns=5,
    render_runs=1,
    recipients=2,
    reply_timeout=30.0,
    pdf=False,
)


@dataclass(frozen=True, slots=True)
class Case:
    key: str
    label: str
    nianbao: bool
    database: str = ""  # "sqlite" or "postgresql" for nianbao
    processes: int = 1
    webhook: bool = False
    flag: str | None = None  # for the echo bot


CASES = (
    Case("echo", "PTB echo bot, stock (httpx), polling", nianbao=False),
    Case(
        "echo-aiohttp",
        "PTB echo bot on nianbao's aiohttp transport, polling",
        nianbao=False,
        flag="--aiohttp-transport",
    ),
    Case("sqlite", "nianbao, SQLite, 1 process, polling", nianbao=True, database="sqlite"),
    Case("pg", "nianbao, PostgreSQL, 1 process, polling", nianbao=True, database="postgresql"),
    Case(
        "pg-webhook",
        "nianbao, PostgreSQL, 1 process, webhook via balancer",
        nianbao=True,
        database="postgresql",
        webhook=True,
    ),
    Case(
        "pg-webhook-2",
        "nianbao, PostgreSQL, 2 processes, webhook via balancer",
        nianbao=True,
        database="postgresql",
        processes=2,
        webhook=True,
    ),
)
NIANBAO_CASES = tuple(c for c in CASES if c.nianbao)


@dataclass(slots=True)
class BotFigures:
    result: LoadResult
    rounds: list[LoadResult]
    db_cpu_ms_per_reply: float | None  # the PostgreSQL server's, where it served the bot


@dataclass(slots=True)
class Results:
    sizes: Sizes
    started: datetime
    machine: list[tuple[str, str]] = field(default_factory=list)
    phases: list[tuple[str, float]] = field(default_factory=list)  # what took how long (s)
    province: dict[str, str] = field(default_factory=dict)
    bots: dict[str, BotFigures] = field(default_factory=dict)
    district: dict[str, district_bench.DistrictFigures] = field(default_factory=dict)
    scan: dict[str, reminder_bench.ScanFigures] = field(default_factory=dict)
    turns: list[turn_bench.TurnFigure] = field(default_factory=list)
    render: list[render_bench.RenderFigure] = field(default_factory=list)
    pdf_note: str = ""
    delivery: reminder_bench.DeliveryFigures | None = None


# -- the province ----------------------------------------------------------------------------------


def staff_agencies(agencies: int, staff: int) -> list[int]:
    """`staff` agencies with open reports, spread over the whole province."""
    open_reports = [n for n in range(1, agencies + 1) if n % 3 != 0]
    if staff > len(open_reports):
        raise ValueError(f"{staff} staff need at least {staff * 3 // 2 + 1} agencies")
    step = len(open_reports) / staff
    return [open_reports[int(i * step)] for i in range(staff)]


async def seed_province(url: str, sizes: Sizes) -> Seeded:
    db = Database(url)
    try:
        await db.upgrade()
        seeded = await district_bench.seed(db, sizes.agencies)
        await invite_staff(
            db,
            seeded,
            telegram_ids=[FIRST_USER + n for n in range(sizes.staff)],
            agency_ids=staff_agencies(sizes.agencies, sizes.staff),
        )
        return seeded
    finally:
        await db.dispose()


# -- the bot round ---------------------------------------------------------------------------------


def _server_cpu(pid: int) -> float:
    """CPU seconds the server has used: the postmaster's own, its reaped backends' (a backend
    that exited took its time into the postmaster's children_* times) and the live backends'."""
    try:
        root = psutil.Process(pid)
        times = root.cpu_times()
        live = root.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0.0
    total = times.user + times.system + times.children_user + times.children_system
    for member in live:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            member_times = member.cpu_times()
            total += member_times.user + member_times.system
    return float(total)


async def _bot_case(
    case: Case,
    number: int,
    sizes: Sizes,
    templates: dict[str, str],
    cluster: PostgresCluster,
    folder: Path,
) -> tuple[LoadResult, float | None]:
    label = f"{case.label}, round {number}"
    if not case.nianbao:
        command = (*ECHO_BOT, case.flag) if case.flag else ECHO_BOT
        result = await run_load(
            command,
            scripted(echo_actions),
            users=sizes.staff,
            label=label,
            reply_timeout=sizes.reply_timeout,
            first_user_id=FIRST_USER,
        )
        return result, None
    on_postgres = case.database == "postgresql"
    url = clone_database(
        templates[case.database],
        into=f"{case.key}-{number}.sqlite3",
        cluster=cluster if on_postgres else None,
    )
    data = folder / f"{case.key}-{number}"
    env = {
        "NIANBAO_DATABASE_URL": url,
        "NIANBAO_CONCURRENT_CHATS": str(sizes.chats),
        "NIANBAO_DATA_DIR": str(data / "data"),
        "NIANBAO_OUTPUT_DIR": str(data / "out"),
        "NIANBAO_SEND_PER_SECOND": SEND_PER_SECOND,
    }
    server = cluster.server_pid() if on_postgres else None
    before = _server_cpu(server) if server else 0.0
    try:
        result = await run_load(
            NIANBAO_BOT,
            scripted(staff_actions),
            users=sizes.staff,
            label=label,
            reply_timeout=sizes.reply_timeout,
            env=env,
            first_user_id=FIRST_USER,
            processes=case.processes,
            webhook=Webhook() if case.webhook else None,
        )
    finally:
        if on_postgres:
            cluster.drop_database(url)
        else:
            for leftover in Path(url.removeprefix("sqlite+aiosqlite:///")).parent.glob(
                f"{case.key}-{number}.sqlite3*"
            ):
                leftover.unlink()
        shutil.rmtree(data, ignore_errors=True)
    db_cpu = (_server_cpu(server) - before) * 1000 / result.replies if server and result.replies else None
    return result, db_cpu


async def bot_round(
    sizes: Sizes, templates: dict[str, str], cluster: PostgresCluster, folder: Path
) -> dict[str, BotFigures]:
    rounds: dict[str, list[LoadResult]] = {c.key: [] for c in CASES}
    db_cpu: dict[str, list[float]] = {c.key: [] for c in CASES}
    for number in range(1, sizes.rounds + 1):
        for case in CASES:  # alternating: every case once per round, the same order each round
            result, server_cpu = await _bot_case(case, number, sizes, templates, cluster, folder)
            print(
                f"  {result.label}: p50 {result.p50_ms:.0f} ms, {result.replies_per_s:.0f} replies/s, lost {result.lost}",
                flush=True,
            )
            rounds[case.key].append(result)
            if server_cpu is not None:
                db_cpu[case.key].append(server_cpu)
    figures = {}
    for case in CASES:
        cpu = db_cpu[case.key]
        figures[case.key] = BotFigures(
            median_result(rounds[case.key], case.label),
            rounds[case.key],
            sorted(cpu)[len(cpu) // 2] if cpu else None,
        )
    return figures


# -- the whole run ---------------------------------------------------------------------------------


def _machine(cluster: PostgresCluster) -> list[tuple[str, str]]:
    model = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    try:
        commit = subprocess.run(
            ["git", "-C", str(_REPO), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    server = cluster.server_version()
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return [
        ("CPU", f"{os.cpu_count()} cores, {model}"),
        ("memory", f"{psutil.virtual_memory().total / 1024**3:.1f} GiB"),
        ("system", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        (
            "packages",
            ", ".join(
                f"{name} {metadata.version(name)}"
                for name in ("python-telegram-bot", "aiohttp", "httpx", "SQLAlchemy", "aiosqlite", "asyncpg")
            ),
        ),
        ("databases", f"SQLite {sqlite3.sqlite_version}, {server} (embedded, Unix socket)"),
        ("nianbao", commit),
        ("load average at start", " ".join(f"{x:.2f}" for x in load)),
    ]


@contextlib.contextmanager
def _phase(results: Results, name: str) -> Iterator[None]:
    print(f"== {name}", flush=True)
    start = time.perf_counter()
    yield
    results.phases.append((name, time.perf_counter() - start))


async def run_suite(sizes: Sizes) -> Results:
    results = Results(sizes=sizes, started=datetime.now(UTC))
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp, postgres_cluster() as cluster:
        folder = Path(tmp)
        results.machine = _machine(cluster)
        templates: dict[str, str] = {}
        with _phase(results, "seeding the province (SQLite and PostgreSQL)"):
            templates["sqlite"] = sqlite_url(folder / "province.sqlite3")
            seeded = await seed_province(templates["sqlite"], sizes)
            templates["postgresql"] = cluster.create_database()
            await seed_province(templates["postgresql"], sizes)
        results.province = {
            "agencies": f"{seeded.agencies:,}",
            "handed in": f"{len(range(3, seeded.agencies + 1, 3)):,} reports, {seeded.answer_rows:,} answers",
            "staff filling at once": f"{sizes.staff:,}, each /fill and {len(ANSWERS)} answers ({len(ANSWERS) + 1} inputs)",
            "rounds": f"{sizes.rounds} (every case once per round, medians)",
        }
        with _phase(results, "bot round"):
            results.bots = await bot_round(sizes, templates, cluster, folder)
        with _phase(results, "district: dashboard, aggregate, export workbook"):
            for name in ("sqlite", "postgresql"):
                url = clone_database(
                    templates[name],
                    into="district.sqlite3",
                    cluster=cluster if name == "postgresql" else None,
                )
                results.district[name] = await district_bench.measure_seeded(url, sizes.agencies, sizes.runs)
        with _phase(results, "reminder scan"):
            results.scan["sqlite"] = await reminder_bench.measure_scan(
                sqlite_url(folder / "scan.sqlite3"), sqlite_url(folder / "first.sqlite3"), sizes.agencies
            )
            results.scan["postgresql"] = await reminder_bench.measure_scan(
                cluster.create_database(), cluster.create_database(), sizes.agencies
            )
        with _phase(results, "one message's transaction"):
            results.turns = await turn_bench.measure(sizes.turns)
        with _phase(results, "render and import one report"):
            pdf = sizes.pdf and shutil.which("chromium") is not None
            results.pdf_note = (
                "" if pdf else ("not measured (no chromium)" if sizes.pdf else "not measured at this size")
            )
            results.render = await asyncio.to_thread(
                render_bench.measure, sizes.render_runs, imports=True, pdf=pdf
            )
        if sizes.recipients:
            with _phase(results, "reminder delivery"):
                results.delivery = await reminder_bench.measure_delivery(
                    sqlite_url(folder / "delivery.sqlite3"), sizes.recipients
                )
    return results


# -- the table -------------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "**pass**" if ok else "**miss**"


def _ms(value: float) -> str:
    return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms" if value >= 1 else f"{value:.2f} ms"


def _s_or_ms(value_ms: float) -> str:
    return f"{value_ms / 1000:.2f} s" if value_ms >= 1000 else _ms(value_ms)


def _target(value_ms: float) -> str:
    return f"{value_ms / 1000:g} s" if value_ms >= 1000 else f"{value_ms:g} ms"


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}×" if base and base == base and value == value else "–"


def render_markdown(results: Results, command: str) -> str:
    sizes = results.sizes
    lines = [
        "# Benchmark results",
        "",
        f"Written by `{command}` on {results.started:%Y-%m-%d %H:%M} UTC; every figure below was measured in "
        "that run (bench/suite.py says how). Ratios compare cases of the same run.",
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in results.machine),
        "",
        "| province | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in results.province.items()),
        "",
        "| phase | took |",
        "|---|---|",
        *(f"| {name} | {seconds:.0f} s |" for name, seconds in results.phases),
        f"| total | {sum(s for _, s in results.phases):.0f} s |",
        "",
        f"## Bot: {sizes.staff} staff filling at once",
        "",
        "Reply latency from the user's input to the bot's answer; throughput is answers per second over the round; "
        "CPU and peak RSS are of all the bot's processes together (the PostgreSQL server's CPU and the balancer's "
        "are shown apart).",
        "",
        "| case | p50 ms | p95 ms | replies/s | CPU ms/reply | peak RSS MiB | lost | error calls | PostgreSQL CPU ms/reply | balancer CPU ms/reply |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for case in CASES:
        figures = results.bots[case.key]
        r = figures.result
        db_cpu = f"{figures.db_cpu_ms_per_reply:.2f}" if figures.db_cpu_ms_per_reply is not None else "–"
        balancer = f"{r.balancer_cpu_ms_per_reply:.2f}" if case.webhook else "–"
        lines.append(
            f"| {case.label} | {r.p50_ms:.0f} | {r.p95_ms:.0f} | {r.replies_per_s:.0f} | {r.bot_cpu_ms_per_reply:.2f} | "
            f"{r.peak_rss_mib:.0f} | {r.lost} | {r.error_calls} | {db_cpu} | {balancer} |"
        )
    echo = results.bots["echo"].result
    own = results.bots["echo-aiohttp"].result
    lines += [
        "",
        "Ratios to the stock echo bot and to the echo bot on nianbao's own transport (the same HTTP layer as "
        "nianbao: what is left is nianbao's own work). Targets: p50 ≤ 1.0× and throughput ≥ 1.0× the echo bot "
        "on the same transport.",
        "",
        "| case | p50 × echo | p95 × echo | replies/s × echo | CPU × echo | RSS × echo "
        "| p50 × echo on own transport | p95 × | replies/s × | CPU × | RSS × | p50 ≤ 1.0× | throughput ≥ 1.0× |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for case in CASES:
        r = results.bots[case.key].result
        row = [
            case.label,
            *(
                _ratio(getattr(r, name), getattr(base, name))
                for base in (echo, own)
                for name in ("p50_ms", "p95_ms", "replies_per_s", "bot_cpu_ms_per_reply", "peak_rss_mib")
            ),
        ]
        if case.nianbao:
            row += [
                f"{_verdict(r.p50_ms <= own.p50_ms and r.lost == 0)} ({_ratio(r.p50_ms, own.p50_ms)})",
                f"{_verdict(r.replies_per_s >= own.replies_per_s and r.lost == 0)} ({_ratio(r.replies_per_s, own.replies_per_s)})",
            ]
        else:
            row += ["–", "–"]
        lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        "## Data",
        "",
        f"On the province above ({sizes.agencies:,} agencies) unless said otherwise; medians of {sizes.runs} runs "
        f"({max(1, sizes.runs // 2)} for the reads of every answer).",
        "",
        "| figure | SQLite | PostgreSQL | target | SQLite | PostgreSQL |",
        "|---|---|---|---|---|---|",
    ]
    sq, pg = results.district["sqlite"], results.district["postgresql"]

    def data_row(
        label: str, pick: Callable[[district_bench.DistrictFigures], float], target_ms: float | None
    ) -> None:
        a, b = pick(sq), pick(pg)
        if target_ms is None:
            lines.append(f"| {label} | {_s_or_ms(a)} | {_s_or_ms(b)} | – | – | – |")
        else:
            lines.append(
                f"| {label} | {_s_or_ms(a)} | {_s_or_ms(b)} | ≤ {_target(target_ms)} | "
                f"{_verdict(a <= target_ms)} | {_verdict(b <= target_ms)} |"
            )

    data_row("dashboard: counts and first page", lambda f: f.first_ms, 200)
    data_row("dashboard: open reports, a page mid-list", lambda f: f.open_ms, 200)
    data_row("dashboard: one agency's detail", lambda f: f.detail_ms, 200)
    data_row("baseline: a bare count of the agencies", lambda f: f.count_ms, None)
    data_row(
        f"aggregate: {sq.handed_in:,} handed-in reports summed by the database (/totals)",
        lambda f: f.aggregate_ms,
        2000,
    )
    data_row(
        "aggregate: the reports read, summed in Python (the export's draft)", lambda f: f.read_sum_ms, None
    )
    data_row("aggregate: the sums alone", lambda f: f.sum_ms, None)
    data_row("export workbook: reports read, 表二/表三/表四 built", lambda f: f.workbook_ms, 10_000)
    data_row(f"baseline: a bare read of the {sq.answer_rows:,} answers", lambda f: f.answers_ms, None)
    ss, sp = results.scan["sqlite"], results.scan["postgresql"]
    lines += [
        f"| reminder scan (reminders_due; {ss.due:,} due) | {_s_or_ms(ss.scan_ms)} | {_s_or_ms(sp.scan_ms)} | ≤ 1 s | "
        f"{_verdict(ss.scan_ms <= 1000)} | {_verdict(sp.scan_ms <= 1000)} |",
        f"| reminder tick: ensure_reports | {_s_or_ms(ss.ensure_ms)} | {_s_or_ms(sp.ensure_ms)} | – | – | – |",
        f"| reminder tick: ensure_reports, the round's first | {_s_or_ms(ss.first_ensure_ms)} | "
        f"{_s_or_ms(sp.first_ensure_ms)} | – | – | – |",
        f"| coordinator digest lists | {_s_or_ms(ss.digest_ms)} | {_s_or_ms(sp.digest_ms)} | – | – | – |",
        "",
        "The reminder rows run on bench.reminder_bench's district of the same size (every agency staffed, a fifth "
        "of the open reports already reminded).",
        "",
        f"One message's transaction on SQLite (bench.turn_bench, median of {sizes.turns}):",
        "",
        "| message | as run | caches emptied each time | ratio |",
        "|---|---|---|---|",
        *(
            f"| {t.message} | {t.warm_ms:.2f} ms | {t.cold_ms:.2f} ms | {t.warm_ms / t.cold_ms:.2f} |"
            for t in results.turns
        ),
        "",
        f"One report (bench.render_bench, a real published report; median of {sizes.render_runs}):",
        "",
        "| step | median | bytes |",
        "|---|---|---|",
        *(f"| {f.step} | {_s_or_ms(f.median_ms)} | {f.size or '–'} |" for f in results.render),
    ]
    if results.pdf_note:
        lines.append(f"| import pdf | {results.pdf_note} | – |")
    lines.append("")
    d = results.delivery
    if d is not None:
        lines += [
            f"Reminder delivery (the real job, SQLite, the stand-in enforcing 1/s per chat and 30/s overall): "
            f"{d.sent} messages in {d.seconds:.1f} s = {d.per_second:.1f}/s, 429s seen {d.too_many}, "
            f"limit violations {d.violations}.",
            "",
        ]
    lines += [
        "## Every round",
        "",
        "| round | p50 ms | p95 ms | replies/s | CPU ms/reply | peak RSS MiB | lost |",
        "|---|---|---|---|---|---|---|",
    ]
    for case in CASES:
        for r in results.bots[case.key].rounds:
            lines.append(
                f"| {r.label} | {r.p50_ms:.0f} | {r.p95_ms:.0f} | {r.replies_per_s:.0f} | "
                f"{r.bot_cpu_ms_per_reply:.2f} | {r.peak_rss_mib:.0f} | {r.lost} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument("--quick", action="store_true", help="a smoke size (about a minute), not for figures")
    parser.add_argument(
        "--out", type=Path, default=_REPO / "bench" / "RESULTS.md", help="where the table goes"
    )
    for name in ("agencies", "staff", "rounds", "runs", "turns", "render-runs", "recipients", "chats"):
        parser.add_argument(f"--{name}", type=int, help=f"default {getattr(Sizes(), name.replace('-', '_'))}")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes()
    overrides = {
        name: getattr(args, name)
        for name in ("agencies", "staff", "rounds", "runs", "turns", "render_runs", "recipients", "chats")
        if getattr(args, name) is not None
    }
    sizes = replace(sizes, **overrides)
    if not 1 <= sizes.staff <= 1000 or not 1 <= sizes.rounds <= 10 or sizes.agencies > 100_000:
        parser.error("--staff must be 1..1000, --rounds 1..10, --agencies at most 100000")
    if sizes.staff * 3 // 2 + 1 > sizes.agencies:
        parser.error("--agencies must be at least 1.5 × --staff (the staff fill open reports)")
    command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    results = asyncio.run(run_suite(sizes))
    table = render_markdown(results, command.strip())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table, encoding="utf-8")
    print(table)
    print(f"written to {args.out}")
