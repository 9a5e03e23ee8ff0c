"""The terminal adapter: the same dialog as Telegram, line by line on stdin/stdout.

Works interactively and with a pipe (`./nianbao < answers.txt`). Blank lines are ignored (files
of answers use them to separate parts). At end of input everything typed so far is already
committed; the next run resumes at the same question.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.documents import Document, write_documents
from bot.turn import Clock, Turns
from dialogs import messages as msg
from dialogs.engine import Event, Reply, Resume, Text
from dialogs.form import Form, UnitKind
from dialogs.parsing import Rejected, parse_agency_name, parse_report_year
from storage import repositories as repo
from storage.db import Database
from storage.faults import DatabaseFault
from storage.tables import ReportStatus

log = logging.getLogger(__name__)

_KIND_WORDS = {word: UnitKind(kind) for word, kind in msg.TERM_KIND_WORDS.items()}


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

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def show(self, reply: Reply) -> None:
        self.say(reply.text)
        if reply.choices:
            self.say(
                msg.TERM_CHOICES.format(choices=msg.CHOICE_SEPARATOR.join(c.label for c in reply.choices))
            )

    async def read(self, prompt: str = "> ", *, skip_blank: bool = True) -> str | None:
        """The next line (non-blank unless `skip_blank` is False), or None at end of input."""
        while True:
            print(prompt, end="", file=self.out, flush=True)
            line = await asyncio.to_thread(self.inp.readline)
            if line == "":
                self.say("")
                return None
            text = line.rstrip("\r\n")
            if text.strip() or not skip_blank:
                return text
            self.say(msg.TERM_BLANK)

    async def run(self) -> int:
        self.say(msg.TERM_WELCOME)
        async with self.db.session() as session:
            person = await repo.local_person(session=session, local_name=self.user or getpass.getuser())
            person_id = person.id or 0
        report_id = await self._choose_report(person_id)
        if report_id is None:
            self.say(msg.TERM_EOF)
            return 0
        result = await self.turns.handle(person_id, report_id, Resume())
        for reply in result.replies:
            self.show(reply)
        while True:
            line = await self.read()
            if line is None:
                self.say(msg.TERM_EOF)
                return 0
            try:
                result = await self.turns.handle(person_id, report_id, Text(line))
            except DatabaseFault:
                # Nothing of this line was committed; __main__ says why and exits with its code.
                self.say(msg.TERM_NOT_SAVED)
                raise
            for reply in result.replies:
                self.show(reply)
            if Event.SUBMITTED in result.events:
                await self._write_files(result.documents)

    async def _write_files(self, documents: tuple[Document, ...]) -> None:
        """The documents rendered with the submission, into the output directory."""
        paths = await asyncio.to_thread(write_documents, documents, self.output_dir)
        self.say(msg.TERM_FILES.format(directory=self.output_dir.resolve()))
        for path in paths:
            self.say(f"  {path}")

    async def _choose_report(self, person_id: int) -> int | None:
        async with self.db.session() as session:
            mine = await repo.reports_of_person(session=session, person_id=person_id)
        drafts = [(r, a) for r, a in mine if r.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)]
        if len(drafts) == 1:
            report, agency = drafts[0]
            self.say(msg.TERM_RESUMING.format(agency=agency.name, year=report.year))
            return report.id
        if len(drafts) > 1:
            self.say(msg.TERM_CHOOSE_REPORT)
            for n, (report, agency) in enumerate(drafts, start=1):
                status = msg.STATUS_NAMES.get(report.status, report.status)
                self.say(
                    msg.TERM_REPORT_LINE.format(number=n, agency=agency.name, year=report.year, status=status)
                )
            while True:
                line = await self.read()
                if line is None:
                    return None
                choice = line.strip()
                if choice.isdigit() and 1 <= int(choice) <= len(drafts):
                    return drafts[int(choice) - 1][0].id
                if choice == "0":
                    break
                self.say(msg.TERM_CHOOSE_REPORT)
        return await self._new_report(person_id)

    async def _new_report(self, person_id: int) -> int | None:
        name: str | None = None
        while name is None:
            self.say(msg.TERM_ASK_AGENCY)
            line = await self.read()
            if line is None:
                return None
            typed = parse_agency_name(line)
            if isinstance(typed, Rejected):
                self.say(typed.message)
            else:
                name = typed
        kind: UnitKind | None = None
        while kind is None:
            self.say(msg.TERM_ASK_KIND)
            line = await self.read()
            if line is None:
                return None
            kind = _KIND_WORDS.get(line.strip())
            if kind is None:
                self.say(msg.TERM_BAD_KIND)
        latest = self.clock().year
        default = latest - 1
        unconfirmed: int | None = None
        year: int | None = None
        self.say(msg.TERM_ASK_YEAR.format(default=default))
        while year is None:
            line = await self.read(skip_blank=False)
            if line is None:
                return None
            read = parse_report_year(line, default=default, current=latest)
            if isinstance(read, Rejected):
                self.say(read.message)
                self.say(msg.TERM_ASK_YEAR.format(default=default))
            elif read == latest and unconfirmed != read:
                # The report is about a finished year: the running one only when typed twice.
                unconfirmed = read
                self.say(msg.CURRENT_YEAR_WARNING.format(year=read, previous=default))
            else:
                year = read
        async with self.db.session() as session:
            agency = await repo.find_agency(session=session, name=name)
            if agency is None:
                agency = await repo.create_agency(session=session, name=name, unit=kind)
            agency_id = agency.id or 0
            await repo.add_member(session=session, person_id=person_id, agency_id=agency_id)
            rnd = await repo.round_for_year(session=session, year=year)
            report = await repo.report_for(
                session=session, agency_id=agency_id, year=year, round_id=rnd.id if rnd else None
            )
            if report is None or report.id is None:
                return None
            await repo.set_active_report(session=session, person_id=person_id, report_id=report.id)
            if report.status == ReportStatus.SUBMITTED:
                self.say(msg.TERM_ALREADY_SUBMITTED.format(agency=agency.name, year=year))
            return report.id
