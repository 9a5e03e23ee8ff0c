"""Stateful fuzzing through the real bot: the PTB Application on the Bot API stand-in, on SQLite.

Each example is a new agency with a new staff member who joined by its invite (half of them with
the report already filled to the review screen), and then any sequence of: any text, a reply to
any earlier bot message, staff and coordinator commands with junk arguments, a press of a current
button, of a button of an earlier message (stale), of callback data the bot never issued
(forged, on any of its messages), an edit of an earlier message, and the coordinator's /return,
/accept, /reopen, /dashboard and /history with the agency's name or junk, and the buttons of the
submission summaries.

After every step (the bot is done with it when it has answered an edit sent after it: a chat's
updates are handled in order): the bot answered (a message, or the callback query), every text it
sent has Chinese in it and every Bot API call it made succeeded, nothing was logged at ERROR
(PTB's error handler logs every exception), the stored answers break no table rule, a submitted
or accepted report's answers did not change under a staff step, and a submitted report's columns
balance.

The profile (`FUZZ_TELEGRAM`) bounds the cases: 12 examples × up to 12 steps (about 70 s here;
raise both to search harder, e.g. 40 × 15 takes about 5 minutes).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Coroutine, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlmodel import col, select

from bot.services.outbox import Outbox
from bot.services.outgoing import REVIEW_PREFIX, resume_data, review_data
from dialogs import messages_telegram as tmsg
from dialogs.form import UnitKind, Value
from dialogs.lifecycle import Status
from dialogs.report_2021 import form_2021
from storage import repositories as repo
from storage.db import Database, sqlite_url
from storage.tables import Report
from tests.helpers.botapi import Json, StandIn
from tests.helpers.fuzz import CJK, any_text, broken_tables, unbalanced_columns
from tests.helpers.rule_reports import YEAR, clean_answers
from tests.helpers.scripts import item_lines
from tests.helpers.telegram_bot import ADMIN, invite_tokens, join, next_prompt, running_bot

FORM = form_2021()
FUZZ_TELEGRAM = settings(
    max_examples=12,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
WAIT = 30.0  # seconds: a safety bound on one step, so a hung bot fails the test
UNIT = UnitKind.DEPARTMENT
FIRST_STAFF = 70001
# What the bot says to an edit of an earlier message: the end-of-step marker (NOT_INVITED when
# the coordinator, who is no member, edits).
SENTINELS = frozenset({tmsg.EDIT_NOT_APPLIED, tmsg.NOT_INVITED})
STAFF_COMMANDS = ["start", "fill", "review", "submit", "status", "help", "agencies"]
COORDINATOR_COMMANDS = [
    "round",
    "agency",
    "invite",
    "revoke",
    "coordinator",
    "district",
    "dashboard",
    "history",
    "return",
    "accept",
    "reopen",
    "export",
]
TOKENS = [
    "",
    "review",
    "toc",
    "confirm",
    "submitted",
    "t2.regulations",
    "t3.new#2",
    "t3.carried_out",
    "@outdated",
]
VALUES = ["submit", "confirm_submit", "done", "accept", "skip", "back", "toc", "preview", "0", "1", "edit"]
_T = TypeVar("_T")

# Digits as people and clients type them: ASCII, full-width, Arabic-Indic, superscripts (which
# str.isdigit() accepts and int() does not), and numbers too large for a database integer.
digits = st.one_of(
    st.integers(min_value=0, max_value=3000).map(str),
    st.sampled_from(["2024", "２０２４", "٢٠٢٤", "²⁰²⁴", "¹", "0000", "9" * 20, "-1", "1.5"]),
    st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=4),
)
junk = st.one_of(digits, st.text(max_size=15), st.sampled_from(["部门", "人民政府", "区行政审批局 意见"]))
# Telegram delivers no empty or blank message.
visible_text = any_text.filter(lambda t: bool(t.strip()))


def _pick(data: st.DataObject, among: Sequence[_T]) -> _T:
    """One of `among`, drawn the same way however long the list is (it depends on the bot's
    replies, which differ between runs in the details, e.g. a dashboard's pages)."""
    return among[data.draw(st.integers(min_value=0, max_value=999)) % len(among)]


def _ok(data: str) -> bool:
    """Telegram carries callback data of 1-64 bytes only."""
    return 1 <= len(data.encode()) <= 64


@dataclass
class World:
    """One bot and database for the whole run, on the test's event loop; the state machine (in a
    worker thread, hypothesis being synchronous) hands coroutines to that loop."""

    loop: asyncio.AbstractEventLoop
    api: StandIn
    db: Database
    errors: list[logging.LogRecord]
    outbox: Outbox
    admin_marker: int  # the coordinator's /round message, edited to mark the end of a step
    staff_ids: Iterator[int] = field(default_factory=lambda: itertools.count(FIRST_STAFF))
    checked_calls: int = 0  # Bot API calls checked so far (the outbox's come between steps too)
    examples: int = 0
    steps: int = 0

    def run(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        future: Future[_T] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(WAIT * 4)


class _Errors(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record)


@contextmanager
def _errors_logged() -> Iterator[list[logging.LogRecord]]:
    records: list[logging.LogRecord] = []
    handler = _Errors(records)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield records
    finally:
        root.removeHandler(handler)


class TelegramDialog(RuleBasedStateMachine):
    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world
        world.examples += 1
        self.staff = next(self.world.staff_ids)
        self.agency = f"区测试局{self.staff}"
        self.report_id = 0
        self.other_report_id = 0
        self.marker = 0  # the staff member's /start message, edited to mark the end of a step
        self.bot_messages: list[Json] = []  # every bot message of the staff chat
        self.admin_messages: list[Json] = []
        self.user_messages: list[int] = []
        self.values: set[str] = set(VALUES)

    # -- running a step -------------------------------------------------------------------------

    @property
    def api(self) -> StandIn:
        return self.world.api

    def _step(
        self,
        chat: int,
        action: Coroutine[Any, Any, Json],
        *,
        is_edit: bool = False,
        is_press: bool = False,
    ) -> list[Json]:
        """`action`, then the marker edit; checks what the bot did meanwhile; returns its messages."""
        self.world.steps += 1
        errors = len(self.world.errors)
        before = self.world.run(self._report())
        sent = self.world.run(action)
        seen = self.world.run(self._settle(chat, 2 if is_edit else 1))
        # What the step enqueued (a submission's summaries, a return's notice) goes out now, so
        # what the next steps can press does not depend on when the outbox ran.
        self.world.run(self.world.outbox.settled())
        later = {c: self.api.unread_messages(c) for c in (self.staff, ADMIN)}
        seen += later[chat]
        calls = self.api.sent[self.world.checked_calls :]
        self.world.checked_calls += len(calls)
        assert not self.world.errors[errors:], [r.getMessage() for r in self.world.errors[errors:]]
        failed = [(c.method, c.error_code, c.params.get("text")) for c in calls if not c.is_ok]
        assert not failed, failed
        not_chinese = [c.text for c in calls if c.text is not None and not CJK.search(c.text)]
        assert not not_chinese, not_chinese
        assert tmsg.ERROR_APOLOGY not in [m.get("text") for m in seen]
        if is_press:
            assert str(sent["id"]) in self.api.callback_answers, sent  # the spinner stops
        else:
            assert seen, sent  # every message gets an answer
        after = self.world.run(self._report())
        if chat == self.staff and before[0] in (Status.SUBMITTED.value, Status.ACCEPTED.value):
            assert after[1] == before[1], "a handed-in report changed under a staff step"
        status, answers = after
        assert not broken_tables(FORM, answers, UNIT, YEAR), broken_tables(FORM, answers, UNIT, YEAR)
        if status in (Status.SUBMITTED.value, Status.ACCEPTED.value):
            assert not unbalanced_columns(FORM, answers, UNIT, YEAR)
        if chat == self.staff:
            self.bot_messages += [m for m in seen if m.get("text") not in SENTINELS]
            self.admin_messages += later[ADMIN]
        else:
            self.admin_messages += [m for m in seen if m.get("text") not in SENTINELS]
            self.bot_messages += later[self.staff]
        for message in seen + later[ADMIN] + later[self.staff]:
            for row in StandIn.buttons(message):
                for button in row:
                    if button.callback_data:
                        self.values.add(button.callback_data.rpartition("|")[2])
        return seen

    async def _settle(self, chat: int, sentinels: int) -> list[Json]:
        marker = self.marker if chat == self.staff else self.world.admin_marker
        await self.api.edit_text(chat, marker, "/help")
        seen: list[Json] = []
        while sentinels:
            message = await self.api.next_reply(chat, WAIT)
            seen.append(message)
            sentinels -= message.get("text") in SENTINELS
        return seen[:-1]

    async def _report(self) -> tuple[str, dict[str, Value]]:
        async with self.world.db.session() as session:
            report = await session.get(Report, self.report_id)
            assert report is not None
            answers = await repo.load_answers(session=session, form=FORM, report_id=self.report_id)
        return report.status, answers

    async def _join(self, filled: bool) -> None:
        await self.api.send_text(ADMIN, f"/agency {self.agency} 部门")
        # The outbox may still be sending summaries of an earlier example: read up to the link.
        while not invite_tokens(text := str((await self.api.next_reply(ADMIN, WAIT)).get("text", ""))):
            pass
        prompt = await join(self.api, self.staff, invite_tokens(text)[0])
        self.marker = int(self.api.messages(self.staff)[0]["message_id"])
        async with self.world.db.session() as session:
            reports = (await session.exec(select(Report).order_by(col(Report.id)))).all()
        self.report_id = reports[-1].id or 0
        self.other_report_id = (reports[0].id or 0) if len(reports) > 1 else self.report_id + 1
        if filled:
            answers = clean_answers(YEAR, agency=self.agency, unit=UNIT)
            for lines in item_lines(FORM, UNIT, answers):
                for line in lines:
                    await self.api.send_text(self.staff, line, reply_to=int(prompt["message_id"]))
                    prompt, _ = await next_prompt(self.api, self.staff, WAIT)
        self.bot_messages = self.api.bot_messages(self.staff)

    # -- rules ----------------------------------------------------------------------------------

    @initialize(filled=st.booleans())
    def join(self, filled: bool) -> None:
        note(f"staff {self.staff}, agency {self.agency}, filled {filled}")
        self.world.run(self._join(filled))

    @rule(text=visible_text)
    def type_text(self, text: str) -> None:
        self._say(text)

    @precondition(lambda self: bool(self.bot_messages))
    @rule(text=visible_text, data=st.data())
    def reply_to_an_earlier_message(self, text: str, data: st.DataObject) -> None:
        replied = _pick(data, self.bot_messages)
        self._step(self.staff, self._send(self.staff, text, reply_to=int(replied["message_id"])))

    @rule(
        command=st.sampled_from(STAFF_COMMANDS + COORDINATOR_COMMANDS + ["nope"]),
        args=st.lists(junk, max_size=3),
    )
    def staff_command(self, command: str, args: list[str]) -> None:
        self._say(" ".join([f"/{command}", *args]))

    @precondition(lambda self: any(StandIn.buttons(m) for m in self.bot_messages))
    @rule(data=st.data())
    def press_a_current_button(self, data: st.DataObject) -> None:
        current = next(m for m in reversed(self.bot_messages) if StandIn.buttons(m))
        self._press(self.staff, current, data)

    @precondition(lambda self: any(StandIn.buttons(m) for m in self.bot_messages))
    @rule(data=st.data())
    def press_an_old_button(self, data: st.DataObject) -> None:
        old = _pick(data, [m for m in self.bot_messages if StandIn.buttons(m)])
        self._press(self.staff, old, data)

    @precondition(lambda self: bool(self.bot_messages))
    @rule(data=st.data())
    def press_forged_data(self, data: st.DataObject) -> None:
        message = _pick(data, self.bot_messages)
        forged = data.draw(self._forged())
        note(f"forged {forged!r}")
        self._step(self.staff, self.api.press(self.staff, message, forged, forged=True), is_press=True)

    @precondition(lambda self: bool(self.user_messages))
    @rule(text=visible_text, data=st.data())
    def edit_an_earlier_message(self, text: str, data: st.DataObject) -> None:
        message_id = _pick(data, self.user_messages)
        self._step(self.staff, self.api.edit_text(self.staff, message_id, text), is_edit=True)

    @rule(
        command=st.sampled_from(["return", "accept", "reopen", "dashboard", "history"]),
        named=st.booleans(),
        args=st.lists(junk, max_size=2),
    )
    def coordinator_command(self, command: str, named: bool, args: list[str]) -> None:
        words = [f"/{command}", *([self.agency] if named else []), *args]
        self._step(ADMIN, self._send(ADMIN, " ".join(words)))

    @precondition(lambda self: any(StandIn.buttons(m) for m in self.admin_messages))
    @rule(data=st.data())
    def coordinator_presses_a_button(self, data: st.DataObject) -> None:
        message = _pick(data, [m for m in self.admin_messages if StandIn.buttons(m)])
        self._press(ADMIN, message, data)

    @precondition(lambda self: bool(self.admin_messages))
    @rule(data=st.data())
    def coordinator_presses_forged_data(self, data: st.DataObject) -> None:
        message = _pick(data, self.admin_messages)
        forged = data.draw(self._forged())
        note(f"forged {forged!r}")
        self._step(ADMIN, self.api.press(ADMIN, message, forged, forged=True), is_press=True)

    # -- helpers --------------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self._step(self.staff, self._send(self.staff, text))

    async def _send(self, chat: int, text: str, *, reply_to: int | None = None) -> Json:
        sent = await self.api.send_text(chat, text, reply_to=reply_to)
        if chat == self.staff:
            self.user_messages.append(int(sent["message_id"]))
        return sent

    def _press(self, chat: int, message: Json, data: st.DataObject) -> None:
        buttons = [b.callback_data for row in StandIn.buttons(message) for b in row if b.callback_data]
        pressed = _pick(data, buttons)
        note(f"press {pressed!r} on message {message['message_id']}")
        self._step(chat, self.api.press(chat, message, pressed), is_press=True)

    def _forged(self) -> st.SearchStrategy[str]:
        reports = st.one_of(st.sampled_from([str(self.report_id), str(self.other_report_id), "0"]), digits)
        tokens = st.one_of(st.sampled_from(TOKENS), st.text(max_size=8))
        values = st.one_of(
            st.integers(0, 999).map(lambda n: sorted(self.values)[n % len(self.values)]), st.text(max_size=8)
        )
        return st.one_of(
            st.tuples(reports, tokens, values).map("|".join),
            reports.map(lambda r: f"resume:{r}"),
            st.tuples(st.sampled_from(["accept", "return", "x", ""]), reports).map(
                lambda p: f"{REVIEW_PREFIX}{p[0]}:{p[1]}"
            ),
            st.sampled_from(
                [
                    resume_data(self.other_report_id),
                    review_data("accept", self.report_id),
                    review_data("return", self.report_id),
                    "board:2024:all:0",
                    "board:²⁰²⁴:all:0",
                    "board:2024:nope:99999999999999999999",
                ]
            ),
            st.text(min_size=1, max_size=30),
        ).filter(_ok)


async def test_any_sequence_of_messages_and_presses_keeps_the_report_sound(tmp_path: Path) -> None:
    db = Database(sqlite_url(tmp_path / "fuzz.sqlite3"))
    await db.upgrade()
    try:
        async with StandIn() as api, running_bot(api, db) as app:
            await api.send_text(ADMIN, f"/round {YEAR}")
            await api.next_reply(ADMIN)
            with _errors_logged() as errors:
                marker = int(api.messages(ADMIN)[0]["message_id"])
                outbox = app.bot_data.services.outbox if app.bot_data.services is not None else None
                assert outbox is not None
                world = World(asyncio.get_running_loop(), api, db, errors, outbox, marker)

                class OnThisBot(TelegramDialog):
                    def __init__(self) -> None:
                        super().__init__(world)

                await asyncio.to_thread(run_state_machine_as_test, OnThisBot, settings=FUZZ_TELEGRAM)
    finally:
        await db.dispose()
    print(f"\ntelegram fuzz: {world.examples} examples, {world.steps} steps")  # noqa: T201
    assert world.examples >= FUZZ_TELEGRAM.max_examples
