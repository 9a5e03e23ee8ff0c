"""The coordinators' dashboard of one round: counts for the whole district, one page of agencies.

Built for districts of thousands of agencies: the counts are GROUP BY queries, and answers,
people and confirmations are read only for the agencies on the page asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, exists, func, literal_column, or_
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from dialogs.lifecycle import FINISHED, OPEN, Action, Status
from storage.tables import (
    Agency,
    Answer,
    Confirmation,
    Membership,
    Person,
    Report,
    ReportingRound,
    StatusChange,
)

__all__ = ["AgencyRow", "BoardFilter", "Counts", "agency_row", "counts", "page"]

_OPEN = tuple(sorted(s.value for s in OPEN))
_FINISHED = tuple(sorted(s.value for s in FINISHED))


class BoardFilter(StrEnum):
    ALL = "all"
    OPEN = "open"
    """Not handed in (draft, returned, or not started)."""
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    UNOPENED = "unopened"
    """Nobody has opened an invite of the agency."""
    BLOCKED = "blocked"
    """Someone of the agency blocked the bot."""


@dataclass(frozen=True, slots=True)
class Counts:
    agencies: int
    by_status: dict[str, int]
    """Report states (lifecycle values); agencies without a report count as draft."""
    unopened: int
    blocked: int

    @property
    def open(self) -> int:
        return sum(n for s, n in self.by_status.items() if s in _OPEN)

    @property
    def finished(self) -> int:
        return sum(n for s, n in self.by_status.items() if s in _FINISHED)


@dataclass(frozen=True, slots=True)
class AgencyRow:
    agency: Agency
    report: Report | None
    answered_keys: frozenset[str]
    members: tuple[str, ...]
    unreachable: tuple[str, ...]
    confirmations: tuple[Confirmation, ...] = ()
    last_change: StatusChange | None = None


def _status() -> Any:
    # A literal, not a bound parameter: PostgreSQL must see the same expression in GROUP BY.
    return func.coalesce(col(Report.status), literal_column(f"'{Status.DRAFT.value}'"))


def _joined(rnd: ReportingRound) -> Any:
    return and_(col(Report.agency_id) == col(Agency.id), col(Report.year) == rnd.year)


def _has_staff() -> Any:
    return exists().where(col(Membership.agency_id) == col(Agency.id))


def _has_blocked() -> Any:
    return exists().where(
        col(Membership.agency_id) == col(Agency.id),
        col(Membership.person_id) == col(Person.id),
        col(Person.unreachable_since).is_not(None),
    )


def _where(board_filter: BoardFilter) -> Any:
    match board_filter:
        case BoardFilter.ALL:
            return None
        case BoardFilter.OPEN:
            return _status().in_(_OPEN)
        case BoardFilter.UNOPENED:
            return ~_has_staff()
        case BoardFilter.BLOCKED:
            return _has_blocked()
        case _:
            return _status() == board_filter.value


async def counts(*, session: AsyncSession, rnd: ReportingRound) -> Counts:
    """How many agencies of the round's district are in each state, never opened an invite, or
    have someone who blocked the bot: one aggregate query over the agencies and their staff."""
    staff = (
        sa_select(
            col(Membership.agency_id).label("agency_id"),
            func.max(case((col(Person.unreachable_since).is_not(None), 1), else_=0)).label("blocked"),
        )
        .join(Person, col(Person.id) == col(Membership.person_id))
        .group_by(col(Membership.agency_id))
        .subquery()
    )
    rows = await (await session.connection()).execute(
        sa_select(
            _status(),
            func.count(),
            func.sum(case((staff.c.agency_id.is_(None), 1), else_=0)),
            func.coalesce(func.sum(staff.c.blocked), 0),
        )
        .select_from(Agency)
        .outerjoin(Report, _joined(rnd))
        .outerjoin(staff, staff.c.agency_id == col(Agency.id))
        .where(col(Agency.district_id) == rnd.district_id)
        .group_by(_status())
    )
    by_status: dict[str, int] = {}
    unopened = blocked = 0
    for status, n, without_staff, with_blocked in rows.all():
        by_status[str(status)] = int(n)
        unopened += int(without_staff or 0)
        blocked += int(with_blocked or 0)
    return Counts(sum(by_status.values()), by_status, unopened, blocked)


async def page(
    *, session: AsyncSession, rnd: ReportingRound, board_filter: BoardFilter, offset: int, limit: int
) -> tuple[int, list[AgencyRow]]:
    """How many agencies match the filter, and the `limit` of them from `offset` (by name)."""
    condition = _where(board_filter)
    base = (
        select(Agency, Report)
        .outerjoin(Report, _joined(rnd))
        .where(col(Agency.district_id) == rnd.district_id)
    )
    counted = sa_select(func.count()).select_from(Agency).outerjoin(Report, _joined(rnd))
    counted = counted.where(col(Agency.district_id) == rnd.district_id)
    if condition is not None:
        base = base.where(condition)
        counted = counted.where(condition)
    total = int((await (await session.connection()).execute(counted)).scalar_one())
    found = (
        await session.exec(base.order_by(col(Agency.name), col(Agency.id)).offset(offset).limit(limit))
    ).all()
    return total, await _rows(session, [(a, r) for a, r in found])


async def agency_row(
    *, session: AsyncSession, rnd: ReportingRound, agency: Agency, with_details: bool = True
) -> AgencyRow:
    """One agency's line of the dashboard, with its confirmed warnings and last status change."""
    report = (
        await session.exec(select(Report).where(Report.agency_id == agency.id, Report.year == rnd.year))
    ).first()
    [row] = await _rows(session, [(agency, report)])
    if not with_details or report is None or report.id is None:
        return row
    last = (
        await session.exec(
            select(StatusChange)
            .where(StatusChange.report_id == report.id)
            .order_by(col(StatusChange.at).desc(), col(StatusChange.id).desc())
            .limit(1)
        )
    ).first()
    submission = (
        await session.exec(
            select(StatusChange.id)
            .where(StatusChange.report_id == report.id, StatusChange.action == Action.SUBMIT.value)
            .order_by(col(StatusChange.id).desc())
            .limit(1)
        )
    ).first()
    confirmations = (
        await session.exec(
            select(Confirmation)
            .where(
                Confirmation.report_id == report.id,
                or_(col(Confirmation.submission_id) == submission, col(Confirmation.submission_id).is_(None))
                if submission is not None
                else col(Confirmation.submission_id).is_(None),
            )
            .order_by(col(Confirmation.id))
        )
    ).all()
    return AgencyRow(
        row.agency, row.report, row.answered_keys, row.members, row.unreachable, tuple(confirmations), last
    )


async def _rows(session: AsyncSession, found: Sequence[tuple[Agency, Report | None]]) -> list[AgencyRow]:
    report_ids = [r.id for _, r in found if r is not None and r.id is not None]
    keys: dict[int, set[str]] = {i: set() for i in report_ids}
    if report_ids:
        answered = await session.exec(
            select(Answer.report_id, Answer.key).where(col(Answer.report_id).in_(report_ids))
        )
        for report_id, key in answered.all():
            keys[report_id].add(key)
    agency_ids = [a.id for a, _ in found]
    people: dict[int, list[Person]] = {}
    if agency_ids:
        rows = await session.exec(
            select(Membership.agency_id, Person)
            .join(Person, col(Person.id) == col(Membership.person_id))
            .where(col(Membership.agency_id).in_(agency_ids))
            .order_by(col(Person.id))
        )
        for agency_id, person in rows.all():
            people.setdefault(agency_id, []).append(person)
    result = []
    for agency, report in found:
        mine = people.get(agency.id or 0, [])
        result.append(
            AgencyRow(
                agency,
                report,
                frozenset(keys.get(report.id or 0, ())) if report is not None else frozenset(),
                tuple(p.display_name or str(p.telegram_id) for p in mine),
                tuple(p.display_name or str(p.telegram_id) for p in mine if p.unreachable_since is not None),
            )
        )
    return result
