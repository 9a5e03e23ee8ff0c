"""The coordinators' commands (the disclosure office): rounds, agencies, invites, the dashboard,
returns, importing a published report sent as a file (staff may send their own agency's earlier
one), and the year's export.

Each callback asks bot/services/access.py first; a refusal answers and writes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import date

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.coordinator_views import (
    board_text,
    bulk_done,
    detail_text,
    history_text,
    refused_text,
    sheet_refused,
    sheet_rows,
    totals_text,
)
from bot.export import build_export
from bot.reminder_plan import ReminderPlan, calendar_note
from bot.services.access import INVITE_TTL, Caller, Refusal
from bot.services.coordination import (
    Board,
    DeniedFor,
    Districts,
    Refused,
    Reviewed,
    Who,
    default_deadline,
    denied_text,
)
from bot.services.coordination import Refusal as CoordinationRefusal
from bot.services.importing import store_import
from bot.services.outgoing import invite_link, read_review_data
from bot.telegram_handlers import NianbaoContext, on_text, send_text
from dialogs import messages as msg
from dialogs import messages_telegram as tmsg
from dialogs.form import UnitKind
from dialogs.lifecycle import Action, Actor
from dialogs.parsing import Rejected, parse_agency_name, parse_whole_number, parse_year_word
from importer import earlier_report_problem, import_document, read_agency_sheet
from importer.agencies import is_agency_sheet
from storage.dashboard import BoardFilter
from storage.tables import Agency, ReportingRound
from templates import invite_links_sheet

log = logging.getLogger(__name__)

_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FIRST_YEAR, _LAST_YEAR = 2008, 2100  # the disclosure regulation took effect in 2008
BOARD_PREFIX = "board:"


async def _coordinator(update: Update, context: NianbaoContext) -> tuple[int, Caller] | None:
    """(chat id, caller) when the sender is a coordinator; otherwise refuses and returns None."""
    if update.effective_chat is None or update.effective_user is None:
        return None
    chat_id = update.effective_chat.id
    who = await context.services.access.coordinator(update.effective_user.id)
    if isinstance(who, Refusal):
        await send_text(context, chat_id, tmsg.COORDINATOR_ONLY)
        return None
    return chat_id, who


def _who(caller: Caller) -> Who:
    return Who(caller.person_id, Actor.COORDINATOR)


def _refused_text(refused: Refused, query: str = "") -> str:
    return refused_text(refused, query)


def _link(context: NianbaoContext, token: str) -> str:
    return invite_link(context.bot.username, token)


def _args(context: NianbaoContext) -> list[str]:
    return list(context.args or [])


async def on_round(update: Update, context: NianbaoContext) -> None:
    found = await _coordinator(update, context)
    if found is None:
        return
    chat_id, who = found
    args = _args(context)
    year = (parse_whole_number(args[0]) if args else None) or 0
    if not _FIRST_YEAR <= year <= _LAST_YEAR or len(args) > 2:
        await send_text(context, chat_id, tmsg.ROUND_USAGE)
        return
    deadline: date | None = None
    if len(args) == 2:
        m = _DATE.match(args[1])
        try:
            deadline = date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
        except ValueError:
            deadline = None
        if deadline is None:
            await send_text(context, chat_id, tmsg.ROUND_USAGE)
            return
    services = context.services
    before = await services.coordination.rounds(_who(who), year=year)
    opened = await services.coordination.open_round(
        _who(who), year=year, deadline=deadline, at=services.clock()
    )
    if isinstance(opened, Refused):
        await send_text(context, chat_id, _refused_text(opened))
        return
    district, rnd = opened
    plan, _ = ReminderPlan.from_json_or_default(rnd.reminder_plan)
    # The deadline is the coordinator's: a non-working deadline is reported, never moved.
    if isinstance(before, ReportingRound):
        lines = [
            tmsg.ROUND_CHANGED.format(district=district.name, year=year, deadline=rnd.deadline.isoformat())
        ]
    else:
        government = default_deadline(year, UnitKind.GOVERNMENT).isoformat()
        lines = [
            tmsg.ROUND_OPENED.format(
                district=district.name, year=year, deadline=rnd.deadline.isoformat(), government=government
            )
        ]
    note = calendar_note(plan, rnd.deadline, calendar=services.calendar)
    if note:
        lines.append(note)
    await send_text(context, chat_id, "\n".join(lines))


async def on_agency(update: Update, context: NianbaoContext) -> None:
    found = await _coordinator(update, context)
    if found is None:
        return
    chat_id, who = found
    args = _args(context)
    kind = tmsg.KIND_WORDS.get(args[-1]) if len(args) >= 2 else None
    name = " ".join(args[:-1]).strip()
    if kind is None or not name:
        await send_text(context, chat_id, tmsg.AGENCY_USAGE)
        return
    read = parse_agency_name(name)
    if isinstance(read, Rejected):
        await send_text(context, chat_id, read.message)
        return
    services = context.services
    added = await services.coordination.add_agency(
        _who(who), name=read, unit=UnitKind(kind), at=services.clock()
    )
    if isinstance(added, Refused):
        await send_text(context, chat_id, _refused_text(added))
        return
    template = tmsg.AGENCY_EXISTS if added.existed else tmsg.AGENCY_CREATED
    text = template.format(
        agency=added.agency.name,
        agency_id=added.agency.id,
        kind=tmsg.KIND_NAMES[added.agency.unit_kind],
        year=added.year,
        days=INVITE_TTL.days,
        link=_link(context, added.token),
    )
    await send_text(context, chat_id, text)


async def _agency_query(update: Update, context: NianbaoContext, usage: str) -> tuple[int, Who, str] | None:
    """A coordinator command that names one agency: (chat, who, the name or number) or None."""
    found = await _coordinator(update, context)
    if found is None:
        return None
    chat_id, who = found
    query = " ".join(_args(context))
    if not query:
        await send_text(context, chat_id, usage)
        return None
    return chat_id, _who(who), query


async def on_invite(update: Update, context: NianbaoContext) -> None:
    asked = await _agency_query(update, context, tmsg.INVITE_USAGE)
    if asked is None:
        return
    chat_id, who, query = asked
    done = await context.services.coordination.invite(who, query=query, at=context.services.clock())
    if isinstance(done, Refused):
        text = _refused_text(done, query)
    else:
        agency, token = done
        text = tmsg.INVITE_CREATED.format(
            agency=agency.name, days=INVITE_TTL.days, link=_link(context, token)
        )
    await send_text(context, chat_id, text)


async def on_revoke(update: Update, context: NianbaoContext) -> None:
    asked = await _agency_query(update, context, tmsg.REVOKE_USAGE)
    if asked is None:
        return
    chat_id, who, query = asked
    done = await context.services.coordination.revoke(who, query=query, at=context.services.clock())
    if isinstance(done, Refused):
        text = _refused_text(done, query)
    else:
        agency, count = done
        text = tmsg.REVOKED.format(agency=agency.name, count=count)
    await send_text(context, chat_id, text)


async def on_make_coordinator(update: Update, context: NianbaoContext) -> None:
    found = await _coordinator(update, context)
    if found is None:
        return
    chat_id, who = found
    made = await context.services.coordination.coordinator_invite(_who(who), at=context.services.clock())
    if isinstance(made, Refused):
        await send_text(context, chat_id, _refused_text(made))
        return
    district, token = made
    text = tmsg.COORDINATOR_INVITE.format(
        district=district.name, days=INVITE_TTL.days, link=_link(context, token)
    )
    await send_text(context, chat_id, text)


async def on_dashboard(update: Update, context: NianbaoContext) -> None:
    """`/dashboard [year]`: the counts and the first page; `/dashboard <agency>`: one agency's detail."""
    found = await _coordinator(update, context)
    if found is None:
        return
    chat_id, who = found
    args = _args(context)
    year = parse_year_word(args[-1]) if args else None
    query = " ".join(a for a in args if parse_year_word(a) is None)
    if query:
        await _send_detail(context, chat_id, _who(who), query, year)
        return
    await _send_board(context, chat_id, _who(who), year, BoardFilter.ALL, 0, None)


async def on_dashboard_press(update: Update, context: NianbaoContext) -> None:
    """A page or filter button of the dashboard: the message is edited in place."""
    query = update.callback_query
    if query is None or query.data is None or update.effective_user is None:
        return
    await query.answer()
    asked = read_board_data(query.data)
    found = await _coordinator(update, context)
    if found is None or asked is None:
        return
    chat_id, who = found
    year, board_filter, page = asked
    await _send_board(context, chat_id, _who(who), year, board_filter, page, query.message)


def _board_data(year: int, board_filter: BoardFilter, page: int) -> str:
    return f"{BOARD_PREFIX}{year}:{board_filter.value}:{page}"


def read_board_data(data: str) -> tuple[int, BoardFilter, int] | None:
    parts = data.removeprefix(BOARD_PREFIX).split(":")
    if not data.startswith(BOARD_PREFIX) or len(parts) != 3:
        return None
    year, page = parse_whole_number(parts[0]), parse_whole_number(parts[2])
    if year is None or page is None:
        return None
    try:
        return year, BoardFilter(parts[1]), page
    except ValueError:
        return None


def _board_keyboard(board: Board) -> InlineKeyboardMarkup:
    year = board.round.year
    moves = []
    if board.page > 0:
        moves.append(
            InlineKeyboardButton(
                tmsg.BTN_PREVIOUS_PAGE, callback_data=_board_data(year, board.board_filter, board.page - 1)
            )
        )
    if board.page + 1 < board.pages:
        moves.append(
            InlineKeyboardButton(
                tmsg.BTN_NEXT_PAGE, callback_data=_board_data(year, board.board_filter, board.page + 1)
            )
        )
    filters = [
        InlineKeyboardButton(tmsg.DASHBOARD_FILTERS[f.value], callback_data=_board_data(year, f, 0))
        for f in BoardFilter
        if f is not board.board_filter
    ]
    rows = [moves] if moves else []
    rows += [filters[i : i + 3] for i in range(0, len(filters), 3)]
    return InlineKeyboardMarkup(rows)


async def _send_board(
    context: NianbaoContext,
    chat_id: int,
    who: Who,
    year: int | None,
    board_filter: BoardFilter,
    page: int,
    edit: object,
) -> None:
    services = context.services
    board = await services.coordination.dashboard(
        who, year=year, at=services.clock(), zone=services.settings.zone, board_filter=board_filter, page=page
    )
    if isinstance(board, Refused):
        no_round = board.refusal is CoordinationRefusal.NO_ROUND
        await send_text(context, chat_id, tmsg.DASHBOARD_NO_ROUND if no_round else _refused_text(board))
        return
    if board.counts.agencies == 0:
        await send_text(context, chat_id, tmsg.DASHBOARD_NONE.format(year=board.round.year))
        return
    text = board_text(board, services.form, services.settings)
    markup = _board_keyboard(board)
    if isinstance(edit, Message):
        try:
            await edit.edit_text(text, reply_markup=markup)
            return
        except BadRequest:  # unchanged (the same page pressed twice) or too old to edit
            pass
    await send_text(context, chat_id, text, markup)


async def _send_detail(context: NianbaoContext, chat_id: int, who: Who, query: str, year: int | None) -> None:
    services = context.services
    detail = await services.coordination.agency_detail(who, query=query, year=year)
    if isinstance(detail, Refused):
        await send_text(context, chat_id, _refused_text(detail, query))
        return
    await send_text(context, chat_id, detail_text(detail, services.form, services.settings))


async def on_history(update: Update, context: NianbaoContext) -> None:
    found = await _coordinator(update, context)
    if found is None:
        return
    chat_id, who = found
    args = _args(context)
    year = parse_year_word(args[-1]) if len(args) > 1 else None
    query = " ".join(args[:-1] if year is not None else args)
    if not query:
        await send_text(context, chat_id, tmsg.HISTORY_USAGE)
        return
    services = context.services
    history = await services.coordination.history(_who(who), query=query, year=year)
    if isinstance(history, Refused):
        await send_text(context, chat_id, _refused_text(history, query))
        return
    await send_text(context, chat_id, history_text(history, services.form, services.settings))


async def on_district(update: Update, context: NianbaoContext) -> None:
    found = await _coordinator(update, context)
    if found is None:
        return
    chat_id, who = found
    name = " ".join(_args(context)).strip()
    coordination = context.services.coordination
    if not name:
        listed = await coordination.districts(_who(who))
        if isinstance(listed, Refused):
            await send_text(context, chat_id, _refused_text(listed))
            return
        current = listed.current.name if listed.current is not None else tmsg.DISTRICT_NONE_PICKED
        names = "\n".join(f"  {d.name}" for d in listed.mine) or f"  {current}"
        await send_text(context, chat_id, tmsg.DISTRICT_LIST.format(current=current, names=names))
        return
    before = await coordination.districts(_who(who))
    picked = await coordination.pick_district(_who(who), name=name)
    if isinstance(picked, Refused):
        await send_text(context, chat_id, _refused_text(picked, name))
        return
    existed = isinstance(before, Districts) and any(d.id == picked.id for d in before.mine)
    template = tmsg.DISTRICT_PICKED if existed else tmsg.DISTRICT_CREATED
    await send_text(context, chat_id, template.format(district=picked.name))


# What each review command does and says when it is done.
_REVIEWS = {
    "return": (Action.RETURN, tmsg.RETURN_USAGE, tmsg.RETURNED),
    "accept": (Action.ACCEPT, tmsg.ACCEPT_USAGE, tmsg.ACCEPTED),
    "reopen": (Action.REOPEN, tmsg.REOPEN_USAGE, tmsg.REOPENED),
}


async def _review(update: Update, context: NianbaoContext, command: str) -> None:
    action, usage, done_text = _REVIEWS[command]
    asked = await _agency_query(update, context, usage)
    if asked is None:
        return
    chat_id, who, query = asked
    comment = ""
    if action is Action.RETURN:  # /return <agency> <comment>: the first word names the agency
        query, _, comment = query.partition(" ")
    services = context.services
    outcome = await services.coordination.review(
        who, action, query=query, year=None, comment=comment.strip(), at=services.clock()
    )
    await _say_reviewed(context, chat_id, outcome, done_text, query)


async def _say_reviewed(
    context: NianbaoContext,
    chat_id: int,
    outcome: Reviewed | Refused | DeniedFor,
    done_text: str,
    query: str = "",
) -> None:
    if isinstance(outcome, Refused):
        text = _refused_text(outcome, query)
    elif isinstance(outcome, DeniedFor):
        text = denied_text(outcome)
    else:
        text = done_text.format(agency=outcome.agency, year=outcome.year, count=outcome.notified)
    context.services.outbox.kick()
    await send_text(context, chat_id, text)


async def on_review_press(update: Update, context: NianbaoContext) -> None:
    """Accept / return under a submission summary. Accept locks the report at once; return asks for the
    comment first (the coordinator's next reply), which staff see when the report reopens."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    await query.answer()
    pressed = read_review_data(query.data)
    found = await _coordinator(update, context)
    if found is None or pressed is None:
        return
    chat_id, who = found
    action, report_id = pressed
    services = context.services
    if action == "accept":
        outcome = await services.coordination.review(
            _who(who), Action.ACCEPT, report_id=report_id, year=None, comment="", at=services.clock()
        )
        await _say_reviewed(context, chat_id, outcome, tmsg.ACCEPTED)
        return
    pending = await services.coordination.begin_return(_who(who), report_id=report_id)
    if isinstance(pending, Refused | DeniedFor):
        await _say_reviewed(context, chat_id, pending, tmsg.RETURNED)
        return
    prompt = tmsg.RETURN_COMMENT_PROMPT.format(agency=pending.agency, year=pending.year)
    await context.bot.send_message(chat_id, prompt, reply_markup=ForceReply(selective=True))


async def on_reply(update: Update, context: NianbaoContext) -> None:
    """A reply to one of the bot's messages: the comment of a return the coordinator began, or
    else (any other reply, anyone else's) an ordinary answer of the dialog."""
    message = update.message
    replied = message.reply_to_message if message is not None else None
    prompt_head = tmsg.RETURN_COMMENT_PROMPT_HEAD
    if (
        message is None
        or message.text is None
        or replied is None
        or replied.from_user is None
        or replied.from_user.id != context.bot.id
        or not (replied.text or "").startswith(prompt_head)
    ):
        await on_text(update, context)
        return
    found = await _coordinator(update, context)
    if found is None:
        return
    chat_id, who = found
    services = context.services
    if message.text.strip() in tmsg.CANCEL_WORDS:
        cancelled = await services.coordination.cancel_return(_who(who))
        await send_text(context, chat_id, tmsg.RETURN_CANCELLED if cancelled else tmsg.RETURN_NO_PENDING)
        return
    outcome = await services.coordination.finish_return(
        _who(who), comment=message.text.strip(), at=services.clock()
    )
    await _say_reviewed(context, chat_id, outcome, tmsg.RETURNED)


async def on_return(update: Update, context: NianbaoContext) -> None:
    await _review(update, context, "return")


async def on_accept(update: Update, context: NianbaoContext) -> None:
    await _review(update, context, "accept")


async def on_reopen(update: Update, context: NianbaoContext) -> None:
    await _review(update, context, "reopen")


# A published report is a few KB of text, a Word-pasted page a few hundred KB, a PDF with its
# fonts one or two MB; anything far larger is not one.
_MAX_IMPORT_BYTES = 5 * 1024 * 1024


async def on_document(update: Update, context: NianbaoContext) -> None:
    """A published report sent as a file (.docx, .pdf, .html, .txt) is imported: by a coordinator
    for the agency and year its title or caption names, by staff as an earlier year of their own
    agency (so this year's dialog proposes its carry-over). The reply says what was read."""
    message = update.effective_message
    if message is None or message.document is None or update.effective_user is None:
        return
    services = context.services
    who = await services.access.caller(update.effective_user.id)
    agency, year = _caption_agency_year(message.caption or "")
    own: tuple[Agency, int] | None = None
    district_id: int | None = None
    if services.access.is_coordinator(who, update.effective_user.id):
        found = await _coordinator(update, context)
        if found is None:
            return
        chat_id, caller = found
        scope = await services.coordination.district_of(_who(caller))
        if isinstance(scope, Refused):
            await send_text(context, chat_id, _refused_text(scope))
            return
        district_id = scope.id
    else:
        own = await _own_agency(context, who)
        if who is None or own is None:
            await send_text(context, message.chat_id, tmsg.NO_REPORT if who else tmsg.NOT_INVITED)
            return
        chat_id, caller, agency = message.chat_id, who, own[0].name
    document = message.document
    if document.file_size is not None and document.file_size > _MAX_IMPORT_BYTES:
        await send_text(
            context, chat_id, tmsg.IMPORT_TOO_LARGE.format(limit=_MAX_IMPORT_BYTES // (1024 * 1024))
        )
        return
    data = bytes(await (await document.get_file()).download_as_bytearray())
    if is_agency_sheet(document.file_name or ""):
        await _import_agencies(context, chat_id, _who(caller), data, document.file_name or "")
        return
    result = await asyncio.to_thread(import_document, data, document.file_name or "", services.form)
    if own is not None and (
        problem := earlier_report_problem(result, agency=agency or "", year=year, before=own[1])
    ):
        await send_text(context, chat_id, problem)
        return
    stored = await store_import(
        services.db,
        services.form,
        result,
        who=_who(caller) if own is None else Who(caller.person_id, Actor.STAFF),
        agency=agency,
        year=year,
        unit=UnitKind(own[0].unit_kind) if own is not None else None,
        district_id=own[0].district_id if own is not None else district_id,
        at=services.clock(),
    )
    lines = [stored.message, result.summary] if stored.ok else [stored.message]
    if stored.ok and own is not None and (year or result.year) == own[1] - 1:
        lines.append(tmsg.IMPORT_PROPOSED.format(year=own[1]))
    notes = [p.describe() for p in result.problems if not p.is_fatal] if result.is_usable else []
    if notes:
        lines += [tmsg.IMPORT_NOTES_HEADER, *notes]
    if not stored.ok and result.is_usable:
        lines.append(tmsg.IMPORT_USAGE)
    log.info("import by person %s: %s", caller.person_id, "stored" if stored.ok else "refused")
    await send_text(context, chat_id, "\n".join(lines))


# Telegram's message limit leaves room for this many errors in one reply.
_SHOWN_ERRORS = 40


async def _import_agencies(
    context: NianbaoContext, chat_id: int, who: Who, data: bytes, filename: str
) -> None:
    """A list of agencies (.xlsx or .csv): every row checked, all imported or none."""
    sheet = await asyncio.to_thread(read_agency_sheet, data, filename)
    if sheet.errors or not sheet.rows:
        headline, problems = sheet_refused(sheet, shown=_SHOWN_ERRORS)
        await send_text(context, chat_id, "\n".join([headline, *problems]))
        return
    services = context.services
    added = await services.coordination.add_agencies(who, sheet_rows(sheet), at=services.clock())
    if isinstance(added, Refused):
        await send_text(context, chat_id, _refused_text(added))
        return
    links = [(a.agency.name, a.agency.unit_kind, _link(context, a.token)) for a in added.added]
    headline, lines = bulk_done(added, links)
    await send_text(context, chat_id, "\n".join([headline, *lines]))
    workbook = await asyncio.to_thread(invite_links_sheet, links)
    await context.bot.send_document(
        chat_id,
        workbook,
        filename=tmsg.BULK_FILE.format(district=added.district, year=added.year),
        caption=tmsg.BULK_FILE_CAPTION.format(count=len(links)),
    )
    log.info("%s agencies imported from a list by person %s", len(links), who.person_id)


async def _own_agency(context: NianbaoContext, who: Caller | None) -> tuple[Agency, int] | None:
    """The agency of the report a staff member fills, and that report's year (None: no report)."""
    found = await context.services.access.own_report(who)
    return None if found is None else (found[1], found[0].year)


def _caption_agency_year(caption: str) -> tuple[str | None, int | None]:
    """The agency name and a four-digit year in the caption, either part optional."""
    words = caption.split()
    year = next((y for w in words if (y := parse_year_word(w)) is not None), None)
    rest = " ".join(w for w in words if parse_year_word(w) is None).strip()
    return (rest or None), year


async def on_totals(update: Update, context: NianbaoContext) -> None:
    """`/totals [year]`: the district's sums of the handed-in reports, checked, and who is missing."""
    found = await _coordinator(update, context)
    if found is None:
        return
    chat_id, who = found
    args = _args(context)
    year = parse_whole_number(args[0]) if len(args) == 1 else None
    if args and year is None:
        await send_text(context, chat_id, tmsg.TOTALS_USAGE)
        return
    services = context.services
    totals = await services.coordination.totals(_who(who), services.form, year=year)
    if isinstance(totals, Refused):
        await send_text(context, chat_id, refused_text(totals, no_round=tmsg.DASHBOARD_NO_ROUND))
        return
    await send_text(context, chat_id, totals_text(totals, services.form))


async def on_export(update: Update, context: NianbaoContext) -> None:
    found = await _coordinator(update, context)
    if found is None:
        return
    chat_id, who = found
    services = context.services
    args = _args(context)
    asked = parse_whole_number(args[0]) if args else None
    if args and asked is None:
        await send_text(context, chat_id, tmsg.EXPORT_USAGE)
        return
    if asked is not None:
        year = asked
    else:
        rnd = await services.coordination.rounds(_who(who), year=None)
        if isinstance(rnd, Refused):
            await send_text(context, chat_id, _refused_text(rnd))
            return
        if rnd is None:
            await send_text(context, chat_id, tmsg.DASHBOARD_NO_ROUND)
            return
        year = rnd.year
    bundle = await build_export(
        services.db, services.form, year, zone=services.settings.zone, now=services.clock(), who=_who(who)
    )
    if isinstance(bundle, Refused):
        await send_text(context, chat_id, _refused_text(bundle))
        return
    if bundle.report_count == 0:
        await send_text(context, chat_id, tmsg.EXPORT_NONE.format(year=year))
        return
    archive = await asyncio.to_thread(bundle.zip_bytes)
    await context.bot.send_document(
        chat_id,
        archive,
        filename=f"nianbao-{year}.zip",
        caption=tmsg.EXPORT_CAPTION.format(year=year, count=bundle.report_count),
    )
    for agency in bundle.failed:
        await send_text(context, chat_id, msg.EXPORT_FAILED.format(agency=agency))
