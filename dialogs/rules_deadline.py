"""The publication deadline of 条例第四十九条, for imported reports and as a reminder.

Departments of county-level-and-above governments publish by 1月31日 of the next year; the
主管部门 publishes the government's own report by 3月31日. Rules never read the clock: the
date comes from `SourceFacts.published` (an imported report) or `ReportFacts.today`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from dialogs.form import UnitKind
from dialogs.rules import Hit, Message, ReportFacts, Rule, Severity, hit

REMIND_DAYS = 14
"""How long before the deadline an unpublished report gets an INFO reminder."""


def legal_deadline(unit: UnitKind, year: int) -> date:
    """The last day to publish the report on `year` (条例第四十九条)."""
    return date(year + 1, 1, 31) if unit is UnitKind.DEPARTMENT else date(year + 1, 3, 31)


def _who(unit: UnitKind) -> str:
    return "政府部门" if unit is UnitKind.DEPARTMENT else "人民政府"


def _show(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _deadline(facts: ReportFacts) -> Iterable[Hit]:
    deadline = legal_deadline(facts.unit, facts.year)
    published = facts.source.published if facts.source is not None else None
    if published is not None:
        if published > deadline:
            yield hit(case="late", published=_show(published), who=_who(facts.unit), deadline=_show(deadline))
        return
    if facts.today is None:
        return
    days_left = (deadline - facts.today).days
    if days_left < 0:
        yield hit(case="overdue", who=_who(facts.unit), deadline=_show(deadline))
    elif days_left <= REMIND_DAYS:
        yield hit(case="soon", deadline=_show(deadline), days_left=days_left)


DEADLINE_RULES: tuple[Rule, ...] = (
    Rule(
        "DEADLINE",
        Severity.WARNING,
        "按时公布年报",
        _deadline,
        {
            "late": "报告于 {published} 公布，晚于{who}年报的法定公布期限 {deadline}（《条例》第四十九条）。",
            "overdue": "已超过{who}年报的法定公布期限 {deadline}（《条例》第四十九条），请尽快完成、提交并公布。",
            # Before the deadline it is a reminder, not a problem of the report.
            "soon": Message(
                "距法定公布期限 {deadline} 还有 {days_left} 天（本地要求的提交日期可能更早）。", Severity.INFO
            ),
        },
    ),
)
