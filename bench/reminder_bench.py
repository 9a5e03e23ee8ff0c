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
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, update
from telegram.ext import Application

from bot.pacing import Pacer
from bot.reminder_plan import ReminderPlan
from bot.reminders import Reminders
from bot.services.outbox import Outbox
from bot.telegram_outbox import TelegramSender
from dialogs.report_2021 import form_2021
from storage import reminders as store
from storage.db import Database, sqlite_url
from storage.tables import (
    Agency,
    District,
    Membership,
    Person,
    ReminderSent,
    Report,
    ReportingRound,
    ReportStatus,
)
from tests.helpers.botapi import StandIn
from tests.helpers.postgres import postgres_cluster

YEAR = 2024
DEADLINE = date(2025, 1, 31)
ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 1, 24, 9, 0, tzinfo=ZONE).astimezone(UTC)  # the d-7 rung is due
PLAN = ReminderPlan(weekends=True)


async def _seed(db: Database, agencies: int, *, reports: bool = True, claimed: bool = True) -> int:
    """Bulk rows through Core inserts (seeding is not what is measured)."""
    async with db.session() as session:
        district = District(name="bench", created_at=NOW)
        session.add(district)
        await session.flush()
        assert district.id is not None
        rnd = ReportingRound(
            year=YEAR,
            deadline=DEADLINE,
            reminder_plan=PLAN.to_json(),
            created_at=NOW,
            district_id=district.id,
        )
        session.add(rnd)
        await session.flush()
        assert rnd.id is not None
        connection = await session.connection()
        await connection.execute(
            insert(Agency),
            [
                {
                    "id": n,
                    "name": f"单位{n:05d}",
                    "unit_kind": "department",
                    "district_id": district.id,
                    "created_at": NOW,
                }
                for n in range(1, agencies + 1)
            ],
        )
        await connection.execute(
            insert(Person),
            [
                {
                    "id": n,
                    "telegram_id": 10_000_000 + n,
                    "display_name": f"员工{n}",
                    "is_coordinator": False,
                    "created_at": NOW,
                }
                for n in range(1, agencies + 1)
            ],
        )
        await connection.execute(
            insert(Membership),
            [{"person_id": n, "agency_id": n, "created_at": NOW} for n in range(1, agencies + 1)],
        )
        if reports:
            await connection.execute(
                insert(Report),
                [
                    {
                        "id": n,
                        "agency_id": n,
                        "year": YEAR,
                        "round_id": rnd.id,
                        "status": ReportStatus.SUBMITTED.value if n % 3 == 0 else ReportStatus.DRAFT.value,
                        "form_version": "2021",
                        "source": "dialog",
                        "created_at": NOW,
                    }
                    for n in range(1, agencies + 1)
                ],
            )
        if reports and claimed:
            await connection.execute(
                insert(ReminderSent),
                [
                    {
                        "report_id": n,
                        "slot": "d-7",
                        "person_id": n,
                        "status": "sent",
                        "claimed_at": NOW,
                        "sent_at": NOW,
                    }
                    for n in range(1, agencies + 1)
                    if n % 3 != 0 and n % 5 == 0
                ],
            )
        return rnd.id


async def _median_ms(action: Callable[[], Awaitable[Any]], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def _scan(url: str, agencies: int) -> dict[str, float | int]:
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
        return {"due": len(due), "scan_ms": scan_ms, "ensure_ms": ensure_ms, "digest_ms": digest_ms}
    finally:
        await db.dispose()


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


async def _delivery(url: str, recipients: int) -> dict[str, float | int]:
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
            api.add_user(10_000_000 + n)
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
    return {
        "sent": report.sent,
        "seconds": elapsed,
        "per_second": report.sent / elapsed,
        "429s": too_many,
        "violations": api.limit_violations,
    }


async def _main(agencies: int, recipients: int) -> None:
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        sqlite = await _scan(sqlite_url(Path(tmp) / "scan.sqlite3"), agencies)
        sqlite_first = await _first_ensure(sqlite_url(Path(tmp) / "first.sqlite3"), agencies)
        with postgres_cluster() as cluster:
            postgres = await _scan(cluster.create_database(), agencies)
            postgres_first = await _first_ensure(cluster.create_database(), agencies)
        delivery = await _delivery(sqlite_url(Path(tmp) / "delivery.sqlite3"), recipients)
    print(f"reminder scan, {agencies} agencies ({sqlite['due']} reminders due in the slot):")
    for name, figures, first in (("SQLite", sqlite, sqlite_first), ("PostgreSQL", postgres, postgres_first)):
        print(
            f"  {name:<10} scan {figures['scan_ms']:7.1f} ms   ensure_reports {figures['ensure_ms']:6.1f} ms"
            f" (first tick {first:7.1f} ms)   digest lists {figures['digest_ms']:7.1f} ms"
        )
    print(
        f"delivery against the stand-in (1/s per chat, 30/s overall enforced): {delivery['sent']} messages"
        f" in {delivery['seconds']:.1f} s = {delivery['per_second']:.1f} msg/s;"
        f" 429s seen: {delivery['429s']} (limit violations {delivery['violations']})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--agencies", type=int, default=10_000)
    parser.add_argument("--recipients", type=int, default=300)
    args = parser.parse_args()
    asyncio.run(_main(min(args.agencies, 100_000), min(args.recipients, 5_000)))


if __name__ == "__main__":
    main()
