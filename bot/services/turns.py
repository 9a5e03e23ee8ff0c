"""One dialog turn as one transaction: load state → engine step → save → reply.

Both adapters (terminal and Telegram) call `Turns.handle`; the answers, their history and the
new position are committed before the replies are returned, so nothing a person typed is
lost if the process dies right after.

A submission is committed only with its documents already rendered: the turn that would
submit is first run without saving, the report is rendered off the event loop from the
answers it would submit, and then the turn runs again and commits together with those
documents (if the answers are still the same). A report whose documents cannot be made is
never left submitted, and both adapters deliver the very documents of the commit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.documents import Document, report_documents, signed_on
from bot.services.access import FillRight, Refusal, active_fill
from bot.services.submission import enqueue_summary
from dialogs import messages as msg
from dialogs.engine import OUTDATED, DialogState, Event, Input, Mode, Reply, ReportInfo, Step, Text, step
from dialogs.form import Form, UnitKind, Value
from dialogs.lifecycle import Status, is_editable
from dialogs.rules import Rule
from storage import repositories as repo
from storage.access import Caller
from storage.db import Database
from storage.tables import Agency, Report, as_utc
from storage.turn_store import (
    AnswerCache,
    Cached,
    Submission,
    TurnData,
    load_answers,
    load_caller,
    load_turn,
    save_turn,
)
from templates import build_context, render_text

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
DEFAULT_ZONE = ZoneInfo("Asia/Shanghai")
# A submission is rendered again when its answers changed between rendering and commit (another
# member of the agency typed in between); after this many tries it is refused, to be retried.
_RENDER_TRIES = 3

# Stored in the dialog position beside the engine's state: when its current question was first
# shown. A Telegram text carries no token, only when it was sent; one sent before this moment
# answered an earlier question (a second device, or two messages typed in a row) and is refused.
ASKED_AT = "asked_at"


@dataclass(frozen=True, slots=True)
class TurnResult:
    replies: tuple[Reply, ...]
    events: tuple[Event, ...]
    report_id: int
    state: DialogState
    documents: tuple[Document, ...] = ()
    """The submitted report's files, rendered before the submission was committed."""


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
    documents: tuple[Document, ...] = ()


@dataclass(frozen=True, slots=True)
class _Pending:
    """A turn that would submit, not saved: the report as it would be submitted, to render."""

    snapshot: ReportSnapshot
    state: DialogState
    right: FillRight

    @property
    def content(self) -> tuple[object, ...]:
        return _content(
            self.snapshot.agency.name, self.snapshot.unit, self.snapshot.report.year, self.snapshot.answers
        )


@dataclass(frozen=True, slots=True)
class _Rendered:
    """The documents of a pending submission, with what they were rendered from."""

    content: tuple[object, ...]
    at: datetime
    documents: tuple[Document, ...]


# What a committed attempt gives: the turn done under a right, or why it was refused.
_Attempted = tuple[FillRight, "_Done"] | Refused


def _content(agency: str, unit: UnitKind, year: int, answers: Mapping[str, Value]) -> tuple[object, ...]:
    return (agency, unit, year, dict(answers))


class Turns:
    def __init__(
        self,
        db: Database,
        form: Form,
        clock: Clock,
        rules: tuple[Rule, ...],
        *,
        zone: tzinfo = DEFAULT_ZONE,
    ) -> None:
        self.db = db
        self.form = form
        self.clock = clock
        self.rules = rules
        self.zone = zone
        self.answer_cache = AnswerCache()

    async def handle(self, person_id: int, report_id: int, event: Input) -> TurnResult:
        right = FillRight(person_id, report_id)

        async def attempt(rendered: _Rendered | None) -> tuple[FillRight, _Done] | _Pending:
            done = await self.db.run_transaction(lambda conn: self._turn(conn, right, event, rendered))
            return done if isinstance(done, _Pending) else (right, done)

        outcome = await self._submitting(attempt)
        if isinstance(outcome, Refused):
            raise TypeError("a turn without a caller check was refused")
        if isinstance(outcome, TurnResult):
            return outcome
        return await self._previewed(self._committed(outcome[1], outcome[0]))

    async def handle_caller(
        self,
        telegram_id: int,
        event: Input,
        *,
        report_id: int | None = None,
        sent_at: datetime | None = None,
    ) -> TurnResult | Refused:
        """A turn for whoever has this Telegram id, in their active report, if they may fill it.

        The permission check (`bot.services.access.active_fill`) and the turn run in one transaction:
        one round trip per message instead of two, and no window between check and write.
        `report_id`, when given (a button's report), must be the active one: a press on a
        button of another report is refused as stale. `sent_at` (a Telegram message's date) dates
        a text that carries no token: one sent before the current question was shown is refused.
        """

        async def attempt(rendered: _Rendered | None) -> tuple[FillRight, _Done] | Refused | _Pending:
            return await self.db.run_transaction(
                lambda conn: self._caller_turn(conn, telegram_id, event, report_id, rendered, sent_at)
            )

        outcome = await self._submitting(attempt)
        if isinstance(outcome, TurnResult | Refused):
            return outcome
        right, done = outcome
        return await self._previewed(self._committed(done, right))

    async def _previewed(self, result: TurnResult) -> TurnResult:
        """A preview shows the report as it will be published: the rendered text, not a list."""
        if Event.PREVIEW not in result.events:
            return result
        snapshot = await self.snapshot(result.report_id)
        items = self.form.items_for(snapshot.unit)
        done = sum(item.is_answered_in(snapshot.answers) for item in items)
        ctx = build_context(
            self.form,
            agency=snapshot.agency.name,
            unit=snapshot.unit,
            year=snapshot.report.year,
            answers=snapshot.answers,
            signed_on=signed_on(snapshot.report, zone=self.zone, now=self.clock()),
        )
        header = msg.PREVIEW_HEADER.format(done=done, total=len(items))
        preview = Reply(f"{header}\n\n{render_text(ctx)}".rstrip("\n"))
        return replace(result, replies=(preview, *result.replies[1:]))

    async def _submitting(
        self, attempt: Callable[[_Rendered | None], Awaitable[_Attempted | _Pending]]
    ) -> _Attempted | TurnResult:
        """Run `attempt` until it commits; a pending submission is rendered in between.

        Returns what the committing attempt returned, or the reply of a submission refused
        because its documents could not be made (nothing of that turn is then saved).
        """
        rendered: _Rendered | None = None
        pending: _Pending | None = None
        for _ in range(_RENDER_TRIES):
            outcome = await attempt(rendered)
            if not isinstance(outcome, _Pending):
                return outcome
            pending = outcome
            at = self.clock()
            signed = as_utc(at).astimezone(self.zone).date()
            try:
                # Rendering the Word document takes a while: off the event loop.
                documents = await asyncio.to_thread(
                    report_documents, self.form, pending.snapshot, signed=signed
                )
            except Exception:
                log.exception(
                    "report %s: documents could not be rendered, not submitted", pending.right.report_id
                )
                break
            rendered = _Rendered(pending.content, at, tuple(documents))
        if pending is None:
            raise RuntimeError("no attempt was made")
        return TurnResult((Reply(msg.SUBMIT_RENDER_FAILED),), (), pending.right.report_id, pending.state)

    def _committed(self, done: _Done, right: FillRight) -> TurnResult:
        """After the commit: only now may later turns reuse what this one read and wrote."""
        self.answer_cache.put(done.answers)
        result = done.step
        if Event.SUBMITTED in result.events:
            log.info("report %s submitted by person %s", right.report_id, right.person_id)
        return TurnResult(result.replies, result.events, right.report_id, result.state, done.documents)

    def _caller_turn(
        self,
        conn: Connection,
        telegram_id: int,
        event: Input,
        report_id: int | None,
        rendered: _Rendered | None,
        sent_at: datetime | None,
    ) -> tuple[FillRight, _Done] | Refused | _Pending:
        who, head = load_caller(conn, telegram_id)
        right = active_fill(who)
        if isinstance(right, Refusal):
            return Refused(who, right)
        if report_id is not None and report_id != right.report_id:
            return Refused(who, Refusal.STALE_REPORT)
        if head is None:
            raise LookupError(f"report {right.report_id} does not exist")
        data = load_answers(conn, self.form, self.answer_cache, head)
        done = self._step(conn, right, data, event, rendered, sent_at)
        return done if isinstance(done, _Pending) else (right, done)

    def _turn(
        self, conn: Connection, right: FillRight, event: Input, rendered: _Rendered | None
    ) -> _Done | _Pending:
        """Load, step, save: runs on a synchronous connection inside one transaction."""
        data = load_turn(
            conn, self.form, self.answer_cache, person_id=right.person_id, report_id=right.report_id
        )
        if data is None:
            raise LookupError(f"report {right.report_id} does not exist")
        return self._step(conn, right, data, event, rendered)

    def _step(
        self,
        conn: Connection,
        right: FillRight,
        data: TurnData,
        event: Input,
        rendered: _Rendered | None,
        sent_at: datetime | None = None,
    ) -> _Done | _Pending:
        head = data.head
        position = head.position or {}
        state = DialogState.from_json(position) if position else DialogState()
        shown = state.token
        asked_at = position.get(ASKED_AT)
        if isinstance(event, Text) and event.token is None and _sent_before(sent_at, asked_at):
            event = replace(event, token=OUTDATED)
        if not is_editable(head.status):
            state = DialogState.from_json({**state.to_json(), "mode": Mode.SUBMITTED.value})
        elif state.mode is Mode.SUBMITTED:
            state = DialogState()  # returned or reopened by a coordinator: editable again
        unit = UnitKind(head.unit_kind)
        info = ReportInfo(head.agency, unit, head.year, data.previous)
        result = step(self.form, info, data.answers, state, event, rules=self.rules)
        submitted = Event.SUBMITTED in result.events
        at = self.clock()
        documents: tuple[Document, ...] = ()
        if submitted:
            answers = dict(data.answers)
            for w in result.writes:
                if w.value is None:
                    answers.pop(w.key, None)
                else:
                    answers[w.key] = w.value
            if rendered is None or rendered.content != _content(head.agency, unit, head.year, answers):
                # Nothing is saved: the caller renders these answers and runs the turn again.
                report = Report(
                    id=head.report_id,
                    agency_id=head.agency_id,
                    year=head.year,
                    status=Status.SUBMITTED.value,
                    submitted_by=right.person_id,
                )
                agency = Agency(id=head.agency_id, name=head.agency, unit_kind=head.unit_kind)
                previous = dict(data.previous) if data.previous is not None else None
                return _Pending(ReportSnapshot(report, agency, answers, previous), state, right)
            at, documents = rendered.at, rendered.documents
        saved = save_turn(
            conn,
            self.form,
            data,
            person_id=right.person_id,
            writes=((w.key, w.value, w.raw) for w in result.writes),
            state=self._position(result.state, position if result.state.token == shown else {}),
            at=at,
            submission=Submission(result.confirmations) if submitted else None,
        )
        if submitted:  # the coordinators' summaries commit with the submission
            enqueue_summary(
                conn,
                self.form,
                report_id=head.report_id,
                agency=head.agency,
                year=head.year,
                person_id=right.person_id,
                answers=saved.answers if saved is not None else data.answers,
                confirmations=result.confirmations,
                at=at,
            )
        return _Done(result, (*data.read, saved) if saved is not None else data.read, documents)

    def _position(self, state: DialogState, before: Mapping[str, Any]) -> dict[str, Any]:
        """The engine's state and when its question was first shown: kept from `before` (the
        position of the same question), now for a question shown for the first time."""
        if not before:
            return {**state.to_json(), ASKED_AT: self.clock().isoformat()}
        kept = {ASKED_AT: before[ASKED_AT]} if ASKED_AT in before else {}
        return {**state.to_json(), **kept}

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


def _sent_before(sent_at: datetime | None, asked_at: Any) -> bool:
    if sent_at is None or not isinstance(asked_at, str):
        return False
    try:
        asked = datetime.fromisoformat(asked_at)
    except ValueError:
        return False
    # Telegram dates are whole seconds, rounded down: a message sent before the question was shown is
    # always refused; one sent within the same second after it is refused too (it asks to resend), which
    # no person typing an answer meets, rather than letting a stale one through.
    return as_utc(sent_at) < as_utc(asked)
