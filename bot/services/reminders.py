"""Deadline reminders: one periodic job that asks storage what is due, claims, enqueues, drains.

The service of the reminders; the tick that runs it is PTB's JobQueue's (bot/reminders.py; jobs are
in-memory only):
each run reads the rounds from the database, works out the current slot with the pure plan
(bot/reminder_plan.py) and asks storage who has not been reminded in it yet.

Every reminder is claimed (INSERT into reminder_sent, unique per report x slot x person) and its
message enqueued in the outbox in the same transaction; then the run drains the outbox
(bot/services/outbox.py, the one sender: pacing, 429 waits, 403 -> unreachable). A second process (or
this one after a restart) finds the claim and enqueues nothing, so each reminder is sent once.
A 429 or a network error puts the message back in the outbox for a later drain, so nothing is
dropped. A crash *during* the HTTP call leaves the outbox row "sending": the message may or may
not have arrived, and it is never re-sent; after ``claim_timeout`` the digest counts it as
"unknown". At-most-once is the right choice here: a duplicated reminder is noise an official
remembers, a missed one is covered by the next rung of the ladder.

After the slot has been delivered (nothing pending or in flight, nobody left), the coordinators
get a digest, claimed the same way per (round, digest point, coordinator), so two processes send
it once. A digest also goes out on the deadline day even when no reminder slot falls on it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.reminder_plan import (
    DigestPoint,
    ReminderPlan,
    Slot,
    calendar_note,
    current_digest,
    current_slot,
    days_until_deadline,
    digest_points,
    is_sending_time,
    local_date,
    slots_for,
)
from bot.services.outbox import Delivery, Outbox, Outcome
from bot.services.outgoing import MESSAGE_LIMIT, resume_data
from bot.working_calendar import ChinaCalendar, WorkingCalendar
from dialogs.form import Form, UnitKind
from dialogs.lifecycle import is_returned
from dialogs.messages_reminders import (
    RESUME_BUTTON,
    DigestLine,
    digest_text,
    reminder_text,
    slot_label,
)
from storage import outbox as outbox_store
from storage import reminders as store
from storage.db import Database
from storage.outbox import Outgoing
from storage.tables import OutboxKind, ReportingRound

__all__ = ["Reminders", "RunReport"]

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

_EARLIEST_ROUND = timedelta(days=62)  # beyond any plan's last offset (60 days) plus a margin


@dataclass(slots=True)
class RunReport:
    """What one run did (for tests, the benchmark and the log line)."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0
    skipped: int = 0
    retried: int = 0
    deferred: int = 0
    digests: int = 0
    slots: list[tuple[int, str]] = field(default_factory=list)

    def count(self, deliveries: list[Delivery]) -> None:
        """What the outbox did with this run's reminders and digests (other kinds are not ours)."""
        for delivery in deliveries:
            if delivery.kind is OutboxKind.DIGEST:
                self.digests += delivery.outcome is Outcome.SENT
                continue
            if delivery.kind is not OutboxKind.REMINDER:
                continue
            match delivery.outcome:
                case Outcome.SENT:
                    self.sent += 1
                case Outcome.BLOCKED:
                    self.blocked += 1
                case Outcome.FAILED:
                    self.failed += 1
                case Outcome.SKIPPED:
                    self.skipped += 1
                case Outcome.RETRY:
                    self.retried += 1
                case Outcome.DEFERRED:
                    self.deferred += 1


class Reminders:
    """The reminder service: ``run_once`` is one tick of the periodic job (bot/reminders.py)."""

    def __init__(
        self,
        *,
        outbox: Outbox,
        db: Database,
        zone: ZoneInfo,
        clock: Clock,
        form: Form,
        claim_timeout: timedelta = timedelta(minutes=10),
        calendar: WorkingCalendar | None = None,
    ) -> None:
        self.outbox = outbox
        self.db = db
        self.zone = zone
        self.clock = clock
        self.form = form
        self.claim_timeout = claim_timeout
        self.calendar: WorkingCalendar = calendar or ChinaCalendar()
        self._running = asyncio.Lock()

    def _now(self) -> datetime:
        # Stored datetimes are UTC (SQLite keeps no offset): normalise whatever the clock gives.
        return self.clock().astimezone(UTC)

    # --- one tick of the periodic job -----------------------------------------------------
    async def run_once(self) -> RunReport:
        """Send what is due now. A run still going when the next tick comes makes that tick a no-op."""
        report = RunReport()
        if self._running.locked():
            return report
        async with self._running:
            now = self._now()
            async with self.db.session() as session:
                rounds = await store.rounds_from(
                    session=session, earliest_deadline=local_date(now, self.zone) - _EARLIEST_ROUND
                )
            given_up: set[int] = set()  # tried enough in this run: left to the next one
            for rnd in rounds:
                await self._run_round(rnd, now, report, given_up)
        return report

    async def _drain(self, report: RunReport, given_up: set[int]) -> None:
        report.count(await self.outbox.drain(given_up=given_up))

    async def _run_round(
        self, rnd: ReportingRound, now: datetime, report: RunReport, given_up: set[int]
    ) -> None:
        plan, is_valid = ReminderPlan.from_json_or_default(rnd.reminder_plan)
        if not is_valid:
            log.warning("round %s has an invalid reminder plan; using the default plan", rnd.id)
        if not is_sending_time(plan, now, self.zone, calendar=self.calendar):
            return
        slot = current_slot(slots_for(plan, rnd.deadline, self.zone, calendar=self.calendar), now)
        if slot is not None:
            report.slots.append((rnd.year, slot.id))
            await self._remind(rnd, slot, report)
            await self._drain(report, given_up)
        point = current_digest(digest_points(plan, rnd.deadline, self.zone, calendar=self.calendar), now)
        if point is not None and await self._digest(rnd, plan, point):
            await self._drain(report, given_up)

    # --- reminders --------------------------------------------------------------------------
    async def _remind(self, rnd: ReportingRound, slot: Slot, report: RunReport) -> None:
        async with self.db.session() as session:
            await store.ensure_reports(
                session=session, rnd=rnd, at=self._now(), form_version=self.form.version
            )
        async with self.db.session() as session:
            due = await store.reminders_due(
                session=session, year=rnd.year, district_id=rnd.district_id, slot=slot.id
            )
        for reminder in due:
            if not await self._enqueue(rnd, slot, reminder):
                report.skipped += 1

    def _reminder_text(
        self, rnd: ReportingRound, reminder: store.DueReminder, answered: set[str], now: datetime
    ) -> str:
        items = self.form.items_for(UnitKind(reminder.unit_kind))
        missing = [i.title for i in items if not i.is_answered_in(answered)]
        return reminder_text(
            year=rnd.year,
            agency_name=reminder.agency_name,
            deadline=rnd.deadline,
            days_left=days_until_deadline(rnd.deadline, now, self.zone),
            done=len(items) - len(missing),
            total=len(items),
            missing=missing,
            is_returned=is_returned(reminder.report_status),
        )

    async def _enqueue(self, rnd: ReportingRound, slot: Slot, reminder: store.DueReminder) -> bool:
        """Claim the reminder and enqueue its message, in one transaction; False if claimed before."""
        at = self._now()
        async with self.db.session() as session:
            claim_id = await store.claim_reminder(
                session=session,
                report_id=reminder.report_id,
                slot=slot.id,
                person_id=reminder.person_id,
                at=at,
            )
            if claim_id is None:
                return False  # claimed by someone else, or submitted meanwhile
            answered = await store.answered_keys(session=session, report_id=reminder.report_id)
            message = Outgoing(
                chat_id=reminder.telegram_id,
                kind=OutboxKind.REMINDER,
                text=self._reminder_text(rnd, reminder, answered, at),
                dedupe_key=store.reminder_key(
                    report_id=reminder.report_id, slot=slot.id, person_id=reminder.person_id
                ),
                buttons=(((RESUME_BUTTON, resume_data(reminder.report_id)),),),
            )
            await outbox_store.enqueue_now(session=session, messages=[message], at=at)
        return True

    # --- the coordinators' digest -------------------------------------------------------------
    async def _digest(self, rnd: ReportingRound, plan: ReminderPlan, point: DigestPoint) -> bool:
        """Enqueue the digest of ``point`` for every coordinator not sent it yet; True if any was."""
        now = self._now()
        if rnd.id is None:
            return False
        async with self.db.session() as session:
            coordinators = await store.reachable_coordinators(session=session, district_id=rnd.district_id)
            if not coordinators:
                return False
            reminded: list[DigestLine] = []
            unknown = 0
            if point.slot_id is not None:
                outcome = await store.slot_outcome(
                    session=session,
                    year=rnd.year,
                    district_id=rnd.district_id,
                    slot=point.slot_id,
                    stale_before=now - self.claim_timeout,
                )
                if outcome.in_flight:
                    return False  # still being sent (maybe by another process), or to be retried
                if not outcome.recipients and not point.is_deadline:
                    return False  # the slot sent nothing: no digest
                if await store.reminders_due(
                    session=session, year=rnd.year, district_id=rnd.district_id, slot=point.slot_id
                ):
                    return False  # some reminders of the slot are still to be claimed
                reminded = [
                    DigestLine(r.agency_name, r.person_name)
                    for r in outcome.with_status(store.ClaimStatus.SENT)
                ]
                unknown = outcome.unknown
            missing, total = await store.missing_agencies(
                session=session, year=rnd.year, district_id=rnd.district_id
            )
            unreachable = await store.unreachable_people(
                session=session, year=rnd.year, district_id=rnd.district_id
            )
            unstaffed = await store.unstaffed_agencies(
                session=session, year=rnd.year, district_id=rnd.district_id
            )
        label = slot_label(None if point.is_deadline else point.offset_days)
        text = digest_text(
            year=rnd.year,
            deadline=rnd.deadline,
            days_left=days_until_deadline(rnd.deadline, now, self.zone),
            label=label,
            reminded=reminded,
            missing=missing,
            agencies_total=total,
            unreachable=[DigestLine(u.agency_name, u.display_name) for u in unreachable],
            unstaffed=unstaffed,
            unknown=unknown,
            calendar_note=calendar_note(plan, rnd.deadline, calendar=self.calendar),
            limit=MESSAGE_LIMIT,
        )
        enqueued = False
        for coordinator in coordinators:
            if coordinator.id is None or coordinator.telegram_id is None:
                continue
            async with self.db.session() as session:
                claim_id = await store.claim_digest(
                    session=session, round_id=rnd.id, key=point.key, person_id=coordinator.id, at=now
                )
                if claim_id is None:
                    continue  # sent (or being sent) by an earlier run or another process
                message = Outgoing(
                    chat_id=coordinator.telegram_id,
                    kind=OutboxKind.DIGEST,
                    text=text,
                    dedupe_key=store.digest_key(round_id=rnd.id, key=point.key, person_id=coordinator.id),
                )
                await outbox_store.enqueue_now(session=session, messages=[message], at=now)
            enqueued = True
        return enqueued
