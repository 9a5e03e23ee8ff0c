"""Before the first heading: the title (one line or two), the preamble, and a portal's page chrome.

The published title is kept as an answer, so the report is rendered under it again; the year and
the agency come from the title, or the year from the statistics period of the preamble.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dialogs.parsing import Rejected
from dialogs.title import TITLE_KEY, TITLE_MAX_LENGTH, parse_title
from importer import messages as msg
from importer.lines import Line, fold, fold_spaces
from importer.notes import Collector

# A portal page prints its metadata next to the title and its footer after the text.
PAGE_EXTRA = re.compile(
    r"^(索引号|发布机构|发布时间|发布日期|生成日期|成文日期|来源|信息来源|文号|发文字号|主题分类|公开方式"
    r"|公开范围|浏览次数|访问量|点击数|字号|字体|【|分享|打印|关闭|主办|承办|版权所有|网站标识码|技术支持"
    r"|扫一扫|手机版|上一篇|下一篇|相关链接|相关文章|当前位置|您的位置|您现在的位置)"
)
PAGE_FOOTER = re.compile(r"ICP备|公网安备|网站标识码|版权所有|主办单位|技术支持[:：]")


# Best first: a year and 政府信息公开…报告; then any 年度报告; then anything called a 报告.
_TITLE_HINTS = (
    re.compile(r"(?:19|20)\d{2}年.*政府信息公开.*报告"),
    re.compile(r"年度报告"),
    re.compile(r"报告"),
)
_TITLE = re.compile(r"^(?P<agency>.*?)(?P<year>(?:19|20)\d{2})年度?")
_PERIOD = re.compile(r"((?:19|20)\d{2})年1月1日")


def _agency_part(folded: str) -> str:
    """What a title names before its year (or before 政府信息公开 when it has no year)."""
    m = _TITLE.match(folded)
    if m is not None:
        return m.group("agency")
    return folded.split("政府信息公开", 1)[0] if "政府信息公开" in folded else ""


def title_year_agency(title: str, preamble: Sequence[str]) -> tuple[int | None, str]:
    folded = fold_spaces(title)
    m = _TITLE.match(folded)
    if m is not None:
        return int(m.group("year")), m.group("agency")
    agency = _agency_part(folded)
    for paragraph in preamble:
        period = _PERIOD.search(fold_spaces(paragraph))
        if period is not None:
            return int(period.group(1)), agency
    return None, agency


def read_front(front: Sequence[Line], out: Collector) -> tuple[str, list[Line]]:
    """The title (the first line or two that name a report) and the preamble after it."""
    for hint in _TITLE_HINTS:
        for position in range(len(front)):
            lines = _title_lines(front, position, hint)
            if lines is None:
                continue
            start, end = lines
            for before in front[:start]:
                out.note(before, msg.BEFORE_TITLE)
            preamble = []
            for after in front[end:]:
                if PAGE_EXTRA.match(fold(after.text)):
                    out.note(after, msg.PAGE_EXTRA)
                else:
                    preamble.append(after)
            title = "".join(line.text for line in front[start:end])
            kept = parse_title(title)
            if not isinstance(kept, Rejected):
                out.answers[TITLE_KEY] = kept
            return title, preamble
    out.note(None, msg.NO_TITLE)
    return "", list(front)


# Portal navigation and site names sit above a title; they are not half of one.
_NOT_TITLE_PART = re.compile(r"[。，；：:;,!！?？>›»/|]|首页|当前位置|网站|发布")


def _title_lines(front: Sequence[Line], position: int, hint: re.Pattern[str]) -> tuple[int, int] | None:
    """[start, end) of a title found at `position`, which may be printed over two lines.

    A title set in two lines puts the agency on the first ("某某局" / "2025年度政府信息公开工作年度
    报告") or breaks anywhere ("某某局2025年度政府信息公开" / "工作年度报告"); the line before or
    after is joined only when it is short, has no punctuation and the line alone is incomplete.
    """
    folded = [fold_spaces(line.text) for line in front]
    here = folded[position]
    if hint.search(here):
        if position > 0 and not _agency_part(here) and _is_title_part(folded[position - 1]):
            return position - 1, position + 1
        return position, position + 1
    after = folded[position + 1] if position + 1 < len(front) else ""
    if after and _is_title_part(here) and not hint.search(after) and hint.search(here + after):
        return position, position + 2
    return None


def _is_title_part(folded: str) -> bool:
    return 0 < len(folded) <= TITLE_MAX_LENGTH // 2 and not _NOT_TITLE_PART.search(folded)
