"""The district's totals summed by the database: one GROUP BY over the handed-in reports' answers.

`dialogs.aggregate.district_draft` makes the same draft in Python from answers already read (the
export, which reads them all anyway to render each report). Asking for the totals alone should not
read a province's 700,000 answers into Python: here the database adds the counts up and returns
one row per cell; only the two amount cells (the fees, exact decimals) come back per
report and are added as `Decimal`, which SQLite's REAL arithmetic would not keep exact.

The same rules as `district_draft`: only handed-in reports (`dialogs.lifecycle.FINISHED`), a
department's regulations cells count 0 (kept, so an answered row stays present), a stored value
that is not a number is not added.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger, and_, case, cast, func
from sqlalchemy import select as sa_select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from dialogs.aggregate import DistrictDraft, regulation_keys
from dialogs.form import Form, UnitKind, Value, ValueKind
from dialogs.lifecycle import FINISHED
from storage.tables import Agency, Answer, Report, core_table

__all__ = ["HandedIn", "district_totals"]

_answer = core_table(Answer)
_FINISHED = tuple(sorted(s.value for s in FINISHED))


@dataclass(frozen=True, slots=True)
class HandedIn:
    draft: DistrictDraft
    report_ids: tuple[int, ...]
    """The handed-in reports summed, in the order of `draft.included`."""


def _is_whole_number(value: Any) -> Any:
    """SQL: the stored text is ASCII digits only (what `decode_rows` reads as a count), short
    enough for a BIGINT. `ltrim` with a set of characters, the same on SQLite and PostgreSQL,
    and cheaper than a regular expression (SQLite's REGEXP would call back into Python)."""
    return and_(value != "", func.length(value) <= 18, func.ltrim(value, "0123456789") == "")


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


async def district_totals(*, session: AsyncSession, form: Form, year: int, district_id: int) -> HandedIn:
    """The district's draft for `year`: every numeric cell summed over the handed-in reports, the
    agencies included (by agency id, as the export lists them) and those missing (by name)."""
    counts = [f.key for f in form.all_fields() if f.kind is ValueKind.COUNT]
    amounts = [f.key for f in form.all_fields() if f.kind is ValueKind.AMOUNT]
    regulations = list(regulation_keys(form))
    connection = await session.connection()

    in_district = and_(
        col(Report.year) == year, col(Agency.district_id) == district_id, col(Report.status).in_(_FINISHED)
    )
    agencies = await connection.execute(
        sa_select(col(Agency.id), col(Agency.name), col(Report.id), col(Report.status))
        .select_from(Agency)
        .outerjoin(Report, and_(col(Report.agency_id) == col(Agency.id), col(Report.year) == year))
        .where(col(Agency.district_id) == district_id)
        .order_by(col(Agency.id), col(Report.id))
    )
    names: dict[int | None, str] = {}
    handed_in: list[tuple[int, str]] = []
    for agency_id, name, report_id, status in agencies.all():
        names.setdefault(agency_id, name)
        if report_id is not None and status in _FINISHED:
            handed_in.append((report_id, name))

    counted_zero = and_(col(Agency.unit_kind) != UnitKind.GOVERNMENT.value, _answer.c.key.in_(regulations))
    value = _answer.c.value
    summed = func.sum(case((counted_zero, 0), else_=cast(value, BigInteger)))
    count_rows = await connection.execute(
        sa_select(_answer.c.key, summed)
        .join(Report, col(Report.id) == _answer.c.report_id)
        .join(Agency, col(Agency.id) == col(Report.agency_id))
        .where(in_district, _answer.c.key.in_(counts), _is_whole_number(value))
        .group_by(_answer.c.key)
    )
    totals: dict[str, Value] = {key: int(total) for key, total in count_rows.all()}

    amount_rows = await connection.execute(
        sa_select(_answer.c.key, value)
        .join(Report, col(Report.id) == _answer.c.report_id)
        .join(Agency, col(Agency.id) == col(Report.agency_id))
        .where(in_district, _answer.c.key.in_(amounts))
    )
    amount_totals: dict[str, Decimal] = {}
    for key, text in amount_rows.all():
        number = _decimal(text)
        if number is not None:
            amount_totals[key] = amount_totals.get(key, Decimal(0)) + number
    totals.update(amount_totals)

    included = tuple(name for _, name in handed_in)
    done = set(included)
    return HandedIn(
        draft=DistrictDraft(
            answers=totals,
            included=included,
            missing=tuple(name for name in dict.fromkeys(sorted(names.values())) if name not in done),
        ),
        report_ids=tuple(report_id for report_id, _ in handed_in),
    )
