"""Queries and writes, as plain functions taking the session (`*, session`).

None of these commit: the caller's `Database.session()` block is the transaction, so one
dialog turn (answers, history, position) is committed at once or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import exists, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from dialogs.form import Form, UnitKind, Value
from dialogs.lifecycle import Action, Actor, Denied, is_editable
from storage import districts
from storage.answers import write_answers as store_answers
from storage.status import Changed, change_status
from storage.tables import (
    ActiveReport,
    Agency,
    Answer,
    AnswerChange,
    DialogPosition,
    DistrictCoordinator,
    Membership,
    Person,
    Report,
    ReportingRound,
    core_table,
)
from storage.values import decode, decode_rows

_answer = core_table(Answer)


# --- agencies and people -------------------------------------------------------------------
async def _district_id(session: AsyncSession, district_id: int | None) -> int:
    """`district_id`, or the default district's (storage/districts.py) when None."""
    if district_id is not None:
        return district_id
    district = await districts.default_district(session=session)
    if district.id is None:
        raise LookupError("district was not given an id")
    return district.id


async def create_agency(
    *, session: AsyncSession, name: str, unit: UnitKind, district_id: int | None = None, contact: str = ""
) -> Agency:
    """A new agency of the district (None: the default district)."""
    agency = Agency(
        name=name.strip(),
        unit_kind=unit.value,
        district_id=await _district_id(session, district_id),
        contact=contact.strip(),
    )
    session.add(agency)
    await session.flush()
    return agency


async def get_agency(*, session: AsyncSession, agency_id: int) -> Agency | None:
    return await session.get(Agency, agency_id)


async def find_agency(*, session: AsyncSession, name: str, district_id: int | None = None) -> Agency | None:
    """The agency of that exact name in the district (None: the default district)."""
    scope = await _district_id(session, district_id)
    result = await session.exec(
        select(Agency).where(Agency.name == name.strip(), Agency.district_id == scope)
    )
    return result.first()


async def agencies_named(
    *, session: AsyncSession, district_id: int, names: Sequence[str]
) -> dict[str, Agency]:
    """The district's agencies among `names`, by name (one query, for a bulk import)."""
    found: dict[str, Agency] = {}
    wanted = sorted({n.strip() for n in names})
    for start in range(0, len(wanted), 500):
        result = await session.exec(
            select(Agency).where(
                Agency.district_id == district_id, col(Agency.name).in_(wanted[start : start + 500])
            )
        )
        found.update((a.name, a) for a in result.all())
    return found


async def local_person(*, session: AsyncSession, local_name: str) -> Person:
    """The terminal user's person row, created on first use."""
    result = await session.exec(select(Person).where(Person.local_name == local_name))
    person = result.first()
    if person is None:
        person = Person(local_name=local_name, display_name=local_name)
        session.add(person)
        await session.flush()
    return person


async def telegram_person(
    *, session: AsyncSession, telegram_id: int, display_name: str = "", create: bool = True
) -> Person | None:
    result = await session.exec(select(Person).where(Person.telegram_id == telegram_id))
    person = result.first()
    if person is None and create:
        person = Person(telegram_id=telegram_id, display_name=display_name[:200])
        session.add(person)
        await session.flush()
    elif person is not None and display_name and person.display_name != display_name[:200]:
        person.display_name = display_name[:200]
        session.add(person)
    return person


async def add_member(*, session: AsyncSession, person_id: int, agency_id: int) -> None:
    if await session.get(Membership, (person_id, agency_id)) is None:
        session.add(Membership(person_id=person_id, agency_id=agency_id))
        await session.flush()


async def is_member(*, session: AsyncSession, person_id: int, agency_id: int) -> bool:
    return await session.get(Membership, (person_id, agency_id)) is not None


async def members_of(*, session: AsyncSession, agency_id: int) -> Sequence[Person]:
    result = await session.exec(
        select(Person)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(Membership.agency_id == agency_id)
        .order_by(col(Person.id))
    )
    return result.all()


async def coordinators(
    *, session: AsyncSession, district_id: int | None, reachable_only: bool = False
) -> Sequence[Person]:
    """Coordinators of the district (its own and the admins; every one for None) with a Telegram
    chat; `reachable_only` leaves out those who blocked the bot."""
    query = select(Person).where(col(Person.is_coordinator).is_(True), col(Person.telegram_id).is_not(None))
    if district_id is not None:
        of_district = exists().where(
            col(DistrictCoordinator.person_id) == col(Person.id),
            col(DistrictCoordinator.district_id) == district_id,
        )
        query = query.where(or_(col(Person.is_admin).is_(True), of_district))
    if reachable_only:
        query = query.where(col(Person.unreachable_since).is_(None))
    result = await session.exec(query.order_by(col(Person.id)))
    return result.all()


# --- rounds and reports ---------------------------------------------------------------------
async def open_round(
    *,
    session: AsyncSession,
    year: int,
    deadline: date,
    created_by: int | None,
    district_id: int | None = None,
) -> ReportingRound:
    """The district's round of `year` (None: the default district), opened or given the new deadline."""
    scope = await _district_id(session, district_id)
    existing = await round_for_year(session=session, year=year, district_id=scope)
    if existing is not None:
        existing.deadline = deadline
        session.add(existing)
        await session.flush()
        return existing
    rnd = ReportingRound(year=year, deadline=deadline, created_by=created_by, district_id=scope)
    session.add(rnd)
    await session.flush()
    return rnd


async def round_for_year(
    *, session: AsyncSession, year: int, district_id: int | None = None
) -> ReportingRound | None:
    scope = await _district_id(session, district_id)
    result = await session.exec(
        select(ReportingRound).where(ReportingRound.year == year, ReportingRound.district_id == scope)
    )
    return result.first()


async def latest_round(*, session: AsyncSession, district_id: int | None = None) -> ReportingRound | None:
    scope = await _district_id(session, district_id)
    result = await session.exec(
        select(ReportingRound)
        .where(ReportingRound.district_id == scope)
        .order_by(col(ReportingRound.year).desc())
    )
    return result.first()


async def report_for(
    *, session: AsyncSession, agency_id: int, year: int, create: bool = True, round_id: int | None = None
) -> Report | None:
    result = await session.exec(select(Report).where(Report.agency_id == agency_id, Report.year == year))
    report = result.first()
    if report is None and create:
        report = Report(agency_id=agency_id, year=year, round_id=round_id)
        session.add(report)
        await session.flush()
    elif report is not None and round_id is not None and report.round_id is None:
        report.round_id = round_id
        session.add(report)
    return report


async def get_report(*, session: AsyncSession, report_id: int) -> Report | None:
    return await session.get(Report, report_id)


async def reports_in_year(
    *, session: AsyncSession, year: int, district_id: int | None = None
) -> Sequence[Report]:
    """The reports of `year` of the district's agencies (None: the default district)."""
    scope = await _district_id(session, district_id)
    result = await session.exec(
        select(Report)
        .join(Agency, col(Agency.id) == col(Report.agency_id))
        .where(Report.year == year, Agency.district_id == scope)
        .order_by(col(Report.agency_id))
    )
    return result.all()


async def apply_action(
    *,
    session: AsyncSession,
    report: Report,
    action: Action,
    actor: Actor,
    by: int | None,
    at: datetime,
    comment: str = "",
) -> Changed | Denied:
    """`storage.status.change_status` in this session; `report` shows the new state after."""
    if report.id is None:
        raise LookupError("report has no id")
    await session.flush()
    report_id = report.id
    outcome = await session.run_sync(
        lambda s: change_status(
            s.connection(), report_id=report_id, action=action, actor=actor, by=by, at=at, comment=comment
        )
    )
    await session.refresh(report)
    return outcome


class IdentityChange(StrEnum):
    """What `change_identity` did, or why it did not."""

    DONE = "done"
    LOCKED = "locked"  # submitted or accepted: only a returned or draft report changes
    YEAR_TAKEN = "year_taken"  # the agency has a report of that year already


async def change_identity(
    *, session: AsyncSession, report: Report, name: str, unit: UnitKind, year: int, person_id: int
) -> IdentityChange:
    """Fix a mistyped agency name, unit kind or year of a report that is still being filled.

    A name that another agency already has moves the report to that agency (the person
    meant it); otherwise the agency is renamed, for every report it has.
    """
    if not is_editable(report.status):
        return IdentityChange.LOCKED
    agency = await session.get(Agency, report.agency_id)
    if agency is None:
        raise LookupError(f"agency {report.agency_id} does not exist")
    target = await find_agency(session=session, name=name) or agency
    if (target.id, year) != (report.agency_id, report.year):
        taken = await report_for(session=session, agency_id=target.id or 0, year=year, create=False)
        if taken is not None:
            return IdentityChange.YEAR_TAKEN
    if target is agency:
        agency.name = name.strip()
    target.unit_kind = unit.value
    session.add(target)
    rnd = await round_for_year(session=session, year=year)
    report.agency_id, report.year = target.id or 0, year
    report.round_id = rnd.id if rnd is not None else None
    session.add(report)
    await add_member(session=session, person_id=person_id, agency_id=target.id or 0)
    await session.flush()
    return IdentityChange.DONE


# --- answers ---------------------------------------------------------------------------------
async def load_answers(*, session: AsyncSession, form: Form, report_id: int) -> dict[str, Value]:
    result = await session.exec(select(Answer).where(Answer.report_id == report_id))
    return {a.key: decode(form, a.key, a.value) for a in result.all()}


async def answers_in_year(
    *, session: AsyncSession, form: Form, year: int, district_id: int
) -> dict[int, dict[str, Value]]:
    """The answers of every report of `year` of the district's agencies, by report: one query
    joined on the server (the district export of thousands of reports)."""
    rows = await (await session.connection()).execute(
        sa_select(_answer.c.report_id, _answer.c.key, _answer.c.value)
        .join(Report, col(Report.id) == _answer.c.report_id)
        .join(Agency, col(Agency.id) == col(Report.agency_id))
        .where(col(Report.year) == year, col(Agency.district_id) == district_id)
    )
    stored: dict[int, list[tuple[str, str]]] = {}
    for report_id, key, value in rows.all():
        stored.setdefault(report_id, []).append((key, value))
    return {report_id: decode_rows(form, pairs) for report_id, pairs in stored.items()}


async def agencies_of(*, session: AsyncSession, district_id: int) -> Sequence[Agency]:
    """The district's agencies by name."""
    result = await session.exec(
        select(Agency).where(Agency.district_id == district_id).order_by(col(Agency.name), col(Agency.id))
    )
    return result.all()


async def previous_answers(
    *, session: AsyncSession, form: Form, agency_id: int, year: int
) -> dict[str, Value] | None:
    """Last year's answers of the agency, if its report exists (filled here or imported)."""
    report = await report_for(session=session, agency_id=agency_id, year=year - 1, create=False)
    if report is None or report.id is None:
        return None
    return await load_answers(session=session, form=form, report_id=report.id)


async def write_answers(
    *,
    session: AsyncSession,
    report_id: int,
    writes: Iterable[tuple[str, Value | None, str]],
    by: int | None,
    at: datetime,
) -> int:
    """Upsert answers (value None deletes) and record each real change in the history
    (`storage.answers.write_answers`, the path every writer takes); how many changed."""
    pending = list(writes)
    if not pending:
        return 0
    keys = {k for k, _, _ in pending}
    await session.flush()

    def write(sync: Session) -> int:
        conn = sync.connection()
        rows = conn.execute(
            sa_select(_answer.c.key, _answer.c.value).where(
                _answer.c.report_id == report_id, _answer.c.key.in_(keys)
            )
        ).all()
        stored = {key: value for key, value in rows}  # noqa: C416  (Row to plain tuple)
        written = store_answers(conn, report_id=report_id, stored=stored, writes=pending, by=by, at=at)
        for stale in [o for o in sync.identity_map.values() if isinstance(o, Answer | AnswerChange)]:
            sync.expunge(stale)  # written around the ORM: a later query reads them afresh
        return len(written.changed)

    return await session.run_sync(write)


async def answer_history(
    *, session: AsyncSession, report_id: int, key: str | None = None
) -> Sequence[AnswerChange]:
    query = select(AnswerChange).where(AnswerChange.report_id == report_id)
    if key is not None:
        query = query.where(AnswerChange.key == key)
    result = await session.exec(query.order_by(col(AnswerChange.id)))
    return result.all()


# --- dialog position ---------------------------------------------------------------------------
async def load_position(*, session: AsyncSession, person_id: int, report_id: int) -> dict[str, Any] | None:
    row = await session.get(DialogPosition, (person_id, report_id))
    if row is None:
        return None
    data: dict[str, Any] = json.loads(row.state)
    return data


async def save_position(
    *, session: AsyncSession, person_id: int, report_id: int, state: Mapping[str, Any], at: datetime
) -> None:
    text = json.dumps(state, ensure_ascii=False, sort_keys=True)
    row = await session.get(DialogPosition, (person_id, report_id))
    if row is None:
        session.add(DialogPosition(person_id=person_id, report_id=report_id, state=text, updated_at=at))
    elif row.state != text:
        row.state, row.updated_at = text, at
        session.add(row)
    await session.flush()


async def set_active_report(*, session: AsyncSession, person_id: int, report_id: int) -> None:
    row = await session.get(ActiveReport, person_id)
    if row is None:
        session.add(ActiveReport(person_id=person_id, report_id=report_id))
    else:
        row.report_id = report_id
        session.add(row)
    await session.flush()


async def reports_of_person(*, session: AsyncSession, person_id: int) -> Sequence[tuple[Report, Agency]]:
    """Reports the person has a dialog position in, most recently touched first."""
    result = await session.exec(
        select(Report, Agency)
        .join(DialogPosition, col(DialogPosition.report_id) == col(Report.id))
        .join(Agency, col(Agency.id) == col(Report.agency_id))
        .where(DialogPosition.person_id == person_id)
        .order_by(col(DialogPosition.updated_at).desc())
    )
    return result.all()
