"""One dialog turn as one transaction: load state → engine step → save → reply.

Both adapters (terminal and Telegram) call `Turns.handle`; the answers, their history and the
new position are committed before the replies are returned, so nothing a person typed is
lost if the process dies right after.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Connection
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.access import FillRight, Refusal, active_fill
from bot.submission import enqueue_summary
from dialogs.engine import DialogState, Event, Input, Reply, ReportInfo, Step, step
from dialogs.form import Form, UnitKind, Value
from dialogs.rules import Rule
from storage import repositories as repo
from storage.access import Caller
from storage.db import Database
from storage.tables import Agency, Report, ReportStatus
from storage.turn_store import (
    AnswerCache,
    Cached,
    TurnData,
    load_answers,
    load_caller,
    load_turn,
    save_turn,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class TurnResult:
    replies: tuple[Reply, ...]
    events: tuple[Event, ...]
    report_id: int
    state: DialogState


@dataclass(frozen=True, slots=True)
class Refused:
    """A turn that did not happen: who asked (if anyone we know) and why not."""

    who: Caller | None
    refusal: Refusal


@dataclass(frozen=True, slots=True)
class ReportSnapshot:
    """A report with everything the renderers and notifications need, read in one go."""

    report: Report
    agency: Agency
    answers: dict[str, Value]
    previous: dict[str, Value] | None

    @property
    def unit(self) -> UnitKind:
        return UnitKind(self.agency.unit_kind)

    @property
    def info(self) -> ReportInfo:
        return ReportInfo(self.agency.name, self.unit, self.report.year, self.previous)


@dataclass(frozen=True, slots=True)
class _Done:
    """A turn as its transaction leaves it: the engine's step and the answers read or written."""

    step: Step
    answers: tuple[Cached, ...]


class Turns:
    def __init__(self, db: Database, form: Form, clock: Clock, rules: tuple[Rule, ...]) -> None:
        self.db = db
        self.form = form
        self.clock = clock
        self.rules = rules
        self.answer_cache = AnswerCache()

    async def handle(self, person_id: int, report_id: int, event: Input) -> TurnResult:
        done = await self.db.run_transaction(lambda conn: self._turn(conn, person_id, report_id, event))
        return self._committed(done, FillRight(person_id, report_id))

    async def handle_caller(
        self, telegram_id: int, event: Input, *, report_id: int | None = None
    ) -> TurnResult | Refused:
        """A turn for whoever has this Telegram id, in their active report, if they may fill it.

        The permission check (`bot.access.active_fill`) and the turn run in one transaction:
        one round trip per message instead of two, and no window between check and write.
        `report_id`, when given (a button's report), must be the active one: a press on a
        button of another report is refused as stale.
        """
        outcome = await self.db.run_transaction(
            lambda conn: self._caller_turn(conn, telegram_id, event, report_id)
        )
        if isinstance(outcome, Refused):
            return outcome
        right, done = outcome
        return self._committed(done, right)

    def _committed(self, done: _Done, right: FillRight) -> TurnResult:
        """After the commit: only now may later turns reuse what this one read and wrote."""
        self.answer_cache.put(done.answers)
        result = done.step
        if Event.SUBMITTED in result.events:
            log.info("report %s submitted by person %s", right.report_id, right.person_id)
        return TurnResult(result.replies, result.events, right.report_id, result.state)

    def _caller_turn(
        self, conn: Connection, telegram_id: int, event: Input, report_id: int | None
    ) -> tuple[FillRight, _Done] | Refused:
        who, head = load_caller(conn, telegram_id)
        right = active_fill(who)
        if isinstance(right, Refusal):
            return Refused(who, right)
        if report_id is not None and report_id != right.report_id:
            return Refused(who, Refusal.STALE_REPORT)
        if head is None:
            raise LookupError(f"report {right.report_id} does not exist")
        data = load_answers(conn, self.form, self.answer_cache, head)
        return right, self._step(conn, right.person_id, data, event)

    def _turn(self, conn: Connection, person_id: int, report_id: int, event: Input) -> _Done:
        """Load, step, save: runs on a synchronous connection inside one transaction."""
        data = load_turn(conn, self.form, self.answer_cache, person_id=person_id, report_id=report_id)
        if data is None:
            raise LookupError(f"report {report_id} does not exist")
        return self._step(conn, person_id, data, event)

    def _step(self, conn: Connection, person_id: int, data: TurnData, event: Input) -> _Done:
        head = data.head
        state = DialogState.from_json(head.position) if head.position else DialogState()
        if head.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
            state = DialogState.from_json({**state.to_json(), "mode": "submitted"})
        elif state.mode.value == "submitted":
            state = DialogState()  # returned by a coordinator: editable again
        info = ReportInfo(head.agency, UnitKind(head.unit_kind), head.year, data.previous)
        result = step(self.form, info, data.answers, state, event, rules=self.rules)
        saved = save_turn(
            conn,
            self.form,
            data,
            person_id=person_id,
            writes=((w.key, w.value, w.raw) for w in result.writes),
            state=result.state.to_json(),
            at=self.clock(),
            submitted=Event.SUBMITTED in result.events,
        )
        if Event.SUBMITTED in result.events:  # the coordinators' summaries commit with the submission
            enqueue_summary(
                conn,
                report_id=head.report_id,
                agency=head.agency,
                year=head.year,
                person_id=person_id,
                answers=saved.answers if saved is not None else data.answers,
                at=self.clock(),
            )
        return _Done(result, (*data.read, saved) if saved is not None else data.read)

    async def snapshot(self, report_id: int) -> ReportSnapshot:
        async with self.db.session() as session:
            return await self._read(session, report_id)

    async def _read(self, session: AsyncSession, report_id: int) -> ReportSnapshot:
        report = await repo.get_report(session=session, report_id=report_id)
        if report is None:
            raise LookupError(f"report {report_id} does not exist")
        agency = await repo.get_agency(session=session, agency_id=report.agency_id)
        if agency is None:
            raise LookupError(f"agency {report.agency_id} does not exist")
        answers = await repo.load_answers(session=session, form=self.form, report_id=report_id)
        previous = await repo.previous_answers(
            session=session, form=self.form, agency_id=agency.id or 0, year=report.year
        )
        return ReportSnapshot(report, agency, answers, previous)
