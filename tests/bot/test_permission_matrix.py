"""Who may do what to agency A's report, through the Bot API stand-in: every role × every action as
one table, each cell judged by what happened (the database, the documents sent, the reply), not
by the bot's wording alone. A denied action changes nothing of A's.

Roles: a stranger, staff of A, staff of B (same district), the coordinator of A's district X,
the coordinator of another district Y, and a configured admin. Buttons are forged where a role
has none (a modified client can send any callback data on any bot message of its chat).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from bot.services.outgoing import resume_data
from dialogs import messages as msg
from dialogs import messages_telegram as tmsg
from dialogs.form import UnitKind
from dialogs.report_2021 import form_2021
from storage import access as store
from storage import districts
from storage import repositories as repo
from storage.db import Database
from storage.tables import AnswerChange, Invite, Report, ReportStatus, Role
from templates.render import build_context, render_text
from tests.helpers.botapi import StandIn
from tests.helpers.reminders import add_person, open_round, set_report_status
from tests.helpers.rule_reports import YEAR, clean_answers
from tests.helpers.seeded_reports import seed_report
from tests.helpers.telegram_bot import ADMIN, NOW, dialog_buttons, running_bot

A, B = "区甲局", "区乙局"
STRANGER, STAFF_A, STAFF_B, COORD_X, COORD_Y = 9301, 9302, 9303, 9304, 9305
ROLES = {
    "stranger": STRANGER,
    "staff A": STAFF_A,
    "staff B": STAFF_B,
    "coordinator X": COORD_X,
    "coordinator Y": COORD_Y,
    "admin": ADMIN,
}
ACTIONS = (
    "read",
    "fill",
    "submit",
    "return",
    "accept",
    "export",
    "invite",
    "revoke",
    "history",
    "dashboard",
    "import",
    "totals",
)
# The one table: 1 = allowed, 0 = denied.
MATRIX = {
    #                read fill submit return accept export invite revoke history dashboard import totals
    "stranger":      (0,   0,   0,     0,     0,     0,     0,     0,     0,      0,        0,     0),
    "staff A":       (1,   1,   1,     0,     0,     0,     0,     0,     0,      0,        1,     0),
    "staff B":       (0,   0,   0,     0,     0,     0,     0,     0,     0,      0,        0,     0),
    "coordinator X": (0,   0,   0,     1,     1,     1,     1,     1,     1,      1,        1,     1),
    "coordinator Y": (0,   0,   0,     0,     0,     0,     0,     0,     0,      0,        0,     0),
    "admin":         (0,   0,   0,     1,     1,     1,     1,     1,     1,      1,        1,     1),
}  # fmt: skip


@dataclass
class World:
    api: StandIn
    db: Database
    report_a: int
    agency_a: int


async def _seed(db: Database) -> tuple[int, int]:
    await open_round(db, year=YEAR, deadline=NOW.date() + timedelta(days=20))
    await add_person(db, telegram_id=COORD_X, name="甲区协调员", is_coordinator=True)
    async with db.session() as session:
        other = await districts.create_district(session=session, name="乙区")
        person = await repo.telegram_person(session=session, telegram_id=COORD_Y, display_name="乙区协调员")
        assert person is not None
        assert person.id is not None
        person.is_coordinator = True
        session.add(person)
        await districts.add_coordinator(session=session, person_id=person.id, district_id=other.id or 0)
        await repo.open_round(
            session=session, year=YEAR, deadline=NOW.date(), created_by=None, district_id=other.id
        )
    seeded = {}
    for name, user in ((A, STAFF_A), (B, STAFF_B)):
        async with db.session() as session:
            person = await repo.telegram_person(
                session=session, telegram_id=user, display_name=f"{name}填报人"
            )
            assert person is not None
        seeded[name] = await seed_report(
            db, agency=name, year=YEAR, answers=clean_answers(YEAR, agency=name), person_id=person.id
        )
    return seeded[A].report_id, seeded[A].agency_id


async def _settle(api: StandIn, user: int) -> list[str]:
    """Everything the bot answered `user` until it answered an edit sent after the action (chats
    are processed in order, so the action is done by then). The edit's note is a text no action
    gives anyone but the stranger, who is refused everything and checked whole at the end."""
    sent = await api.send_text(user, "/status")
    await api.edit_text(user, int(sent["message_id"]), "/status 2")
    sentinel = tmsg.NOT_INVITED if user == STRANGER else tmsg.EDIT_NOT_APPLIED
    texts: list[str] = []
    while (text := str((await api.next_reply(user, timeout=30)).get("text", ""))) != sentinel:
        texts.append(text)
    return texts


async def _a(world: World) -> tuple[str, int]:
    async with world.db.session() as session:
        report = await session.get(Report, world.report_a)
        assert report is not None
        changes = await session.exec(
            select(func.count()).select_from(AnswerChange).where(AnswerChange.report_id == world.report_a)
        )
        return report.status, int(changes.one())


async def _a_status(world: World, status: ReportStatus) -> None:
    await set_report_status(world.db, agency_id=world.agency_a, year=YEAR, status=status)


async def _any_bot_message(api: StandIn, user: int) -> int:
    mine = api.bot_messages(user)
    assert mine, user
    return int(mine[-1]["message_id"])


# --- each action: do it as `user`, then say whether it happened ---------------------------------
async def read(world: World, user: int) -> bool:
    await world.api.press(
        user, await _any_bot_message(world.api, user), resume_data(world.report_a), forged=True
    )
    return any(t.startswith(tmsg.SWITCHED.split("「")[0]) and A in t for t in await _settle(world.api, user))


async def fill(world: World, user: int) -> bool:
    before = (await _a(world))[1]
    items = form_2021().items_for(UnitKind.DEPARTMENT)
    narrative = next(n for n, item in enumerate(items, start=1) if item.is_narrative)
    for text in (f"修改 {narrative}", "本机关依照条例编制本报告，权限矩阵测试改写了这一段。"):
        await world.api.send_text(user, text)
        await _settle(world.api, user)
    return (await _a(world))[1] > before


async def submit(world: World, user: int) -> bool:
    await world.api.send_text(user, "/submit")
    await _settle(world.api, user)
    for message in world.api.bot_messages(user)[-4:]:  # warnings to confirm first, if any
        buttons = dialog_buttons(message)
        if "confirm_submit" in buttons:
            await world.api.press(user, message, buttons["confirm_submit"])
            await _settle(world.api, user)
            break
    done = (await _a(world))[0] == ReportStatus.SUBMITTED.value
    await _a_status(world, ReportStatus.DRAFT)
    return done


async def _review(world: World, user: int, command: str, target: ReportStatus) -> bool:
    await _a_status(world, ReportStatus.SUBMITTED)
    await world.api.send_text(user, command)
    await _settle(world.api, user)
    done = (await _a(world))[0] == target.value
    await _a_status(world, ReportStatus.DRAFT)
    return done


async def return_(world: World, user: int) -> bool:
    return await _review(world, user, f"/return {A} 请补充", ReportStatus.RETURNED)


async def accept(world: World, user: int) -> bool:
    return await _review(world, user, f"/accept {A}", ReportStatus.ACCEPTED)


async def export(world: World, user: int) -> bool:
    await _a_status(world, ReportStatus.SUBMITTED)
    since = len(world.api.sent)
    await world.api.send_text(user, f"/export {YEAR}")
    await _settle(world.api, user)
    await _a_status(world, ReportStatus.DRAFT)
    zips = [
        c.document_bytes
        for c in world.api.sent[since:]
        if c.method == "sendDocument" and c.chat_id == user and c.document_bytes
    ]
    return any(n.startswith(f"{A}/") for z in zips for n in zipfile.ZipFile(io.BytesIO(z)).namelist())


async def _invites(world: World, *, unused: bool) -> int:
    async with world.db.session() as session:
        query = select(func.count()).select_from(Invite).where(Invite.agency_id == world.agency_a)
        if unused:
            query = query.where(col(Invite.revoked_at).is_(None), col(Invite.used_at).is_(None))
        return int((await session.exec(query)).one())


async def invite(world: World, user: int) -> bool:
    before = await _invites(world, unused=False)
    await world.api.send_text(user, f"/invite {A}")
    await _settle(world.api, user)
    return await _invites(world, unused=False) > before


async def revoke(world: World, user: int) -> bool:
    async with world.db.session() as session:
        await store.create_invite(
            session=session, agency_id=world.agency_a, role=Role.STAFF, created_by=None, now=NOW
        )
    await world.api.send_text(user, f"/revoke {A}")
    await _settle(world.api, user)
    return await _invites(world, unused=True) == 0


async def history(world: World, user: int) -> bool:
    await world.api.send_text(user, f"/history {A}")
    texts = await _settle(world.api, user)
    return any(t.startswith(f"「{A}」{YEAR} 年报告修改记录") for t in texts)


async def dashboard(world: World, user: int) -> bool:
    await world.api.send_text(user, f"/dashboard {A}")
    return any(f". {A}（" in t for t in await _settle(world.api, user))


async def import_(world: World, user: int) -> bool:
    form = form_2021()
    last_year = build_context(
        form, agency=A, unit=UnitKind.DEPARTMENT, year=YEAR - 1, answers=clean_answers(YEAR - 1, agency=A)
    )
    await world.api.send_document(
        user, f"{A}{YEAR - 1}年报.txt", render_text(last_year).encode("utf-8"), caption=f"{A} {YEAR - 1}"
    )
    await _settle(world.api, user)
    async with world.db.session() as session:
        found = await repo.report_for(session=session, agency_id=world.agency_a, year=YEAR - 1, create=False)
        return found is not None and found.source == "import"


async def totals(world: World, user: int) -> bool:
    """The district's sums: seen only by who coordinates A's district (A handed in for it)."""
    await _a_status(world, ReportStatus.SUBMITTED)
    await world.api.send_text(user, f"/totals {YEAR}")
    texts = await _settle(world.api, user)
    await _a_status(world, ReportStatus.DRAFT)
    return any(t.startswith(f"{msg.DEFAULT_DISTRICT} {YEAR} 年度汇总：已提交 1/") for t in texts)


async def _everything_of_a(world: World) -> tuple[object, ...]:
    async with world.db.session() as session:
        answers = await repo.load_answers(session=session, form=form_2021(), report_id=world.report_a)
        earlier = await repo.report_for(
            session=session, agency_id=world.agency_a, year=YEAR - 1, create=False
        )
    return (*await _a(world), sorted(answers.items()), earlier is None)


DO: dict[str, Callable[[World, int], Awaitable[bool]]] = {
    "read": read,
    "fill": fill,
    "submit": submit,
    "return": return_,
    "accept": accept,
    "export": export,
    "invite": invite,
    "revoke": revoke,
    "history": history,
    "dashboard": dashboard,
    "import": import_,
    "totals": totals,
}


@pytest.mark.parametrize("role", list(ROLES))
async def test_every_role_may_do_exactly_what_the_matrix_says(api: StandIn, db: Database, role: str) -> None:
    report_a, agency_a = await _seed(db)
    world = World(api, db, report_a, agency_a)
    user = ROLES[role]
    async with running_bot(api, db):
        api.add_user(user)
        await _settle(api, user)  # a bot message in the chat to forge buttons on
        if user == ADMIN:  # an admin coordinates every district and works in the one picked
            await api.send_text(user, f"/district {msg.DEFAULT_DISTRICT}")
            await _settle(api, user)
        before = await _everything_of_a(world)
        seen = {action: await DO[action](world, user) for action in ACTIONS}
        if not any(MATRIX[role]):  # refused everything: nothing of A's changed, not even later
            await _settle(api, user)
            assert await _everything_of_a(world) == before
    expected = dict(zip(ACTIONS, (bool(x) for x in MATRIX[role]), strict=True))
    assert seen == expected
