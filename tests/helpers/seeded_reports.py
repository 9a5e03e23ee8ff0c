"""A report stored in the database with given answers, its clerk positioned at review (or as told)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dialogs.form import UnitKind, Value
from storage import repositories as repo
from storage.db import Database

SEEDED_AT = datetime(2025, 1, 20, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class SeededReport:
    agency_id: int
    report_id: int
    person_id: int


async def telegram_clerk(db: Database, telegram_id: int, name: str = "clerk") -> int:
    """The person of a Telegram user (created as if they had started the bot), to seed a report for."""
    return await _telegram_person_id(db, telegram_id, display_name=name, create=True)


async def joined_person(db: Database, telegram_id: int) -> int:
    """The person a Telegram user became by opening their invite in the test (never created here,
    and their Telegram name is kept)."""
    return await _telegram_person_id(db, telegram_id, display_name="", create=False)


async def _telegram_person_id(db: Database, telegram_id: int, *, display_name: str, create: bool) -> int:
    async with db.session() as s:
        person = await repo.telegram_person(
            session=s, telegram_id=telegram_id, display_name=display_name, create=create
        )
        assert person is not None, f"Telegram user {telegram_id} is nobody yet"
        assert person.id is not None
        return person.id


async def seed_report(
    db: Database,
    *,
    agency: str,
    year: int,
    answers: Mapping[str, Value],
    previous: Mapping[str, Value] | None = None,
    unit: UnitKind = UnitKind.DEPARTMENT,
    person_id: int | None = None,
    local_name: str = "clerk",
    position: Mapping[str, Any] | None = None,
) -> SeededReport:
    """`position` is the clerk's stored dialog state (JSON); by default, at review."""
    async with db.session() as s:
        found = await repo.find_agency(session=s, name=agency)
        if found is None:
            found = await repo.create_agency(session=s, name=agency, unit=unit)
        agency_id = found.id or 0
        if person_id is None:
            person_id = (await repo.local_person(session=s, local_name=local_name)).id or 0
        await repo.add_member(session=s, person_id=person_id, agency_id=agency_id)
        if previous is not None:
            last = await repo.report_for(session=s, agency_id=agency_id, year=year - 1)
            assert last is not None
            await repo.write_answers(
                session=s,
                report_id=last.id or 0,
                writes=[(k, v, "") for k, v in previous.items()],
                by=person_id,
                at=SEEDED_AT,
            )
        report = await repo.report_for(session=s, agency_id=agency_id, year=year)
        assert report is not None
        report_id = report.id or 0
        await repo.write_answers(
            session=s,
            report_id=report_id,
            writes=[(k, v, "") for k, v in answers.items()],
            by=person_id,
            at=SEEDED_AT,
        )
        await repo.save_position(
            session=s,
            person_id=person_id,
            report_id=report_id,
            state={"mode": "review"} if position is None else position,
            at=SEEDED_AT,
        )
        await repo.set_active_report(session=s, person_id=person_id, report_id=report_id)
    return SeededReport(agency_id, report_id, person_id)


async def report_status(db: Database, report_id: int) -> str:
    async with db.session() as s:
        report = await repo.get_report(session=s, report_id=report_id)
        assert report is not None
        return report.status
