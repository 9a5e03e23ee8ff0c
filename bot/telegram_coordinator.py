"""The coordinators' commands (the disclosure office): rounds, agencies, invites, the dashboard,
returns, importing a published report sent as a file, and the year's export.

Each callback asks bot/services/access.py first; a refusal answers and writes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import date

from telegram import Update

from bot.export import build_export
from bot.reminder_plan import ReminderPlan, calendar_note
from bot.services.access import INVITE_TTL, Caller, Refusal
from bot.services.coordination import DeniedFor, Refused, Who, denied_text
from bot.services.coordination import Refusal as CoordinationRefusal
from bot.services.importing import store_import
from bot.telegram_handlers import NianbaoContext, local_time, send_text
from dialogs import messages as msg
from dialogs import messages_telegram as tmsg
from dialogs.form import UnitKind
from dialogs.lifecycle import Action, Actor, is_finished, was_handed_in
from dialogs.parsing import Rejected, parse_agency_name
from importer import import_document

log = logging.getLogger(__name__)

_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FIRST_YEAR, _LAST_YEAR = 2008, 2100  # the disclosure regulation took effect in 2008


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
    match refused.refusal:
        case CoordinationRefusal.NOT_COORDINATOR:
            return tmsg.COORDINATOR_ONLY
        case CoordinationRefusal.NO_ROUND:
            return tmsg.AGENCY_NEED_ROUND
        case CoordinationRefusal.UNKNOWN_AGENCY:
            return tmsg.AGENCY_UNKNOWN.format(query=query)


def _link(context: NianbaoContext, token: str) -> str:
    return f"https://t.me/{context.bot.username}?start={token}"


def _args(context: NianbaoContext) -> list[str]:
    return list(context.args or [])


async def on_round(update: Update, context: NianbaoContext) -> None:
    found = await _coordinator(update, context)
    if found is None:
        return
    chat_id, who = found
    args = _args(context)
    year = int(args[0]) if args and args[0].isdigit() else 0
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
    rnd = await services.coordination.open_round(_who(who), year=year, deadline=deadline, at=services.clock())
    if isinstance(rnd, Refused):
        await send_text(context, chat_id, _refused_text(rnd))
        return
    plan, _ = ReminderPlan.from_json_or_default(rnd.reminder_plan)
    # The deadline is the coordinator's: a non-working deadline is reported, never moved.
    lines = [tmsg.ROUND_OPENED.format(year=year, deadline=rnd.deadline.isoformat())]
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
    token = await context.services.coordination.coordinator_invite(_who(who), at=context.services.clock())
    if isinstance(token, Refused):
        await send_text(context, chat_id, _refused_text(token))
        return
    await send_text(
        context, chat_id, tmsg.COORDINATOR_INVITE.format(days=INVITE_TTL.days, link=_link(context, token))
    )


async def on_dashboard(update: Update, context: NianbaoContext) -> None:
    found = await _coordinator(update, context)
    if found is None:
        return
    chat_id, who = found
    args = _args(context)
    services = context.services
    year = int(args[0]) if args and args[0].isdigit() else None
    board = await services.coordination.dashboard(_who(who), year=year)
    if isinstance(board, Refused):
        no_round = board.refusal is CoordinationRefusal.NO_ROUND
        await send_text(context, chat_id, tmsg.DASHBOARD_NO_ROUND if no_round else _refused_text(board))
        return
    rnd, rows = board
    if not rows:
        await send_text(context, chat_id, tmsg.DASHBOARD_NONE.format(year=rnd.year))
        return
    submitted = sum(is_finished(r.report.status) for r in rows)
    lines = [
        tmsg.DASHBOARD_HEADER.format(
            year=rnd.year, deadline=rnd.deadline.isoformat(), submitted=submitted, total=len(rows)
        )
    ]
    for row in rows:
        items = services.form.items_for(UnitKind(row.agency.unit_kind))
        done = sum(item.is_answered_in(row.answered_keys) for item in items)
        line = tmsg.DASHBOARD_LINE.format(
            agency_id=row.agency.id,
            agency=row.agency.name,
            status=msg.STATUS_NAMES.get(row.report.status, row.report.status),
            done=done,
            items=len(items),
        )
        if row.report.submitted_at is not None and was_handed_in(row.report.status):
            line += tmsg.DASHBOARD_SUBMITTED_AT.format(
                at=local_time(row.report.submitted_at, services.settings)
            )
        if row.members == 0:
            line += tmsg.DASHBOARD_NO_MEMBERS
        if row.unreachable:
            line += tmsg.DASHBOARD_UNREACHABLE.format(names=tmsg.DASHBOARD_NAME_SEP.join(row.unreachable))
        lines.append(line)
    await send_text(context, chat_id, "\n".join(lines))


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
    services = context.services
    outcome = await services.coordination.review(
        who, action, query=query, year=None, comment="", at=services.clock()
    )
    if isinstance(outcome, Refused):
        text = _refused_text(outcome, query)
    elif isinstance(outcome, DeniedFor):
        text = denied_text(outcome)
    else:
        text = done_text.format(agency=outcome.agency, year=outcome.year, count=outcome.notified)
    services.outbox.kick()
    await send_text(context, chat_id, text)


async def on_return(update: Update, context: NianbaoContext) -> None:
    await _review(update, context, "return")


async def on_accept(update: Update, context: NianbaoContext) -> None:
    await _review(update, context, "accept")


async def on_reopen(update: Update, context: NianbaoContext) -> None:
    await _review(update, context, "reopen")


# Published reports are a few tens of KB; anything far larger is not one.
_MAX_IMPORT_BYTES = 5 * 1024 * 1024


async def on_document(update: Update, context: NianbaoContext) -> None:
    """A coordinator sends last year's published report (text or HTML): it is imported."""
    message = update.effective_message
    if message is None or message.document is None or update.effective_user is None:
        return
    services = context.services
    who = await services.access.caller(update.effective_user.id)
    if not services.access.is_coordinator(who, update.effective_user.id):
        await send_text(context, message.chat_id, tmsg.STAFF_FILES_REFUSED if who else tmsg.NOT_INVITED)
        return
    found = await _coordinator(update, context)
    if found is None:
        return
    chat_id, caller = found
    document = message.document
    if document.file_size is not None and document.file_size > _MAX_IMPORT_BYTES:
        await send_text(
            context, chat_id, tmsg.IMPORT_TOO_LARGE.format(limit=_MAX_IMPORT_BYTES // (1024 * 1024))
        )
        return
    data = bytes(await (await document.get_file()).download_as_bytearray())
    agency, year = _caption_agency_year(message.caption or "")
    result = await asyncio.to_thread(import_document, data, document.file_name or "", services.form)
    stored = await store_import(
        services.db,
        services.form,
        result,
        who=_who(caller),
        agency=agency,
        year=year,
        unit=None,
        at=services.clock(),
    )
    lines = [stored.message]
    notes = [p.describe() for p in result.problems if not p.is_fatal] if result.is_usable else []
    if notes:
        lines += [tmsg.IMPORT_NOTES_HEADER, *notes]
    if not stored.ok and result.is_usable:
        lines.append(tmsg.IMPORT_USAGE)
    log.info("import by person %s: %s", caller.person_id, "stored" if stored.ok else "refused")
    await send_text(context, chat_id, "\n".join(lines))


def _caption_agency_year(caption: str) -> tuple[str | None, int | None]:
    """The agency name and a four-digit year in the caption, either part optional."""
    words = caption.split()
    year = next((int(w) for w in words if w.isdigit() and len(w) == 4), None)
    rest = " ".join(w for w in words if not (w.isdigit() and len(w) == 4)).strip()
    return (rest or None), year


async def on_export(update: Update, context: NianbaoContext) -> None:
    found = await _coordinator(update, context)
    if found is None:
        return
    chat_id, who = found
    services = context.services
    args = _args(context)
    if args and not args[0].isdigit():
        await send_text(context, chat_id, tmsg.EXPORT_USAGE)
        return
    if args:
        year = int(args[0])
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
