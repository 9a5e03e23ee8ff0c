"""SQLModel tables: everything that must survive a restart.

Datetimes are stored timezone-aware in UTC; conversion to the local zone happens only for
display and deadline arithmetic. The schema is created by Alembic migrations
(storage/migrations), never by `create_all`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sql_false
from sqlalchemy import text as sql_text
from sqlmodel import Field, SQLModel

from dialogs.lifecycle import Status


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """The moment in UTC, as everything is stored: SQLite hands back naive datetimes (UTC), and it
    stores no offset, so an aware datetime in another zone is converted before it is written."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def core_table(model: type[SQLModel]) -> Table:
    """The Core table of a table model, for statements written around the ORM (SQLModel's classes
    do not declare `__table__` to mypy)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _ts(*, nullable: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable)


# The report's states are the lifecycle's (dialogs/lifecycle.py): one enum, one transition table.
ReportStatus = Status


class Role(StrEnum):
    STAFF = "staff"
    COORDINATOR = "coordinator"


class District(SQLModel, table=True):
    """A district whose disclosure office runs its own rounds: agencies, rounds and exports belong to one."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class DistrictCoordinator(SQLModel, table=True):
    """Who coordinates which district (the configured admins coordinate every one)."""

    __tablename__ = "district_coordinator"

    person_id: int = Field(sa_column=Column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True))
    district_id: int = Field(
        sa_column=Column(ForeignKey("district.id", ondelete="CASCADE"), primary_key=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Agency(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    unit_kind: str = Field(max_length=20)
    district_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("district.id", ondelete="CASCADE"), nullable=True)
    )
    """Always set by the repositories (None only in rows written before districts existed)."""
    contact: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int | None = Field(default=None, sa_column=Column(BigInteger, unique=True, nullable=True))
    local_name: str | None = Field(default=None, max_length=100, unique=True)
    """The operating-system user of a terminal session (terminal mode has no Telegram id)."""
    display_name: str = Field(default="", max_length=200)
    is_coordinator: bool = Field(default=False)
    is_admin: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=sql_false())
    )
    """One of NIANBAO_ADMINS: coordinates every district and may create districts."""
    district_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("district.id", ondelete="SET NULL"), nullable=True)
    )
    """The district a coordinator of several picked last (/district)."""
    pending_return_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("report.id", ondelete="SET NULL"), nullable=True)
    )
    """The report whose return button a coordinator pressed: their next reply is the comment."""
    unreachable_since: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    """Set when Telegram answered 403 (the person blocked the bot); cleared when they write again."""
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Membership(SQLModel, table=True):
    """Who may see and fill which agency's report."""

    # The reminder scan joins agencies to their staff (storage/reminders.py).
    __table_args__ = (Index("ix_membership_agency_id", "agency_id"),)

    person_id: int = Field(sa_column=Column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True))
    agency_id: int = Field(sa_column=Column(ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class ReportingRound(SQLModel, table=True):
    __tablename__ = "reporting_round"
    __table_args__ = (UniqueConstraint("district_id", "year", name="uq_reporting_round_district_year"),)

    id: int | None = Field(default=None, primary_key=True)
    district_id: int = Field(sa_column=Column(ForeignKey("district.id", ondelete="CASCADE"), nullable=False))
    year: int
    deadline: date
    reminder_plan: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    """JSON: the reminder ladder (None = the default ladder)."""
    created_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Report(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("agency_id", "year"),
        Index("ix_report_year_status", "year", "status"),  # the reminder scan: a year's open reports
    )

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(
        sa_column=Column(ForeignKey("agency.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    year: int
    round_id: int | None = Field(default=None, foreign_key="reporting_round.id", ondelete="SET NULL")
    status: str = Field(default=ReportStatus.DRAFT.value, max_length=20)
    form_version: str = Field(default="2021", max_length=10)
    source: str = Field(default="dialog", max_length=20)
    """'dialog' (filled in nianbao) or 'import' (read from a published document)."""
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    submitted_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    submitted_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    revision: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    """Counted up by database triggers on every change to the report's answers (migration 0003)."""


class Answer(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("report_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(
        sa_column=Column(ForeignKey("report.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    key: str = Field(max_length=80)
    value: str = Field(sa_column=Column(Text, nullable=False))
    raw: str = Field(default="", sa_column=Column(Text, nullable=False))
    by_person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class AnswerChange(SQLModel, table=True):
    """Every change of an answer, oldest first: who, when, from what to what."""

    __tablename__ = "answer_change"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(
        sa_column=Column(ForeignKey("report.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    key: str = Field(max_length=80)
    old_value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    new_value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    raw: str = Field(default="", sa_column=Column(Text, nullable=False))
    by_person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class StatusChange(SQLModel, table=True):
    """Every move of a report through its lifecycle (dialogs/lifecycle.py): who, when, why."""

    __tablename__ = "status_change"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(
        sa_column=Column(ForeignKey("report.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    from_status: str = Field(max_length=20)
    to_status: str = Field(max_length=20)
    action: str = Field(max_length=30)
    by_person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    """A coordinator's comment on a return or a reopening; staff see it when they open the report."""


class Confirmation(SQLModel, table=True):
    """A warning the submitter confirmed (and explained) at a submission."""

    __table_args__ = (Index("ix_confirmation_report_id", "report_id"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(sa_column=Column(ForeignKey("report.id", ondelete="CASCADE"), nullable=False))
    submission_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("status_change.id", ondelete="CASCADE"), nullable=True),
    )
    """The submission (a status change) it was confirmed at; None when migrated from before 0005."""
    rule_id: str = Field(max_length=80)
    finding_ref: str = Field(max_length=400)
    message: str = Field(sa_column=Column(Text, nullable=False))
    explanation: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    by_person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class DialogPosition(SQLModel, table=True):
    """Where one person is in one report's dialog (the engine's DialogState as JSON)."""

    __tablename__ = "dialog_position"

    person_id: int = Field(sa_column=Column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True))
    report_id: int = Field(sa_column=Column(ForeignKey("report.id", ondelete="CASCADE"), primary_key=True))
    state: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class ActiveReport(SQLModel, table=True):
    """The report a person is currently filling (a person may fill for several agencies)."""

    __tablename__ = "active_report"

    person_id: int = Field(sa_column=Column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True))
    report_id: int = Field(sa_column=Column(ForeignKey("report.id", ondelete="CASCADE"), nullable=False))


class Invite(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    """SHA-256 of the token; the token itself is never stored."""
    agency_id: int | None = Field(default=None, foreign_key="agency.id", ondelete="CASCADE")
    district_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("district.id", ondelete="CASCADE"), nullable=True)
    )
    """A coordinator invite's district (a staff invite's is its agency's)."""
    role: str = Field(default=Role.STAFF.value, max_length=20)
    created_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    used_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    used_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class InviteAttempt(SQLModel, table=True):
    """A `/start <token>` whose token was refused: the brute-force limit counts these per person."""

    __tablename__ = "invite_attempt"
    __table_args__ = (Index("ix_invite_attempt_telegram_id_at", "telegram_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    at: datetime = Field(sa_column=_ts())


class ReminderSent(SQLModel, table=True):
    """One reminder slot for one person about one report, claimed before it is sent."""

    __tablename__ = "reminder_sent"
    __table_args__ = (
        UniqueConstraint("report_id", "slot", "person_id"),
        Index("ix_reminder_sent_slot_status", "slot", "status"),  # the digest of one slot
    )

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(
        sa_column=Column(ForeignKey("report.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    slot: str = Field(max_length=40)
    person_id: int = Field(sa_column=Column(ForeignKey("person.id", ondelete="CASCADE"), nullable=False))
    status: str = Field(default="claimed", max_length=20)
    """Final (sent | blocked | failed) only for claims made before the outbox; since migration 0004
    a claim stays "claimed" and its delivery is the state of its outbox row (storage/reminders.py)."""
    claimed_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class ReminderDigest(SQLModel, table=True):
    """One coordinator digest (per round × digest point × coordinator), claimed before it is sent."""

    __tablename__ = "reminder_digest"
    __table_args__ = (UniqueConstraint("round_id", "key", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(
        sa_column=Column(ForeignKey("reporting_round.id", ondelete="CASCADE"), nullable=False)
    )
    key: str = Field(max_length=40)
    person_id: int = Field(sa_column=Column(ForeignKey("person.id", ondelete="CASCADE"), nullable=False))
    status: str = Field(default="claimed", max_length=20)
    claimed_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"


class OutboxKind(StrEnum):
    """What an unprompted message is; the dedupe key's first part says the same."""

    REMINDER = "reminder"
    DIGEST = "digest"
    SUBMISSION_SUMMARY = "submission_summary"
    RETURNED_NOTICE = "returned_notice"


class OutboxMessage(SQLModel, table=True):
    """One message to one chat that nobody asked for at that moment (storage/outbox.py).

    pending → sending → sent | blocked | failed; a 429 or a network error puts it back to
    pending with a later ``not_before``. ``dedupe_key`` is unique: enqueueing the same message
    twice inserts it once.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        # Only pending rows are ever looked for by time (migration 0004 makes it a partial index).
        Index(
            "ix_outbox_due",
            "not_before",
            "id",
            sqlite_where=sql_text("status = 'pending'"),
            postgresql_where=sql_text("status = 'pending'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: str = Field(max_length=40)
    text: str = Field(sa_column=Column(Text, nullable=False))
    buttons: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    """JSON: rows of [label, callback data]; None for a message without a keyboard."""
    dedupe_key: str = Field(max_length=200, unique=True)
    status: str = Field(default=OutboxStatus.PENDING.value, max_length=20)
    attempts: int = Field(default=0)
    not_before: datetime = Field(default_factory=utcnow, sa_column=_ts())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    claimed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class InboxUpdate(SQLModel, table=True):
    """One update Telegram posted to a webhook, stored before the post is answered (storage/inbox.py).

    Several webhook processes may receive the updates of one chat; each chat's updates are handled
    in ``update_id`` order by one process at a time. ``handled_at`` is set when handling starts:
    an update is handled at most once, and one received but not yet started survives any crash.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        # Only unhandled rows are looked for, by chat and in order (migration 0008: partial index).
        Index(
            "ix_inbox_waiting",
            "chat_id",
            "update_id",
            sqlite_where=sql_text("handled_at IS NULL"),
            postgresql_where=sql_text("handled_at IS NULL"),
        ),
    )

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    """The chat (or, for an update without one, the user; 0 for neither): the unit of ordering."""
    payload: str = Field(sa_column=Column(Text, nullable=False))
    """The update as Telegram sent it (JSON)."""
    received_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    handled_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class SendRate(SQLModel, table=True):
    """The Bot API send rate shared by every process on one PostgreSQL (bot/services/send_rate.py).

    One row: ``next_at`` is the earliest moment the next message may leave (a GCRA's theoretical
    arrival time); each process moves it forward by the messages it is about to send.
    """

    __tablename__ = "send_rate"

    id: int = Field(default=1, primary_key=True)
    next_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
