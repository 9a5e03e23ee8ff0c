"""District benchmark: the coordinator's dashboard and the export workbook for 10,000 agencies.

    .venv/bin/python -m bench.district_bench [--agencies 10000] [--runs 5]

A district with N agencies, one staff member each (every seventh blocked the bot, every fifth
agency without anybody), a round whose every third report is submitted with a complete report's
answers (about 200 each), the rest drafts. On SQLite (a file) and on a real PostgreSQL
(embedded, Unix socket), through the coordination service as /dashboard and /export call it:

- dashboard: the counts and the first page, the counts and a page filtered to the open reports
  in the middle of the list, one agency's detail; against a baseline measured in the same run,
  a bare `SELECT count(*)` of the district's agencies (the least a dashboard can ask);
- aggregate: the district's totals as /totals and `nianbao totals` ask for them
  (`Coordination.totals`: the database sums the handed-in reports' counts, storage/district_totals.py);
  and, for comparison, the export's way: every handed-in report's answers read (`year_reports`)
  and summed in Python (`dialogs.aggregate.district_draft`), and those sums alone;
- export workbook: every handed-in report's answers read (`year_reports`) and the workbook of
  表二/表三/表四 built from them; against a baseline of reading the same answer rows with one
  bare SELECT.

Targets (issues 12 and 15): dashboard <= 0.2 s, aggregate <= 2 s, export workbook <= 10 s.
Medians of `--runs` runs; `measure` returns them (`python -m bench` uses it).
Only a local file and a local Unix socket are used.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bench.seeding import Seeded, complete_answers, seed_district
from bot.services.coordination import OPERATOR, Coordination, Refused
from dialogs.aggregate import UnitTables, district_draft
from dialogs.form import UnitKind
from dialogs.lifecycle import is_finished
from dialogs.report_2021 import form_2021
from storage.dashboard import BoardFilter
from storage.db import Database, sqlite_url
from templates.workbook import district_workbook
from tests.helpers.postgres import postgres_cluster

YEAR = 2024
ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 1, 20, 2, 0, tzinfo=UTC)
DISTRICT = "基准区"


@dataclass(frozen=True, slots=True)
class DistrictFigures:
    """Medians in milliseconds; `answer_rows` answers of `handed_in` reports were read."""

    count_ms: float  # baseline: a bare count of the district's agencies
    first_ms: float  # dashboard: counts and the first page
    open_ms: float  # dashboard: counts and a page of open reports mid-list
    detail_ms: float  # one agency's detail
    answers_ms: float  # baseline: a bare read of every answer row
    aggregate_ms: float  # the district aggregate (/totals): summed by the database
    read_sum_ms: float  # the export's aggregate: handed-in reports read, then summed in Python
    sum_ms: float  # the sums alone (dialogs.aggregate.district_draft), from reports already read
    workbook_ms: float  # export workbook: reports read, then 表二/表三/表四 built
    answer_rows: int
    handed_in: int


async def seed(db: Database, agencies: int) -> Seeded:
    """The district: every fifth agency without staff, every seventh staff member blocked the
    bot, every third report submitted with a complete report's answers, the rest drafts."""
    return await seed_district(
        db,
        agencies=agencies,
        name=DISTRICT,
        year=YEAR,
        deadline=date(2025, 1, 31),
        at=NOW,
        staffed=lambda n: n % 5 != 0,
        unreachable=lambda n: n % 7 == 0,
        submitted=lambda n: n % 3 == 0,
        answers=complete_answers(YEAR),
    )


async def _median_ms(action: Callable[[], Awaitable[Any]], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def measure_seeded(url: str, agencies: int, runs: int) -> DistrictFigures:
    """The figures on a database that `seed` filled (it may hold more, e.g. invited staff)."""
    db = Database(url)
    try:
        coordination = Coordination(db)
        form = form_2021()
        async with db.session() as session:
            connection = await session.connection()
            answer_rows = int((await connection.execute(text("select count(*) from answer"))).scalar_one())

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

        async def handed_in() -> tuple[list[str], list[UnitTables]]:
            found = await coordination.year_reports(OPERATOR, form, year=YEAR, district=DISTRICT)
            assert isinstance(found, tuple)
            _, agencies_found, rows = found
            units = [
                UnitTables(agency.name, UnitKind(agency.unit_kind), answers)
                for report, agency, answers in rows
                if is_finished(report.status)
            ]
            return [a.name for a in agencies_found], units

        async def aggregate() -> None:
            totals = await coordination.totals(OPERATOR, form, year=YEAR, district=DISTRICT)
            assert not isinstance(totals, Refused)
            assert totals.draft.included

        async def read_and_sum() -> None:
            # What the export's aggregate draft costs: the reports read, then summed.
            names, units = await handed_in()
            district_draft(form, names, units)

        names, units = await handed_in()

        async def sums_only() -> None:
            district_draft(form, names, units)

        async def workbook() -> None:
            _, units = await handed_in()
            await asyncio.to_thread(district_workbook, form, units, year=YEAR, district=DISTRICT)

        heavy_runs = max(1, runs // 2)
        return DistrictFigures(
            count_ms=await _median_ms(baseline_count, runs),
            first_ms=await _median_ms(first_page, runs),
            open_ms=await _median_ms(open_middle, runs),
            detail_ms=await _median_ms(detail, runs),
            answers_ms=await _median_ms(baseline_answers, heavy_runs),
            aggregate_ms=await _median_ms(aggregate, runs),
            read_sum_ms=await _median_ms(read_and_sum, heavy_runs),
            sum_ms=await _median_ms(sums_only, heavy_runs),
            workbook_ms=await _median_ms(workbook, heavy_runs),
            answer_rows=answer_rows,
            handed_in=len(units),
        )
    finally:
        await db.dispose()


async def measure(url: str, agencies: int, runs: int) -> DistrictFigures:
    """Seeds the district into the empty database at `url`, then measures it."""
    db = Database(url)
    try:
        await db.upgrade()
        await seed(db, agencies)
    finally:
        await db.dispose()
    return await measure_seeded(url, agencies, runs)


async def run(agencies: int, runs: int) -> tuple[DistrictFigures, DistrictFigures]:
    """The figures on SQLite (a file) and on the embedded PostgreSQL."""
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = await measure(sqlite_url(Path(tmp) / "district.sqlite3"), agencies, runs)
        with postgres_cluster() as cluster:
            postgres = await measure(cluster.create_database(), agencies, runs)
    return sqlite, postgres


def report(agencies: int, sqlite: DistrictFigures, postgres: DistrictFigures) -> str:
    lines = [
        f"district of {agencies} agencies, {sqlite.answer_rows} answers of {sqlite.handed_in} handed-in reports:"
    ]
    for name, f in (("SQLite", sqlite), ("PostgreSQL", postgres)):
        lines.append(
            f"  {name:<10} dashboard first page {f.first_ms:7.1f} ms ({f.first_ms / f.count_ms:5.1f}x a bare count"
            f" of {f.count_ms:.1f} ms), open reports mid-list {f.open_ms:7.1f} ms, one agency {f.detail_ms:6.1f} ms"
        )
        lines.append(
            f"  {'':<10} export workbook {f.workbook_ms / 1000:6.2f} s"
            f" ({f.workbook_ms / f.answers_ms:5.1f}x a bare read of the answers, {f.answers_ms / 1000:.2f} s),"
            f" aggregate {f.aggregate_ms / 1000:.2f} s (read and summed in Python {f.read_sum_ms / 1000:.2f} s,"
            f" the sums alone {f.sum_ms:.0f} ms)"
        )
    lines.append("targets: dashboard <= 200 ms, aggregate <= 2 s, export workbook <= 10 s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--agencies", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(report(args.agencies, *asyncio.run(run(args.agencies, args.runs))))


if __name__ == "__main__":
    main()
