"""Deadline reminders: one periodic job that asks storage what is due, claims, sends, records.

Nothing about reminders lives in PTB's JobQueue but the tick itself (jobs are in-memory only):
each run reads the rounds from the database, works out the current slot with the pure plan
(bot/reminder_plan.py) and asks storage who has not been reminded in it yet.

Delivery order for every reminder, and why:

1. wait for the pacer (Telegram: about 30 messages/s per bot and 1/s per chat; we stay at
   25/s and 1.1 s per chat, and a 429 pauses every send for its ``retry_after``);
2. claim (INSERT into reminder_sent, unique per report x slot x person) and COMMIT;
3. send;
4. mark sent / blocked (403: the person is marked unreachable and never retried) / failed.

A second process (or this one after a restart) finds the claim and skips the reminder, so
each is sent once. A 429 means Telegram certainly did not deliver: the claim is released
(deleted) and the reminder retried, so nothing is dropped. A network error before any answer
is also released, for the next run. A crash or a timeout *during* the HTTP call leaves the
claim unmarked: the message may or may not have arrived, and we cannot tell. Such a claim is
never re-sent; after ``claim_timeout`` the digest counts it as "unknown". At-most-once is the
right choice here: a duplicated reminder is noise an official remembers, a missed one is
covered by the next rung of the ladder (the window is one in-flight request per worker).

After the slot has been delivered (nothing in flight, nobody left), the coordinators get a
digest, claimed the same way per (round, digest point, coordinator), so two processes send
it once. A digest also goes out on the deadline day even when no reminder slot falls on it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, ContextTypes

from bot.pacing import Pacer, retry_after_seconds
from bot.reminder_plan import (
    DigestPoint,
    ReminderPlan,
    Slot,
    current_digest,
    current_slot,
    days_until_deadline,
    digest_points,
    is_sending_time,
    local_date,
    slots_for,
)
from bot.settings import Settings
from bot.telegram_output import resume_data
from dialogs.form import Form, UnitKind
from dialogs.messages_reminders import (
    RESUME_BUTTON,
    DigestLine,
    digest_text,
    reminder_text,
    slot_label,
)
from dialogs.report_2021 import form_2021
from storage import reminders as store
from storage.db import Database
from storage.tables import ReportingRound, ReportStatus

__all__ = [
    "JOB_NAME",
    "Reminders",
    "RunReport",
    "register_reminders",
]

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

JOB_NAME = "nianbao-reminders"
# A 429 for the same reminder this many times in one run: leave it (released) to the next run.
_MAX_RETRIES_PER_RUN = 5
_EARLIEST_ROUND = timedelta(days=62)  # beyond any plan's last offset (60 days) plus a margin


class _Outcome(Enum):
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"
    SKIPPED = "skipped"  # claimed by someone else, or submitted meanwhile
    RETRY = "retry"  # 429: released, try again
    DEFERRED = "deferred"  # network error before any answer: released, next run


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

    def count(self, outcome: _Outcome) -> None:
        match outcome:
            case _Outcome.SENT:
                self.sent += 1
            case _Outcome.BLOCKED:
                self.blocked += 1
            case _Outcome.FAILED:
                self.failed += 1
            case _Outcome.SKIPPED:
                self.skipped += 1
            case _Outcome.RETRY:
                self.retried += 1
            case _Outcome.DEFERRED:
                self.deferred += 1


class Reminders:
    """The reminder service: ``run_once`` is one tick of the periodic job."""

    def __init__(
        self,
        *,
        bot: Bot,
        db: Database,
        zone: ZoneInfo,
        clock: Clock,
        form: Form,
        pacer: Pacer | None = None,
        workers: int = 8,
        claim_timeout: timedelta = timedelta(minutes=10),
    ) -> None:
        self.bot = bot
        self.db = db
        self.zone = zone
        self.clock = clock
        self.form = form
        self.pacer = pacer or Pacer()
        self.workers = workers
        self.claim_timeout = claim_timeout
        self._running = asyncio.Lock()

    def _now(self) -> datetime:
        # Stored datetimes are UTC (SQLite keeps no offset): normalise whatever the clock gives.
        return self.clock().astimezone(UTC)

    # --- the tick ---------------------------------------------------------------------------
    async def job_callback(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            report = await self.run_once()
        except Exception:
            log.exception("reminder run failed; the next run retries from the database")
            return
        if report.sent or report.blocked or report.failed or report.digests:
            log.info(
                "reminders: sent %d, blocked %d, failed %d, retried %d, deferred %d, digests %d",
                report.sent,
                report.blocked,
                report.failed,
                report.retried,
                report.deferred,
                report.digests,
            )

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
            for rnd in rounds:
                await self._run_round(rnd, now, report)
        return report

    async def _run_round(self, rnd: ReportingRound, now: datetime, report: RunReport) -> None:
        plan, is_valid = ReminderPlan.from_json_or_default(rnd.reminder_plan)
        if not is_valid:
            log.warning("round %s has an invalid reminder plan; using the default plan", rnd.id)
        if not is_sending_time(plan, now, self.zone):
            return
        slot = current_slot(slots_for(plan, rnd.deadline, self.zone), now)
        if slot is not None:
            report.slots.append((rnd.year, slot.id))
            await self._remind(rnd, slot, report)
        point = current_digest(digest_points(plan, rnd.deadline, self.zone), now)
        if point is not None:
            await self._digest(rnd, point, report)

    # --- reminders --------------------------------------------------------------------------
    async def _remind(self, rnd: ReportingRound, slot: Slot, report: RunReport) -> None:
        async with self.db.session() as session:
            await store.ensure_reports(
                session=session, rnd=rnd, at=self._now(), form_version=self.form.version
            )
        async with self.db.session() as session:
            due = await store.reminders_due(session=session, year=rnd.year, slot=slot.id)
        if not due:
            return
        pending = deque((reminder, 0) for reminder in due)

        async def worker() -> None:
            while pending:
                reminder, attempts = pending.popleft()
                outcome = await self._deliver(rnd, slot, reminder)
                report.count(outcome)
                if outcome is _Outcome.RETRY and attempts + 1 < _MAX_RETRIES_PER_RUN:
                    pending.append((reminder, attempts + 1))

        async with asyncio.TaskGroup() as group:
            for _ in range(min(self.workers, len(due))):
                group.create_task(worker())

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
            is_returned=reminder.report_status == ReportStatus.RETURNED.value,
        )

    async def _deliver(self, rnd: ReportingRound, slot: Slot, reminder: store.DueReminder) -> _Outcome:
        await self.pacer.acquire(reminder.telegram_id)
        claimed_at = self._now()
        async with self.db.session() as session:
            claim_id = await store.claim_reminder(
                session=session,
                report_id=reminder.report_id,
                slot=slot.id,
                person_id=reminder.person_id,
                at=claimed_at,
            )
            if claim_id is None:
                return _Outcome.SKIPPED
            answered = await store.answered_keys(session=session, report_id=reminder.report_id)
        # The claim is committed: from here on a restart will not send this reminder again.
        text = self._reminder_text(rnd, reminder, answered, claimed_at)
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(RESUME_BUTTON, callback_data=resume_data(reminder.report_id))]]
        )
        ids = (reminder.report_id, slot.id, reminder.telegram_id)
        try:
            await self.bot.send_message(chat_id=reminder.telegram_id, text=text, reply_markup=markup)
        except RetryAfter as error:
            seconds = retry_after_seconds(error)
            self.pacer.pause(seconds)
            await self._release(claim_id)
            log.warning("reminder %s/%s to %s: 429, retry after %.0f s", *ids, seconds)
            return _Outcome.RETRY
        except Forbidden as error:
            async with self.db.session() as session:
                await store.mark_blocked(
                    session=session,
                    claim_id=claim_id,
                    person_id=reminder.person_id,
                    at=self._now(),
                    error=error.message,
                )
            log.warning("reminder %s/%s to %s: 403, person marked unreachable", *ids)
            return _Outcome.BLOCKED
        except TimedOut:
            # The request may have reached Telegram: delivery unknown, never re-sent (see above).
            await self._fail(claim_id, "timed out; delivery unknown")
            log.warning("reminder %s/%s to %s: timed out, not retried", *ids)
            return _Outcome.FAILED
        except BadRequest as error:
            await self._fail(claim_id, error.message)
            log.warning("reminder %s/%s to %s: rejected (400)", *ids)
            return _Outcome.FAILED
        except NetworkError:
            # No answer came back before the connection failed; retried on the next run.
            await self._release(claim_id)
            log.warning("reminder %s/%s to %s: network error, deferred to the next run", *ids)
            return _Outcome.DEFERRED
        except TelegramError as error:
            await self._fail(claim_id, error.message)
            log.warning("reminder %s/%s to %s: failed (%s)", *ids, type(error).__name__)
            return _Outcome.FAILED
        async with self.db.session() as session:
            await store.mark_sent(session=session, claim_id=claim_id, at=self._now())
        return _Outcome.SENT

    async def _release(self, claim_id: int) -> None:
        async with self.db.session() as session:
            await store.release_claim(session=session, claim_id=claim_id)

    async def _fail(self, claim_id: int, error: str) -> None:
        async with self.db.session() as session:
            await store.mark_failed(session=session, claim_id=claim_id, at=self._now(), error=error)

    # --- the coordinators' digest -------------------------------------------------------------
    async def _digest(self, rnd: ReportingRound, point: DigestPoint, report: RunReport) -> None:
        now = self._now()
        if rnd.id is None:
            return
        async with self.db.session() as session:
            coordinators = await store.reachable_coordinators(session=session)
            if not coordinators:
                return
            reminded: list[DigestLine] = []
            unknown = 0
            if point.slot_id is not None:
                outcome = await store.slot_outcome(
                    session=session, year=rnd.year, slot=point.slot_id, stale_before=now - self.claim_timeout
                )
                if outcome.in_flight:
                    return  # another run (maybe another process) is still sending this slot
                if not outcome.recipients and not point.is_deadline:
                    return  # the slot sent nothing: no digest
                if await store.reminders_due(session=session, year=rnd.year, slot=point.slot_id):
                    return  # some reminders of the slot are still to go (deferred or paced)
                reminded = [
                    DigestLine(r.agency_name, r.person_name)
                    for r in outcome.with_status(store.ClaimStatus.SENT)
                ]
                unknown = outcome.unknown
            missing, total = await store.missing_agencies(session=session, year=rnd.year)
            unreachable = await store.unreachable_people(session=session, year=rnd.year)
            unstaffed = await store.unstaffed_agencies(session=session, year=rnd.year)
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
            limit=MessageLimit.MAX_TEXT_LENGTH,
        )
        for coordinator in coordinators:
            if coordinator.id is None or coordinator.telegram_id is None:
                continue
            for _ in range(_MAX_RETRIES_PER_RUN):
                sent = await self._send_digest(
                    rnd.id, point.key, coordinator.id, coordinator.telegram_id, text
                )
                if sent is not _Outcome.RETRY:
                    break
            if sent is _Outcome.SENT:
                report.digests += 1

    async def _send_digest(
        self, round_id: int, key: str, person_id: int, telegram_id: int, text: str
    ) -> _Outcome:
        await self.pacer.acquire(telegram_id)
        async with self.db.session() as session:
            claim_id = await store.claim_digest(
                session=session, round_id=round_id, key=key, person_id=person_id, at=self._now()
            )
        if claim_id is None:
            return _Outcome.SKIPPED
        status = store.ClaimStatus.SENT
        error_text: str | None = None
        try:
            await self.bot.send_message(chat_id=telegram_id, text=text)
        except RetryAfter as error:
            self.pacer.pause(retry_after_seconds(error))
            async with self.db.session() as session:
                await store.release_digest(session=session, claim_id=claim_id)
            return _Outcome.RETRY
        except Forbidden as error:
            status, error_text = store.ClaimStatus.BLOCKED, error.message
        except TelegramError as error:
            status, error_text = store.ClaimStatus.FAILED, error.message
        async with self.db.session() as session:
            await store.finish_digest(
                session=session, claim_id=claim_id, status=status, at=self._now(), error=error_text
            )
        log.info("digest %s of round %s to %s: %s", key, round_id, telegram_id, status.value)
        return _Outcome.SENT if status is store.ClaimStatus.SENT else _Outcome.FAILED


def register_reminders(
    application: Application,  # type: ignore[type-arg]
    settings: Settings,
    db: Database,
    clock: Clock,
    *,
    form: Form | None = None,
    pacer: Pacer | None = None,
    interval: timedelta = timedelta(seconds=60),
    first: timedelta = timedelta(seconds=5),
) -> Reminders:
    """Add the one repeating reminder job to the application's JobQueue; returns the service.

    Every process may register it: the claims in the database keep two processes from sending
    one reminder twice. The stable job id with ``replace_existing`` keeps a second call from
    adding a second job.
    """
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("reminders need python-telegram-bot[job-queue]")
    reminders = Reminders(
        bot=application.bot, db=db, zone=settings.zone, clock=clock, form=form or form_2021(), pacer=pacer
    )
    job_queue.run_repeating(
        reminders.job_callback,
        interval=interval,
        first=first,
        name=JOB_NAME,
        # A tick that comes late (a busy loop, or ``first`` passed before the scheduler started)
        # still runs, once: misfires are coalesced, never dropped or replayed.
        job_kwargs={
            "id": JOB_NAME,
            "replace_existing": True,
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": None,
        },
    )
    return reminders
