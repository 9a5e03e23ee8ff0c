"""Headings → sections, and the narratives: the subsections of 一, the text of 五 and 六, the fee.

The six top-level headings (一、… 六、) split the document; each is matched against the form's
section headings loosely (a similarity ratio on the words after the numeral), alone on its line
or opening it and followed by its first sentence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dialogs.form import Form, Section, SectionRole
from dialogs.parsing import AGENCY_NAME_MAX
from importer import messages as msg
from importer.front import PAGE_EXTRA, PAGE_FOOTER
from importer.lines import Line, fold, ratio
from importer.notes import Collector

_NUMERALS = "一二三四五六七八九十"
_HEADING = re.compile(r"^([一二三四五六])\s*[、.．]\s*")
_HEADING_END = re.compile(r"[。：:]")
_MAX_HEADING = 40
_MIN_HEADING_RATIO = 0.55


# Headings as agencies print them, beyond typos (which the similarity ratio reads): section role →
# the words after the numeral. Reading one is a format finding (FMT-SECTIONS), never silent.
HEADING_ALIASES: dict[SectionRole, tuple[str, ...]] = {
    SectionRole.OTHER_MATTERS: ("需要说明的其他事项与附表", "需要说明的其他事项"),
    SectionRole.REQUESTS: ("依申请公开政府信息情况",),
}


@dataclass(frozen=True, slots=True)
class Heading:
    index: int
    """Which of the form's headed sections (0-based, in order)."""
    position: int
    """Index of the heading's line in the document's lines."""
    printed: str
    rest: Line | None
    """Text printed after the heading on the same line ("五、存在的主要问题及改进情况：……")."""


def section_headings(form: Form) -> list[Section]:
    """The form's numbered sections (those printed under a heading), in order."""
    return [s for s in form.sections if s.heading]


def match_heading(line: Line, position: int, headings: Sequence[Section]) -> Heading | None:
    """A top-level heading alone on its line, or opening it and followed by its first sentence.

    A flattened text runs a heading into what follows it ("二、主动公开政府信息情况第二十条第（一）项"):
    a line that opens with the heading's exact words is cut after them.
    """
    if len(line.filled) != 1:
        return None
    text = line.filled[0]
    m = _HEADING.match(unicodedata.normalize("NFKC", text[:4]))
    if m is None:
        return None
    index = _NUMERALS.index(m.group(1))
    if index >= len(headings):
        return None
    section = headings[index]
    known = [
        fold(section.heading).split("、", 1)[-1],
        *(fold(a) for a in (HEADING_ALIASES.get(section.role, ()) if section.role else ())),
    ]
    cut = _opening_heading(text, m.group(1), known)
    end = _HEADING_END.search(text)
    if cut is not None:
        printed, rest = text[:cut], text[cut:].lstrip("：:。 \u3000")
    elif end is not None and end.start() <= _MAX_HEADING:
        printed, rest = text[: end.start()], text[end.end() :].strip()
    elif len(text) <= _MAX_HEADING:
        printed, rest = text, ""
    else:
        return None
    printed_rest = fold(_HEADING.sub("", unicodedata.normalize("NFKC", printed), count=1))
    if max(ratio(printed_rest, words) for words in known) < _MIN_HEADING_RATIO:
        return None
    return Heading(index, position, printed.strip(), Line(line.number, rest, (rest,)) if rest else None)


def _opening_heading(text: str, numeral: str, known: Sequence[str]) -> int | None:
    """Where a heading printed with its exact words ends, when more text follows it on the line."""
    if fold(text) in {fold(f"{numeral}、{words}") for words in known}:
        return None
    for words in sorted(known, key=len, reverse=True):
        target = fold(f"{numeral}、{words}")
        for end in range(len(target), min(len(text), len(target) + _MAX_HEADING) + 1):
            if fold(text[:end]) == target and end < len(text):
                return end
    return None


def read_paragraphs(
    key: str, lines: Sequence[Line], heading: str, heading_line: Line, out: Collector
) -> None:
    if not lines:
        out.note(heading_line, msg.SECTION_EMPTY.format(heading=heading))
        return
    out.answers[key] = "\n".join(line.text for line in lines)


# --- 一、总体情况 ------------------------------------------------------------------------
_SUBSECTION = re.compile(r"^[（(]\s*([一二三四五六七八九十]+)\s*[）)]\s*")
_SUBSECTION_END = re.compile(r"[。：:]")
_MAX_SUBHEADING = 30
_GOV_EXTRA_WORDS = ("考核", "评议", "责任追究")


def _split_subheading(rest: str) -> tuple[str, str]:
    """("主动公开情况。", "2024年……") from the text after "（一）"; heading "" when there is none."""
    end = _SUBSECTION_END.search(rest)
    if end is not None and end.start() <= _MAX_SUBHEADING and "，" not in rest[: end.start()]:
        return rest[: end.end()], rest[end.end() :].strip()
    if end is None and len(rest) <= _MAX_SUBHEADING:
        return rest, ""
    return "", rest


def read_overall(lines: Sequence[Line], form: Form, out: Collector) -> None:
    """The overview's opening text and its subsections, numbered (一)… in the form's order."""
    keys = form.texts.subsections
    overview: list[str] = []
    parts: dict[str, list[str]] = {}
    current: str | None = None
    reached = 0  # the number of the subsection being read
    for line in lines:
        m = _SUBSECTION.match(line.text)
        number = _NUMERALS.index(m.group(1)) + 1 if m is not None and len(m.group(1)) == 1 else 0
        # A "（一）" that does not move forward is a list item inside the current subsection.
        if m is None or (0 < number <= reached and current):
            if current is None:
                overview.append(line.text)
            elif current == "":
                out.note(line, msg.S1_UNPLACED)
            else:
                parts[current].append(line.text)
            continue
        subheading, body = _split_subheading(line.text[m.end() :])
        if reached < number <= len(keys):
            current, reached = keys[number - 1], number
            parts[current] = [body] if body else []
        elif any(word in subheading + body[:_MAX_SUBHEADING] for word in _GOV_EXTRA_WORDS):
            # 条例第五十条第四项: governments report these; the form keeps them under 监督保障.
            current, reached = keys[-1], len(keys)
            parts.setdefault(current, []).append(line.text)
            out.note(line, msg.S1_GOV_EXTRA)
        else:
            current = ""
            out.note(line, msg.S1_UNPLACED)
    if overview:
        out.answers[form.texts.overview] = "\n".join(overview)
    if not parts:
        out.note(None, msg.S1_NO_SUBSECTIONS)
        return
    for key in keys:
        if parts.get(key):
            out.answers[key] = "\n".join(parts[key])
        else:
            out.note(None, msg.S1_MISSING_SUBSECTION.format(title=form.item(key).title))


# --- 六、信息处理费 and the signature ----------------------------------------------------
_FEE_AMOUNT = (
    re.compile(r"处理费[^。；;\d]{0,12}?(\d[\d,]*(?:\.\d+)?)\s*(万元|元)"),
    re.compile(r"收取[^。；;\d]{0,6}?(\d[\d,]*(?:\.\d+)?)\s*(万元|元)[^。；;]{0,8}处理费"),
)
_FEE_NONE = re.compile(
    r"(未|没有|无|不|免)[^。；;]{0,8}收取[^。；;]{0,16}处理费"
    r"|处理费[^。；;]{0,8}(为零|为0|零元)"
    r"|(未|没有|无)[^。；;]{0,6}(产生|发生)[^。；;]{0,12}处理费"
)
_DATE_LINE = re.compile(r"^((?:19|20)\d{2})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})\s*日?$")
# The signing office's line: as long as an agency name may be (the sign-off this bot writes).
_MAX_SIGNATURE = AGENCY_NAME_MAX


def read_processing_fee(lines: Sequence[Line], heading_line: Line, key: str, out: Collector) -> None:
    """The processing fee (yuan) the text states, into `key`; stated as none, 0."""
    text = unicodedata.normalize("NFKC", "\n".join(line.text for line in lines))
    for pattern in _FEE_AMOUNT:
        m = pattern.search(text)
        if m is not None:
            amount = Decimal(m.group(1).replace(",", ""))
            out.answers[key] = amount * 10000 if m.group(2) == "万元" else amount
            return
    if _FEE_NONE.search(text):
        out.answers[key] = Decimal(0)
        return
    out.note(heading_line, msg.FEE_NOT_STATED)


def strip_signature(lines: list[Line], out: Collector) -> list[Line]:
    """A page footer, a trailing date and the signing office above it are not part of 六's text."""
    while lines and (PAGE_EXTRA.match(fold(lines[-1].text)) or PAGE_FOOTER.search(lines[-1].text)):
        out.note(lines[-1], msg.PAGE_EXTRA)
        lines = lines[:-1]
    if not lines:
        return lines
    m = _DATE_LINE.match(unicodedata.normalize("NFKC", lines[-1].text))
    if m is None:
        return lines
    try:
        out.published = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return lines
    body = lines[:-1]
    if len(body) > 1 and len(body[-1].text) <= _MAX_SIGNATURE and "。" not in body[-1].text:
        out.note(body[-1], msg.SIGNATURE_UNPLACED)
        body = body[:-1]
    return body
