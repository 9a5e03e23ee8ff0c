"""Storage against SQLite and a real PostgreSQL: migrations, answers with history, positions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from dialogs.form import Form, UnitKind
from dialogs.lifecycle import Action, Actor, Denied
from storage import access
from storage import repositories as repo
from storage.db import Database
from storage.tables import ReminderSent
from tests.helpers.databases import upgraded_from

T0 = datetime(2025, 1, 5, 1, 0, tzinfo=UTC)


async def _report(db: Database, name: str = "测试区行政审批局", year: int = 2024) -> tuple[int, int, int]:
    async with db.session() as s:
        agency = await repo.create_agency(session=s, name=name, unit=UnitKind.DEPARTMENT)
        person = await repo.local_person(session=s, local_name="clerk")
        report = await repo.report_for(session=s, agency_id=agency.id or 0, year=year)
        assert report is not None
        return agency.id or 0, person.id or 0, report.id or 0


async def test_migrations_create_every_table(db: Database) -> None:
    async with db.engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert {"agency", "person", "report", "answer", "answer_change", "dialog_position", "invite"} <= names
    assert {"reminder_sent", "reporting_round", "membership", "alembic_version"} <= names


async def test_upgrade_twice_is_harmless(db: Database) -> None:
    await db.upgrade()
    async with db.engine.connect() as conn:
        version = (await conn.execute(text("select version_num from alembic_version"))).scalar_one()
    assert version


async def test_answers_round_trip_with_types(db: Database, form: Form) -> None:
    _, person, report = await _report(db)
    async with db.session() as s:
        await repo.write_answers(
            session=s,
            report_id=report,
            writes=[
                ("t3.new.natural_person", 12, "12"),
                ("t2.fees.amount", Decimal("12.345"), "12.345万元"),
                ("text.s5", "问题一\n问题二 <b>&", "问题一"),
            ],
            by=person,
            at=T0,
        )
    async with db.session() as s:
        answers = await repo.load_answers(session=s, form=form, report_id=report)
    assert answers["t3.new.natural_person"] == 12
    assert answers["t2.fees.amount"] == Decimal("12.345")
    assert answers["text.s5"] == "问题一\n问题二 <b>&"


async def test_every_change_is_kept_in_history(db: Database) -> None:
    _, person, report = await _report(db)
    for n, value in enumerate((3, 5, 5, 7)):
        async with db.session() as s:
            await repo.write_answers(
                session=s,
                report_id=report,
                writes=[("t2.licensing.decisions", value, str(value))],
                by=person,
                at=T0 + timedelta(minutes=n),
            )
    async with db.session() as s:
        history = await repo.answer_history(session=s, report_id=report, key="t2.licensing.decisions")
    assert [(h.old_value, h.new_value) for h in history] == [(None, "3"), ("3", "5"), ("5", "7")]
    assert all(h.by_person_id == person for h in history)


async def test_a_failed_turn_commits_nothing(db: Database, form: Form) -> None:
    _, person, report = await _report(db)

    async def crashing_turn() -> None:
        async with db.session() as s:
            await repo.write_answers(
                session=s, report_id=report, writes=[("t2.penalty.decisions", 9, "9")], by=person, at=T0
            )
            raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError):
        await crashing_turn()
    async with db.session() as s:
        assert await repo.load_answers(session=s, form=form, report_id=report) == {}


async def test_position_is_saved_per_person_and_report(db: Database) -> None:
    _, person, report = await _report(db)
    async with db.session() as s:
        await repo.save_position(
            session=s, person_id=person, report_id=report, state={"item": "t3.granted", "cell": 2}, at=T0
        )
    async with db.session() as s:
        assert await repo.load_position(session=s, person_id=person, report_id=report) == {
            "item": "t3.granted",
            "cell": 2,
        }
        mine = await repo.reports_of_person(session=s, person_id=person)
    assert [r.id for r, _ in mine] == [report]


async def test_one_report_per_agency_and_year(db: Database) -> None:
    agency, _, report = await _report(db)
    async with db.session() as s:
        again = await repo.report_for(session=s, agency_id=agency, year=2024)
        other = await repo.report_for(session=s, agency_id=agency, year=2023)
    assert again is not None
    assert again.id == report
    assert other is not None
    assert other.id != report


async def test_previous_year_answers_are_found(db: Database, form: Form) -> None:
    agency, person, _ = await _report(db, year=2024)
    async with db.session() as s:
        last = await repo.report_for(session=s, agency_id=agency, year=2023)
        assert last is not None
        await repo.write_answers(
            session=s, report_id=last.id or 0, writes=[("t3.carried_out.total", 4, "")], by=person, at=T0
        )
    async with db.session() as s:
        previous = await repo.previous_answers(session=s, form=form, agency_id=agency, year=2024)
        none = await repo.previous_answers(session=s, form=form, agency_id=agency, year=2023)
    assert previous == {"t3.carried_out.total": 4}
    assert none is None


async def test_submission_records_who_and_when(db: Database) -> None:
    _, person, report_id = await _report(db)
    async with db.session() as s:
        report = await repo.get_report(session=s, report_id=report_id)
        assert report is not None
        done = await repo.apply_action(
            session=s, report=report, action=Action.SUBMIT, actor=Actor.STAFF, by=person, at=T0
        )
        assert not isinstance(done, Denied)
    async with db.session() as s:
        report = await repo.get_report(session=s, report_id=report_id)
    assert report is not None
    assert report.status == "submitted"
    assert report.submitted_by == person
    assert report.submitted_at is not None
    assert report.submitted_at.replace(tzinfo=UTC) == T0


async def test_a_reminder_slot_can_be_claimed_only_once(db: Database) -> None:
    _, person, report = await _report(db)
    async with db.session() as s:
        s.add(ReminderSent(report_id=report, slot="d-7", person_id=person))
    with pytest.raises(IntegrityError):
        async with db.session() as s:
            s.add(ReminderSent(report_id=report, slot="d-7", person_id=person))


async def test_rounds_are_unique_per_year(db: Database) -> None:
    async with db.session() as s:
        first = await repo.open_round(session=s, year=2024, deadline=date(2025, 1, 31), created_by=None)
        second = await repo.open_round(session=s, year=2024, deadline=date(2025, 1, 26), created_by=None)
    assert first.id == second.id
    assert second.deadline == date(2025, 1, 26)


def test_decoding_many_rows_gives_the_typed_values(form: Form) -> None:
    from storage.values import decode, decode_rows

    rows = [
        ("t3.new.natural_person", "12"),
        ("t2.fees.amount", "12.3450"),
        ("s6.processing_fee", "0"),
        ("text.s5", "问题\n改进"),
        ("review.confirmed_warnings", "XY-DUP\t重复"),
    ]
    decoded = decode_rows(form, rows)
    assert decoded == {key: decode(form, key, text) for key, text in rows}
    assert decoded["t3.new.natural_person"] == 12
    assert decoded["t2.fees.amount"] == Decimal("12.3450")
    assert isinstance(decoded["s6.processing_fee"], Decimal)


async def test_an_existing_database_upgrades_to_counted_revisions(database_url: str) -> None:
    """A district that ran the previous release keeps its reports: migration 0003 gives them
    revision 0 and from then on every change to their answers is counted."""
    rows = (
        "insert into agency (id, name, unit_kind, created_at) "
        "values (1, '区财政局', 'department', '2025-01-01 00:00:00')",
        "insert into report (id, agency_id, year, status, form_version, source, created_at) "
        "values (1, 1, 2024, 'draft', '2021', 'dialog', '2025-01-01 00:00:00')",
        "insert into answer (report_id, key, value, raw, at) "
        "values (1, 't2.regulations.issued', '3', '3', '2025-01-01 00:00:00')",
    )
    async with upgraded_from(database_url, "0002", rows) as db, db.engine.begin() as conn:
        assert (await conn.execute(text("select revision from report"))).scalar_one() == 0
        await conn.execute(text("update answer set value = '4' where report_id = 1"))
        await conn.execute(text("delete from answer where report_id = 1"))
        assert (await conn.execute(text("select revision from report"))).scalar_one() == 2


@pytest.mark.parametrize("query", ["²⁰²⁴", "🄆", "9" * 20])
async def test_an_agency_number_in_odd_digits_finds_nothing_instead_of_failing(
    db: Database, query: str
) -> None:
    agency_id, _, _ = await _report(db)
    async with db.session() as s:
        agency = await repo.get_agency(session=s, agency_id=agency_id)
        assert agency is not None
        assert agency.district_id is not None
        district = agency.district_id
        assert await access.find_agency(session=s, query=query, district_id=district) is None
        found = await access.find_agency(session=s, query=str(agency_id), district_id=district)
        assert found is not None
        assert found.id == agency_id
