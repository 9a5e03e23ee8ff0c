"""The district's totals summed by the database equal the Python draft of the same reports."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from dialogs.aggregate import UnitTables, district_draft, regulation_keys
from dialogs.form import Form, UnitKind, Value, ValueKind
from dialogs.lifecycle import Status
from storage import districts
from storage import repositories as repo
from storage.db import Database
from storage.district_totals import district_totals
from tests.helpers.district_units import district_units

YEAR = 2025
T0 = datetime(2026, 1, 10, 2, 0, tzinfo=UTC)
# Handed in, handed in, still open: every third unit's report is not summed.
STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.DRAFT, Status.RETURNED)


async def _store(
    db: Database, district_id: int, unit: UnitTables, *, year: int, status: Status, extra: dict[str, Value]
) -> int:
    async with db.session() as s:
        agency = await repo.create_agency(
            session=s, name=unit.agency, unit=unit.kind, district_id=district_id
        )
        report = await repo.report_for(session=s, agency_id=agency.id or 0, year=year)
        assert report is not None
        assert report.id is not None
        answers = {**unit.answers, **extra}
        await repo.write_answers(
            session=s,
            report_id=report.id,
            writes=[(k, v, str(v)) for k, v in answers.items()],
            by=None,
            at=T0,
        )
        report.status = status.value
        s.add(report)
        return report.id


async def test_the_database_sums_what_the_python_draft_sums(db: Database, form: Form) -> None:
    units = district_units(form, 24, seed=41)
    async with db.session() as s:
        home = await districts.create_district(session=s, name="甲区")
        other = await districts.create_district(session=s, name="乙区")
    finished: list[UnitTables] = []
    regulations = regulation_keys(form)[0]
    for number, unit in enumerate(units):
        status = STATUSES[number % len(STATUSES)]
        # A cell stored as text that is not a number (an old import) is not added, in both.
        extra: dict[str, Value] = {"t3.new.natural_person": "不详"} if number == 5 else {}
        if status is Status.SUBMITTED:
            # Regulations entered by every unit: only a government's are added in.
            extra[regulations] = 7
        await _store(db, home.id or 0, unit, year=YEAR, status=status, extra=extra)
        if status in (Status.SUBMITTED, Status.ACCEPTED):
            answers = {**unit.answers, **extra}
            finished.append(UnitTables(unit.agency, unit.kind, answers))
    # Another district's and another year's handed-in reports are not this year's district's.
    stranger = district_units(form, 1, seed=99)[0]
    await _store(db, other.id or 0, stranger, year=YEAR, status=Status.SUBMITTED, extra={})
    async with db.session() as s:
        agency = await repo.create_agency(
            session=s, name="甲区往年单位", unit=UnitKind.DEPARTMENT, district_id=home.id
        )
        old = await repo.report_for(session=s, agency_id=agency.id or 0, year=YEAR - 1)
        assert old is not None
        assert old.id is not None
        await repo.write_answers(
            session=s, report_id=old.id, writes=[("t3.new.natural_person", 999, "999")], by=None, at=T0
        )
        old.status = Status.ACCEPTED.value
        s.add(old)

    async with db.session() as s:
        found = await district_totals(session=s, form=form, year=YEAR, district_id=home.id or 0)

    names = sorted([u.agency for u in units] + ["甲区往年单位"])
    expected = district_draft(form, names, finished)
    assert found.draft.answers == expected.answers
    assert found.draft.included == expected.included
    assert found.draft.missing == expected.missing
    assert len(found.report_ids) == len(finished) == 12
    # Counts are integers, the fees exact decimals (SQLite's REAL sum would not be).
    kinds = {k: form.field(k).kind for k in found.draft.answers}
    assert all(type(v) is int for k, v in found.draft.answers.items() if kinds[k] is ValueKind.COUNT)
    fees = [v for k, v in found.draft.answers.items() if kinds[k] is ValueKind.AMOUNT]
    assert len(fees) == 2
    assert all(type(v) is Decimal for v in fees)
    assert found.draft.answers["t2.fees.amount"] == sum(
        (Decimal(u.answers["t2.fees.amount"]) for u in finished if "t2.fees.amount" in u.answers), Decimal(0)
    )
    # A department's regulations count 0, a government's count.
    governments = [u for u in finished if u.kind is UnitKind.GOVERNMENT and u.answers.get(regulations) == 7]
    departments = [u for u in finished if u.kind is UnitKind.DEPARTMENT and u.answers.get(regulations) == 7]
    assert governments
    assert departments
    every_government = [u for u in finished if u.kind is UnitKind.GOVERNMENT]
    assert found.draft.answers[regulations] == sum(
        int(u.answers.get(regulations, 0)) for u in every_government
    )


async def test_a_year_nobody_handed_in_has_no_totals(db: Database, form: Form) -> None:
    async with db.session() as s:
        home = await districts.create_district(session=s, name="丙区")
    unit = district_units(form, 1, seed=3)[0]
    await _store(db, home.id or 0, unit, year=YEAR, status=Status.DRAFT, extra={})
    async with db.session() as s:
        found = await district_totals(session=s, form=form, year=YEAR, district_id=home.id or 0)
    assert found.draft.answers == {}
    assert found.draft.included == ()
    assert found.draft.missing == (unit.agency,)
