"""The coordinators' operations, shared by Telegram, the CLI and (later) any other adapter.

Every method takes who asks (`Who`) and checks it here: a Telegram coordinator is confirmed
against the database, the command line's operator has a coordinator's powers locally, and the
lifecycle (dialogs/lifecycle.py) decides every status change. Staff notices of a return or a
reopening commit with it, through the outbox.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import Enum

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.outgoing import resume_data
from dialogs import messages as msg
from dialogs import messages_telegram as tmsg
from dialogs.aggregate import DistrictDraft
from dialogs.form import Form, UnitKind, Value
from dialogs.lifecycle import Action, Actor, Denied, Status, sources, transition
from storage import access as store
from storage import dashboard as board_store
from storage import district_totals as totals_store
from storage import districts
from storage import history as history_store
from storage import outbox as outbox_store
from storage import repositories as repo
from storage.db import Database
from storage.outbox import Outgoing
from storage.tables import Agency, District, OutboxKind, Person, Report, ReportingRound, Role

log = logging.getLogger(__name__)

__all__ = [
    "OPERATOR",
    "PAGE_SIZE",
    "AgencyAdded",
    "Board",
    "BulkAdded",
    "Coordination",
    "DeniedFor",
    "Detail",
    "Districts",
    "History",
    "PendingReturn",
    "Refusal",
    "Refused",
    "Reviewed",
    "Totals",
    "Who",
    "default_deadline",
    "denied_text",
]


@dataclass(frozen=True, slots=True)
class Who:
    """Who asks: a person (None for the operator at the command line) in a lifecycle role."""

    person_id: int | None
    actor: Actor


OPERATOR = Who(None, Actor.OPERATOR)


class Refusal(Enum):
    NOT_COORDINATOR = "not_coordinator"
    NO_ROUND = "no_round"
    UNKNOWN_AGENCY = "unknown_agency"
    """No such agency in the coordinator's district, or it has no report of that year."""
    PICK_DISTRICT = "pick_district"
    """The person coordinates several districts and has not picked one (/district)."""
    UNKNOWN_DISTRICT = "unknown_district"
    """No such district among those the person coordinates."""
    NOT_ADMIN = "not_admin"
    """Only a configured admin creates districts."""
    NO_PENDING_RETURN = "no_pending_return"


@dataclass(frozen=True, slots=True)
class Reviewed:
    """A return, acceptance or reopening that happened; `notified` staff chats were told."""

    agency: str
    year: int
    status: Status
    notified: int


@dataclass(frozen=True, slots=True)
class Refused:
    refusal: Refusal


@dataclass(frozen=True, slots=True)
class DeniedFor:
    """The lifecycle refused the move: the report's agency, year and current state say why."""

    agency: str
    year: int
    denied: Denied


@dataclass(frozen=True, slots=True)
class AgencyAdded:
    agency: Agency
    year: int
    existed: bool
    token: str


@dataclass(frozen=True, slots=True)
class BulkAdded:
    district: str
    year: int
    added: tuple[AgencyAdded, ...]


@dataclass(frozen=True, slots=True)
class Board:
    """One page of the dashboard: the district's counts and the agencies on the page."""

    district: str
    round: ReportingRound
    counts: board_store.Counts
    late: int
    """Agencies not handed in although the deadline has passed (0 before it)."""
    board_filter: board_store.BoardFilter
    matching: int
    page: int
    pages: int
    rows: tuple[board_store.AgencyRow, ...]


@dataclass(frozen=True, slots=True)
class Detail:
    round: ReportingRound
    row: board_store.AgencyRow


@dataclass(frozen=True, slots=True)
class History:
    agency: str
    year: int
    entries: tuple[history_store.Entry, ...]


@dataclass(frozen=True, slots=True)
class Totals:
    """The district's totals of a year: the cell-wise sums of its handed-in reports."""

    district: str
    year: int
    agencies: int
    draft: DistrictDraft


@dataclass(frozen=True, slots=True)
class Districts:
    current: District | None
    mine: tuple[District, ...]
    may_create: bool


@dataclass(frozen=True, slots=True)
class PendingReturn:
    agency: str
    year: int


PAGE_SIZE = 20


def default_deadline(year: int, unit: UnitKind = UnitKind.DEPARTMENT) -> date:
    """The regulation's deadline of a year's report: 31 January of the next year for a department,
    31 March for a county-level government's own report."""
    return date(year + 1, 3, 31) if unit is UnitKind.GOVERNMENT else date(year + 1, 1, 31)


# The staff notice of each review action (none for an acceptance: nothing is left to do).
_NOTICES = {Action.RETURN: tmsg.RETURNED_NOTICE, Action.REOPEN: tmsg.REOPENED_NOTICE}


class Coordination:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def _person(self, session: AsyncSession, who: Who) -> Person | None:
        if who.actor is not Actor.COORDINATOR or who.person_id is None:
            return None
        person = await session.get(Person, who.person_id)
        return person if person is not None and person.is_coordinator else None

    async def _scope(
        self, session: AsyncSession, who: Who, district: str | None = None
    ) -> District | Refused:
        """The district the request is about: named, or the coordinator's picked (or only) one.

        The operator at the command line has every district (the default one unless named); a
        coordinator only those they coordinate (every one for an admin). A district the person
        does not coordinate is refused as unknown: its existence is not theirs to learn.
        """
        if who.actor is Actor.OPERATOR:
            found = (
                await districts.find_district(session=session, name=district)
                if district
                else await districts.default_district(session=session)
            )
            return found if found is not None else Refused(Refusal.UNKNOWN_DISTRICT)
        person = await self._person(session, who)
        if person is None:
            return Refused(Refusal.NOT_COORDINATOR)
        mine = list(await districts.coordinated(session=session, person=person))
        if district:
            named = next((d for d in mine if d.name == district.strip()), None)
            return named if named is not None else Refused(Refusal.UNKNOWN_DISTRICT)
        picked = next((d for d in mine if d.id == person.district_id), None)
        if picked is not None:
            return picked
        if len(mine) == 1:
            return mine[0]
        if not mine and person.is_admin:
            return await districts.default_district(session=session)
        return Refused(Refusal.PICK_DISTRICT if mine else Refusal.NOT_COORDINATOR)

    async def _round(
        self, session: AsyncSession, district: District, year: int | None
    ) -> ReportingRound | None:
        if year is not None:
            return await repo.round_for_year(session=session, year=year, district_id=district.id)
        return await repo.latest_round(session=session, district_id=district.id)

    async def _scoped_agency(
        self, session: AsyncSession, who: Who, query: str, district: str | None = None
    ) -> Agency | Refused:
        """The agency of the request's district named by `query` (its number or its name)."""
        scope = await self._scope(session, who, district)
        if isinstance(scope, Refused):
            return scope
        agency = await store.find_agency(session=session, query=query, district_id=scope.id or 0)
        return Refused(Refusal.UNKNOWN_AGENCY) if agency is None or agency.id is None else agency

    async def _scoped_round(
        self, session: AsyncSession, who: Who, district: str | None, year: int | None
    ) -> tuple[District, ReportingRound] | Refused:
        """The request's district and its round of `year` (or its latest)."""
        scope = await self._scope(session, who, district)
        if isinstance(scope, Refused):
            return scope
        rnd = await self._round(session, scope, year)
        return Refused(Refusal.NO_ROUND) if rnd is None else (scope, rnd)

    # --- districts -------------------------------------------------------------------------------
    async def district_of(self, who: Who, district: str | None = None) -> District | Refused:
        """The district the person's requests are about now (what an import is filed under)."""
        async with self.db.session() as session:
            return await self._scope(session, who, district)

    async def districts(self, who: Who) -> Districts | Refused:
        async with self.db.session() as session:
            if who.actor is Actor.OPERATOR:
                return Districts(None, tuple(await districts.all_districts(session=session)), True)
            person = await self._person(session, who)
            if person is None:
                return Refused(Refusal.NOT_COORDINATOR)
            mine = tuple(await districts.coordinated(session=session, person=person))
            scope = await self._scope(session, who)
            current = scope if isinstance(scope, District) else None
            return Districts(current, mine, person.is_admin)

    async def pick_district(self, who: Who, *, name: str) -> District | Refused:
        """Make `name` the person's district; an admin naming a new one creates it (the operator
        at the command line only creates it: the command line names its district each time)."""
        async with self.db.session() as session:
            if who.actor is Actor.OPERATOR:
                return await districts.create_district(session=session, name=name)
            person = await self._person(session, who)
            if person is None:
                return Refused(Refusal.NOT_COORDINATOR)
            found = await self._scope(session, who, name)
            if isinstance(found, Refused):
                if not person.is_admin:
                    return found
                found = await districts.create_district(session=session, name=name)
                log.info("district %s created by person %s", found.id, person.id)
            person.district_id = found.id
            session.add(person)
            return found

    # --- rounds and agencies ---------------------------------------------------------------------
    async def open_round(
        self, who: Who, *, year: int, deadline: date | None, at: datetime, district: str | None = None
    ) -> tuple[District, ReportingRound] | Refused:
        """Open the district's round of `year`, or give an open round its new deadline."""
        async with self.db.session() as session:
            scope = await self._scope(session, who, district)
            if isinstance(scope, Refused):
                return scope
            existing = await repo.round_for_year(session=session, year=year, district_id=scope.id)
            rnd = await repo.open_round(
                session=session,
                year=year,
                deadline=deadline or (existing.deadline if existing else default_deadline(year)),
                created_by=who.person_id,
                district_id=scope.id,
            )
        log.info("round %s of district %s opened by person %s", year, scope.id, who.person_id)
        return scope, rnd

    async def rounds(
        self, who: Who, *, year: int | None, district: str | None = None
    ) -> ReportingRound | Refused | None:
        """The district's round of `year`, or its latest one."""
        async with self.db.session() as session:
            scope = await self._scope(session, who, district)
            if isinstance(scope, Refused):
                return scope
            return await self._round(session, scope, year)

    async def add_agency(
        self, who: Who, *, name: str, unit: UnitKind, at: datetime, district: str | None = None
    ) -> AgencyAdded | Refused:
        """The agency (created unless it exists) with its report in the latest round, and an invite."""
        added = await self.add_agencies(who, [(name, unit, "")], at=at, district=district)
        return added if isinstance(added, Refused) else added.added[0]

    async def add_agencies(
        self,
        who: Who,
        agencies: Sequence[tuple[str, UnitKind, str]],
        *,
        at: datetime,
        district: str | None = None,
    ) -> BulkAdded | Refused:
        """Every (name, kind, contact) as an agency of the district with its report in the latest
        round and a new invite, in one transaction: all of them or, on any failure, none."""
        async with self.db.session() as session:
            scope = await self._scope(session, who, district)
            if isinstance(scope, Refused):
                return scope
            rnd = await repo.latest_round(session=session, district_id=scope.id)
            if rnd is None:
                return Refused(Refusal.NO_ROUND)
            known = await repo.agencies_named(
                session=session, district_id=scope.id or 0, names=[name for name, _, _ in agencies]
            )
            added: list[AgencyAdded] = []
            for name, unit, contact in agencies:
                agency = known.get(name.strip())
                existed = agency is not None
                if agency is None:
                    agency = await repo.create_agency(
                        session=session, name=name, unit=unit, district_id=scope.id, contact=contact
                    )
                    known[agency.name] = agency
                elif contact.strip() and agency.contact != contact.strip():
                    agency.contact = contact.strip()
                    session.add(agency)
                if agency.id is None:
                    raise LookupError("agency was not given an id")
                await repo.report_for(session=session, agency_id=agency.id, year=rnd.year, round_id=rnd.id)
                token = await store.create_invite(
                    session=session, agency_id=agency.id, role=Role.STAFF, created_by=who.person_id, now=at
                )
                added.append(AgencyAdded(agency, rnd.year, existed, token))
        log.info("%s agencies added to round %s by person %s", len(added), rnd.year, who.person_id)
        return BulkAdded(scope.name, rnd.year, tuple(added))

    async def invite(self, who: Who, *, query: str, at: datetime) -> tuple[Agency, str] | Refused:
        async with self.db.session() as session:
            agency = await self._scoped_agency(session, who, query)
            if isinstance(agency, Refused):
                return agency
            token = await store.create_invite(
                session=session, agency_id=agency.id, role=Role.STAFF, created_by=who.person_id, now=at
            )
        log.info("invite for agency %s created by person %s", agency.id, who.person_id)
        return agency, token

    async def revoke(self, who: Who, *, query: str, at: datetime) -> tuple[Agency, int] | Refused:
        async with self.db.session() as session:
            agency = await self._scoped_agency(session, who, query)
            if isinstance(agency, Refused):
                return agency
            count = await store.revoke_invites(session=session, agency_id=agency.id or 0, now=at)
        log.info("%s invites of agency %s revoked by person %s", count, agency.id, who.person_id)
        return agency, count

    async def coordinator_invite(self, who: Who, *, at: datetime) -> tuple[District, str] | Refused:
        """An invite to coordinate the inviter's current district."""
        async with self.db.session() as session:
            scope = await self._scope(session, who)
            if isinstance(scope, Refused):
                return scope
            token = await store.create_invite(
                session=session,
                agency_id=None,
                role=Role.COORDINATOR,
                created_by=who.person_id,
                now=at,
                district_id=scope.id,
            )
        log.info("coordinator invite of district %s created by person %s", scope.id, who.person_id)
        return scope, token

    async def dashboard(
        self,
        who: Who,
        *,
        year: int | None,
        at: datetime,
        zone: tzinfo,
        board_filter: board_store.BoardFilter = board_store.BoardFilter.ALL,
        page: int = 0,
        district: str | None = None,
    ) -> Board | Refused:
        """The district's counts and one page of its agencies (PAGE_SIZE, by name)."""
        async with self.db.session() as session:
            found = await self._scoped_round(session, who, district, year)
            if isinstance(found, Refused):
                return found
            scope, rnd = found
            counts = await board_store.counts(session=session, rnd=rnd)
            page = max(page, 0)
            matching, rows = await board_store.page(
                session=session, rnd=rnd, board_filter=board_filter, offset=page * PAGE_SIZE, limit=PAGE_SIZE
            )
            pages = max(1, -(-matching // PAGE_SIZE))
            if page >= pages:  # past the end (agencies left the filter since): the last page
                page = pages - 1
                _, rows = await board_store.page(
                    session=session,
                    rnd=rnd,
                    board_filter=board_filter,
                    offset=page * PAGE_SIZE,
                    limit=PAGE_SIZE,
                )
        late = counts.open if at.astimezone(zone).date() > rnd.deadline else 0
        return Board(scope.name, rnd, counts, late, board_filter, matching, page, pages, tuple(rows))

    async def agency_detail(
        self, who: Who, *, query: str, year: int | None, district: str | None = None
    ) -> Detail | Refused:
        """One agency of the district: its line, people, confirmed warnings and last status change."""
        async with self.db.session() as session:
            found = await self._scoped_round(session, who, district, year)
            if isinstance(found, Refused):
                return found
            scope, rnd = found
            agency = await store.find_agency(session=session, query=query, district_id=scope.id or 0)
            if agency is None:
                return Refused(Refusal.UNKNOWN_AGENCY)
            return Detail(rnd, await board_store.agency_row(session=session, rnd=rnd, agency=agency))

    async def history(
        self, who: Who, *, query: str, year: int | None, district: str | None = None
    ) -> History | Refused:
        """Every change of the report's answers and status: who, when, old, new."""
        async with self.db.session() as session:
            scope = await self._scope(session, who, district)
            if isinstance(scope, Refused):
                return scope
            found = await self._report(session, scope, query, year)
            if isinstance(found, Refused):
                return found
            agency, report = found
            entries = await history_store.report_history(session=session, report_id=report.id or 0)
        return History(agency.name, report.year, tuple(entries))

    async def _report(
        self, session: AsyncSession, scope: District, query: str, year: int | None
    ) -> tuple[Agency, Report] | Refused:
        agency = await store.find_agency(session=session, query=query, district_id=scope.id or 0)
        if year is None:
            rnd = await repo.latest_round(session=session, district_id=scope.id)
            year = rnd.year if rnd is not None else None
        report = (
            None
            if agency is None or agency.id is None or year is None
            else await repo.report_for(session=session, agency_id=agency.id, year=year, create=False)
        )
        if agency is None or report is None or report.id is None:
            return Refused(Refusal.UNKNOWN_AGENCY)
        return agency, report

    async def year_reports(
        self, who: Who, form: Form, *, year: int, district: str | None = None
    ) -> tuple[str, list[Agency], list[tuple[Report, Agency, dict[str, Value]]]] | Refused:
        """The district's name, its agencies, and every report of `year` with its agency and
        answers (what the export renders)."""
        rows: list[tuple[Report, Agency, dict[str, Value]]] = []
        async with self.db.session() as session:
            scope = await self._scope(session, who, district)
            if isinstance(scope, Refused):
                return scope
            agencies = list(await repo.agencies_of(session=session, district_id=scope.id or 0))
            by_id = {a.id: a for a in agencies}
            reports = await repo.reports_in_year(session=session, year=year, district_id=scope.id)
            answers_of = await repo.answers_in_year(
                session=session, form=form, year=year, district_id=scope.id or 0
            )
            for report in reports:
                agency = by_id.get(report.agency_id)
                if agency is None or report.id is None:
                    continue
                rows.append((report, agency, answers_of.get(report.id, {})))
        return scope.name, agencies, rows

    async def totals(
        self, who: Who, form: Form, *, year: int | None, district: str | None = None
    ) -> Totals | Refused:
        """The district's totals of `year` (None: its latest round's), summed by the database
        (storage/district_totals.py), without reading the reports' answers."""
        async with self.db.session() as session:
            scope = await self._scope(session, who, district)
            if isinstance(scope, Refused):
                return scope
            if year is None:
                rnd = await repo.latest_round(session=session, district_id=scope.id)
                if rnd is None:
                    return Refused(Refusal.NO_ROUND)
                year = rnd.year
            found = await totals_store.district_totals(
                session=session, form=form, year=year, district_id=scope.id or 0
            )
        draft = found.draft
        return Totals(scope.name, year, len(draft.included) + len(draft.missing), draft)

    async def report_of(
        self, who: Who, *, agency: str, year: int, district: str | None = None
    ) -> Report | Refused:
        """The report of the agency named exactly `agency` in `year`."""
        async with self.db.session() as session:
            scope = await self._scope(session, who, district)
            if isinstance(scope, Refused):
                return scope
            found = await repo.find_agency(session=session, name=agency, district_id=scope.id)
            report = (
                None
                if found is None or found.id is None
                else await repo.report_for(session=session, agency_id=found.id, year=year, create=False)
            )
        return Refused(Refusal.UNKNOWN_AGENCY) if report is None or report.id is None else report

    async def review(
        self,
        who: Who,
        action: Action,
        *,
        query: str | None = None,
        report_id: int | None = None,
        year: int | None,
        comment: str,
        at: datetime,
        district: str | None = None,
    ) -> Reviewed | Refused | DeniedFor:
        """Return, accept or reopen the agency's report of `year` (default: the latest round's),
        named by the agency (`query`) or by the report's id (a button under a summary)."""
        if action not in (Action.RETURN, Action.ACCEPT, Action.REOPEN):
            raise ValueError(f"{action} is not a review action")
        async with self.db.session() as session:
            scope = await self._scope(session, who, district)
            if isinstance(scope, Refused):
                return scope
            found = await self._review_target(session, scope, query, report_id, year)
            if isinstance(found, Refused):
                return found
            agency, report = found
            outcome = await self._apply_review(session, who, action, agency, report, comment=comment, at=at)
            if isinstance(outcome, DeniedFor):
                return outcome
            person = await self._person(session, who)
            if person is not None and person.pending_return_id == report.id:
                person.pending_return_id = None
                session.add(person)
        log.info("report %s: %s by person %s", report.id, action.value, who.person_id)
        return outcome

    async def _review_target(
        self,
        session: AsyncSession,
        scope: District,
        query: str | None,
        report_id: int | None,
        year: int | None,
    ) -> tuple[Agency, Report] | Refused:
        if report_id is None:
            return await self._report(session, scope, query or "", year)
        report = await repo.get_report(session=session, report_id=report_id)
        agency = (
            None if report is None else await repo.get_agency(session=session, agency_id=report.agency_id)
        )
        if report is None or agency is None or agency.district_id != scope.id:
            return Refused(Refusal.UNKNOWN_AGENCY)
        return agency, report

    async def _apply_review(
        self,
        session: AsyncSession,
        who: Who,
        action: Action,
        agency: Agency,
        report: Report,
        *,
        comment: str,
        at: datetime,
    ) -> Reviewed | DeniedFor:
        outcome = await repo.apply_action(
            session=session,
            report=report,
            action=action,
            actor=who.actor,
            by=who.person_id,
            at=at,
            comment=comment,
        )
        if isinstance(outcome, Denied):
            return DeniedFor(agency.name, report.year, outcome)
        staff: list[int] = []
        notice = _NOTICES.get(action)
        if notice is not None:
            staff = await store.members_with_chat(session=session, agency_id=report.agency_id)
            # The notices commit with the status change itself; the outbox sends them.
            text = notice.format(agency=agency.name, year=report.year)
            if comment.strip():
                text += "\n" + tmsg.RETURNED_NOTICE_COMMENT.format(comment=comment.strip())
            await outbox_store.enqueue_now(
                session=session, messages=_notices(report.id or 0, text, staff), at=at
            )
        return Reviewed(agency.name, report.year, outcome.target, len(staff))

    async def begin_return(self, who: Who, *, report_id: int) -> PendingReturn | Refused | DeniedFor:
        """The coordinator pressed the return button under a summary: their next reply is the comment."""
        async with self.db.session() as session:
            scope = await self._scope(session, who)
            if isinstance(scope, Refused):
                return scope
            found = await self._review_target(session, scope, None, report_id, None)
            if isinstance(found, Refused):
                return found
            agency, report = found
            denied = transition(report.status, Action.RETURN, who.actor)
            if isinstance(denied, Denied):
                return DeniedFor(agency.name, report.year, denied)
            person = await self._person(session, who)
            if person is None:
                return Refused(Refusal.NOT_COORDINATOR)
            person.pending_return_id = report.id
            session.add(person)
        return PendingReturn(agency.name, report.year)

    async def finish_return(self, who: Who, *, comment: str, at: datetime) -> Reviewed | Refused | DeniedFor:
        """The comment for the return the coordinator began; NO_PENDING_RETURN if none is waiting."""
        async with self.db.session() as session:
            person = await self._person(session, who)
            pending = None if person is None else person.pending_return_id
        if pending is None:
            return Refused(Refusal.NO_PENDING_RETURN)
        return await self.review(who, Action.RETURN, report_id=pending, year=None, comment=comment, at=at)

    async def cancel_return(self, who: Who) -> bool:
        async with self.db.session() as session:
            person = await self._person(session, who)
            if person is None or person.pending_return_id is None:
                return False
            person.pending_return_id = None
            session.add(person)
            return True


def _notices(report_id: int, text: str, chats: Sequence[int]) -> list[Outgoing]:
    event = uuid.uuid4().hex  # one status change, one committed transaction: the key only has to be new
    return [
        Outgoing(
            chat_id=chat,
            kind=OutboxKind.RETURNED_NOTICE,
            text=text,
            dedupe_key=f"{OutboxKind.RETURNED_NOTICE.value}:{report_id}:{event}:{chat}",
            buttons=(((tmsg.BTN_CONTINUE, resume_data(report_id)),),),
        )
        for chat in chats
    ]


def denied_text(denied: DeniedFor) -> str:
    """Why the lifecycle refused, naming the report's current state (every adapter says this)."""
    allowed = msg.STATUS_OR.join(msg.STATUS_NAMES[s.value] for s in sorted(sources(denied.denied.action)))
    return msg.REVIEW_DENIED.format(
        agency=denied.agency,
        year=denied.year,
        status=msg.STATUS_NAMES[denied.denied.status.value],
        allowed=allowed,
        verb=msg.ACTION_VERBS[denied.denied.action.value],
    )
