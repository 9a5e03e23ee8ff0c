"""Every permission decision of the Telegram assistant, in one place.

Handlers ask here before they change anything; a refusal is a value (`Refusal`), never a
partial write. Rules:
- Unknown Telegram users (no invite redeemed, not in NIANBAO_ADMINS) may only open an invite
  link; anything else gets the explanation of how to get one.
- Coordinators are the configured admins plus people a coordinator made one.
- A report may be filled only by members of its agency.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from storage import access as store
from storage import repositories as repo
from storage.db import Database
from storage.tables import Agency, Report
from storage.turn_store import load_caller

log = logging.getLogger(__name__)

# What the adapters name without reaching storage themselves.
Caller = store.Caller
InviteRefused = store.InviteRefused
Redeemed = store.Redeemed
INVITE_TTL = store.INVITE_TTL
INVITE_TRY_WINDOW = store.INVITE_TRY_WINDOW


class Refusal(Enum):
    NOT_INVITED = "not_invited"
    NOT_COORDINATOR = "not_coordinator"
    NOT_MEMBER = "not_member"
    NO_REPORT = "no_report"
    STALE_REPORT = "stale_report"
    """A button of a report other than the person's active one (they switched since)."""


@dataclass(frozen=True, slots=True)
class FillRight:
    """Permission to fill one report, for one person."""

    person_id: int
    report_id: int


def active_fill(who: store.Caller | None) -> FillRight | Refusal:
    """The right to answer in the person's active report (checked on every turn)."""
    if who is None:
        return Refusal.NOT_INVITED
    if who.active_report_id is None:
        return Refusal.NO_REPORT
    if not who.is_member_of_active:
        return Refusal.NOT_MEMBER
    return FillRight(who.person_id, who.active_report_id)


class Access:
    def __init__(self, db: Database, admins: frozenset[int]) -> None:
        self.db = db
        self.admins = admins

    async def caller(self, telegram_id: int) -> store.Caller | None:
        """Who wrote (marked reachable again if they were not): the turn's own query, alone."""
        return await self.db.run_transaction(lambda conn: load_caller(conn, telegram_id)[0])

    def is_coordinator(self, who: store.Caller | None, telegram_id: int) -> bool:
        return telegram_id in self.admins or (who is not None and who.is_coordinator)

    async def coordinator(self, telegram_id: int) -> store.Caller | Refusal:
        who = await self.caller(telegram_id)
        if who is None and telegram_id in self.admins:
            # A configured coordinator writing before post_init created their row.
            async with self.db.session() as session:
                await store.ensure_coordinators(session=session, telegram_ids=(telegram_id,))
            who = await self.caller(telegram_id)
        if who is None or not self.is_coordinator(who, telegram_id):
            log.info("coordinator command refused for user %s", telegram_id)
            return Refusal.NOT_COORDINATOR
        return who

    async def switch_to(self, who: store.Caller | None, report_id: int) -> tuple[Report, Agency] | Refusal:
        """Make `report_id` the active report, if the person belongs to its agency."""
        if who is None:
            return Refusal.NOT_INVITED
        async with self.db.session() as session:
            own = await store.member_report(session=session, person_id=who.person_id, report_id=report_id)
            if own is None:
                log.info("person %s refused report %s", who.person_id, report_id)
                return Refusal.NOT_MEMBER
            await repo.set_active_report(session=session, person_id=who.person_id, report_id=report_id)
            return own

    async def own_report(self, who: store.Caller | None) -> tuple[Report, Agency] | None:
        """The report the person fills now and its agency (None: no report, or not a member)."""
        right = active_fill(who)
        if isinstance(right, Refusal):
            return None
        async with self.db.session() as session:
            return await store.member_report(
                session=session, person_id=right.person_id, report_id=right.report_id
            )

    async def member_reports(self, who: store.Caller) -> Sequence[tuple[Report, Agency]]:
        """The latest report of every agency the person belongs to, newest year first."""
        async with self.db.session() as session:
            return await store.member_reports(session=session, person_id=who.person_id)

    async def invite_tries_exhausted(self, *, telegram_id: int, now: datetime) -> bool:
        """Whether the person had too many refused invite tokens just now (brute-force guard)."""
        async with self.db.session() as session:
            return await store.invite_tries_exhausted(session=session, telegram_id=telegram_id, now=now)

    async def redeem(
        self, *, token: str, telegram_id: int, display_name: str, now: datetime
    ) -> store.Redeemed:
        """Bind the person to the invite.

        Raises InviteRefused having changed nothing but the count of the person's refused tries.
        """
        try:
            async with self.db.session() as session:
                return await store.redeem_invite(
                    session=session, token=token, telegram_id=telegram_id, display_name=display_name, now=now
                )
        except InviteRefused:
            async with self.db.session() as session:
                await store.record_refused_invite(session=session, telegram_id=telegram_id, now=now)
            raise

    async def configured_coordinators(self) -> list[int]:
        """Make the configured admins coordinators; the chats of every coordinator."""
        async with self.db.session() as session:
            await store.ensure_coordinators(session=session, telegram_ids=self.admins)
            return await store.coordinator_chats(session=session)
