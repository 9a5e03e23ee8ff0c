"""Who may do what: refusals answer in Chinese and change nothing in the database."""

from __future__ import annotations

from bot.services.outgoing import resume_data
from dialogs import messages as msg
from dialogs import messages_telegram as tmsg
from dialogs.parsing import AGENCY_NAME_MAX
from storage import repositories as repo
from storage.db import Database
from storage.tables import Membership
from tests.helpers.botapi import StandIn
from tests.helpers.telegram_bot import (
    ADMIN,
    add_agency,
    database_state,
    dialog_buttons,
    invite_token,
    join,
    open_round_with_agency,
    running_bot,
    token_of,
)

STAFF_A = 3001
STAFF_B = 3002
STRANGER = 3999


async def test_uninvited_user_gets_the_explanation_and_nothing_is_stored(api: StandIn, db: Database) -> None:
    async with running_bot(api, db):
        await open_round_with_agency(api, "区行政审批局", "部门")
        before = await database_state(db)
        for text in ("/start", "你好", "/fill", "/submit", "3 0 1"):
            await api.send_text(STRANGER, text)
            reply = await api.next_reply(STRANGER)
            assert reply["text"] == tmsg.NOT_INVITED
            assert not StandIn.buttons(reply)
        await api.send_text(STRANGER, "/start not-a-real-invite-token")
        assert (await api.next_reply(STRANGER))["text"] == tmsg.INVITE_INVALID
        assert await database_state(db) == before


async def test_staff_of_one_agency_cannot_touch_another(api: StandIn, db: Database) -> None:
    async with running_bot(api, db):
        token_a = await open_round_with_agency(api, "区行政审批局", "部门")
        token_b = await add_agency(api, "区财政局", "部门")
        await join(api, STAFF_B, token_b)
        await join(api, STAFF_A, token_a)
        # A once held an invite for B too, so A's chat has B's buttons: B's first question and
        # the agency menu (resume:<report> buttons, the same data reminders carry).
        await api.send_text(ADMIN, "/invite 区财政局")
        b_prompt = await join(api, STAFF_A, invite_token((await api.next_reply(ADMIN))["text"]))
        await api.send_text(STAFF_A, "/agencies")
        menu = await api.next_reply(STAFF_A)
        b_report = int(next(iter(dialog_buttons(b_prompt).values())).split("|", 1)[0])
        resume_b = resume_data(b_report)
        assert resume_b in [b.callback_data for row in StandIn.buttons(menu) for b in row]
        # Then A leaves agency B (a coordinator's decision, made in the database).
        async with db.session() as session:
            person = await repo.telegram_person(session=session, telegram_id=STAFF_A, create=False)
            assert person is not None
            assert person.id is not None
            report = await repo.get_report(session=session, report_id=b_report)
            assert report is not None
            membership = await session.get(Membership, (person.id, report.agency_id))
            assert membership is not None
            await session.delete(membership)
        before = await database_state(db)

        await api.press(STAFF_A, menu, resume_b)  # choosing B
        assert (await api.next_reply(STAFF_A))["text"] == tmsg.NOT_YOURS
        await api.press(STAFF_A, b_prompt, dialog_buttons(b_prompt)["skip"])  # answering in B
        refusal = await api.next_reply(STAFF_A)
        assert refusal["text"] == tmsg.CHOOSE_AGENCY
        offered = [b.callback_data for row in StandIn.buttons(refusal) for b in row]
        assert resume_b not in offered
        await api.send_text(STAFF_A, "5 0 3")  # typing an answer while B is still the active report
        assert (await api.next_reply(STAFF_A))["text"] == tmsg.CHOOSE_AGENCY
        assert await database_state(db) == before


async def test_staff_member_cannot_use_coordinator_commands(api: StandIn, db: Database) -> None:
    async with running_bot(api, db):
        token = await open_round_with_agency(api, "区行政审批局", "部门")
        await join(api, STAFF_A, token)
        before = await database_state(db)
        for command in (
            "/round 2025",
            "/agency 区教育局 部门",
            "/invite 1",
            "/revoke 1",
            "/coordinator",
            "/dashboard",
            "/return 1",
        ):
            await api.send_text(STAFF_A, command)
            reply = await api.next_reply(STAFF_A)
            assert reply["text"] == tmsg.COORDINATOR_ONLY, command
        assert await database_state(db) == before
        # The coordinator menu is set for the coordinator's chat only.
        assert "round" in [c for c, _ in api.commands_for(ADMIN)]
        assert "round" not in [c for c, _ in api.commands_for(STAFF_A)]
        assert "round" not in [c for c, _ in api.commands_for("default")]


async def test_invite_is_single_use_and_revocable(api: StandIn, db: Database) -> None:
    async with running_bot(api, db):
        token = await open_round_with_agency(api, "区行政审批局", "部门")
        await join(api, STAFF_A, token)
        before = await database_state(db)
        await api.send_text(STAFF_B, f"/start {token}")
        assert (await api.next_reply(STAFF_B))["text"] == tmsg.INVITE_INVALID
        assert await database_state(db) == before

        await api.send_text(ADMIN, "/invite 区行政审批局")
        second = (await api.next_reply(ADMIN))["text"]
        await api.send_text(ADMIN, "/revoke 区行政审批局")
        assert "1 个" in (await api.next_reply(ADMIN))["text"]

        revoked_state = await database_state(db)
        await api.send_text(STAFF_B, f"/start {invite_token(second)}")
        assert (await api.next_reply(STAFF_B))["text"] == tmsg.INVITE_INVALID
        assert await database_state(db) == revoked_state


async def test_person_with_two_agencies_picks_which_one(api: StandIn, db: Database) -> None:
    async with running_bot(api, db):
        token_a = await open_round_with_agency(api, "区行政审批局", "部门")
        token_b = await add_agency(api, "区财政局", "部门")
        await join(api, STAFF_A, token_a)
        await api.send_text(STAFF_A, "1 0 0")  # first answer for A
        await api.next_reply(STAFF_A)
        second = await join(api, STAFF_A, token_b)
        assert token_of(second) == "t2.regulations"  # B starts from its first question
        await api.send_text(STAFF_A, "/agencies")
        menu = await api.next_reply(STAFF_A)
        labels = [b.text for row in StandIn.buttons(menu) for b in row]
        assert any("区行政审批局" in label for label in labels)
        assert any("区财政局" in label for label in labels)
        choice_a = next(
            b.callback_data for row in StandIn.buttons(menu) for b in row if "区行政审批局" in b.text
        )
        assert choice_a is not None
        await api.press(STAFF_A, menu, choice_a)
        assert "区行政审批局" in (await api.next_reply(STAFF_A))["text"]
        resumed = await api.next_reply(STAFF_A)
        assert token_of(resumed) == "t2.normative_documents"  # A continues after its answer


async def test_agency_with_an_overlong_name_is_refused_and_nothing_is_stored(
    api: StandIn, db: Database
) -> None:
    async with running_bot(api, db):
        await api.send_text(ADMIN, "/round 2024")
        await api.next_reply(ADMIN)
        before = await database_state(db)
        await api.send_text(ADMIN, f"/agency {'局' * 244} 部门")
        reply = await api.next_reply(ADMIN)
        assert reply["text"] == msg.AGENCY_TOO_LONG.format(length=244, limit=AGENCY_NAME_MAX)
        assert await database_state(db) == before
