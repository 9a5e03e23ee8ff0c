"""The terminal's reports: resume the one open report, or list them all to open, start or correct.

Every prompt here takes the dialog's words too: help explains, back goes back a prompt,
quit (or end of input) leaves. The corrections themselves (a mistyped agency name, unit kind or
year) are storage's `change_identity`, so Telegram and the command line can share them.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.services.reports import IdentityChange
from bot.services.reports import Reports as ReportsService
from dialogs import messages as msg
from dialogs.commands import Command, read_command
from dialogs.form import UnitKind
from dialogs.lifecycle import is_editable
from dialogs.parsing import Rejected, parse_report_year, parse_whole_number
from dialogs.setup import KIND_WORDS, read_agency_name
from storage.tables import Agency, Report

if TYPE_CHECKING:
    from bot.terminal import Terminal


@dataclass(frozen=True, slots=True)
class Identity:
    name: str
    unit: UnitKind
    year: int


class _Back:
    """Back on the first setup prompt: back to where the setup was started from."""


BACK = _Back()


class Reports:
    def __init__(self, terminal: Terminal) -> None:
        self.term = terminal
        self.service = ReportsService(terminal.db)
        self._person_id: int | None = None

    async def person_id(self) -> int:
        if self._person_id is None:
            self._person_id = await self.service.local_person(self.term.user or getpass.getuser())
        return self._person_id

    async def _mine(self) -> list[tuple[Report, Agency]]:
        return await self.service.mine(await self.person_id())

    async def start(self) -> int | None:
        """At the start of a run: the one open report resumed, or else the list (or a new one)."""
        mine = await self._mine()
        if not mine:
            created = await self.new_report(can_go_back=False)
            return None if isinstance(created, _Back) else created
        open_reports = [(r, a) for r, a in mine if is_editable(r.status)]
        if len(open_reports) == 1:
            report, agency = open_reports[0]
            self.term.say(msg.TERM_RESUMING.format(agency=agency.name, year=report.year))
            self.term.say(msg.TERM_MENU_HINT)
            return report.id
        return await self.menu()

    async def menu(self) -> int | None:
        """The person's reports by number: open one, start one, or correct one."""
        term = self.term
        while True:
            mine = await self._mine()
            term.say(msg.TERM_REPORTS_HEADER)
            for n, (report, agency) in enumerate(mine, start=1):
                status = msg.STATUS_NAMES.get(report.status, report.status)
                term.say(
                    msg.TERM_REPORT_LINE.format(number=n, agency=agency.name, year=report.year, status=status)
                )
            term.say(msg.TERM_MENU_HELP)
            line = await term.read()
            if line is None:
                return None
            word = line.strip()
            if word in msg.TERM_NEW_WORDS:
                created = await self.new_report(can_go_back=True)
                if isinstance(created, _Back):
                    continue
                return created
            if word.isdigit():
                chosen = self._numbered(mine, word)
                if chosen is not None:
                    await self._activate(chosen)
                    return chosen.id
                continue
            head, _, rest = word.partition(" ")
            if head in (msg.TERM_RENAME_WORD, msg.TERM_CHANGE_WORD):
                number, _, name = rest.strip().partition(" ")
                chosen = self._numbered(mine, number)
                if chosen is None:
                    continue
                if (
                    await self._correct(chosen, name.strip() if head == msg.TERM_RENAME_WORD else None)
                    is None
                ):
                    return None
                continue
            command = read_command(word)
            if command is not None and command[0] is Command.BACK:
                term.say(msg.BACK_AT_START)
            elif command is None or command[0] is not Command.HELP:
                term.say(msg.TERM_MENU_BAD.format(text=word))

    def _numbered(self, mine: list[tuple[Report, Agency]], text: str) -> Report | None:
        number = parse_whole_number(text, limit=len(mine))
        if number is not None and number >= 1:
            return mine[number - 1][0]
        self.term.say(msg.TERM_MENU_NUMBER.format(number=text, count=len(mine)))
        return None

    async def _activate(self, report: Report) -> None:
        await self.service.activate(await self.person_id(), report.id or 0)

    async def _correct(self, report: Report, new_name: str | None) -> bool | None:
        """Rename (a new name given) or correct (everything asked again); None when the person quit."""
        agency = await self.service.agency_of(await self.person_id(), report.id or 0)
        if agency is None:
            return False
        current = Identity(agency.name, UnitKind(agency.unit_kind), report.year)
        if new_name is not None:
            renamed = read_agency_name(new_name)
            if isinstance(renamed, Rejected):
                self.term.say(renamed.message)
                return False
            wanted: Identity | _Back | None = Identity(renamed, current.unit, current.year)
        else:
            wanted = await self.ask_identity(current, can_go_back=True)
        if wanted is None:
            return None
        if isinstance(wanted, _Back):
            return False
        done = await self.service.change_identity(
            await self.person_id(), report.id or 0, name=wanted.name, unit=wanted.unit, year=wanted.year
        )
        if done is None:
            return False
        said = {
            IdentityChange.DONE: msg.TERM_CHANGED,
            IdentityChange.LOCKED: msg.TERM_CHANGE_LOCKED,
            IdentityChange.YEAR_TAKEN: msg.TERM_YEAR_TAKEN,
        }[done]
        shown = current if done is IdentityChange.LOCKED else wanted
        kind = msg.UNIT_NAMES.get(shown.unit.value, shown.unit.value)
        self.term.say(said.format(agency=shown.name, year=shown.year, kind=kind))
        return done is IdentityChange.DONE

    async def ask_identity(self, current: Identity | None, *, can_go_back: bool) -> Identity | _Back | None:
        """Agency name, unit kind and year, prompt by prompt; `current` values are kept on Enter."""
        term = self.term
        latest = term.clock().year
        name, unit, year = (current.name, current.unit, current.year) if current else ("", None, latest - 1)
        step = 0
        unconfirmed: int | None = None
        while step < 3:
            keep = (name, msg.UNIT_NAMES.get(unit.value, "") if unit else "", str(year))[step]
            question = (msg.TERM_ASK_AGENCY, msg.TERM_ASK_KIND, msg.TERM_ASK_YEAR.format(default=year))[step]
            term.say(
                question
                if current is None or step == 2
                else f"{question}{msg.TERM_KEEP.format(current=keep)}"
            )
            line = await term.read(skip_blank=current is None and step < 2)
            if line is None:
                return None
            command = read_command(line)
            if command is not None and command[0] is Command.HELP:
                term.say(msg.TERM_SETUP_HELP)
                continue
            if command is not None and command[0] is Command.BACK:
                if step == 0 and can_go_back:
                    return BACK
                if step == 0:
                    term.say(msg.BACK_AT_START)
                step = max(step - 1, 0)
                continue
            text = line.strip()
            if step == 0:
                if not text and current is not None:
                    step += 1
                    continue
                typed = read_agency_name(text)
                if isinstance(typed, Rejected):
                    term.say(typed.message)
                    continue
                name = typed
            elif step == 1:
                if not text and unit is not None:
                    step += 1
                    continue
                chosen = KIND_WORDS.get(text)
                if chosen is None:
                    term.say(msg.TERM_BAD_KIND)
                    continue
                unit = chosen
            else:
                read = parse_report_year(line, default=year, current=latest)
                if isinstance(read, Rejected):
                    term.say(read.message)
                    continue
                if read == latest and unconfirmed != read:
                    # The report is about a finished year: the running one only when typed twice.
                    unconfirmed = read
                    term.say(msg.CURRENT_YEAR_WARNING.format(year=read, previous=latest - 1))
                    continue
                year = read
            step += 1
        if unit is None:
            raise AssertionError("the kind step sets the unit")
        return Identity(name, unit, year)

    async def new_report(self, *, can_go_back: bool) -> int | _Back | None:
        """A new report (or the existing one of that agency and year), set active."""
        wanted = await self.ask_identity(None, can_go_back=can_go_back)
        if wanted is None or isinstance(wanted, _Back):
            return wanted
        person_id = await self.person_id()
        created = await self.service.create(person_id, name=wanted.name, unit=wanted.unit, year=wanted.year)
        if created is None:
            return None
        if not is_editable(created.report.status):
            self.term.say(msg.TERM_ALREADY_SUBMITTED.format(agency=created.agency.name, year=wanted.year))
        return created.report.id
