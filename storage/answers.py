"""The one way answers are written: upserts, deletions and their history, in batches.

A dialog turn (storage/turn_store.py) and an import (storage/repositories.write_answers) both
call `write_answers`: every real change of an answer becomes one `answer_change` row (who,
when, old, new, the raw text) whoever makes it. It runs on a synchronous `Connection` inside
the caller's transaction and commits nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from dialogs.form import Value
from storage.tables import Answer, AnswerChange, core_table
from storage.values import encode

__all__ = ["Written", "write_answers"]

_answer = core_table(Answer)
_change = core_table(AnswerChange)


@dataclass(frozen=True, slots=True)
class Written:
    stored: dict[str, str]
    """The report's answers as stored text after the writes."""
    changed: tuple[str, ...]
    """The keys whose value changed (each has a history row)."""
    rows: int
    """Answer rows inserted, updated or deleted (each moves the report's revision by one)."""


class _Statements:
    def __init__(self, dialect_name: str) -> None:
        dialect = sqlite if dialect_name == "sqlite" else postgresql
        answer = dialect.insert(_answer)
        self.upsert = answer.on_conflict_do_update(
            index_elements=["report_id", "key"],
            set_={name: getattr(answer.excluded, name) for name in ("value", "raw", "by_person_id", "at")},
        )
        self.delete = delete(_answer).where(
            _answer.c.report_id == bindparam("rid"), _answer.c.key.in_(bindparam("keys", expanding=True))
        )
        self.history = insert(_change)


@cache
def _statements(dialect_name: str) -> _Statements:
    return _Statements(dialect_name)


def write_answers(
    conn: Connection,
    *,
    report_id: int,
    stored: Mapping[str, str],
    writes: Iterable[tuple[str, Value | None, str]],
    by: int | None,
    at: datetime,
) -> Written:
    """Write `writes` (value None deletes) over `stored`, the report's answers as they are now
    (at least every key written). A key written twice counts with its last value."""
    final: dict[str, tuple[str | None, str]] = {}
    for key, value, raw in writes:
        final[key] = (None if value is None else encode(value), raw)
    after = dict(stored)
    upserts: list[dict[str, Any]] = []
    deletes: list[str] = []
    history: list[dict[str, Any]] = []
    for key, (new, raw) in final.items():
        old = after.get(key)
        if old == new:
            continue
        if new is None:
            deletes.append(key)
            del after[key]
        else:
            upserts.append(
                {"report_id": report_id, "key": key, "value": new, "raw": raw, "by_person_id": by, "at": at}
            )
            after[key] = new
        history.append(
            {
                "report_id": report_id,
                "key": key,
                "old_value": old,
                "new_value": new,
                "raw": raw,
                "by_person_id": by,
                "at": at,
            }
        )
    sql = _statements(conn.dialect.name)
    if upserts:
        conn.execute(sql.upsert, upserts)
    if deletes:
        conn.execute(sql.delete, {"rid": report_id, "keys": deletes})
    if history:
        conn.execute(sql.history, history)
    return Written(after, tuple(h["key"] for h in history), len(upserts) + len(deletes))
