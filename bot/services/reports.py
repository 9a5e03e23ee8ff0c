"""A person's own reports: who they are at this terminal, their list, a new one, the active one,
and a change of a report's agency name, kind or year. Each operation checks that the person
belongs to the report's agency (an agency they create they join)."""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.form import UnitKind
from storage import access as access_store
from storage import repositories as repo
from storage import status as status_store
from storage.db import Database
from storage.repositories import IdentityChange
from storage.tables import Agency, Report

__all__ = ["IdentityChange", "NewReport", "Opening", "Reports"]


@dataclass(frozen=True, slots=True)
class NewReport:
    report: Report
    agency: Agency


@dataclass(frozen=True, slots=True)
class Opening:
    """A report as the person opens it, with the comment of its last status change."""

    report: Report
    comment: str


class Reports:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def local_person(self, name: str) -> int:
        """The person behind a local (terminal) user name, created on first use."""
        async with self.db.session() as session:
            person = await repo.local_person(session=session, local_name=name)
        if person.id is None:
            raise LookupError("person was not given an id")
        return person.id

    async def mine(self, person_id: int) -> list[tuple[Report, Agency]]:
        async with self.db.session() as session:
            return list(await repo.reports_of_person(session=session, person_id=person_id))

    # Each operation below checks, in its own transaction, that the report is the person's.
    async def agency_of(self, person_id: int, report_id: int) -> Agency | None:
        async with self.db.session() as session:
            own = await access_store.member_report(session=session, person_id=person_id, report_id=report_id)
        return None if own is None else own[1]

    async def opening(self, person_id: int, report_id: int) -> Opening | None:
        async with self.db.session() as session:
            own = await access_store.member_report(session=session, person_id=person_id, report_id=report_id)
            if own is None:
                return None
            comment = await status_store.last_comment(session=session, report_id=report_id)
        return Opening(own[0], comment)

    async def activate(self, person_id: int, report_id: int) -> bool:
        async with self.db.session() as session:
            own = await access_store.member_report(session=session, person_id=person_id, report_id=report_id)
            if own is None:
                return False
            await repo.set_active_report(session=session, person_id=person_id, report_id=report_id)
        return True

    async def change_identity(
        self, person_id: int, report_id: int, *, name: str, unit: UnitKind, year: int
    ) -> IdentityChange | None:
        """None when the report is gone or not the person's."""
        async with self.db.session() as session:
            own = await access_store.member_report(session=session, person_id=person_id, report_id=report_id)
            if own is None:
                return None
            return await repo.change_identity(
                session=session, report=own[0], name=name, unit=unit, year=year, person_id=person_id
            )

    async def create(self, person_id: int, *, name: str, unit: UnitKind, year: int) -> NewReport | None:
        """The agency's report of `year` (created, with the agency, unless it exists), set active."""
        async with self.db.session() as session:
            agency = await repo.find_agency(session=session, name=name)
            if agency is None:
                agency = await repo.create_agency(session=session, name=name, unit=unit)
            agency_id = agency.id or 0
            await repo.add_member(session=session, person_id=person_id, agency_id=agency_id)
            rnd = await repo.round_for_year(session=session, year=year)
            report = await repo.report_for(
                session=session, agency_id=agency_id, year=year, round_id=rnd.id if rnd else None
            )
            if report is None or report.id is None:
                return None
            await repo.set_active_report(session=session, person_id=person_id, report_id=report.id)
        return NewReport(report, agency)
