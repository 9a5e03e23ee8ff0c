"""The chat around the dialog: restarts, edited messages, stale buttons, long texts."""

from __future__ import annotations

from telegram.constants import MessageLimit

from dialogs import messages as msg
from dialogs import messages_telegram as tmsg
from storage.db import Database
from tests.helpers.botapi import StandIn
from tests.helpers.telegram_bot import (
    ADMIN,
    database_state,
    dialog_buttons,
    join,
    next_prompt,
    open_round_with_agency,
    running_bot,
    token_of,
)

STAFF = 4001
STRANGER = 4009


async def _answer(api: StandIn, text: str) -> str | None:
    await api.send_text(STAFF, text)
    prompt, _ = await next_prompt(api, STAFF)
    return token_of(prompt)


async def test_restart_in_the_middle_of_table_three_continues_at_the_same_question(
    api: StandIn, db: Database
) -> None:
    async with running_bot(api, db):
        token = await open_round_with_agency(api, "区行政审批局", "部门")
        await join(api, STAFF, token)
        for row in ("0 0 3", "1 0 12", "5", "2", "0", "1.5"):
            await _answer(api, row)
        assert await _answer(api, "12 1 0 0 0 0") == "t3.carried_in"
        await _answer(api, "1")  # cell by cell: 自然人 of 上年结转
        await _answer(api, "0")  # 商业企业
        before = await database_state(db)
    # The first Application is stopped; a new one starts on the same database.
    async with running_bot(api, db):
        await api.send_text(STAFF, "/fill")
        prompt, _ = await next_prompt(api, STAFF)
        assert token_of(prompt) == "t3.carried_in"
        assert "第 3/6 格" in prompt["text"]  # the third cell of the row, as before the restart
        assert await database_state(db) == before
        assert await _answer(api, "0 ") == "t3.carried_in"
        for cell in ("0", "0"):
            await _answer(api, cell)
        assert await _answer(api, "0") == "t3.granted"


async def test_edited_message_is_not_taken_as_an_answer(api: StandIn, db: Database) -> None:
    async with running_bot(api, db):
        token = await open_round_with_agency(api, "区行政审批局", "部门")
        await join(api, STAFF, token)
        sent = await api.send_text(STAFF, "0 0 3")
        prompt, _ = await next_prompt(api, STAFF)
        assert token_of(prompt) == "t2.normative_documents"
        before = await database_state(db)

        await api.edit_text(STAFF, sent["message_id"], "9 9 9")

        note = await api.next_reply(STAFF)
        assert note["text"] == tmsg.EDIT_NOT_APPLIED
        assert await database_state(db) == before
        assert await _answer(api, "1 0 12") == "t2.licensing"  # the dialog goes on as before


async def test_help_answers_each_caller_with_their_own_commands(api: StandIn, db: Database) -> None:
    async with running_bot(api, db):
        token = await open_round_with_agency(api, "区行政审批局", "部门")
        await join(api, STAFF, token)
        await api.send_text(STRANGER, "/help")
        assert (await api.next_reply(STRANGER))["text"] == tmsg.NOT_INVITED
        await api.send_text(ADMIN, "/help")
        assert (await api.next_reply(ADMIN))["text"] == tmsg.COORDINATOR_HELP
        await api.send_text(STAFF, "/help")
        assert (await api.next_reply(STAFF))["text"] == tmsg.STAFF_HELP
        commands, _ = await next_prompt(api, STAFF)  # then the dialog's help at the current question
        assert "上一步｜跳过｜目录" in commands["text"]
        assert token_of(commands) == "t2.regulations"


async def test_an_unknown_command_is_answered_and_the_dialog_stays_where_it_was(
    api: StandIn, db: Database
) -> None:
    async with running_bot(api, db):
        token = await open_round_with_agency(api, "区行政审批局", "部门")
        await join(api, STAFF, token)
        await api.send_text(STAFF, "/fil@nianbao_bot 3")
        assert (await api.next_reply(STAFF))["text"] == tmsg.UNKNOWN_COMMAND.format(command="/fil")
        await api.send_text(STRANGER, "/fil")
        assert (await api.next_reply(STRANGER))["text"] == tmsg.NOT_INVITED
        assert await _answer(api, "0 0 3") == "t2.normative_documents"


async def test_stale_button_is_refused(api: StandIn, db: Database) -> None:
    async with running_bot(api, db):
        token = await open_round_with_agency(api, "区行政审批局", "部门")
        first = await join(api, STAFF, token)
        assert await _answer(api, "0 0 3") == "t2.normative_documents"
        before = await database_state(db)

        await api.press(STAFF, first, dialog_buttons(first)["skip"])  # 跳过 on the old question

        prompt, _ = await next_prompt(api, STAFF)
        assert msg.UNKNOWN_BUTTON in prompt["text"]
        assert token_of(prompt) == "t2.normative_documents"
        assert await database_state(db) == before
        assert len(api.callback_answers) == 1  # the press was answered (no spinner left)


async def test_long_outgoing_text_is_split_under_the_limit(api: StandIn, db: Database) -> None:
    paragraph = "本单位持续推进政务公开标准化规范化建设，" * 120  # about 2,400 characters
    async with running_bot(api, db):
        token = await open_round_with_agency(api, "区行政审批局", "部门")
        await join(api, STAFF, token)
        assert await _answer(api, "修改 text.s5") == "text.s5"
        for _ in range(3):
            assert await _answer(api, paragraph) == "text.s5"
        prompt = api.bot_messages(STAFF)[-1]
        await api.press(STAFF, prompt, dialog_buttons(prompt)["done"])
        await next_prompt(api, STAFF)
        # Coming back to the item shows its whole current text (over 7,000 characters).
        start = len(api.bot_messages(STAFF))
        assert await _answer(api, "修改 text.s5") == "text.s5"
        messages = api.bot_messages(STAFF)[start:]
        assert len(messages) >= 2
        assert all(len(m["text"]) <= MessageLimit.MAX_TEXT_LENGTH for m in messages)
        assert all(call.is_ok for call in api.sent)
        joined = "\n".join(m["text"] for m in messages)
        assert joined.count(paragraph) == 3  # cut between paragraphs, none cut in half
