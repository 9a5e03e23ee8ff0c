"""The line model every reader produces, and the folding and number reading the parsers share.

A line is a list of cells: tab-separated text, a markdown table row, or the cells of an HTML
`<tr>` in order; a plain line is one cell. Whatever the document's format, the sections and
tables are read from these lines, so a saved portal page and a plain-text copy give the same
answers.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

_MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s*")


@dataclass(frozen=True, slots=True)
class Line:
    number: int
    """1-based line of the text (for HTML: of the page flattened to lines)."""
    text: str
    """The line without markdown heading marks, trimmed."""
    cells: tuple[str, ...]
    """Trimmed cells (tab-separated); a plain line is one cell."""

    @property
    def filled(self) -> tuple[str, ...]:
        return tuple(c for c in self.cells if c)


def lines_from_text(text: str) -> list[Line]:
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = _MARKDOWN_HEADING.sub("", raw).strip()
        if not stripped:
            continue
        cells = _split_cells(raw)
        lines.append(Line(number, stripped, cells))
    return lines


_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^[\s|:\-]+$")


def _split_cells(raw: str) -> tuple[str, ...]:
    if _PIPE_ROW.match(raw) and "\t" not in raw:  # a markdown table row
        if _PIPE_RULE.match(raw):
            return ("",)
        return tuple(c.strip() for c in raw.strip().strip("|").split("|"))
    cells = raw.split("\t")
    cells[0] = _MARKDOWN_HEADING.sub("", cells[0])
    return tuple(c.strip() for c in cells)


# --- whitespace and glyphs ------------------------------------------------------------
_CJK = "[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
CJK = re.compile(_CJK)
"""A CJK ideograph, CJK punctuation or a full-width form."""
_CJK_BREAK = re.compile(rf"(?<={_CJK})\s*\n\s*(?={_CJK})")
_WHITESPACE = re.compile(r"[ \t\r\n\f\xa0]+")


def collapse(text: str) -> str:
    """Whitespace as a reader sees it: a line break between two CJK characters is no space at all."""
    return _WHITESPACE.sub(" ", _CJK_BREAK.sub("", text)).strip()


# Glyphs some CJK fonts map to radicals (the Kangxi radicals fold by NFKC, the supplement does
# not) or to the traditional variant sharing the glyph (戶 for 户, never in a simplified report):
# a PDF's text layer then holds ⺠ where the page shows 民.
_KANGXI = re.compile("[\u2f00-\u2fdf]")
_RADICALS = str.maketrans(
    "⺠⺦⺰⻄⻅⻆⻈⻉⻋⻌⻐⻓⻔⻘⻙⻚⻛⻜⻝⻠⻢⻣⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳戶",
    "民丬纟西见角讠贝车辶钅长门青韦页风飞食饣马骨鱼鸟卤麦黄黾齐齿龙龟户",
)


def fold_glyphs(text: str) -> str:
    """The characters a page shows for the radicals and variants a font's text layer holds."""
    # NFC: compatibility ideographs (U+F900...) and a font's angle brackets are their canonical forms.
    text = _KANGXI.sub(
        lambda m: unicodedata.normalize("NFKC", m.group(0)), unicodedata.normalize("NFC", text)
    )
    return text.translate(_RADICALS)


# --- folding and numbers -------------------------------------------------------------
_QUOTES = re.compile(r"[\"'“”‘’「」『』]")
_LEADING_NUMBER = re.compile(r"^(\d+)[、.](?=\D)")
SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """A label reduced for comparison: half-width, no spaces or quotes, "1、" → "1."."""
    folded = unicodedata.normalize("NFKC", text)
    folded = SPACE.sub("", folded)
    folded = _QUOTES.sub("", folded)
    folded = _LEADING_NUMBER.sub(r"\1.", folded)
    return folded.rstrip("。.:：;；")


def fold_spaces(text: str) -> str:
    """Half-width and without any space, for patterns that read a title or a date."""
    return SPACE.sub("", unicodedata.normalize("NFKC", text))


def ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


_NUMBER = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d{1,15})(?:\.\d{1,6})?")
_NUMBER_UNIT = re.compile(r"(件|个|条|项|次|万元|元)$")
_ZERO_MARKS = frozenset({"-", "—", "–", "--", "——", "无"})


# A printed page's number (a PDF's footer): "1/5", "- 2 -", "第3页", "第 3 页 共 5 页".
PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d{1,4}\s*页?\s*([/／共]\s*\d{1,4}\s*页?)?[-—–\s]*$")


def number(cell: str) -> Decimal | None:
    """A table cell as a number, or None when the cell is not a number."""
    text = fold_spaces(cell)
    if text in _ZERO_MARKS:
        return Decimal(0)
    text = _NUMBER_UNIT.sub("", text)
    if not _NUMBER.fullmatch(text):
        return None
    return Decimal(text.replace(",", ""))


def table_cells(line: Line) -> tuple[list[str], list[Decimal]]:
    """The words (non-numeric cells) and the numbers of a table line.

    A line without tabs is split on spaces, and only its trailing run of numbers counts
    ("一、本年新收…… 0 0 0"), so a sentence such as "收到行政复议 3 件" yields no numbers.
    """
    cells = line.filled
    if len(cells) != 1:
        words = [c for c in cells if number(c) is None]
        return words, [n for n in (number(c) for c in cells) if n is not None]
    tokens = SPACE.split(cells[0])
    numbers: list[Decimal] = []
    while tokens and (value := number(tokens[-1])) is not None:
        numbers.insert(0, value)
        tokens.pop()
    return [t for t in tokens if t], numbers


# --- flattened text: a row whose cells ran together ------------------------------------------
# The label ends before the digits: it cannot end in a digit, a space, a dot or a comma.
_GLUED = re.compile(
    r"^(?P<label>.*?[^\d\s.,，、．])?\s*"
    r"(?P<runs>\d+(?:[.．]\d+)?(?:\s+\d+(?:[.．]\d+)?)*)$"
)
# A group "（一）" (full- or half-width brackets) or a numbered leaf "1." opens a label cell.
_LABEL_PART = re.compile(r"(?=[（(][一二三四五六七八九十][）)])|(?<=\D)(?=\d+[.、．]\D)")


@dataclass(frozen=True, slots=True)
class Glued:
    """A line that ends in digits, as text copied from a page without cell borders prints a row."""

    label: str
    """The words before the digits ("" for a line of digits only)."""
    runs: tuple[str, ...]
    """The digit runs after the label, in order (separated by spaces when there were any)."""


def unglue(text: str) -> Glued | None:
    """A line that ends in digits: its label and its digit runs; None when it does not end in digits."""
    m = _GLUED.match(text.strip())
    if m is None:
        return None
    runs = unicodedata.normalize("NFKC", m.group("runs")).split()
    return Glued((m.group("label") or "").strip(), tuple(runs))


def label_parts(label: str) -> list[str]:
    """A row's labels printed in one run (part, group "（n）" and numbered leaf "1.") as cells."""
    return [part.strip() for part in _LABEL_PART.split(label) if part.strip()]
