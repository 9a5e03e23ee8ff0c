"""District benchmark: the coordinator's dashboard and the export workbook for 10,000 agencies.

    .venv/bin/python -m bench.district_bench [--agencies 10000] [--runs 5]

A district with N agencies, one staff member each (every seventh blocked the bot, every fifth
agency without anybody), a round whose every third report is submitted with a complete report's
answers (about 200 each), the rest drafts. On SQLite (a file) and on a real PostgreSQL
(embedded, Unix socket), through the coordination service as /dashboard and /export call it:

- dashboard: the counts and the first page, the counts and a page filtered to the open reports
  in the middle of the list, one agency's detail; against a baseline measured in the same run,
  a bare `SELECT count(*)` of the district's agencies (the least a dashboard can ask);
- export workbook: every handed-in report's answers read (`year_reports`) and the workbook of
  表二/表三/表四 built from them; against a baseline of reading the same answer rows with one
  bare SELECT.

Targets (issue 12): dashboard <= 0.2 s, export workbook <= 10 s. Medians of `--runs` runs.
Only a local file and a local Unix socket are used.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text

from bot.services.coordination import OPERATOR, Coordination
from dialogs.aggregate import UnitTables
from dialogs.form import UnitKind
from dialogs.lifecycle import is_finished
from dialogs.report_2021 import form_2021
from storage.dashboard import BoardFilter
from storage.db import Database, sqlite_url
from storage.tables import Agency, Answer, District, Membership, Person, Report, ReportingRound, ReportStatus
from templates.workbook import district_workbook
from tests.helpers.postgres import postgres_cluster
from tests.helpers.rule_reports import clean_answers

YEAR = 2024
ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 1, 20, 2, 0, tzinfo=UTC)
DISTRICT = "基准区"
_BATCH = 20_000


def _stored(value: object) -> str:
    return str(value) if not isinstance(value, Decimal) else format(value, "f")


async def _seed(db: Database, agencies: int) -> int:
    """Bulk rows through Core inserts (seeding is not what is measured); the answers written."""
    answers = [(k, _stored(v)) for k, v in clean_answers(YEAR).items()]
    async with db.session() as session:
        district = District(name=DISTRICT, created_at=NOW)
        session.add(district)
        await session.flush()
        rnd = ReportingRound(
            year=YEAR, deadline=date(2025, 1, 31), district_id=district.id or 0, created_at=NOW
        )
        session.add(rnd)
        await session.flush()
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
        staffed = [n for n in range(1, agencies + 1) if n % 5]
        await connection.execute(
            insert(Person),
            [
                {
                    "id": n,
                    "telegram_id": 10_000_000 + n,
                    "display_name": f"员工{n}",
                    "is_coordinator": False,
                    "unreachable_since": NOW if n % 7 == 0 else None,
                    "created_at": NOW,
                }
                for n in staffed
            ],
        )
        await connection.execute(
            insert(Membership), [{"person_id": n, "agency_id": n, "created_at": NOW} for n in staffed]
        )
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
                    "submitted_at": NOW if n % 3 == 0 else None,
                }
                for n in range(1, agencies + 1)
            ],
        )
        rows = [
            {"report_id": n, "key": k, "value": v, "raw": v, "at": NOW}
            for n in range(3, agencies + 1, 3)
            for k, v in answers
        ]
        for start in range(0, len(rows), _BATCH):
            await connection.execute(insert(Answer), rows[start : start + _BATCH])
    return len(rows)


async def _median_ms(action: Callable[[], Awaitable[Any]], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def _measure(url: str, agencies: int, runs: int) -> dict[str, float]:
    db = Database(url)
    try:
        await db.upgrade()
        answer_rows = await _seed(db, agencies)
        coordination = Coordination(db)
        form = form_2021()

        async def baseline_count() -> None:
            async with db.session() as session:
                connection = await session.connection()
                await connection.execute(text("select count(*) from agency where district_id is not null"))

        async def first_page() -> None:
            board = await coordination.dashboard(OPERATOR, year=YEAR, at=NOW, zone=ZONE, district=DISTRICT)
            assert not isinstance(board, type(None))

        async def open_middle() -> None:
            await coordination.dashboard(
                OPERATOR,
                year=YEAR,
                at=NOW,
                zone=ZONE,
                board_filter=BoardFilter.OPEN,
                page=agencies // 60,
                district=DISTRICT,
            )

        async def detail() -> None:
            await coordination.agency_detail(
                OPERATOR, query=f"单位{agencies // 2:05d}", year=YEAR, district=DISTRICT
            )

        async def baseline_answers() -> None:
            async with db.session() as session:
                connection = await session.connection()
                result = await connection.execute(text("select report_id, key, value from answer"))
                assert len(result.all()) == answer_rows

        async def workbook() -> None:
            found = await coordination.year_reports(OPERATOR, form, year=YEAR, district=DISTRICT)
            assert not isinstance(found, type(None))
            assert isinstance(found, tuple)
            name, _, rows = found
            units = [
                UnitTables(agency.name, UnitKind(agency.unit_kind), answers)
                for report, agency, answers in rows
                if is_finished(report.status)
            ]
            await asyncio.to_thread(district_workbook, form, units, year=YEAR, district=name)

        return {
            "count_ms": await _median_ms(baseline_count, runs),
            "first_ms": await _median_ms(first_page, runs),
            "open_ms": await _median_ms(open_middle, runs),
            "detail_ms": await _median_ms(detail, runs),
            "answers_ms": await _median_ms(baseline_answers, max(1, runs // 2)),
            "workbook_ms": await _median_ms(workbook, max(1, runs // 2)),
            "answer_rows": float(answer_rows),
        }
    finally:
        await db.dispose()


async def run(agencies: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = await _measure(sqlite_url(Path(tmp) / "district.sqlite3"), agencies, runs)
        with postgres_cluster() as cluster:
            postgres = await _measure(cluster.create_database(), agencies, runs)
    print(f"district of {agencies} agencies, {int(sqlite['answer_rows'])} answers of handed-in reports:")
    for name, f in (("SQLite", sqlite), ("PostgreSQL", postgres)):
        print(
            f"  {name:<10} dashboard first page {f['first_ms']:7.1f} ms ({f['first_ms'] / f['count_ms']:5.1f}x a bare count"
            f" of {f['count_ms']:.1f} ms), open reports mid-list {f['open_ms']:7.1f} ms, one agency {f['detail_ms']:6.1f} ms"
        )
        print(
            f"  {'':<10} export workbook {f['workbook_ms'] / 1000:6.2f} s"
            f" ({f['workbook_ms'] / f['answers_ms']:5.1f}x a bare read of the answers, {f['answers_ms'] / 1000:.2f} s)"
        )
    print("targets: dashboard <= 200 ms, export workbook <= 10 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--agencies", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(run(args.agencies, args.runs))


if __name__ == "__main__":
    main()
