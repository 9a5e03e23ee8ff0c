"""What the coordinators read, as text: the dashboard page, one agency's detail, a report's history.

Shared by every adapter (Telegram's /dashboard and /history, the command line's `dashboard` and
`history`), so both say the same; no messaging library is imported here.
"""

from __future__ import annotations

from datetime import datetime

from bot.services.access import INVITE_TTL
from bot.services.coordination import Board, BulkAdded, Detail, History, Refusal, Refused, Totals
from bot.settings import Settings
from dialogs import messages as msg
from dialogs import messages_telegram as tmsg
from dialogs.catalogue import TABLE_RULES
from dialogs.form import Form, UnitKind
from dialogs.lifecycle import Status, was_handed_in
from dialogs.rules import CORE_RULES, ReportFacts, Severity, run_rules
from dialogs.summary import key_figures
from importer.agencies import AgencySheet
from storage.dashboard import AgencyRow
from storage.tables import as_utc

__all__ = [
    "board_text",
    "bulk_done",
    "detail_text",
    "history_text",
    "local_time",
    "refused_text",
    "sheet_refused",
    "sheet_rows",
]


def refused_text(
    refused: Refused,
    query: str = "",
    *,
    no_round: str = tmsg.AGENCY_NEED_ROUND,
    unknown_district: str = tmsg.DISTRICT_UNKNOWN,
) -> str:
    """Why the coordination service refused; `no_round` and `unknown_district` name the command
    that helps in the adapter's own words (Telegram's /round, the command line's `round`)."""
    match refused.refusal:
        case Refusal.NOT_COORDINATOR | Refusal.NOT_ADMIN:
            return tmsg.COORDINATOR_ONLY
        case Refusal.NO_ROUND:
            return no_round
        case Refusal.UNKNOWN_AGENCY:
            return tmsg.AGENCY_UNKNOWN.format(query=query)
        case Refusal.PICK_DISTRICT:
            return tmsg.DISTRICT_PICK_FIRST
        case Refusal.UNKNOWN_DISTRICT:
            return unknown_district.format(district=query)
        case Refusal.NO_PENDING_RETURN:
            return tmsg.RETURN_NO_PENDING


def sheet_rows(sheet: AgencySheet) -> list[tuple[str, UnitKind, str]]:
    """The agencies of a list that passed every check, as the coordination service adds them."""
    return [(r.name, r.kind, " ".join(x for x in (r.contact, r.phone) if x)) for r in sheet.to_import]


def sheet_refused(sheet: AgencySheet, *, shown: int | None = None) -> tuple[str, list[str]]:
    """Why a list was refused: the headline and every problem (the first `shown` of them, then
    how many more)."""
    problems = list(sheet.messages)
    if shown is not None and len(problems) > shown:
        problems = [*problems[:shown], tmsg.BULK_TOO_MANY_ERRORS.format(count=len(problems) - shown)]
    return tmsg.BULK_REFUSED.format(count=len(sheet.messages)), problems


def bulk_done(added: BulkAdded, links: list[tuple[str, str, str]]) -> tuple[str, list[str]]:
    """What a list of agencies added: the headline and each agency's (name, kind, link) line."""
    created = sum(not a.existed for a in added.added)
    headline = tmsg.BULK_DONE.format(
        district=added.district,
        count=len(added.added),
        year=added.year,
        created=created,
        existing=len(added.added) - created,
        days=INVITE_TTL.days,
    )
    lines = [
        tmsg.BULK_LINE.format(name=name, kind=tmsg.KIND_NAMES[kind], link=link) for name, kind, link in links
    ]
    return headline, lines


def local_time(moment: datetime, settings: Settings) -> str:
    return as_utc(moment).astimezone(settings.zone).strftime("%Y-%m-%d %H:%M")


def board_text(board: Board, form: Form, settings: Settings) -> str:
    """The dashboard page as the coordinator reads it."""
    counts = board.counts
    by = counts.by_status
    lines = [
        tmsg.DASHBOARD_HEADER.format(
            district=board.district,
            year=board.round.year,
            deadline=board.round.deadline.isoformat(),
            submitted=counts.finished,
            total=counts.agencies,
        ),
        tmsg.DASHBOARD_COUNTS.format(
            draft=by.get(Status.DRAFT.value, 0),
            submitted=by.get(Status.SUBMITTED.value, 0),
            returned=by.get(Status.RETURNED.value, 0),
            accepted=by.get(Status.ACCEPTED.value, 0),
            unopened=counts.unopened,
            blocked=counts.blocked,
        ),
    ]
    if board.late:
        lines.append(tmsg.DASHBOARD_LATE.format(late=board.late))
    name = tmsg.DASHBOARD_FILTERS[board.board_filter.value]
    if not board.rows:
        lines.append(tmsg.DASHBOARD_EMPTY_FILTER.format(filter=name))
        return "\n".join(lines)
    lines.append(
        tmsg.DASHBOARD_PAGE.format(
            filter=name, page=board.page + 1, pages=board.pages, matching=board.matching
        )
    )
    lines += [_board_line(row, form, settings) for row in board.rows]
    return "\n".join(lines)


def _board_line(row: AgencyRow, form: Form, settings: Settings) -> str:
    items = form.items_for(UnitKind(row.agency.unit_kind))
    done = sum(item.is_answered_in(row.answered_keys) for item in items)
    status = row.report.status if row.report is not None else Status.DRAFT.value
    line = tmsg.DASHBOARD_LINE.format(
        agency_id=row.agency.id,
        agency=row.agency.name,
        status=msg.STATUS_NAMES.get(status, status),
        done=done,
        items=len(items),
    )
    report = row.report
    if report is not None and report.submitted_at is not None and was_handed_in(report.status):
        line += tmsg.DASHBOARD_SUBMITTED_AT.format(at=local_time(report.submitted_at, settings))
    if not row.members:
        line += tmsg.DASHBOARD_NO_MEMBERS
    if row.unreachable:
        line += tmsg.DASHBOARD_UNREACHABLE.format(names=tmsg.DASHBOARD_NAME_SEP.join(row.unreachable))
    return line


def detail_text(detail: Detail, form: Form, settings: Settings) -> str:
    """One agency of the dashboard: state, progress, people, last change, confirmed warnings."""
    row = detail.row
    items = form.items_for(UnitKind(row.agency.unit_kind))
    status = row.report.status if row.report is not None else Status.DRAFT.value
    lines = [
        tmsg.DETAIL_HEADER.format(
            agency_id=row.agency.id,
            agency=row.agency.name,
            kind=tmsg.KIND_NAMES[row.agency.unit_kind],
            year=detail.round.year,
            status=msg.STATUS_NAMES.get(status, status),
            done=sum(item.is_answered_in(row.answered_keys) for item in items),
            items=len(items),
        ),
        tmsg.DETAIL_PEOPLE.format(names=tmsg.DASHBOARD_NAME_SEP.join(row.members))
        if row.members
        else tmsg.DETAIL_NO_PEOPLE,
    ]
    if row.agency.contact:
        lines.append(tmsg.DETAIL_CONTACT.format(contact=row.agency.contact))
    if row.unreachable:
        lines.append(tmsg.DETAIL_UNREACHABLE.format(names=tmsg.DASHBOARD_NAME_SEP.join(row.unreachable)))
    change = row.last_change
    if change is not None:
        lines.append(
            tmsg.DETAIL_LAST_CHANGE.format(
                at=local_time(change.at, settings),
                action=msg.ACTION_VERBS.get(change.action, change.action),
                by="",
                comment=tmsg.COMMENT_SEP + change.comment if change.comment else "",
            )
        )
    if row.report is not None and was_handed_in(row.report.status):
        if row.confirmations:
            lines.append(tmsg.DETAIL_WARNINGS)
            lines += [
                f"! {c.message}"
                + (tmsg.DETAIL_EXPLANATION.format(text=c.explanation) if c.explanation else "")
                for c in row.confirmations
            ]
        else:
            lines.append(tmsg.DETAIL_NO_WARNINGS)
    return "\n".join(lines)


# A history longer than this shows its latest changes (the rest stays in the database).
_HISTORY_LINES = 60


def history_text(history: History, form: Form, settings: Settings) -> str:
    if not history.entries:
        return tmsg.HISTORY_NONE.format(agency=history.agency, year=history.year)
    lines = [tmsg.HISTORY_HEADER.format(agency=history.agency, year=history.year, count=len(history.entries))]
    # Every status change is shown; of the answers, the latest ones.
    answers = [e for e in history.entries if e.key is not None and _answer_label(form, e.key) is not None]
    kept = {id(e) for e in answers[-_HISTORY_LINES:]}
    shown = [e for e in history.entries if e.key is None or id(e) in kept]
    if len(answers) > _HISTORY_LINES:
        lines.append(tmsg.HISTORY_MORE.format(count=len(answers) - _HISTORY_LINES))
    for entry in shown:
        at = local_time(entry.at, settings)
        by = entry.by or tmsg.HISTORY_NOBODY
        if entry.key is None:
            lines.append(
                tmsg.HISTORY_STATUS.format(
                    at=at,
                    by=by,
                    action=msg.ACTION_VERBS.get(entry.action, entry.action),
                    old=msg.STATUS_NAMES.get(entry.old or "", entry.old or ""),
                    new=msg.STATUS_NAMES.get(entry.new or "", entry.new or ""),
                    comment=tmsg.COMMENT_SEP + entry.comment if entry.comment else "",
                )
            )
            continue
        label = _answer_label(form, entry.key)
        if label is None:
            continue
        lines.append(
            tmsg.HISTORY_ANSWER.format(
                at=at,
                by=by,
                label=label,
                old=_short(entry.old),
                new=_short(entry.new),
            )
        )
    return "\n".join(lines)


def _answer_label(form: Form, key: str) -> str | None:
    """How the history names an answer; None for a computed total (it follows from its cells)."""
    if not form.has_key(key):
        return key
    field = form.field(key)
    if field.is_computed:
        return None
    title = form.item_of(key).title
    return title if not field.label or field.label == title else f"{title}{tmsg.LABEL_SEP}{field.label}"


def _short(value: str | None, limit: int = 30) -> str:
    if value is None or value == "":
        return tmsg.HISTORY_EMPTY_VALUE
    return value if len(value) <= limit else value[: limit - 1] + "…"


TOTALS_MISSING_SHOWN = 20
"""Agencies not handed in named in the totals reply (the dashboard lists them all)."""


def totals_text(totals: Totals, form: Form, *, export_hint: str = tmsg.TOTALS_EXPORT_HINT) -> str:
    """The district's key figures, whether the sums pass the table rules, who is missing;
    `export_hint` names the adapter's export (Telegram's /export, the command line's `export`)."""
    draft = totals.draft
    if not draft.included:
        return tmsg.TOTALS_NONE.format(district=totals.district, year=totals.year, agencies=totals.agencies)
    figures = key_figures(form, draft.answers)
    facts = ReportFacts(form, UnitKind.GOVERNMENT, totals.year, dict(draft.answers))
    # The sums keep every linear identity, so a failing rule here points at a unit's own error.
    problems = [
        f.message for f in run_rules(facts, (*CORE_RULES, *TABLE_RULES)) if f.severity is Severity.ERROR
    ]
    lines = [
        tmsg.TOTALS_HEADER.format(
            district=totals.district, year=totals.year, included=len(draft.included), agencies=totals.agencies
        ),
        tmsg.TOTALS_FIGURES.format(
            new=figures.new or 0,
            carried_in=figures.carried_in or 0,
            processed=figures.processed or 0,
            carried_out=figures.carried_out or 0,
            review=figures.review or 0,
            litigation=figures.litigation or 0,
        ),
        tmsg.TOTALS_UNBALANCED.format(count=len(problems), problems="\n".join(f"! {p}" for p in problems[:5]))
        if problems
        else tmsg.TOTALS_BALANCED,
    ]
    if draft.missing:
        shown = tmsg.TOTALS_NAME_SEPARATOR.join(draft.missing[:TOTALS_MISSING_SHOWN])
        more = tmsg.TOTALS_MISSING_MORE if len(draft.missing) > TOTALS_MISSING_SHOWN else ""
        lines.append(tmsg.TOTALS_MISSING.format(count=len(draft.missing), names=shown + more))
    lines.append(export_hint.format(year=totals.year))
    return "\n".join(lines)
