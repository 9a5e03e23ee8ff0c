"""Reading numbers out of the narratives: sentences, clauses and counted numbers.

The text rules compare what a narrative says with the tables. Published reports write
numbers in many ways ("受理……17件", "另有103件顺延到下年度答复", "2起", full-width digits,
"十七件"), so the splitting and number reading live here, shared by every text rule.
Approximate numbers ("5500余条", "约300件") are never compared: they are not claims of
an exact count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from dialogs.form import Value

_PLACEHOLDERS = frozenset({"", "无", "略", "暂无", "没有", "不涉及", "无此项"})
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_SENTENCE_END = re.compile(r"[。！？!?\n]+")
_CLAUSE_SEP = re.compile(r"[，,；;（）()：:]+")
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}

# A counted number: digits (optionally grouped) or Chinese numerals, then 件/起/条.
# Chinese numerals are read only before 件: "一起" and "一条龙" are ordinary words.
_COUNTED = re.compile(
    r"(?P<before>约|近|超过|逾)?"
    r"(?:(?<![\d.])(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?![\d.])\s*(?P<approx>余|多)?\s*(?P<unit>件|起|条)"
    r"|(?P<cn>[零〇一二两三四五六七八九十百千]+)(?P<cn_approx>余|多)?件)"
)
_YUAN = re.compile(
    r"(?<![\d.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<unit>万元|元)"
    r"|(?P<zero>零元)"
)


def normalise(text: str) -> str:
    """Full-width digits and separators to ASCII; everything else unchanged."""
    return text.translate(_FULLWIDTH)


def compact(text: str) -> str:
    """Without any whitespace ("2024 年" → "2024年"), for wording comparisons."""
    return re.sub(r"\s+", "", normalise(text))


def chinese_number(text: str) -> int | None:
    """十七 → 17, 一百零三 → 103, 两千 → 2000; None for anything else."""
    total, digit = 0, None
    for char in text:
        if char in _CN_DIGITS:
            if digit is not None:
                return None
            digit = _CN_DIGITS[char]
        elif char in _CN_UNITS:
            total += (1 if digit is None else digit) * _CN_UNITS[char]
            digit = None
        else:
            return None
    return total + (digit or 0)


@dataclass(frozen=True, slots=True)
class Counted:
    """A number counted in 件/起/条, with where it sits in its clause."""

    value: int
    start: int
    end: int
    is_approximate: bool


def counted_numbers(clause: str) -> list[Counted]:
    out = []
    for m in _COUNTED.finditer(clause):
        if m.group("digits") is not None:
            value: int | None = int(m.group("digits").replace(",", ""))
            approx = bool(m.group("before") or m.group("approx"))
        else:
            value = chinese_number(m.group("cn"))
            approx = bool(m.group("before") or m.group("cn_approx"))
        if value is not None:
            out.append(Counted(value, m.start(), m.end(), approx))
    return out


def yuan_amounts(text: str) -> list[tuple[str, Decimal]]:
    """Amounts written in 元 or 万元, as (the text as written, the value in 元)."""
    out = []
    for m in _YUAN.finditer(normalise(text)):
        if m.group("zero"):
            out.append((m.group(0), Decimal(0)))
            continue
        value = Decimal(m.group("num").replace(",", ""))
        out.append((m.group(0), value * 10000 if m.group("unit") == "万元" else value))
    return out


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(normalise(text)) if s.strip()]


def clauses(sentence: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_SEP.split(sentence) if c.strip()]


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in normalise(text).split("\n") if p.strip()]


@dataclass(frozen=True, slots=True)
class Segment:
    """One counted number with the words around it inside its clause.

    `before` runs from the previous number (or the clause start) to this number, `after`
    from this number to the next one: "受理申请17件" is read from `before`, "另有103件
    顺延到下年度" from `after`.
    """

    number: Counted
    before: str
    after: str
    clause: str
    sentence: str


def segments(clause: str, sentence: str) -> Iterator[Segment]:
    numbers = counted_numbers(clause)
    for i, number in enumerate(numbers):
        start = numbers[i - 1].end if i else 0
        end = numbers[i + 1].start if i + 1 < len(numbers) else len(clause)
        yield Segment(number, clause[start : number.start], clause[number.end : end], clause, sentence)


def text_of(answers: Mapping[str, Value], key: str) -> str:
    value = answers.get(key)
    return value if isinstance(value, str) else ""


def quote(text: str, limit: int = 60) -> str:
    """A sentence as shown inside 「」 in a message, shortened if long."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def is_placeholder(text: str) -> bool:
    """Empty, or only "无", "略", "暂无" or the like: an answer that says nothing."""
    return re.sub(r"[\s。．.！!、,，]", "", text) in _PLACEHOLDERS
