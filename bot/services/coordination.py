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
from datetime import date, datetime
from enum import Enum

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.outgoing import resume_data
from dialogs import messages as msg
from dialogs import messages_telegram as tmsg
from dialogs.form import Form, UnitKind, Value
from dialogs.lifecycle import Action, Actor, Denied, Status, sources
from storage import access as store
from storage import outbox as outbox_store
from storage import repositories as repo
from storage.db import Database
from storage.outbox import Outgoing
from storage.tables import Agency, OutboxKind, Person, Report, ReportingRound, Role

log = logging.getLogger(__name__)

__all__ = [
    "OPERATOR",
    "AgencyAdded",
    "Coordination",
    "DeniedFor",
    "Refusal",
    "Refused",
    "Reviewed",
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
    """No such agency, or it has no report of that year."""


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


def default_deadline(year: int, unit: UnitKind = UnitKind.DEPARTMENT) -> date:
    """The regulation's deadline of a year's report: 31 January of the next year for a department,
    31 March for a county-level government's own report."""
    return date(year + 1, 3, 31) if unit is UnitKind.GOVERNMENT else date(year + 1, 1, 31)


# The staff notice of each review action (none for an acceptance: nothing is left to do).
_NOTICES = {Action.RETURN: tmsg.RETURNED_NOTICE, Action.REOPEN: tmsg.REOPENED_NOTICE}


class Coordination:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def _is_coordinator(self, session: AsyncSession, who: Who) -> bool:
        if who.actor is Actor.OPERATOR:
            return True
        if who.actor is not Actor.COORDINATOR or who.person_id is None:
            return False
        person = await session.get(Person, who.person_id)
        return person is not None and person.is_coordinator

    async def open_round(
        self, who: Who, *, year: int, deadline: date | None, at: datetime
    ) -> ReportingRound | Refused:
        async with self.db.session() as session:
            if not await self._is_coordinator(session, who):
                return Refused(Refusal.NOT_COORDINATOR)
            rnd = await repo.open_round(
                session=session,
                year=year,
                deadline=deadline or default_deadline(year),
                created_by=who.person_id,
            )
        log.info("round %s opened by person %s", year, who.person_id)
        return rnd

    async def rounds(self, who: Who, *, year: int | None) -> ReportingRound | Refused | None:
        """The round of `year`, or the latest one."""
        async with self.db.session() as session:
            if not await self._is_coordinator(session, who):
                return Refused(Refusal.NOT_COORDINATOR)
            if year is not None:
                return await repo.round_for_year(session=session, year=year)
            return await repo.latest_round(session=session)

    async def add_agency(self, who: Who, *, name: str, unit: UnitKind, at: datetime) -> AgencyAdded | Refused:
        """The agency (created unless it exists) with its report in the latest round, and an invite."""
        async with self.db.session() as session:
            if not await self._is_coordinator(session, who):
                return Refused(Refusal.NOT_COORDINATOR)
            rnd = await repo.latest_round(session=session)
            if rnd is None:
                return Refused(Refusal.NO_ROUND)
            agency = await repo.find_agency(session=session, name=name)
            existed = agency is not None
            if agency is None:
                agency = await repo.create_agency(session=session, name=name, unit=unit)
            if agency.id is None:
                raise LookupError("agency was not given an id")
            await repo.report_for(session=session, agency_id=agency.id, year=rnd.year, round_id=rnd.id)
            token = await store.create_invite(
                session=session, agency_id=agency.id, role=Role.STAFF, created_by=who.person_id, now=at
            )
        log.info("agency %s added to round %s by person %s", agency.id, rnd.year, who.person_id)
        return AgencyAdded(agency, rnd.year, existed, token)

    async def invite(self, who: Who, *, query: str, at: datetime) -> tuple[Agency, str] | Refused:
        async with self.db.session() as session:
            if not await self._is_coordinator(session, who):
                return Refused(Refusal.NOT_COORDINATOR)
            agency = await store.find_agency(session=session, query=query)
            if agency is None or agency.id is None:
                return Refused(Refusal.UNKNOWN_AGENCY)
            token = await store.create_invite(
                session=session, agency_id=agency.id, role=Role.STAFF, created_by=who.person_id, now=at
            )
        log.info("invite for agency %s created by person %s", agency.id, who.person_id)
        return agency, token

    async def revoke(self, who: Who, *, query: str, at: datetime) -> tuple[Agency, int] | Refused:
        async with self.db.session() as session:
            if not await self._is_coordinator(session, who):
                return Refused(Refusal.NOT_COORDINATOR)
            agency = await store.find_agency(session=session, query=query)
            if agency is None or agency.id is None:
                return Refused(Refusal.UNKNOWN_AGENCY)
            count = await store.revoke_invites(session=session, agency_id=agency.id, now=at)
        log.info("%s invites of agency %s revoked by person %s", count, agency.id, who.person_id)
        return agency, count

    async def coordinator_invite(self, who: Who, *, at: datetime) -> str | Refused:
        async with self.db.session() as session:
            if not await self._is_coordinator(session, who):
                return Refused(Refusal.NOT_COORDINATOR)
            token = await store.create_invite(
                session=session, agency_id=None, role=Role.COORDINATOR, created_by=who.person_id, now=at
            )
        log.info("coordinator invite created by person %s", who.person_id)
        return token

    async def dashboard(
        self, who: Who, *, year: int | None
    ) -> tuple[ReportingRound, list[store.DashboardRow]] | Refused:
        async with self.db.session() as session:
            if not await self._is_coordinator(session, who):
                return Refused(Refusal.NOT_COORDINATOR)
            if year is not None:
                rnd = await repo.round_for_year(session=session, year=year)
            else:
                rnd = await repo.latest_round(session=session)
            if rnd is None:
                return Refused(Refusal.NO_ROUND)
            return rnd, await store.dashboard(session=session, rnd=rnd)

    async def year_reports(
        self, who: Who, form: Form, *, year: int
    ) -> list[tuple[Report, Agency, dict[str, Value]]] | Refused:
        """Every report of `year` with its agency and answers (what the export renders)."""
        rows: list[tuple[Report, Agency, dict[str, Value]]] = []
        async with self.db.session() as session:
            if not await self._is_coordinator(session, who):
                return Refused(Refusal.NOT_COORDINATOR)
            for report in await repo.reports_in_year(session=session, year=year):
                agency = await repo.get_agency(session=session, agency_id=report.agency_id)
                if agency is None or report.id is None:
                    continue
                answers = await repo.load_answers(session=session, form=form, report_id=report.id)
                rows.append((report, agency, answers))
        return rows

    async def report_of(self, who: Who, *, agency: str, year: int) -> Report | Refused:
        """The report of the agency named exactly `agency` in `year`."""
        async with self.db.session() as session:
            if not await self._is_coordinator(session, who):
                return Refused(Refusal.NOT_COORDINATOR)
            found = await repo.find_agency(session=session, name=agency)
            report = (
                None
                if found is None or found.id is None
                else await repo.report_for(session=session, agency_id=found.id, year=year, create=False)
            )
        return Refused(Refusal.UNKNOWN_AGENCY) if report is None or report.id is None else report

    async def review(
        self, who: Who, action: Action, *, query: str, year: int | None, comment: str, at: datetime
    ) -> Reviewed | Refused | DeniedFor:
        """Return, accept or reopen the agency's report of `year` (default: the latest round's)."""
        if action not in (Action.RETURN, Action.ACCEPT, Action.REOPEN):
            raise ValueError(f"{action} is not a review action")
        async with self.db.session() as session:
            if not await self._is_coordinator(session, who):
                return Refused(Refusal.NOT_COORDINATOR)
            agency = await store.find_agency(session=session, query=query)
            if year is None:
                rnd = await repo.latest_round(session=session)
                year = rnd.year if rnd is not None else None
            report = (
                None
                if agency is None or agency.id is None or year is None
                else await repo.report_for(session=session, agency_id=agency.id, year=year, create=False)
            )
            if agency is None or report is None or report.id is None:
                return Refused(Refusal.UNKNOWN_AGENCY)
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
                await outbox_store.enqueue_now(
                    session=session, messages=_notices(report.id, text, staff), at=at
                )
        log.info("report %s: %s by person %s", report.id, action.value, who.person_id)
        return Reviewed(agency.name, report.year, outcome.target, len(staff))


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
