"""The hot path of a dialog turn, in SQLAlchemy Core: one to four reads, a few batched writes.

These functions take a synchronous `Connection`: `Database.run_transaction` runs the whole turn
in one hop (SQLite's own thread, or `run_sync` on PostgreSQL) instead of one await per statement.

Every message a person sends is one turn, so this is what a January peak multiplies. Loading
~200 answers as ORM objects and flushing them one by one cost ~10 ms a turn; plain rows and
`executemany` upserts keep a turn to a few statements. Semantics are those of the repository
functions it replaces for this path (`load_answers`, `previous_answers`, `write_answers`,
`save_position`): history is kept for every real change, nothing commits here.

Between turns a report's decoded answers (and last year's) stay in an `AnswerCache`, reused
while the report's `revision` — counted up by database triggers on every change to its answers,
whoever makes it (migration 0003) — is the one they were read or written at. A turn then reads
one row instead of every answer of two reports. Entries are stored only once their transaction
has committed, and only with a revision no later than the database's, so a stale copy is never
taken for a current one: revisions only grow.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from dialogs.engine import Confirmation
from dialogs.form import Form, Value
from dialogs.lifecycle import Action, Actor, Denied
from storage.access import Caller
from storage.answers import write_answers
from storage.status import change_status
from storage.tables import (
    ActiveReport,
    Agency,
    Answer,
    DialogPosition,
    Membership,
    Person,
    Report,
    core_table,
)
from storage.values import decode, decode_rows

_report = core_table(Report)
_agency = core_table(Agency)
_answer = core_table(Answer)
_position = core_table(DialogPosition)
_person = core_table(Person)
_active = core_table(ActiveReport)
_member = core_table(Membership)
_last_year = _report.alias("last_year")


@dataclass(frozen=True, slots=True)
class Head:
    """A report's own row, its agency and one person's dialog position in it."""

    report_id: int
    agency_id: int
    agency: str
    unit_kind: str
    year: int
    status: str
    position: dict[str, Any] | None
    revision: int
    last_year_id: int | None
    last_year_revision: int | None


@dataclass(frozen=True, slots=True)
class Cached:
    """A report's answers at one revision: as stored (text) and decoded. Never mutated."""

    report_id: int
    revision: int
    stored: Mapping[str, str]
    answers: Mapping[str, Value]


class AnswerCache:
    """The answers of the reports used lately, each valid for the revision it was read at."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._entries: OrderedDict[int, Cached] = OrderedDict()

    def get(self, report_id: int, revision: int) -> Cached | None:
        entry = self._entries.get(report_id)
        if entry is None or entry.revision != revision:
            return None
        self._entries.move_to_end(report_id)
        return entry

    def put(self, entries: Iterable[Cached]) -> None:
        """Only for entries whose transaction has committed."""
        for entry in entries:
            self._entries[entry.report_id] = entry
            self._entries.move_to_end(entry.report_id)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(frozen=True, slots=True)
class Submission:
    """What a submitting turn hands in besides its answers: the warnings it confirmed."""

    confirmations: tuple[Confirmation, ...] = ()


@dataclass(frozen=True, slots=True)
class TurnData:
    head: Head
    current: Cached
    """The report's answers at the revision read under this turn's lock of the report."""
    previous: Mapping[str, Value] | None
    read: tuple[Cached, ...]
    """What this turn read from the database, for the cache once the turn has committed."""

    @property
    def answers(self) -> Mapping[str, Value]:
        return self.current.answers


_HEAD_COLUMNS = (
    _report.c.id,
    _report.c.agency_id,
    _report.c.year,
    _report.c.status,
    _agency.c.name,
    _agency.c.unit_kind,
    _position.c.state,
    _report.c.revision,
    _last_year.c.id,
    _last_year.c.revision,
)


def _with_last_year(joined: Any) -> Any:
    return joined.outerjoin(
        _last_year,
        and_(_last_year.c.agency_id == _report.c.agency_id, _last_year.c.year == _report.c.year - 1),
    )


class _Statements:
    """Every statement of a turn, built once per dialect (building them costs more than running them)."""

    def __init__(self, dialect_name: str) -> None:
        # PostgreSQL: a turn's report row is locked as it is read (FOR UPDATE OF report). Every
        # change to its answers updates that row (the revision triggers), so concurrent turns and
        # other writers of the same report wait for this one: reads, engine and writes are one
        # step, as SQLite's BEGIN IMMEDIATE makes them there.
        self.locks = dialect_name == "postgresql"
        head = (
            select(*_HEAD_COLUMNS)
            .select_from(
                _with_last_year(
                    _report.join(_agency, _agency.c.id == _report.c.agency_id).outerjoin(
                        _position,
                        and_(
                            _position.c.report_id == _report.c.id, _position.c.person_id == bindparam("pid")
                        ),
                    )
                )
            )
            .where(_report.c.id == bindparam("rid"))
        )
        self.head = head.with_for_update(of=_report) if self.locks else head
        # Who wrote (a `storage.access.Caller`) and the head of their active report,
        # in one query: the Telegram path's permission check and its turn share a transaction.
        # Locking needs the report on the inner side of the joins: `caller_head_locked` finds
        # people with an active report, `caller_head` everyone (nothing to lock without one).
        caller_columns = (
            _person.c.id,
            _person.c.is_coordinator,
            _person.c.unreachable_since,
            _member.c.agency_id,
            *_HEAD_COLUMNS,
        )

        def with_member_and_position(joined: Any) -> Any:
            return _with_last_year(
                joined.outerjoin(
                    _member,
                    and_(_member.c.person_id == _person.c.id, _member.c.agency_id == _report.c.agency_id),
                ).outerjoin(
                    _position,
                    and_(_position.c.report_id == _report.c.id, _position.c.person_id == _person.c.id),
                )
            )

        def caller_head(*, outer: bool) -> Any:
            joined: Any = _person
            for table, on in (
                (_active, _active.c.person_id == _person.c.id),
                (_report, _report.c.id == _active.c.report_id),
                (_agency, _agency.c.id == _report.c.agency_id),
            ):
                joined = joined.join(table, on, isouter=outer)
            return (
                select(*caller_columns)
                .select_from(with_member_and_position(joined))
                .where(_person.c.telegram_id == bindparam("tid"))
            )

        self.caller_head = caller_head(outer=True)
        self.caller_head_locked = caller_head(outer=False).with_for_update(of=_report)
        self.reachable = (
            update(_person).where(_person.c.id == bindparam("pid")).values(unreachable_since=None)
        )
        self.answers = select(_answer.c.key, _answer.c.value).where(_answer.c.report_id == bindparam("rid"))
        dialect = sqlite if dialect_name == "sqlite" else postgresql
        position = dialect.insert(_position)
        self.upsert_position = position.on_conflict_do_update(
            index_elements=["person_id", "report_id"],
            set_={name: getattr(position.excluded, name) for name in ("state", "updated_at")},
        )


@cache
def _statements(dialect_name: str) -> _Statements:
    return _Statements(dialect_name)


def _head(row: Sequence[Any]) -> Head | None:
    report_id, agency_id, year, status, name, unit_kind, state, revision, last_id, last_revision = row
    if report_id is None:
        return None
    return Head(
        report_id=report_id,
        agency_id=agency_id,
        agency=name,
        unit_kind=unit_kind,
        year=year,
        status=status,
        position=json.loads(state) if state else None,
        revision=revision,
        last_year_id=last_id,
        last_year_revision=last_revision,
    )


def load_turn(
    conn: Connection, form: Form, cache: AnswerCache, *, person_id: int, report_id: int
) -> TurnData | None:
    row = conn.execute(_statements(conn.dialect.name).head, {"pid": person_id, "rid": report_id}).first()
    head = None if row is None else _head(row)
    return None if head is None else load_answers(conn, form, cache, head)


def load_caller(conn: Connection, telegram_id: int) -> tuple[Caller | None, Head | None]:
    """Who has this Telegram id, and the head of their active report (if any), in one query
    (on PostgreSQL with that report locked, so the head is read under the turn's lock).

    Every permission check of the bot reads its caller here; a person marked unreachable is
    marked reachable again (they just wrote to us).
    """
    sql = _statements(conn.dialect.name)
    row = _caller_row(conn, sql, telegram_id)
    if row is None:
        return None, None
    person_id, is_coordinator, unreachable_since, member_agency = row[:4]
    head = _head(row[4:])
    if unreachable_since is not None:
        conn.execute(sql.reachable, {"pid": person_id})
    who = Caller(
        person_id=person_id,
        telegram_id=telegram_id,
        is_coordinator=bool(is_coordinator),
        active_report_id=None if head is None else head.report_id,
        is_member_of_active=member_agency is not None,
        is_unreachable=unreachable_since is not None,
    )
    return who, head


def _answers_at(
    conn: Connection, form: Form, cache: AnswerCache, report_id: int, revision: int, read: list[Cached]
) -> Cached:
    """A report's answers at `revision`, from the cache or else from the database."""
    entry = cache.get(report_id, revision)
    if entry is None:
        rows = conn.execute(_statements(conn.dialect.name).answers, {"rid": report_id}).all()
        stored: dict[str, str] = {key: value for key, value in rows}  # noqa: C416  (Row to plain tuple)
        # Tagged with the revision read in the head: at worst older than these answers (another
        # process committed in between on PostgreSQL), which only makes the next turn read again.
        entry = Cached(report_id, revision, stored, decode_rows(form, stored.items()))
        read.append(entry)
    return entry


def _caller_row(conn: Connection, sql: _Statements, telegram_id: int) -> Any:
    if not sql.locks:
        return conn.execute(sql.caller_head, {"tid": telegram_id}).first()
    while True:
        row = conn.execute(sql.caller_head_locked, {"tid": telegram_id}).first()
        if row is not None:
            return row
        row = conn.execute(sql.caller_head, {"tid": telegram_id}).first()
        if row is None or row[4] is None:
            return row  # nobody, or nobody with an active report: nothing to lock
        # An active report was set between the two reads: read it again, locked.


def load_answers(conn: Connection, form: Form, cache: AnswerCache, head: Head) -> TurnData:
    """The rest of a turn's state: this report's answers and last year's."""
    read: list[Cached] = []
    current = _answers_at(conn, form, cache, head.report_id, head.revision, read)
    previous = None
    if head.last_year_id is not None and head.last_year_revision is not None:
        previous = _answers_at(conn, form, cache, head.last_year_id, head.last_year_revision, read).answers
    return TurnData(
        head=head,
        current=current,
        previous=previous or None,
        read=tuple(read),
    )


def save_turn(
    conn: Connection,
    form: Form,
    data: TurnData,
    *,
    person_id: int,
    writes: Iterable[tuple[str, Value | None, str]],
    state: Mapping[str, Any],
    at: datetime,
    submission: Submission | None = None,
) -> Cached | None:
    """Writes what changed (and submits, when `submission` is given); returns the report's
    answers as they now are, for the cache once committed (None when no answer changed)."""
    sql = _statements(conn.dialect.name)
    report_id = data.head.report_id
    written = write_answers(
        conn, report_id=report_id, stored=data.current.stored, writes=writes, by=person_id, at=at
    )
    answers = dict(data.current.answers)
    for key in written.changed:
        new = written.stored.get(key)
        if new is None:
            answers.pop(key, None)
        else:
            answers[key] = decode(form, key, new)
    if data.head.position != state:
        text = json.dumps(state, ensure_ascii=False, sort_keys=True)
        conn.execute(
            sql.upsert_position,
            [{"person_id": person_id, "report_id": report_id, "state": text, "updated_at": at}],
        )
    if submission is not None:
        changed = change_status(
            conn,
            report_id=report_id,
            action=Action.SUBMIT,
            actor=Actor.STAFF,
            by=person_id,
            at=at,
            confirmations=submission.confirmations,
        )
        if isinstance(changed, Denied):  # the engine submits only what the lifecycle lets it
            raise RuntimeError(f"report {report_id}: submission denied from {changed.status}")
    if not written.changed:
        return None
    # One trigger per row written, and the report was ours alone since its revision was read
    # (BEGIN IMMEDIATE / FOR UPDATE): this is the revision the commit leaves it at.
    return Cached(report_id, data.current.revision + written.rows, written.stored, answers)
