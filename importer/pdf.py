"""A PDF with a text layer → lines: ruled tables as rows of cells, the text between as paragraphs.

With pdfplumber, page by page. The ruled tables (tables 2, 3 and 4) come from `find_tables`, one
tab-separated line per row, a merged cell's text once at its first position. The text outside
them is grouped into printed lines by baseline (a line set in two fonts, CJK and Latin, is still
one line) and split where a wide gap separates two columns. Then, as a reader sees the pages:
- a table cut by a page break keeps the rows at the top of the next page: the cut leaves no
  rule above them, so one is drawn where their cell borders begin;
- page headers and footers are dropped: page numbers ("1/5", "- 2 -") and the lines repeated
  in the top or bottom margin of several pages (a browser's date, title and address);
- printed lines are joined back into paragraphs: a line that fills the text column continues
  into the next unless that one is indented, also across a page break, and a wrapped title
  (consecutive lines in one large font) is one line. Whether a break between a Chinese
  character and a digit or Latin letter hid a space is decided by how the document itself
  writes them elsewhere (with a space around numbers or without), since the break shows neither;
- the radicals some fonts map their glyphs to read as the characters they show.
A PDF without any text is a scan: it is refused with a message saying so (`Rejected`).
"""

from __future__ import annotations

import io
import itertools
import logging
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError
from pdfplumber.utils.exceptions import PdfminerException

from dialogs.parsing import Rejected
from importer import messages as msg
from importer.lines import PAGE_NUMBER, Line, collapse, fold_glyphs, lines_from_text

__all__ = ["read_pdf"]

log = logging.getLogger(__name__)

_MARGIN = 0.1
"""Headers and footers sit in the top and bottom tenth of a page."""
_EDGE_LINES = 2
"""How many printed lines at the top and the bottom of a page may be a header or a footer."""
_DIGITS = re.compile(r"\d+")
_BORDER = 3.0
"""A filled rectangle thicker than this (points) both ways is a background, not a table rule."""
_SNAP = 1.0
"""Points within which two rules or two cell borders are the same."""
_BASELINE = 0.3
"""Characters whose baselines differ by less than this share of their size are on one line."""
_SPACE_GAP = 0.25
"""A gap wider than this share of the character size between two characters is a space."""
_COLUMN_GAP = 4.0
"""A gap wider than this many characters separates two columns (a sidebar, a header's halves)."""
_FULL_LINE = 2.0
"""A line ending within this many characters of the column's right edge fills the column."""
_INDENT = 0.8
"""A line starting this many characters right of the column's left edge is indented."""
_TITLE_SIZE = 1.15
"""A line set this many times larger than the body text is a title or a heading."""
_TITLE_GAP = 2.0
"""Two title lines whose tops are at most this many characters apart are one wrapped title."""
_ALNUM = re.compile(r"[0-9A-Za-z]")
_IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass(frozen=True, slots=True)
class _Block:
    page: int
    top: float
    """The top as a share of the page's height, so margins compare across page sizes."""
    y: float
    """The top in points (for line spacing)."""
    text: str
    x0: float = 0.0
    x1: float = 0.0
    size: float = 0.0
    lead: float = 0.0
    """The width of the line's first unbreakable run (a word, a number, an address)."""
    is_row: bool = False
    """A table row (tab-separated cells), never joined with its neighbours."""


def read_pdf(data: bytes, name: str) -> list[Line] | Rejected:
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [_page_blocks(number, page) for number, page in enumerate(pdf.pages)]
    except PdfminerException as error:
        cause = error.args[0] if error.args else None
        log.info("unreadable PDF: %s", type(cause).__name__)
        if isinstance(cause, PDFEncryptionError):
            return Rejected(msg.PDF_ENCRYPTED.format(name=name))
        return Rejected(msg.PDF_DAMAGED)
    # pdfminer parses lazily, while the pages are read, and a malformed file fails there with a
    # long tail of exception types (its PSException family, but also KeyError, TypeError,
    # struct.error, zlib.error...). Whatever it is, the person is told the file cannot be read;
    # the traceback goes to the log, where a fault of this reader would show.
    except Exception:
        log.warning("unreadable PDF", exc_info=True)
        return Rejected(msg.PDF_DAMAGED)
    if not any(pages):
        return Rejected(msg.PDF_SCANNED.format(name=name))
    blocks = [block for page in _drop_page_chrome(pages) for block in page]
    return lines_from_text("\n".join(_paragraphs(blocks)))


def _is_background(obj: dict[str, Any]) -> bool:
    return (
        obj.get("object_type") == "rect"
        and obj["width"] > _BORDER
        and obj["height"] > _BORDER
        and not obj.get("stroke")
    )


# --- tables -------------------------------------------------------------------------------
def _cut_rules(page: Any) -> list[dict[str, object]]:
    """Rules where a page break cut a table: above the cell borders that start at the page's top
    table edge, and below those that end at its bottom, when no rule is printed there."""
    verticals = [e for e in page.edges if e["orientation"] == "v"]
    horizontals = [e for e in page.edges if e["orientation"] == "h"]
    if not verticals:
        return []
    top, bottom = min(e["top"] for e in verticals), max(e["bottom"] for e in verticals)
    rules = []
    for y, side in ((top, "top"), (bottom, "bottom")):
        borders = [e for e in verticals if abs(e[side] - y) <= _SNAP]
        x0, x1 = min(e["x0"] for e in borders), max(e["x1"] for e in borders)
        ruled = any(
            abs(h["top"] - y) <= _SNAP and h["x0"] <= x0 + _SNAP and h["x1"] >= x1 - _SNAP
            for h in horizontals
        )
        if len(borders) > 1 and not ruled:
            rule = {"x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0.0}
            rules.append({"object_type": "line", **rule})
    return rules


def _cell_text(cell: str | None) -> str:
    """A cell's printed lines as one text: wrapped Chinese joins without a space."""
    return collapse(fold_glyphs(cell or ""))


def _table_rows(number: int, page: Any, tables: Sequence[Any]) -> list[_Block]:
    rows = []
    for table in tables:
        for row, cells in zip(table.rows, table.extract(), strict=True):
            texts = [_cell_text(cell) for cell in cells]
            if any(texts):
                top = row.bbox[1]
                rows.append(_Block(number, top / page.height, top, "\t".join(texts), is_row=True))
    return rows


# --- printed lines ------------------------------------------------------------------------
def _text_lines(number: int, page: Any, chars: Iterable[dict[str, Any]]) -> list[_Block]:
    upright = sorted((c for c in chars if c.get("upright", True)), key=lambda c: (_line_key(c), c["x0"]))
    lines: list[list[dict[str, Any]]] = []
    for char in upright:
        if lines and abs(_line_key(char) - _line_key(lines[-1][0])) <= _BASELINE * max(char["size"], 1.0):
            lines[-1].append(char)
        else:
            lines.append([char])
    blocks = []
    for line in lines:
        for segment in _segments(sorted(line, key=lambda c: c["x0"])):
            text = collapse(fold_glyphs(_segment_text(segment)))
            if text:
                size = statistics.median(c["size"] for c in segment)
                top = min(c["top"] for c in segment)
                x0, x1 = segment[0]["x0"], segment[-1]["x1"]
                lead = _lead_width(segment)
                blocks.append(_Block(number, top / page.height, top, text, x0, x1, size, lead))
    return blocks


def _line_key(char: dict[str, Any]) -> float:
    """The baseline in page coordinates: the matrix's vertical origin when there is a matrix."""
    matrix = char.get("matrix")
    if matrix is None:
        return float(char["bottom"])
    return -float(matrix[5])


def _segments(line: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    out: list[list[dict[str, Any]]] = []
    for char in line:
        if out and char["x0"] - out[-1][-1]["x1"] <= _COLUMN_GAP * char["size"]:
            out[-1].append(char)
        else:
            out.append([char])
    return out


def _lead_width(segment: Sequence[dict[str, Any]]) -> float:
    """The width of the first run a line cannot be broken inside: one Chinese character, or the
    letters, digits and punctuation up to the next space or Chinese character."""
    first = segment[0]
    end = first
    for char in segment[1:]:
        if char["text"].isspace() or _IDEOGRAPH.match(char["text"]) or _IDEOGRAPH.match(first["text"]):
            break
        end = char
    return float(end["x1"] - first["x0"])


def _segment_text(segment: Sequence[dict[str, Any]]) -> str:
    parts: list[str] = []
    previous: dict[str, Any] | None = None
    for char in segment:
        if previous is not None and char["x0"] - previous["x1"] > _SPACE_GAP * char["size"]:
            parts.append(" ")
        parts.append(char["text"])
        previous = char
    return "".join(parts)


def _page_blocks(number: int, page: Any) -> list[_Block]:
    page = page.filter(lambda obj: not _is_background(obj))
    tables = page.find_tables({"explicit_horizontal_lines": _cut_rules(page)})

    def outside_tables(char: dict[str, Any]) -> bool:
        x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        return not any(t.bbox[0] <= x <= t.bbox[2] and t.bbox[1] <= y <= t.bbox[3] for t in tables)

    chars = [c for c in page.chars if outside_tables(c)]
    blocks = _table_rows(number, page, tables) + _text_lines(number, page, chars)
    blocks.sort(key=lambda b: (b.top, b.x0))
    return blocks


# --- pages --------------------------------------------------------------------------------
def _drop_page_chrome(pages: Sequence[list[_Block]]) -> list[list[_Block]]:
    def edges(page: list[_Block]) -> list[_Block]:
        tops = sorted({b.top for b in page if not b.is_row})
        first, last = set(tops[:_EDGE_LINES]), set(tops[-_EDGE_LINES:])
        return [
            b
            for b in page
            if not b.is_row
            and ((b.top in first and b.top < _MARGIN) or (b.top in last and b.top > 1 - _MARGIN))
        ]

    def shape(block: _Block) -> str:
        return _DIGITS.sub("#", block.text)

    seen: dict[str, set[int]] = {}
    for page in pages:
        for block in edges(page):
            seen.setdefault(shape(block), set()).add(block.page)
    kept: list[list[_Block]] = []
    for page in pages:
        chrome = {id(b) for b in edges(page) if PAGE_NUMBER.match(b.text) or len(seen.get(shape(b), ())) > 1}
        kept.append([b for b in page if id(b) not in chrome])
    return kept


# --- paragraphs ---------------------------------------------------------------------------
def _spaces_around_numbers(blocks: Sequence[_Block]) -> bool:
    """Whether the document writes a space between Chinese and digits or Latin letters."""
    spaced = tight = 0
    for block in blocks:
        text = block.text
        for before, after in itertools.pairwise(text):
            if _is_boundary(before, after):
                tight += 1
        for before, middle, after in zip(text, text[1:], text[2:], strict=False):
            if middle == " " and _is_boundary(before, after):
                spaced += 1
    return spaced > tight


def _is_boundary(before: str, after: str) -> bool:
    return bool(
        (_IDEOGRAPH.match(before) and _ALNUM.match(after))
        or (_ALNUM.match(before) and _IDEOGRAPH.match(after))
    )


def _join(before: str, after: str, *, spaced: bool) -> str:
    """A line break inside a paragraph: a space between Latin words, and where the document spaces
    Chinese from digits and Latin letters; otherwise none."""
    last, first = before[-1:], after[:1]
    latin = _ALNUM.match(last) and _ALNUM.match(first)
    space = latin or (spaced and _is_boundary(last, first))
    return before + (" " if space else "") + after


def _paragraphs(blocks: Sequence[_Block]) -> list[str]:
    text_lines = [b for b in blocks if not b.is_row]
    if not text_lines:
        return [b.text for b in blocks]
    body = statistics.median(b.size for b in text_lines)
    # The column: where most lines start, and the furthest a line starting there reaches.
    left = statistics.mode(round(b.x0) for b in text_lines if abs(b.size - body) < _SNAP)
    right = max(
        (b.x1 for b in text_lines if left - body <= b.x0 <= left + 3 * body and abs(b.size - body) < _SNAP),
        default=max(b.x1 for b in text_lines),
    )
    spaced = _spaces_around_numbers(text_lines)
    out: list[str] = []
    previous: _Block | None = None
    for block in blocks:
        if previous is not None and not block.is_row and _continues(previous, block, body, left, right):
            out[-1] = _join(out[-1], block.text, spaced=spaced)
        else:
            out.append(block.text)
        previous = None if block.is_row else block
    return out


def _continues(previous: _Block, block: _Block, body: float, left: float, right: float) -> bool:
    if previous.size > body * _TITLE_SIZE:  # a wrapped title: the same large font, close below
        same_font = abs(block.size - previous.size) < _SNAP
        below = block.y - previous.y
        return same_font and previous.page == block.page and 0 < below <= _TITLE_GAP * previous.size
    return (
        abs(block.size - body) < _SNAP
        and (
            previous.x1 >= right - _FULL_LINE * previous.size  # it filled the column
            or previous.x1 + block.lead > right  # or the next line's first word did not fit
        )
        and block.x0 <= left + _INDENT * block.size
    )
