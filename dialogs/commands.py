"""Words and button values that steer the dialog instead of answering the question.

Buttons send the command's value (short ASCII, within Telegram's 64-byte callback limit);
people type the Chinese words. Both are read here, once.
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum


class Command(Enum):
    BACK = "back"
    SKIP = "skip"
    TOC = "toc"
    PREVIEW = "preview"
    EDIT = "edit"
    SUBMIT = "submit"
    CONFIRM_SUBMIT = "confirm_submit"
    CONFIRM_CHANGE = "confirm_change"
    ACCEPT = "accept"
    LAST_YEAR = "last_year"
    DONE = "done"
    ZERO_ROW = "zero_row"
    NO_APPS = "no_apps"
    NO_REVIEW = "no_review"
    HELP = "help"
    RETURN = "return"
    STATUS = "status"
    TITLE = "title"


_WORDS: dict[str, Command] = {
    "上一步": Command.BACK,
    "上一题": Command.BACK,
    "后退": Command.BACK,
    "返回上一步": Command.BACK,
    "返回": Command.RETURN,
    "跳过": Command.SKIP,
    "略过": Command.SKIP,
    "稍后再填": Command.SKIP,
    "目录": Command.TOC,
    "菜单": Command.TOC,
    "预览": Command.PREVIEW,
    "提交": Command.SUBMIT,
    "确认提交": Command.CONFIRM_SUBMIT,
    "确认清零": Command.CONFIRM_CHANGE,
    "确认保存": Command.CONFIRM_CHANGE,
    "确认": Command.ACCEPT,
    "采用": Command.ACCEPT,
    "确定": Command.ACCEPT,
    "同意": Command.ACCEPT,
    "沿用去年": Command.LAST_YEAR,
    "沿用": Command.LAST_YEAR,
    "完成": Command.DONE,
    "写完了": Command.DONE,
    "帮助": Command.HELP,
    "进度": Command.STATUS,
    "标题": Command.TITLE,
    "报告标题": Command.TITLE,
    "修改标题": Command.TITLE,
    "本年未收到政府信息公开申请": Command.NO_APPS,
    "本年未收到申请": Command.NO_APPS,
    "未收到政府信息公开申请": Command.NO_APPS,
    "未收到申请": Command.NO_APPS,
    "无行政复议、行政诉讼": Command.NO_REVIEW,
    "无行政复议行政诉讼": Command.NO_REVIEW,
    "无行政复议和行政诉讼": Command.NO_REVIEW,
    "无复议诉讼": Command.NO_REVIEW,
    "无": Command.ZERO_ROW,
    "没有": Command.ZERO_ROW,
    "全部为0": Command.ZERO_ROW,
    "均为0": Command.ZERO_ROW,
}
_BY_VALUE = {c.value: c for c in Command}
# The argument is set off by a space or is a number ("修改 行政许可", "修改12"), so a short
# narrative such as "修改完善了公开指南。" stays an answer instead of becoming a command.
_WITH_ARGUMENT = re.compile(r"^(修改|编辑|目录)(?:\s+(.*)|(\d+))?$|^(改)\s+(.+)$")
_TRAILING = "。.!！~～ "


def read_command(raw: str) -> tuple[Command, str] | None:
    """The command in `raw` with its argument (for 修改 / 目录), or None for an answer."""
    text = unicodedata.normalize("NFKC", raw).strip().strip(_TRAILING)
    # Telegram's command menu sends "/toc"; the slash goes before the button values are read.
    if text.startswith("/"):
        text = text[1:]
    if text in _BY_VALUE:
        return _BY_VALUE[text], ""
    if text in _WORDS:
        return _WORDS[text], ""
    m = _WITH_ARGUMENT.match(text)
    if m and len(text) <= 40:
        word, arg = (m.group(1), m.group(2) or m.group(3) or "") if m.group(1) else (m.group(4), m.group(5))
        return (Command.TOC if word == "目录" else Command.EDIT), arg.strip()
    return None
