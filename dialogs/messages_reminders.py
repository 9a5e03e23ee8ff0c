"""The Chinese text of deadline reminders and of the coordinators' digest. Pure functions.

The reminder names the round, the deadline and the days left (or overdue), the progress
(已完成 x/y 项) and what is still missing; the button that resumes the dialog is added by
the Telegram adapter. The digest lists who was reminded, who is still missing and who
cannot be reached, shortened to fit one Telegram message, and (``deadline_notice``) says when
the deadline falls on a non-working day or the year's holiday calendar is only an estimate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

RESUME_BUTTON = "继续填报"
_MISSING_SHOWN = 5
_SEPARATOR = "、"
_WEEKDAYS = "一二三四五六日"
# Keys are bot/working_calendar.py's Holiday values.
HOLIDAY_NAMES = {
    "new_year": "元旦",
    "spring_festival": "春节",
    "tomb_sweeping": "清明节",
    "labour_day": "劳动节",
    "dragon_boat": "端午节",
    "mid_autumn": "中秋节",
    "national_day": "国庆节",
}
HOLIDAY_OTHER = "法定节假日"
DEADLINE_ON_HOLIDAY = (
    "注意：截止日期 {deadline}在{holiday}假期内，不是工作日。截止日期不变；"
    "此前最后一个工作日是 {last}，截止前的提醒在工作日发出。"
)
DEADLINE_ON_WEEKEND = (
    "注意：截止日期 {deadline}是周末，不是工作日。截止日期不变；"
    "此前最后一个工作日是 {last}，截止前的提醒在工作日发出。"
)
CALENDAR_ESTIMATED = (
    "{years} 年的节假日安排尚未公布（通常在上一年 11 月发布），提醒日期暂按周末、元旦、"
    "春节（按农历估算，除夕至初七）、劳动节和国庆节估算，不含调休上班日。"
)


def format_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def format_day(day: date) -> str:
    """A date with its weekday, e.g. 2027年1月31日（星期日）."""
    return f"{format_date(day)}（星期{_WEEKDAYS[day.weekday()]}）"


def deadline_notice(
    *,
    deadline: date,
    is_workday: bool,
    holiday: str | None,
    last_workday: date,
    estimated_years: Sequence[int],
) -> str:
    """What the coordinator is told about the deadline's day; "" when there is nothing to say."""
    lines = []
    if not is_workday:
        template = DEADLINE_ON_WEEKEND if holiday is None else DEADLINE_ON_HOLIDAY
        name = HOLIDAY_NAMES.get(holiday or "", HOLIDAY_OTHER)
        lines.append(
            template.format(deadline=format_day(deadline), holiday=name, last=format_day(last_workday))
        )
    if estimated_years:
        lines.append(CALENDAR_ESTIMATED.format(years=_SEPARATOR.join(str(y) for y in estimated_years)))
    return "\n".join(lines)


def round_name(year: int) -> str:
    return f"{year}年度政府信息公开工作年度报告"


def days_phrase(days_left: int) -> str:
    if days_left > 1:
        return f"还有 {days_left} 天"
    if days_left == 1:
        return "明天截止"
    if days_left == 0:
        return "今天截止"
    return f"已逾期 {-days_left} 天"


def slot_label(offset_days: int | None) -> str:
    """What a ladder rung is called in the digest (None: the deadline digest)."""
    if offset_days is None or offset_days == 0:
        return "截止日"
    if offset_days < 0:
        return f"截止前 {-offset_days} 天"
    return f"逾期第 {offset_days} 天"


def _shortened(names: Sequence[str], shown: int, unit: str) -> str:
    if not names:
        return "无"
    if len(names) <= shown:
        return _SEPARATOR.join(names)
    return f"{_SEPARATOR.join(names[:shown])} 等 {len(names)} {unit}"


def reminder_text(
    *,
    year: int,
    agency_name: str,
    deadline: date,
    days_left: int,
    done: int,
    total: int,
    missing: Sequence[str],
    is_returned: bool,
) -> str:
    lines = [
        f"【年报提醒】{round_name(year)}",
        f"单位：{agency_name}",
        f"截止日期：{format_date(deadline)}（{days_phrase(days_left)}）",
    ]
    if days_left < 0:
        lines.append("报告已超过截止日期，请尽快完成并提交。")
    if is_returned:
        lines.append("报告已被退回，请按意见修改后重新提交。")
    lines.append(f"进度：已完成 {done}/{total} 项")
    if missing:
        lines.append(f"尚未填写：{_shortened(missing, _MISSING_SHOWN, '项')}")
    elif not is_returned:
        lines.append("各项均已填写，请检查后提交。")
    lines.append(f"点击「{RESUME_BUTTON}」，从上次离开的地方接着填。")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class DigestLine:
    """One person or agency in the digest: the agency name and, for people, the person's name."""

    agency: str
    person: str = ""

    def render(self) -> str:
        return f"{self.agency}（{self.person}）" if self.person else self.agency


def digest_text(
    *,
    year: int,
    deadline: date,
    days_left: int,
    label: str,
    reminded: Sequence[DigestLine],
    missing: Sequence[str],
    agencies_total: int,
    unreachable: Sequence[DigestLine],
    unstaffed: Sequence[str],
    unknown: int,
    limit: int,
    calendar_note: str = "",
) -> str:
    """The digest, with the lists cut (等 N 家) until it fits in ``limit`` characters."""
    shown = 200
    while True:
        lines = [
            f"【催报情况】{round_name(year)}（{label}）",
            f"截止日期：{format_date(deadline)}（{days_phrase(days_left)}）",
            f"本次已提醒 {len(reminded)} 人：{_shortened([r.render() for r in reminded], shown, '人')}",
            f"尚未提交 {len(missing)}/{agencies_total} 家：{_shortened(missing, shown, '家')}",
            f"无法送达 {len(unreachable)} 人（已屏蔽机器人或账号停用，请电话联系）："
            f"{_shortened([u.render() for u in unreachable], shown, '人')}",
            f"未绑定填报人员的单位 {len(unstaffed)} 家（请发送邀请）：{_shortened(unstaffed, shown, '家')}",
        ]
        if unknown:
            lines.append(f"另有 {unknown} 条提醒因发送中断而状态不明（不会重复发送）。")
        if calendar_note:
            lines.append(calendar_note)
        text = "\n".join(lines)
        if len(text) <= limit or shown == 0:
            return text[:limit]
        shown //= 2
