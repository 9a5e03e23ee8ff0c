"""Bulk seeding for the benchmarks: a district's agencies, staff, reports and answers.

Seeding is not what is measured, so rows go in through Core inserts with explicit ids (on
PostgreSQL the id sequences are moved past them afterwards, so the bot's own inserts do not
collide). Which agencies are staffed, unreachable, handed in or already reminded is given as
predicates over the agency number n (1..agencies); agency n, its report and its staff member
all have id n.

    seeded = await seed_district(db, agencies=10_000, name="基准区", year=2024, ...)
    await invite_staff(db, seeded, telegram_ids=range(100_000, 100_500), agency_ids=[...])

`bench.district_bench`, `bench.reminder_bench` and the bot round of `python -m bench` (the
"province" every nianbao process of a round runs against) use it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database
from storage.tables import (
    ActiveReport,
    Agency,
    Answer,
    District,
    Membership,
    Person,
    ReminderSent,
    Report,
    ReportingRound,
    ReportStatus,
)
from tests.helpers.postgres import PostgresCluster
from tests.helpers.rule_reports import clean_answers

__all__ = [
    "STAFF_TELEGRAM_BASE",
    "Seeded",
    "clone_database",
    "complete_answers",
    "invite_staff",
    "seed_district",
]

STAFF_TELEGRAM_BASE = 10_000_000  # agency n's own staff member has Telegram id BASE + n
_BATCH = 20_000
# Tables seeded with explicit ids whose id is a sequence on PostgreSQL.
_SEQUENCED = ("district", "reporting_round", "agency", "person", "report", "answer", "reminder_sent")


def _always(n: int) -> bool:
    return True


def _never(n: int) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class Seeded:
    district_id: int
    round_id: int
    agencies: int
    answer_rows: int
    year: int
    at: datetime


def complete_answers(year: int) -> list[tuple[str, str]]:
    """A complete, clean department report's answers (about 200), as stored (key, text)."""

    def stored(value: object) -> str:
        return format(value, "f") if isinstance(value, Decimal) else str(value)

    return [(k, stored(v)) for k, v in clean_answers(year).items()]


async def _insert(connection: AsyncConnection, table: type, rows: list[dict[str, object]]) -> None:
    for start in range(0, len(rows), _BATCH):
        chunk = rows[start : start + _BATCH]
        if chunk:
            await connection.execute(insert(table), chunk)


async def seed_district(
    db: Database,
    *,
    agencies: int,
    name: str,
    year: int,
    deadline: date,
    at: datetime,
    reminder_plan: str | None = None,
    staffed: Callable[[int], bool] = _always,
    unreachable: Callable[[int], bool] = _never,
    reports: bool = True,
    submitted: Callable[[int], bool] = _never,
    answers: Sequence[tuple[str, str]] = (),
    reminded: Callable[[int], bool] = _never,
    reminded_slot: str = "d-7",
) -> Seeded:
    """A district with one round and `agencies` agencies, in an upgraded, empty database.

    Staffed agency n has person n (Telegram id STAFF_TELEGRAM_BASE + n, blocked the bot since
    `at` if `unreachable(n)`). With `reports`, every agency has report n of the round, submitted
    if `submitted(n)`, and a submitted report holds `answers`; an open staffed report with
    `reminded(n)` was already sent `reminded_slot`.
    """
    async with db.session() as session:
        district = District(name=name, created_at=at)
        session.add(district)
        await session.flush()
        assert district.id is not None
        rnd = ReportingRound(
            year=year, deadline=deadline, reminder_plan=reminder_plan, district_id=district.id, created_at=at
        )
        session.add(rnd)
        await session.flush()
        assert rnd.id is not None
        connection = await session.connection()
        numbers = range(1, agencies + 1)
        staff = [n for n in numbers if staffed(n)]
        await _insert(
            connection,
            Agency,
            [
                {
                    "id": n,
                    "name": f"单位{n:05d}",
                    "unit_kind": "department",
                    "district_id": district.id,
                    "created_at": at,
                }
                for n in numbers
            ],
        )
        await _insert(
            connection,
            Person,
            [
                {
                    "id": n,
                    "telegram_id": STAFF_TELEGRAM_BASE + n,
                    "display_name": f"员工{n}",
                    "is_coordinator": False,
                    "unreachable_since": at if unreachable(n) else None,
                    "created_at": at,
                }
                for n in staff
            ],
        )
        await _insert(
            connection, Membership, [{"person_id": n, "agency_id": n, "created_at": at} for n in staff]
        )
        answer_rows = 0
        if reports:
            handed_in = {n for n in numbers if submitted(n)}
            await _insert(
                connection,
                Report,
                [
                    {
                        "id": n,
                        "agency_id": n,
                        "year": year,
                        "round_id": rnd.id,
                        "status": ReportStatus.SUBMITTED.value
                        if n in handed_in
                        else ReportStatus.DRAFT.value,
                        "form_version": "2021",
                        "source": "dialog",
                        "created_at": at,
                        "submitted_at": at if n in handed_in else None,
                    }
                    for n in numbers
                ],
            )
            rows = [
                {"report_id": n, "key": k, "value": v, "raw": v, "at": at}
                for n in sorted(handed_in)
                for k, v in answers
            ]
            answer_rows = len(rows)
            await _insert(connection, Answer, rows)
            await _insert(
                connection,
                ReminderSent,
                [
                    {
                        "report_id": n,
                        "slot": reminded_slot,
                        "person_id": n,
                        "status": "sent",
                        "claimed_at": at,
                        "sent_at": at,
                    }
                    for n in staff
                    if n not in handed_in and reminded(n)
                ],
            )
        await _advance_sequences(connection)
        return Seeded(district.id, rnd.id, agencies, answer_rows, year, at)


async def invite_staff(
    db: Database, seeded: Seeded, *, telegram_ids: Sequence[int], agency_ids: Sequence[int]
) -> None:
    """New people, one per Telegram id, each a member of the matching agency (which has its
    report in the round) with that report active: staff who joined by invite and opened it."""
    if len(telegram_ids) != len(agency_ids):
        raise ValueError("one agency per invited person")
    first = seeded.agencies + 1  # person ids past those of seed_district
    async with db.session() as session:
        connection = await session.connection()
        people = list(zip(range(first, first + len(telegram_ids)), telegram_ids, agency_ids, strict=True))
        await _insert(
            connection,
            Person,
            [
                {
                    "id": pid,
                    "telegram_id": tid,
                    "display_name": f"填报人{tid}",
                    "is_coordinator": False,
                    "created_at": seeded.at,
                }
                for pid, tid, _ in people
            ],
        )
        await _insert(
            connection,
            Membership,
            [{"person_id": pid, "agency_id": aid, "created_at": seeded.at} for pid, _, aid in people],
        )
        await _insert(
            connection, ActiveReport, [{"person_id": pid, "report_id": aid} for pid, _, aid in people]
        )
        await _advance_sequences(connection)


async def _advance_sequences(connection: AsyncConnection) -> None:
    if connection.dialect.name != "postgresql":
        return  # SQLite's rowid continues after the largest id by itself
    for table in _SEQUENCED:
        await connection.execute(
            text(
                f"select setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 (fixed names)
                f"coalesce((select max(id) from {table}), 0) + 1, false)"
            )
        )


def clone_database(url: str, *, into: str, cluster: PostgresCluster | None) -> str:
    """A copy of the seeded database at `url` (no connection may be open to it): for SQLite a
    copy of the file next to it named `into`, for PostgreSQL a new database from it as template."""
    if cluster is None:
        source = Path(url.removeprefix("sqlite:///").removeprefix("sqlite+aiosqlite:///"))
        target = source.with_name(into)
        shutil.copyfile(source, target)
        for suffix in ("-wal", "-shm"):  # normally gone once the last connection closed
            if source.with_name(source.name + suffix).exists():
                shutil.copyfile(
                    source.with_name(source.name + suffix), target.with_name(target.name + suffix)
                )
        return url.replace(source.name, target.name)
    return cluster.create_database(template_url=url)
