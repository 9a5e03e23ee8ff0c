"""The coordinators' commands (the disclosure office): rounds, agencies, invites, the dashboard,
returns, importing a published report sent as a file (staff may send their own agency's earlier
one), and the year's export.

Each callback asks bot/access.py first; a refusal answers and writes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from bot.access import Refusal, active_fill
from bot.export import build_export
from bot.importing import store_import
from bot.reminder_plan import ReminderPlan, calendar_note
from bot.telegram_handlers import NianbaoContext, local_time, send_text
from bot.telegram_output import resume_data
from dialogs import messages as msg
from dialogs import messages_telegram as tmsg
from dialogs.form import UnitKind
from dialogs.lifecycle import is_finished
from dialogs.parsing import Rejected, parse_agency_name
from importer import earlier_report_problem, import_document
from storage import access as store
from storage import outbox as outbox_store
from storage import repositories as repo
from storage.access import INVITE_TTL
from storage.outbox import Outgoing
from storage.tables import Agency, OutboxKind, ReportStatus, Role

log = logging.getLogger(__name__)

_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FIRST_YEAR, _LAST_YEAR = 2008, 2100  # the disclosure regulation took effect in 2008


async def _coordinator(update: Update, context: NianbaoContext) -> tuple[int, store.Caller] | None:
    """(chat id, caller) when the sender is a coordinator; otherwise refuses and returns None."""
    if update.effective_chat is None or update.effective_user is None:
        return None
    chat_id = update.effective_chat.id
    who = await context.services.access.coordinator(update.effective_user.id)
    if isinstance(who, Refusal):
        await send_text(context, chat_id, tmsg.COORDINATOR_ONLY)
        return None
    return chat_id, who


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
    deadline = date(year + 1, 1, 31)
    if len(args) == 2:
        m = _DATE.match(args[1])
        try:
            deadline = date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else date.min
        except ValueError:
            deadline = date.min
        if deadline == date.min:
            await send_text(context, chat_id, tmsg.ROUND_USAGE)
            return
    services = context.services
    async with services.db.session() as session:
        rnd = await repo.open_round(session=session, year=year, deadline=deadline, created_by=who.person_id)
        plan, _ = ReminderPlan.from_json_or_default(rnd.reminder_plan)
    log.info("round %s opened by person %s", year, who.person_id)
    # The deadline is the coordinator's: a non-working deadline is reported, never moved.
    lines = [tmsg.ROUND_OPENED.format(year=year, deadline=deadline.isoformat())]
    note = calendar_note(plan, deadline, calendar=services.calendar)
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
    name = read
    services = context.services
    async with services.db.session() as session:
        rnd = await repo.latest_round(session=session)
        if rnd is None:
            text = tmsg.AGENCY_NEED_ROUND
        else:
            agency = await repo.find_agency(session=session, name=name)
            existed = agency is not None
            if agency is None:
                agency = await repo.create_agency(session=session, name=name, unit=UnitKind(kind))
            if agency.id is None:
                raise LookupError("agency was not given an id")
            await repo.report_for(session=session, agency_id=agency.id, year=rnd.year, round_id=rnd.id)
            token = await store.create_invite(
                session=session,
                agency_id=agency.id,
                role=Role.STAFF,
                created_by=who.person_id,
                now=services.clock(),
            )
            template = tmsg.AGENCY_EXISTS if existed else tmsg.AGENCY_CREATED
            text = template.format(
                agency=agency.name,
                agency_id=agency.id,
                kind=tmsg.KIND_NAMES[agency.unit_kind],
                year=rnd.year,
                days=INVITE_TTL.days,
                link=_link(context, token),
            )
            log.info("agency %s added to round %s by person %s", agency.id, rnd.year, who.person_id)
    await send_text(context, chat_id, text)


async def _agency_action(
    update: Update,
    context: NianbaoContext,
    usage: str,
    act: Callable[[AsyncSession, Agency, store.Caller], Awaitable[str]],
) -> None:
    """A coordinator command that names one agency: checks, finds it, acts, answers."""
    found = await _coordinator(update, context)
    if found is None:
        return
    chat_id, who = found
    query = " ".join(_args(context))
    if not query:
        await send_text(context, chat_id, usage)
        return
    async with context.services.db.session() as session:
        agency = await store.find_agency(session=session, query=query)
        if agency is None or agency.id is None:
            text = tmsg.AGENCY_UNKNOWN.format(query=query)
        else:
            text = await act(session, agency, who)
    await send_text(context, chat_id, text)


async def on_invite(update: Update, context: NianbaoContext) -> None:
    services = context.services

    async def invite(session: AsyncSession, agency: Agency, who: store.Caller) -> str:
        token = await store.create_invite(
            session=session,
            agency_id=agency.id,
            role=Role.STAFF,
            created_by=who.person_id,
            now=services.clock(),
        )
        log.info("invite for agency %s created by person %s", agency.id, who.person_id)
        return tmsg.INVITE_CREATED.format(
            agency=agency.name, days=INVITE_TTL.days, link=_link(context, token)
        )

    await _agency_action(update, context, tmsg.INVITE_USAGE, invite)


async def on_revoke(update: Update, context: NianbaoContext) -> None:
    services = context.services

    async def revoke(session: AsyncSession, agency: Agency, who: store.Caller) -> str:
        count = await store.revoke_invites(session=session, agency_id=agency.id or 0, now=services.clock())
        log.info("%s invites of agency %s revoked by person %s", count, agency.id, who.person_id)
        return tmsg.REVOKED.format(agency=agency.name, count=count)

    await _agency_action(update, context, tmsg.REVOKE_USAGE, revoke)


async def on_make_coordinator(update: Update, context: NianbaoContext) -> None:
    found = await _coordinator(update, context)
    if found is None:
        return
    chat_id, who = found
    services = context.services
    async with services.db.session() as session:
        token = await store.create_invite(
            session=session,
            agency_id=None,
            role=Role.COORDINATOR,
            created_by=who.person_id,
            now=services.clock(),
        )
    log.info("coordinator invite created by person %s", who.person_id)
    await send_text(
        context, chat_id, tmsg.COORDINATOR_INVITE.format(days=INVITE_TTL.days, link=_link(context, token))
    )


async def on_dashboard(update: Update, context: NianbaoContext) -> None:
    found = await _coordinator(update, context)
    if found is None:
        return
    chat_id, _ = found
    args = _args(context)
    services = context.services
    async with services.db.session() as session:
        if args and args[0].isdigit():
            rnd = await repo.round_for_year(session=session, year=int(args[0]))
        else:
            rnd = await repo.latest_round(session=session)
        rows = [] if rnd is None else await store.dashboard(session=session, rnd=rnd)
    if rnd is None:
        await send_text(context, chat_id, tmsg.DASHBOARD_NO_ROUND)
        return
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
        if row.report.submitted_at is not None and row.report.status != ReportStatus.DRAFT:
            line += tmsg.DASHBOARD_SUBMITTED_AT.format(
                at=local_time(row.report.submitted_at, services.settings)
            )
        if row.members == 0:
            line += tmsg.DASHBOARD_NO_MEMBERS
        if row.unreachable:
            line += tmsg.DASHBOARD_UNREACHABLE.format(names=tmsg.DASHBOARD_NAME_SEP.join(row.unreachable))
        lines.append(line)
    await send_text(context, chat_id, "\n".join(lines))


async def on_return(update: Update, context: NianbaoContext) -> None:
    found = await _coordinator(update, context)
    if found is None:
        return
    chat_id, who = found
    query = " ".join(_args(context))
    if not query:
        await send_text(context, chat_id, tmsg.RETURN_USAGE)
        return
    services = context.services
    async with services.db.session() as session:
        agency = await store.find_agency(session=session, query=query)
        rnd = await repo.latest_round(session=session)
        report = (
            None
            if agency is None or agency.id is None or rnd is None
            else await repo.report_for(session=session, agency_id=agency.id, year=rnd.year, create=False)
        )
        if agency is None or report is None or report.id is None:
            text = tmsg.AGENCY_UNKNOWN.format(query=query)
        elif report.status != ReportStatus.SUBMITTED:
            status = msg.STATUS_NAMES.get(report.status, report.status)
            text = tmsg.RETURN_NOT_SUBMITTED.format(agency=agency.name, year=report.year, status=status)
        else:
            at = services.clock()
            await repo.return_report(session=session, report=report, by=who.person_id, at=at)
            staff = await store.members_with_chat(session=session, agency_id=report.agency_id)
            # The notices commit with the return itself; the outbox sends them.
            await outbox_store.enqueue_now(
                session=session, messages=_returned_notices(report.id, agency.name, report.year, staff), at=at
            )
            text = tmsg.RETURNED.format(agency=agency.name, year=report.year, count=len(staff))
            log.info("report %s returned by person %s", report.id, who.person_id)
    services.outbox.kick()
    await send_text(context, chat_id, text)


def _returned_notices(report_id: int, agency: str, year: int, chats: list[int]) -> list[Outgoing]:
    event = uuid.uuid4().hex  # one return, one committed transaction: the key only has to be new
    notice = tmsg.RETURNED_NOTICE.format(agency=agency, year=year)
    return [
        Outgoing(
            chat_id=chat,
            kind=OutboxKind.RETURNED_NOTICE,
            text=notice,
            dedupe_key=f"{OutboxKind.RETURNED_NOTICE.value}:{report_id}:{event}:{chat}",
            buttons=(((tmsg.BTN_CONTINUE, resume_data(report_id)),),),
        )
        for chat in chats
    ]


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
    if services.access.is_coordinator(who, update.effective_user.id):
        found = await _coordinator(update, context)
        if found is None:
            return
        chat_id, caller = found
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
        agency=agency,
        year=year,
        unit=UnitKind(own[0].unit_kind) if own is not None else None,
        by=caller.person_id,
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


async def _own_agency(context: NianbaoContext, who: store.Caller | None) -> tuple[Agency, int] | None:
    """The agency of the report a staff member fills, and that report's year (None: no report)."""
    right = active_fill(who)
    if isinstance(right, Refusal):
        return None
    async with context.services.db.session() as session:
        report = await repo.get_report(session=session, report_id=right.report_id)
        agency = (
            None if report is None else await repo.get_agency(session=session, agency_id=report.agency_id)
        )
    return None if report is None or agency is None else (agency, report.year)


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
    chat_id, _ = found
    services = context.services
    args = _args(context)
    if args and not args[0].isdigit():
        await send_text(context, chat_id, tmsg.EXPORT_USAGE)
        return
    if args:
        year = int(args[0])
    else:
        async with services.db.session() as session:
            rnd = await repo.latest_round(session=session)
        if rnd is None:
            await send_text(context, chat_id, tmsg.DASHBOARD_NO_ROUND)
            return
        year = rnd.year
    bundle = await build_export(
        services.db, services.form, year, zone=services.settings.zone, now=services.clock()
    )
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
