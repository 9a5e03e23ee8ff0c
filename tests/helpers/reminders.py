"""Builders for the reminder tests: virtual time, a seeded round, and a bot process on the stand-in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.pacing import Pacer
from bot.reminders import Reminders
from bot.services.outbox import Outbox
from bot.services.turns import Turns
from bot.telegram_app import build_application
from bot.telegram_outbox import TelegramSender
from dialogs.catalogue import ALL_RULES
from dialogs.form import Form, UnitKind
from storage import districts
from storage import repositories as repo
from storage.db import Database
from storage.tables import Person, ReportStatus
from tests.helpers.botapi import StandIn
from tests.helpers.telegram_bot import bot_settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The 2026 Spring Festival: Sun 15 to Mon 23 February off, Saturdays 14 and 28 worked (checked
# against chinese_calendar in tests/bot/test_reminders_calendar.py).
NEW_YEARS_EVE_2026 = date(2026, 2, 16)
SPRING_FESTIVAL_2026 = tuple(date(2026, 2, 15) + timedelta(days=n) for n in range(9))
MAKE_UP_SATURDAYS_2026 = (date(2026, 2, 14), date(2026, 2, 28))


class FakeTime:
    """One virtual clock for the wall clock, the pacer's monotonic clock and its sleeps.

    ``sleep`` advances the clock instead of waiting, so pacing and 429 pauses cost no real
    time and the stand-in (given ``monotonic`` as its clock) judges rates in the same time.
    """

    def __init__(self, start: datetime) -> None:
        self.now = start
        self.slept = 0.0

    def clock(self) -> datetime:
        return self.now.astimezone(UTC)

    def monotonic(self) -> float:
        return self.now.timestamp()

    async def sleep(self, seconds: float) -> None:
        target = self.now + timedelta(seconds=seconds)
        await asyncio.sleep(0)  # let other tasks run, as a real sleep would
        if target > self.now:
            self.slept += (target - self.now).total_seconds()
            self.now = target

    def set_local(self, year: int, month: int, day: int, hour: int, minute: int = 0) -> None:
        self.now = datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Member:
    person_id: int
    telegram_id: int
    agency_id: int
    report_id: int | None


async def add_person(db: Database, *, telegram_id: int, name: str, is_coordinator: bool = False) -> int:
    async with db.session() as session:
        person = await repo.telegram_person(session=session, telegram_id=telegram_id, display_name=name)
        assert person is not None
        assert person.id is not None
        if is_coordinator:  # of the default district, where the helpers put agencies and rounds
            person.is_coordinator = True
            session.add(person)
            district = await districts.default_district(session=session)
            await districts.add_coordinator(
                session=session, person_id=person.id, district_id=district.id or 0
            )
        return person.id


async def default_district_id(db: Database) -> int:
    """The district the helpers (and the terminal) put agencies and rounds in."""
    async with db.session() as session:
        district = await districts.default_district(session=session)
        assert district.id is not None
        return district.id


async def add_agency_with_staff(
    db: Database,
    *,
    name: str,
    year: int,
    staff: list[tuple[int, str]],
    create_report: bool = True,
    unit: UnitKind = UnitKind.DEPARTMENT,
) -> list[Member]:
    """An agency, its staff (telegram id, name) and, unless told otherwise, its draft report."""
    async with db.session() as session:
        agency = await repo.create_agency(session=session, name=name, unit=unit)
        assert agency.id is not None
        report_id: int | None = None
        if create_report:
            rnd = await repo.round_for_year(session=session, year=year)
            report = await repo.report_for(
                session=session, agency_id=agency.id, year=year, round_id=rnd.id if rnd else None
            )
            assert report is not None
            report_id = report.id
        members = []
        for telegram_id, person_name in staff:
            person = await repo.telegram_person(
                session=session, telegram_id=telegram_id, display_name=person_name
            )
            assert person is not None
            assert person.id is not None
            await repo.add_member(session=session, person_id=person.id, agency_id=agency.id)
            members.append(Member(person.id, telegram_id, agency.id, report_id))
        return members


async def open_round(db: Database, *, year: int, deadline: date, plan_json: str | None = None) -> int:
    async with db.session() as session:
        rnd = await repo.open_round(session=session, year=year, deadline=deadline, created_by=None)
        rnd.reminder_plan = plan_json
        session.add(rnd)
        await session.flush()
        assert rnd.id is not None
        return rnd.id


async def set_report_status(db: Database, *, agency_id: int, year: int, status: ReportStatus) -> None:
    async with db.session() as session:
        report = await repo.report_for(session=session, agency_id=agency_id, year=year, create=False)
        assert report is not None
        # A test's starting point, set directly: not a move any actor makes through the lifecycle.
        report.status = status.value
        session.add(report)


async def submitted_report(db: Database, *, agency: str, year: int, staff: tuple[int, str]) -> int:
    """A submitted report of a new `agency` with one member, in an open round of `year`."""
    await open_round(db, year=year, deadline=date(year + 1, 1, 31))
    [member] = await add_agency_with_staff(db, name=agency, year=year, staff=[staff])
    await set_report_status(db, agency_id=member.agency_id, year=year, status=ReportStatus.SUBMITTED)
    assert member.report_id is not None
    return member.report_id


async def person(db: Database, person_id: int) -> Person:
    async with db.session() as session:
        found = await session.get(Person, person_id)
        assert found is not None
        return found


@asynccontextmanager
async def bot_process(
    api: StandIn, db_url: str, time: FakeTime, form: Form, *, workers: int = 8
) -> AsyncIterator[Reminders]:
    """One bot process: its own database engine, pacer, outbox, and the Application production builds.

    The Application comes from `build_application`, so reminders travel through the bot's own
    Bot and transport (bot/telegram_transport.py) over HTTP to the stand-in. It is initialised
    but not started: the test runs the reminders itself, in virtual time.
    """
    database = Database(db_url)
    application = build_application(
        bot_settings(api, database, chats=workers),
        database,
        Turns(database, form, time.clock, ALL_RULES),
        clock=time.clock,
    )
    await application.initialize()
    try:
        pacer = Pacer(monotonic=time.monotonic, sleep=time.sleep)
        outbox = Outbox(
            database, TelegramSender(application.bot), clock=time.clock, pacer=pacer, workers=workers
        )
        yield Reminders(outbox=outbox, db=database, zone=SHANGHAI, clock=time.clock, form=form)
    finally:
        await application.shutdown()
        await database.dispose()


def assert_sent_through_the_bots_transport(api: StandIn) -> None:
    """Every call reached the stand-in as the bot's aiohttp transport sends it: a JSON body."""
    assert api.sent
    assert {call.content_type for call in api.sent} == {"application/json"}
