"""Reminder benchmark: the scan for 10,000 agencies, and the delivery rate under Telegram's limits.

    .venv/bin/python -m bench.reminder_bench [--agencies 10000] [--recipients 300]

1. Scan: a round with N agencies (one staff member each, every third report submitted, a
   fifth of the open ones already reminded in the slot), on SQLite (a file) and on a real
   PostgreSQL (embedded, Unix socket). Times ``reminders_due`` (the per-tick query), the
   first ``ensure_reports`` and the digest lists; median of several runs.
2. Delivery: the real reminder job (PTB Bot over HTTP) against the Bot API stand-in on
   127.0.0.1 enforcing 1 msg/s per chat and 30 msg/s overall (429 beyond), real time.
   Prints messages/s and the 429s seen.

Only 127.0.0.1 and a local Unix socket are used.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from telegram.ext import Application

from bench.seeding import STAFF_TELEGRAM_BASE, seed_district
from bot.pacing import Pacer
from bot.reminder_plan import ReminderPlan
from bot.reminders import Reminders
from bot.services.outbox import Outbox
from bot.telegram_outbox import TelegramSender
from dialogs.report_2021 import form_2021
from storage import reminders as store
from storage.db import Database, sqlite_url
from storage.tables import Report, ReportStatus
from tests.helpers.botapi import StandIn
from tests.helpers.postgres import postgres_cluster

YEAR = 2024
DEADLINE = date(2025, 1, 31)
ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 1, 24, 9, 0, tzinfo=ZONE).astimezone(UTC)  # the d-7 rung is due
PLAN = ReminderPlan(weekends=True)


async def _seed(db: Database, agencies: int, *, reports: bool = True, claimed: bool = True) -> int:
    """Every agency staffed, every third report submitted, a fifth of the open ones already
    reminded in the d-7 slot (with `claimed`); the round's id."""
    seeded = await seed_district(
        db,
        agencies=agencies,
        name="bench",
        year=YEAR,
        deadline=DEADLINE,
        at=NOW,
        reminder_plan=PLAN.to_json(),
        reports=reports,
        submitted=lambda n: n % 3 == 0,
        reminded=(lambda n: n % 5 == 0) if claimed else (lambda n: False),
        reminded_slot="d-7",
    )
    return seeded.round_id


async def _median_ms(action: Callable[[], Awaitable[Any]], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


@dataclass(frozen=True, slots=True)
class ScanFigures:
    """Medians in milliseconds of one reminder tick's queries over the district."""

    due: int  # reminders due in the slot
    scan_ms: float  # reminders_due: the per-tick query
    ensure_ms: float  # ensure_reports when every agency has its report
    first_ensure_ms: float  # ensure_reports on the round's first tick (no report yet)
    digest_ms: float  # the coordinator digest's lists


@dataclass(frozen=True, slots=True)
class DeliveryFigures:
    sent: int
    seconds: float
    per_second: float
    too_many: int  # 429 answers seen
    violations: int  # sends beyond the limits the stand-in enforces


async def _scan(url: str, agencies: int) -> tuple[int, float, float, float]:
    db = Database(url)
    await db.upgrade()
    try:
        await _seed(db, agencies)
        async with db.session() as session:
            [rnd] = await store.rounds_from(session=session, earliest_deadline=date(2025, 1, 1))
        due: list[store.DueReminder] = []

        async def scan() -> None:
            nonlocal due
            async with db.session() as session:
                due = await store.reminders_due(
                    session=session, year=YEAR, district_id=rnd.district_id, slot="d-7"
                )

        async def ensure() -> None:
            async with db.session() as session:
                await store.ensure_reports(session=session, rnd=rnd, at=NOW, form_version=form_2021().version)

        async def digest_lists() -> None:
            async with db.session() as session:
                await store.slot_outcome(
                    session=session, year=YEAR, district_id=rnd.district_id, slot="d-7", stale_before=NOW
                )
                await store.missing_agencies(session=session, year=YEAR, district_id=rnd.district_id)
                await store.unstaffed_agencies(session=session, year=YEAR, district_id=rnd.district_id)
                await store.unreachable_people(session=session, year=YEAR, district_id=rnd.district_id)

        scan_ms = await _median_ms(scan)
        ensure_ms = await _median_ms(ensure)
        digest_ms = await _median_ms(digest_lists, runs=3)
        return len(due), scan_ms, ensure_ms, digest_ms
    finally:
        await db.dispose()


async def measure_scan(url: str, first_url: str, agencies: int) -> ScanFigures:
    """The scan figures on two empty databases of one kind (`first_url` for the first tick)."""
    due, scan_ms, ensure_ms, digest_ms = await _scan(url, agencies)
    first = await _first_ensure(first_url, agencies)
    return ScanFigures(due, scan_ms, ensure_ms, first, digest_ms)


async def _first_ensure(url: str, agencies: int) -> float:
    """ensure_reports when no agency has opened its report yet (the first tick of a round)."""
    db = Database(url)
    await db.upgrade()
    try:
        await _seed(db, agencies, reports=False)
        async with db.session() as session:
            [rnd] = await store.rounds_from(session=session, earliest_deadline=date(2025, 1, 1))
        start = time.perf_counter()
        async with db.session() as session:
            created = await store.ensure_reports(
                session=session, rnd=rnd, at=NOW, form_version=form_2021().version
            )
        assert created == agencies
        return (time.perf_counter() - start) * 1000
    finally:
        await db.dispose()


async def measure_delivery(url: str, recipients: int) -> DeliveryFigures:
    """The real reminder job delivering to `recipients` staff, Telegram's limits enforced."""
    db = Database(url)
    await db.upgrade()
    await _seed(db, recipients, claimed=False)
    # Every report open: all recipients are due.
    async with db.session() as session:
        connection = await session.connection()
        await connection.execute(update(Report).values(status=ReportStatus.DRAFT.value))
    async with StandIn() as api:
        api.enforce_limits(per_chat_per_s=1, global_per_s=30)
        for n in range(1, recipients + 1):
            api.add_user(STAFF_TELEGRAM_BASE + n)
        application = (
            Application.builder()
            .token(api.token)
            .base_url(api.base_url)
            .base_file_url(api.base_file_url)
            .build()
        )
        async with application:
            reminders = Reminders(
                outbox=Outbox(
                    db, TelegramSender(application.bot), clock=lambda: NOW, pacer=Pacer(), workers=8
                ),
                db=db,
                zone=ZONE,
                clock=lambda: NOW,
                form=form_2021(),
            )
            start = time.perf_counter()
            report = await reminders.run_once()
            elapsed = time.perf_counter() - start
        too_many = sum(1 for call in api.sent if call.error_code == 429)
    await db.dispose()
    return DeliveryFigures(report.sent, elapsed, report.sent / elapsed, too_many, api.limit_violations)


async def _main(agencies: int, recipients: int) -> None:
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        sqlite = await measure_scan(
            sqlite_url(Path(tmp) / "scan.sqlite3"), sqlite_url(Path(tmp) / "first.sqlite3"), agencies
        )
        with postgres_cluster() as cluster:
            postgres = await measure_scan(cluster.create_database(), cluster.create_database(), agencies)
        delivery = await measure_delivery(sqlite_url(Path(tmp) / "delivery.sqlite3"), recipients)
    print(f"reminder scan, {agencies} agencies ({sqlite.due} reminders due in the slot):")
    for name, figures in (("SQLite", sqlite), ("PostgreSQL", postgres)):
        print(
            f"  {name:<10} scan {figures.scan_ms:7.1f} ms   ensure_reports {figures.ensure_ms:6.1f} ms"
            f" (first tick {figures.first_ensure_ms:7.1f} ms)   digest lists {figures.digest_ms:7.1f} ms"
        )
    print(
        f"delivery against the stand-in (1/s per chat, 30/s overall enforced): {delivery.sent} messages"
        f" in {delivery.seconds:.1f} s = {delivery.per_second:.1f} msg/s;"
        f" 429s seen: {delivery.too_many} (limit violations {delivery.violations})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--agencies", type=int, default=10_000)
    parser.add_argument("--recipients", type=int, default=300)
    args = parser.parse_args()
    asyncio.run(_main(min(args.agencies, 100_000), min(args.recipients, 5_000)))


if __name__ == "__main__":
    main()
