"""Reminder queries: who is due, the atomic claim before a send, and what the digest reports.

Plain functions taking the session (`*, session`), like storage/repositories.py; none of them
commits, the caller's `Database.session()` block is the transaction. A claim (a reminder_sent
or reminder_digest row) is the event "this reminder is decided"; bot/reminders.py enqueues its
message in the outbox (storage/outbox.py) in the same transaction. The unique constraints on
the claims (and the outbox's dedupe key) are what make two processes on one database, or one
process after a restart, send each reminder once. A claim's delivery state is its outbox row's;
the claim's own status column is only final for claims made before the outbox existed.

"Not submitted" means draft or returned (a returned report is waiting for its agency again).
The scan is one query per round (reports of the year by status, joined to staff, with an
anti-join on reminder_sent through its unique index), so 10,000 agencies cost a few
milliseconds, not 10,000 round trips; bench/reminder_bench.py measures it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String, and_, cast, exists, func, literal, or_
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from dialogs.lifecycle import OPEN, Status
from storage import repositories as repo
from storage.tables import (
    Agency,
    Answer,
    Membership,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Person,
    ReminderDigest,
    ReminderSent,
    Report,
    ReportingRound,
    as_utc,
    core_table,
)

__all__ = [
    "OPEN_STATUSES",
    "ClaimStatus",
    "DueReminder",
    "SlotOutcome",
    "SlotRecipient",
    "UnreachablePerson",
    "answered_keys",
    "claim_digest",
    "claim_reminder",
    "digest_key",
    "ensure_reports",
    "missing_agencies",
    "reachable_coordinators",
    "reminder_key",
    "reminders_due",
    "rounds_from",
    "slot_outcome",
    "unreachable_people",
    "unstaffed_agencies",
]

OPEN_STATUSES: tuple[str, ...] = tuple(sorted(s.value for s in OPEN))  # the lifecycle's


class ClaimStatus(StrEnum):
    CLAIMED = "claimed"
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class DueReminder:
    """One person to remind about one report in the current slot."""

    report_id: int
    report_status: str
    agency_id: int
    agency_name: str
    unit_kind: str
    person_id: int
    telegram_id: int


@dataclass(frozen=True, slots=True)
class SlotRecipient:
    agency_name: str
    person_name: str
    status: ClaimStatus
    claimed_at: datetime


@dataclass(frozen=True, slots=True)
class SlotOutcome:
    """What happened to one slot of one round so far (for the digest)."""

    recipients: tuple[SlotRecipient, ...]
    in_flight: int
    """Claims younger than the stale cutoff that are not marked yet: someone is sending."""
    unknown: int
    """Claims older than the cutoff that were never marked: a send interrupted by a crash."""

    def with_status(self, status: ClaimStatus) -> tuple[SlotRecipient, ...]:
        return tuple(r for r in self.recipients if r.status is status)


@dataclass(frozen=True, slots=True)
class UnreachablePerson:
    """A person Telegram refused to deliver to (403): for the coordinator's dashboard."""

    person_id: int
    telegram_id: int | None
    display_name: str
    agency_id: int
    agency_name: str
    since: datetime


def _insert(session: AsyncSession, table: Any) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING (SQLite and PostgreSQL alike)."""
    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(table)
    return sqlite_insert(table)


# --- what is due -----------------------------------------------------------------------------
async def rounds_from(*, session: AsyncSession, earliest_deadline: date) -> Sequence[ReportingRound]:
    """Rounds whose deadline is on or after ``earliest_deadline`` (older ones have no slot left)."""
    result = await session.exec(
        select(ReportingRound)
        .where(col(ReportingRound.deadline) >= earliest_deadline)
        .order_by(col(ReportingRound.deadline))
    )
    return result.all()


async def ensure_reports(
    *, session: AsyncSession, rnd: ReportingRound, at: datetime, form_version: str
) -> int:
    """Create the draft report of every staffed agency that has none for the round's year.

    The reports are of `form_version`, the version of the form the caller fills.

    An agency that never opened its report still owes one; the reminder (its button and its
    claim row) needs the report's id. One INSERT ... SELECT; a concurrent process doing the
    same is absorbed by the (agency_id, year) unique constraint.
    """
    has_report = exists().where(col(Report.agency_id) == col(Agency.id), col(Report.year) == rnd.year)
    has_staff = exists().where(col(Membership.agency_id) == col(Agency.id))
    in_district = col(Agency.district_id) == rnd.district_id
    rows = sa_select(
        col(Agency.id),
        literal(rnd.year),
        literal(rnd.id),
        literal(Status.DRAFT.value),  # a new report starts where the lifecycle does
        literal(form_version),
        literal("dialog"),
        literal(as_utc(at), type_=core_table(Report).c.created_at.type),
    ).where(in_district, has_staff, ~has_report)
    columns = ["agency_id", "year", "round_id", "status", "form_version", "source", "created_at"]
    statement = (
        _insert(session, Report)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=["agency_id", "year"])
    )
    result = await session.exec(statement)
    return int(result.rowcount or 0)


async def reminders_due(
    *, session: AsyncSession, year: int, district_id: int, slot: str
) -> list[DueReminder]:
    """Everyone of the district to remind in ``slot``: staff of open reports not yet claimed for it.

    People Telegram refused (unreachable_since set) are left out: a 403 is not retried until
    they write to the bot again. People without a Telegram id (terminal users) cannot be reached.
    """
    already = exists().where(
        col(ReminderSent.report_id) == col(Report.id),
        col(ReminderSent.slot) == slot,
        col(ReminderSent.person_id) == col(Person.id),
    )
    query = (
        sa_select(
            col(Report.id),
            col(Report.status),
            col(Agency.id),
            col(Agency.name),
            col(Agency.unit_kind),
            col(Person.id),
            col(Person.telegram_id),
        )
        .join(Agency, col(Agency.id) == col(Report.agency_id))
        .join(Membership, col(Membership.agency_id) == col(Report.agency_id))
        .join(Person, col(Person.id) == col(Membership.person_id))
        .where(
            col(Report.year) == year,
            col(Agency.district_id) == district_id,
            col(Report.status).in_(OPEN_STATUSES),
            col(Person.telegram_id).is_not(None),
            col(Person.unreachable_since).is_(None),
            ~already,
        )
        .order_by(col(Report.id), col(Person.id))
    )
    result = await (await session.connection()).execute(query)
    return [
        DueReminder(
            report_id=report_id or 0,
            report_status=status,
            agency_id=agency_id or 0,
            agency_name=name,
            unit_kind=unit,
            person_id=person_id or 0,
            telegram_id=telegram_id or 0,
        )
        for report_id, status, agency_id, name, unit, person_id, telegram_id in result.all()
    ]


async def answered_keys(*, session: AsyncSession, report_id: int) -> set[str]:
    result = await session.exec(select(Answer.key).where(Answer.report_id == report_id))
    return set(result.all())


# --- claim, then send, then mark -------------------------------------------------------------
async def claim_reminder(
    *, session: AsyncSession, report_id: int, slot: str, person_id: int, at: datetime
) -> int | None:
    """Claim (report, slot, person); the claim's id, or None if it was claimed before.

    Also None when the report was submitted meanwhile (between the scan and this claim).
    The INSERT relies on the unique constraint, so of two processes racing for one reminder
    exactly one gets a row back.
    """
    status = await session.exec(select(Report.status).where(Report.id == report_id))
    if status.first() not in OPEN_STATUSES:
        return None
    return await _claim(
        session, ReminderSent, {"report_id": report_id, "slot": slot, "person_id": person_id}, at
    )


async def _claim(session: AsyncSession, table: Any, unique: dict[str, object], at: datetime) -> int | None:
    """INSERT the claim row unless its unique columns exist already; its id, or None."""
    statement = (
        _insert(session, table)
        .values(**unique, status=ClaimStatus.CLAIMED.value, claimed_at=as_utc(at))
        .on_conflict_do_nothing(index_elements=list(unique))
        .returning(table.__table__.c.id)
    )
    result = await session.exec(statement)
    claim_id = result.scalar_one_or_none()
    return None if claim_id is None else int(claim_id)


# --- the digest --------------------------------------------------------------------------------
def reminder_key(*, report_id: int, slot: str, person_id: int) -> str:
    """The outbox dedupe key of one reminder; `_reminder_key_sql` spells the same in SQL."""
    return f"{OutboxKind.REMINDER.value}:{report_id}:{slot}:{person_id}"


def _reminder_key_sql() -> Any:
    return (
        literal(f"{OutboxKind.REMINDER.value}:")
        + cast(col(ReminderSent.report_id), String)
        + literal(":")
        + col(ReminderSent.slot)
        + literal(":")
        + cast(col(ReminderSent.person_id), String)
    )


def digest_key(*, round_id: int, key: str, person_id: int) -> str:
    return f"{OutboxKind.DIGEST.value}:{round_id}:{key}:{person_id}"


# The outbox row's state as the digest sees a claim (claims of the release before the outbox
# carry their own final status instead).
_FROM_OUTBOX = {
    OutboxStatus.PENDING.value: ClaimStatus.CLAIMED,
    OutboxStatus.SENDING.value: ClaimStatus.CLAIMED,
    OutboxStatus.SENT.value: ClaimStatus.SENT,
    OutboxStatus.BLOCKED.value: ClaimStatus.BLOCKED,
    OutboxStatus.FAILED.value: ClaimStatus.FAILED,
}


async def slot_outcome(
    *, session: AsyncSession, year: int, district_id: int, slot: str, stale_before: datetime
) -> SlotOutcome:
    """Each claimed reminder of the slot with its delivery state, read from its outbox row.

    A pending row (to be retried after a 429 or a network error) is in flight whatever its
    age; a row still ``sending`` after the stale cutoff is a send a crash interrupted.
    """
    result = await (await session.connection()).execute(
        sa_select(
            col(Agency.name),
            col(Person.display_name),
            col(ReminderSent.status),
            col(ReminderSent.claimed_at),
            col(OutboxMessage.status),
        )
        .join(Report, col(Report.id) == col(ReminderSent.report_id))
        .join(Agency, col(Agency.id) == col(Report.agency_id))
        .join(Person, col(Person.id) == col(ReminderSent.person_id))
        .outerjoin(OutboxMessage, col(OutboxMessage.dedupe_key) == _reminder_key_sql())
        .where(
            col(ReminderSent.slot) == slot, col(Report.year) == year, col(Agency.district_id) == district_id
        )
        .order_by(col(Agency.name), col(Person.id))
    )
    recipients: list[SlotRecipient] = []
    in_flight = unknown = 0
    for agency, person, status, claimed_at, delivery in result.all():
        claim = ClaimStatus(status) if delivery is None else _FROM_OUTBOX[delivery]
        claimed = as_utc(claimed_at)
        if delivery == OutboxStatus.PENDING.value or (
            claim is ClaimStatus.CLAIMED and claimed >= as_utc(stale_before)
        ):
            in_flight += 1
        elif claim is ClaimStatus.CLAIMED:
            unknown += 1
        recipients.append(SlotRecipient(agency, person, claim, claimed))
    return SlotOutcome(tuple(recipients), in_flight, unknown)


def _report_of(year: int) -> Any:
    """How an agency's report of ``year`` is (outer-)joined: an agency may have none yet."""
    return and_(col(Report.agency_id) == col(Agency.id), col(Report.year) == year)


def _open_or_missing() -> Any:
    return or_(col(Report.id).is_(None), col(Report.status).in_(OPEN_STATUSES))


async def missing_agencies(*, session: AsyncSession, year: int, district_id: int) -> tuple[list[str], int]:
    """The district's agencies whose report for ``year`` is not submitted, and its number of agencies."""
    result = await session.exec(
        select(Agency.name)
        .outerjoin(Report, _report_of(year))
        .where(_open_or_missing(), col(Agency.district_id) == district_id)
        .order_by(col(Agency.name))
    )
    total = await session.exec(
        select(func.count()).select_from(Agency).where(col(Agency.district_id) == district_id)
    )
    return list(result.all()), int(total.one())


async def unstaffed_agencies(*, session: AsyncSession, year: int, district_id: int) -> list[str]:
    """Agencies with an open (or no) report and nobody bound to them: the coordinator must invite."""
    has_staff = exists().where(col(Membership.agency_id) == col(Agency.id))
    result = await session.exec(
        select(Agency.name)
        .outerjoin(Report, _report_of(year))
        .where(_open_or_missing(), ~has_staff, col(Agency.district_id) == district_id)
        .order_by(col(Agency.name))
    )
    return list(result.all())


async def unreachable_people(
    *, session: AsyncSession, year: int, district_id: int, only_open: bool = True
) -> list[UnreachablePerson]:
    """People Telegram refused (403), per agency, for the round of ``year``.

    For the coordinator's dashboard: with ``only_open`` only agencies whose report is still
    not submitted, i.e. the people whose silence matters.
    """
    query = (
        sa_select(
            col(Person.id),
            col(Person.telegram_id),
            col(Person.display_name),
            col(Agency.id),
            col(Agency.name),
            col(Person.unreachable_since),
        )
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .join(Agency, col(Agency.id) == col(Membership.agency_id))
        .outerjoin(Report, _report_of(year))
        .where(col(Person.unreachable_since).is_not(None), col(Agency.district_id) == district_id)
        .order_by(col(Agency.name), col(Person.id))
    )
    if only_open:
        query = query.where(_open_or_missing())
    result = await (await session.connection()).execute(query)
    return [
        UnreachablePerson(person_id or 0, telegram_id, name, agency_id or 0, agency, as_utc(since))
        for person_id, telegram_id, name, agency_id, agency, since in result.all()
        if since is not None
    ]


async def reachable_coordinators(*, session: AsyncSession, district_id: int) -> Sequence[Person]:
    return await repo.coordinators(session=session, district_id=district_id, reachable_only=True)


async def claim_digest(
    *, session: AsyncSession, round_id: int, key: str, person_id: int, at: datetime
) -> int | None:
    return await _claim(
        session, ReminderDigest, {"round_id": round_id, "key": key, "person_id": person_id}, at
    )
