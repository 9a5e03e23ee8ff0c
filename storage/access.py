"""People, roles and invites: the rows behind who may fill which report.

Invite tokens are never stored: only their SHA-256. Redeeming one is a conditional UPDATE
(`used_at IS NULL AND revoked_at IS NULL`), so two processes racing for one link cannot both
win. Like `repositories`, nothing here commits; the caller's session block is the transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection, CursorResult
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from dialogs.parsing import parse_whole_number
from storage import districts
from storage import repositories as repo
from storage.tables import (
    Agency,
    DistrictCoordinator,
    Invite,
    InviteAttempt,
    Membership,
    Person,
    Report,
    Role,
    as_utc,
    core_table,
)

INVITE_TTL = timedelta(days=30)
# Brute force of invite tokens: after this many refused tokens within the window, a person's
# `/start <token>` is not even looked at (a right token neither) until the oldest one leaves it.
INVITE_TRIES = 5
INVITE_TRY_WINDOW = timedelta(minutes=1)
# 24 random bytes: 192 bits, well over the 128 the issue asks for; URL-safe for deep links.
_TOKEN_BYTES = 24


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InviteRefused(Exception):
    """The invite is unknown, expired, revoked or used (raised so the session rolls back)."""


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent an update, with what the permission checks need (read by `turn_store.load_caller`)."""

    person_id: int
    telegram_id: int
    is_coordinator: bool
    active_report_id: int | None
    is_member_of_active: bool
    is_unreachable: bool


@dataclass(frozen=True, slots=True)
class Redeemed:
    person_id: int
    role: Role
    agency: Agency | None
    report: Report | None


# --- people ----------------------------------------------------------------------------------------
async def ensure_coordinators(*, session: AsyncSession, telegram_ids: Iterable[int]) -> None:
    """The configured admins exist as people who coordinate every district; someone taken off the
    list is an admin no more (they keep the districts they were given as a coordinator)."""
    wanted = set(telegram_ids)
    for telegram_id in wanted:
        person = await repo.telegram_person(session=session, telegram_id=telegram_id)
        if person is not None and not (person.is_coordinator and person.is_admin):
            person.is_coordinator = True
            person.is_admin = True
            session.add(person)
    former = await session.exec(select(Person).where(col(Person.is_admin).is_(True)))
    for person in former.all():
        if person.telegram_id not in wanted:
            person.is_admin = False
            session.add(person)
    await session.flush()


def coordinator_chat_ids(conn: Connection, *, report_id: int | None = None) -> list[int]:
    """The Telegram chats of the coordinators of the report's district (the admins and its own),
    of every coordinator when None (on the connection of a running transaction)."""
    person = core_table(Person)
    query = sa_select(person.c.telegram_id).where(
        person.c.is_coordinator.is_(True), person.c.telegram_id.is_not(None)
    )
    if report_id is not None:
        agency = core_table(Agency)
        report = core_table(Report)
        link = core_table(DistrictCoordinator)
        district = (
            sa_select(agency.c.district_id)
            .join(report, report.c.agency_id == agency.c.id)
            .where(report.c.id == report_id)
            .scalar_subquery()
        )
        own = exists().where(link.c.person_id == person.c.id, link.c.district_id == district)
        query = query.where(or_(person.c.is_admin.is_(True), own))
    result = conn.execute(query.order_by(person.c.id))
    return [int(telegram_id) for (telegram_id,) in result.all()]


async def coordinator_chats(*, session: AsyncSession) -> list[int]:
    return await session.run_sync(lambda sync: coordinator_chat_ids(sync.connection()))


def person_name(conn: Connection, person_id: int | None) -> str:
    """How a person is named to others: their Telegram name, else their id."""
    person = core_table(Person)
    row = conn.execute(
        sa_select(person.c.id, person.c.telegram_id, person.c.display_name).where(person.c.id == person_id)
    ).first()
    if row is None:
        return ""
    return str(row.display_name or row.telegram_id or row.id)


# --- invites -----------------------------------------------------------------------------------------
async def create_invite(
    *,
    session: AsyncSession,
    agency_id: int | None,
    role: Role,
    created_by: int | None,
    now: datetime,
    ttl: timedelta = INVITE_TTL,
    district_id: int | None = None,
) -> str:
    """A new invite; returns the token, which exists only in the link given to the coordinator."""
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    session.add(
        Invite(
            token_hash=hash_token(token),
            agency_id=agency_id,
            district_id=district_id,
            role=role.value,
            created_by=created_by,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    await session.flush()
    return token


async def revoke_invites(*, session: AsyncSession, agency_id: int, now: datetime) -> int:
    result = await session.exec(
        update(Invite)
        .where(
            col(Invite.agency_id) == agency_id,
            col(Invite.used_at).is_(None),
            col(Invite.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )
    return _rowcount(result)


def _rowcount(result: object) -> int:
    return result.rowcount if isinstance(result, CursorResult) else 0


async def redeem_invite(
    *, session: AsyncSession, token: str, telegram_id: int, display_name: str, now: datetime
) -> Redeemed:
    """Binds the Telegram user to the invite's agency (or makes them a coordinator).

    Raises InviteRefused (nothing written) when the token is unknown, expired, revoked or used.
    """
    found = (await session.exec(select(Invite).where(Invite.token_hash == hash_token(token)))).first()
    if (
        found is None
        or found.id is None
        or found.used_at is not None
        or found.revoked_at is not None
        or as_utc(found.expires_at) <= now
    ):
        raise InviteRefused
    person = await repo.telegram_person(session=session, telegram_id=telegram_id, display_name=display_name)
    if person is None or person.id is None:
        raise LookupError("person was not created")
    claimed = await session.exec(
        update(Invite)
        .where(col(Invite.id) == found.id, col(Invite.used_at).is_(None), col(Invite.revoked_at).is_(None))
        .values(used_by=person.id, used_at=now)
    )
    if _rowcount(claimed) != 1:
        raise InviteRefused  # another process redeemed it a moment ago
    role = Role(found.role)
    if role is Role.COORDINATOR or found.agency_id is None:
        person.is_coordinator = True
        district = await districts.default_district(session=session) if found.district_id is None else None
        district_id = found.district_id if district is None else district.id
        person.district_id = district_id
        session.add(person)
        await session.flush()
        await districts.add_coordinator(session=session, person_id=person.id, district_id=district_id or 0)
        return Redeemed(person.id, Role.COORDINATOR, None, None)
    agency = await repo.get_agency(session=session, agency_id=found.agency_id)
    rnd = None if agency is None else await repo.latest_round(session=session, district_id=agency.district_id)
    if agency is None or agency.id is None or rnd is None:
        raise InviteRefused
    await repo.add_member(session=session, person_id=person.id, agency_id=agency.id)
    report = await repo.report_for(session=session, agency_id=agency.id, year=rnd.year, round_id=rnd.id)
    if report is None or report.id is None:
        raise LookupError("report was not created")
    await repo.set_active_report(session=session, person_id=person.id, report_id=report.id)
    return Redeemed(person.id, Role.STAFF, agency, report)


async def invite_tries_exhausted(*, session: AsyncSession, telegram_id: int, now: datetime) -> bool:
    """Whether the person had INVITE_TRIES refused tokens within the last INVITE_TRY_WINDOW."""
    recent = await session.exec(
        select(func.count())
        .select_from(InviteAttempt)
        .where(InviteAttempt.telegram_id == telegram_id, col(InviteAttempt.at) > now - INVITE_TRY_WINDOW)
    )
    return int(recent.one()) >= INVITE_TRIES


async def record_refused_invite(*, session: AsyncSession, telegram_id: int, now: datetime) -> None:
    """Counts one refused token; rows older than the window are dropped on the way."""
    await session.exec(
        delete(InviteAttempt).where(
            col(InviteAttempt.telegram_id) == telegram_id, col(InviteAttempt.at) <= now - INVITE_TRY_WINDOW
        )
    )
    session.add(InviteAttempt(telegram_id=telegram_id, at=now))
    await session.flush()


# --- reports a person may fill ------------------------------------------------------------------------
async def member_reports(*, session: AsyncSession, person_id: int) -> Sequence[tuple[Report, Agency]]:
    """The latest report of every agency the person belongs to, newest year first."""
    result = await session.exec(
        select(Report, Agency)
        .join(Agency, col(Agency.id) == col(Report.agency_id))
        .join(Membership, col(Membership.agency_id) == col(Agency.id))
        .where(Membership.person_id == person_id)
        .order_by(col(Report.year).desc(), col(Agency.id))
    )
    latest: dict[int, tuple[Report, Agency]] = {}
    for report, agency in result.all():
        latest.setdefault(report.agency_id, (report, agency))
    return list(latest.values())


async def member_report(
    *, session: AsyncSession, person_id: int, report_id: int
) -> tuple[Report, Agency] | None:
    """The report and its agency if the person belongs to that agency; None otherwise."""
    report = await repo.get_report(session=session, report_id=report_id)
    if report is None or not await repo.is_member(
        session=session, person_id=person_id, agency_id=report.agency_id
    ):
        return None
    agency = await repo.get_agency(session=session, agency_id=report.agency_id)
    if agency is None:
        raise LookupError(f"agency {report.agency_id} does not exist")
    return report, agency


async def find_agency(*, session: AsyncSession, query: str, district_id: int) -> Agency | None:
    """An agency of the district by its number (as the dashboard shows it) or its full name."""
    text = query.strip()
    if text.isdigit():  # digits of any script: a number, never a name
        number = parse_whole_number(text)
        found = None if number is None else await repo.get_agency(session=session, agency_id=number)
        return found if found is not None and found.district_id == district_id else None
    return await repo.find_agency(session=session, name=text, district_id=district_id)


async def members_with_chat(*, session: AsyncSession, agency_id: int) -> list[int]:
    return [
        p.telegram_id for p in await repo.members_of(session=session, agency_id=agency_id) if p.telegram_id
    ]
