"""The hot path of a dialog turn, in SQLAlchemy Core: three reads, a few batched writes.

These functions take a synchronous `Connection`: `Database.run_transaction` runs the whole turn
in one hop (SQLite's own thread, or `run_sync` on PostgreSQL) instead of one await per statement.

Every message a person sends is one turn, so this is what a January peak multiplies. Loading
~200 answers as ORM objects and flushing them one by one cost ~10 ms a turn; plain rows and
`executemany` upserts keep a turn to a few statements. Semantics are those of the repository
functions it replaces for this path (`load_answers`, `previous_answers`, `write_answers`,
`save_position`): history is kept for every real change, nothing commits here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from dialogs.form import Form, Value
from storage.tables import Agency, Answer, AnswerChange, DialogPosition, Report, ReportStatus
from storage.values import decode_rows, encode

_report = Report.__table__  # type: ignore[attr-defined]
_agency = Agency.__table__  # type: ignore[attr-defined]
_answer = Answer.__table__  # type: ignore[attr-defined]
_change = AnswerChange.__table__  # type: ignore[attr-defined]
_position = DialogPosition.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class TurnData:
    report_id: int
    agency_id: int
    agency: str
    unit_kind: str
    year: int
    status: str
    position: dict[str, Any] | None
    stored: dict[str, str]
    """Answers as stored (text), to tell real changes apart."""
    answers: dict[str, Value]
    previous: dict[str, Value] | None


class _Statements:
    """Every statement of a turn, built once per dialect (building them costs more than running them)."""

    def __init__(self, dialect_name: str) -> None:
        self.head = (
            select(
                _report.c.agency_id,
                _report.c.year,
                _report.c.status,
                _agency.c.name,
                _agency.c.unit_kind,
                _position.c.state,
            )
            .select_from(
                _report.join(_agency, _agency.c.id == _report.c.agency_id).outerjoin(
                    _position,
                    and_(_position.c.report_id == _report.c.id, _position.c.person_id == bindparam("pid")),
                )
            )
            .where(_report.c.id == bindparam("rid"))
        )
        self.answers = select(_answer.c.key, _answer.c.value).where(_answer.c.report_id == bindparam("rid"))
        self.last_year = (
            select(_answer.c.key, _answer.c.value)
            .select_from(_answer.join(_report, _report.c.id == _answer.c.report_id))
            .where(_report.c.agency_id == bindparam("aid"), _report.c.year == bindparam("year"))
        )
        dialect = sqlite if dialect_name == "sqlite" else postgresql
        answer = dialect.insert(_answer)
        self.upsert_answer = answer.on_conflict_do_update(
            index_elements=["report_id", "key"],
            set_={name: getattr(answer.excluded, name) for name in ("value", "raw", "by_person_id", "at")},
        )
        position = dialect.insert(_position)
        self.upsert_position = position.on_conflict_do_update(
            index_elements=["person_id", "report_id"],
            set_={name: getattr(position.excluded, name) for name in ("state", "updated_at")},
        )
        self.delete_answers = delete(_answer).where(
            _answer.c.report_id == bindparam("rid"), _answer.c.key.in_(bindparam("keys", expanding=True))
        )
        self.insert_change = insert(_change)
        self.submit = (
            update(_report)
            .where(_report.c.id == bindparam("rid"))
            .values(
                status=ReportStatus.SUBMITTED.value,
                submitted_at=bindparam("at"),
                submitted_by=bindparam("by"),
            )
        )


@cache
def _statements(dialect_name: str) -> _Statements:
    return _Statements(dialect_name)


def load_turn(conn: Connection, form: Form, *, person_id: int, report_id: int) -> TurnData | None:
    sql = _statements(conn.dialect.name)
    head = conn.execute(sql.head, {"pid": person_id, "rid": report_id}).first()
    if head is None:
        return None
    agency_id, year, status, name, unit_kind, state = head
    rows = conn.execute(sql.answers, {"rid": report_id}).all()
    stored: dict[str, str] = {key: value for key, value in rows}  # noqa: C416  (Row to plain tuple)
    last_year = conn.execute(sql.last_year, {"aid": agency_id, "year": year - 1}).all()
    return TurnData(
        report_id=report_id,
        agency_id=agency_id,
        agency=name,
        unit_kind=unit_kind,
        year=year,
        status=status,
        position=json.loads(state) if state else None,
        stored=stored,
        answers=decode_rows(form, stored.items()),
        previous=decode_rows(form, last_year) or None,
    )


def save_turn(
    conn: Connection,
    data: TurnData,
    *,
    person_id: int,
    writes: Iterable[tuple[str, Value | None, str]],
    state: Mapping[str, Any],
    at: datetime,
    submitted: bool,
) -> None:
    sql = _statements(conn.dialect.name)
    upserts: list[dict[str, Any]] = []
    deletes: list[str] = []
    history: list[dict[str, Any]] = []
    current = dict(data.stored)
    for key, value, raw in writes:
        new = None if value is None else encode(value)
        old = current.get(key)
        if old == new:
            continue
        if new is None:
            deletes.append(key)
            current.pop(key, None)
        else:
            upserts.append(
                {
                    "report_id": data.report_id,
                    "key": key,
                    "value": new,
                    "raw": raw,
                    "by_person_id": person_id,
                    "at": at,
                }
            )
            current[key] = new
        history.append(
            {
                "report_id": data.report_id,
                "key": key,
                "old_value": old,
                "new_value": new,
                "raw": raw,
                "by_person_id": person_id,
                "at": at,
            }
        )
    if upserts:
        conn.execute(sql.upsert_answer, upserts)
    if deletes:
        conn.execute(sql.delete_answers, {"rid": data.report_id, "keys": deletes})
    if history:
        conn.execute(sql.insert_change, history)
    if data.position != state:
        text = json.dumps(state, ensure_ascii=False, sort_keys=True)
        conn.execute(
            sql.upsert_position,
            [{"person_id": person_id, "report_id": data.report_id, "state": text, "updated_at": at}],
        )
    if submitted:
        conn.execute(sql.submit, {"rid": data.report_id, "at": at, "by": person_id})
