"""The terminal adapter: the same dialog as Telegram, line by line on stdin/stdout.

Works interactively and with a pipe (`./nianbao < answers.txt`). Blank lines are ignored (files
of answers use them to separate parts). At end of input, or on the quit word at any prompt, everything
typed so far is already committed; the next run resumes at the same question. Choosing,
starting and correcting reports is bot/terminal_reports.py's; reading lines (a terminal
without the kernel's line limit) is bot/line_input.py's.

Each answer carries the token of the question this terminal showed: a second terminal on the
same report shares the position, and an answer typed here must not land where that one moved.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TextIO

from bot.documents import write_documents, write_report_files
from bot.line_input import LineSource, PipeLines, line_source
from bot.services.reports import Reports as ReportsService
from bot.services.turns import Clock, TurnResult, Turns
from bot.terminal_reports import Reports
from dialogs import messages as msg
from dialogs.commands import Command, read_command
from dialogs.engine import Event, Reply, Resume, Text
from dialogs.form import Form
from dialogs.lifecycle import is_editable, is_finished
from storage.db import Database
from storage.faults import DatabaseFault

log = logging.getLogger(__name__)


class Leave(Enum):
    """Why the dialog on one report ended."""

    QUIT = "quit"
    MENU = "menu"


@dataclass(slots=True)
class Terminal:
    db: Database
    turns: Turns
    form: Form
    clock: Clock
    inp: TextIO
    out: TextIO
    output_dir: Path
    user: str = ""
    lines: LineSource | None = None

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def show(self, reply: Reply) -> None:
        self.say(reply.text)
        if reply.choices:
            self.say(
                msg.TERM_CHOICES.format(choices=msg.CHOICE_SEPARATOR.join(c.label for c in reply.choices))
            )

    async def read(self, prompt: str = "> ", *, skip_blank: bool = True) -> str | None:
        """The next line (non-blank unless `skip_blank` is False); None at end of input or the quit word."""
        lines = self.lines if self.lines is not None else PipeLines(self.inp)
        while True:
            print(prompt, end="", file=self.out, flush=True)
            line = await lines.readline()
            if line == "":
                self.say("")
                return None
            text = line.rstrip("\r\n")
            if text.strip() in msg.TERM_QUIT_WORDS:
                return None
            if text.strip() or not skip_blank:
                return text
            self.say(msg.TERM_BLANK)

    async def run(self) -> int:
        with line_source(self.inp, self.out) as lines:
            self.lines = lines
            self.say(msg.TERM_WELCOME)
            reports = Reports(self)
            report_id = await reports.start()
            while report_id is not None:
                person_id = await reports.person_id()
                if await self.fill(person_id, report_id) is Leave.QUIT:
                    break
                report_id = await reports.menu()
        # Said once the terminal is as it was: whoever sees this can type into the shell again.
        self.say(msg.TERM_EOF)
        return 0

    async def fill(self, person_id: int, report_id: int) -> Leave:
        """The dialog on one report until the quit word / end of input (QUIT) or the reports word (MENU)."""
        await self._opening_notes(person_id, report_id)
        result = await self.turns.handle(person_id, report_id, Resume())
        self._show_turn(result)
        while True:
            line = await self.read()
            if line is None:
                return Leave.QUIT
            word = line.strip()
            if word in msg.TERM_MENU_WORDS:
                return Leave.MENU
            if word in msg.TERM_RENDER_WORDS:
                await self._render(person_id, report_id)
                continue
            try:
                result = await self.turns.handle(person_id, report_id, Text(line, result.state.token))
            except DatabaseFault:
                # Nothing of this line was committed; __main__ says why and exits with its code.
                self.say(msg.TERM_NOT_SAVED)
                raise
            self._show_turn(result)
            command = read_command(line)
            if command is not None and command[0] is Command.HELP:
                self.say(msg.TERM_DIALOG_HELP)
            if Event.SUBMITTED in result.events:
                # The documents rendered with the submission, before it was committed.
                self._say_files(await asyncio.to_thread(write_documents, result.documents, self.output_dir))

    def _show_turn(self, result: TurnResult) -> None:
        for reply in result.replies:
            self.show(reply)

    async def _opening_notes(self, person_id: int, report_id: int) -> None:
        """A coordinator's comment on a returned report; a submitted one's files, written again."""
        opening = await ReportsService(self.db).opening(person_id, report_id)
        if opening is None:
            return
        if is_editable(opening.report.status) and opening.comment:
            self.say(msg.TERM_RETURN_COMMENT.format(comment=opening.comment))
        if is_finished(opening.report.status):
            await self._write_files(report_id)

    async def _render(self, person_id: int, report_id: int) -> None:
        opening = await ReportsService(self.db).opening(person_id, report_id)
        if opening is None or not is_finished(opening.report.status):
            self.say(msg.TERM_NOT_SUBMITTED_YET)
            return
        await self._write_files(report_id)

    async def _write_files(self, report_id: int) -> None:
        """The report as stored now, rendered again and written to the output directory."""
        self._say_files(await write_report_files(self.turns, report_id, self.output_dir))

    def _say_files(self, paths: list[Path]) -> None:
        self.say(msg.TERM_FILES.format(directory=self.output_dir.resolve()))
        for path in paths:
            self.say(f"  {path}")
