"""A saved web page flattened to lines: blocks and `<br>` end a line, a `<tr>` is one line of cells.

Table cells are joined with tabs in document order, so `importer.lines` reads a page exactly as
it reads a tab-separated text. A layout table (a row whose cells hold tables) is walked as blocks.
"""

from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup, UnusualUsageWarning
from bs4.element import NavigableString, PageElement, PreformattedString, Tag

_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "caption", "center", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "ul",
    }
)  # fmt: skip
_SKIPPED_TAGS = frozenset(
    {"button", "head", "iframe", "input", "noscript", "object", "option", "script", "select", "style",
     "svg", "template", "textarea", "title"}
)  # fmt: skip
_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
_CJK_BREAK = re.compile(rf"(?<={_CJK})\s*\n\s*(?={_CJK})")
_HTML_SPACE = re.compile(r"[ \t\r\n\f\xa0]+")


def _collapse(text: str) -> str:
    """HTML whitespace: a line break between two CJK characters is no space at all."""
    return _HTML_SPACE.sub(" ", _CJK_BREAK.sub("", text)).strip()


def html_to_text(html: str) -> str | None:
    """The page as text lines (table rows as tab-separated cells); None when it cannot be parsed."""
    try:
        # bs4 warns when markup looks like a file name or a URL, or is XML: for an uploaded
        # page that is the user's content, not our misuse, and the parse goes on regardless.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnusualUsageWarning)
            soup = BeautifulSoup(html, "html.parser")
    except Exception:  # bs4 wraps html.parser's failures in several types across versions
        return None
    lines: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = _collapse("".join(buffer))
        buffer.clear()
        if text:
            lines.append(text)

    # An explicit stack instead of recursion: a page may nest deeper than Python's recursion limit.
    # Entries: ("node", tag), ("end", None) to close a block, ("row", tr) for a table row.
    stack: list[tuple[str, PageElement | None]] = [("node", soup)]
    while stack:
        kind, node = stack.pop()
        if kind == "end":
            flush()
            continue
        if isinstance(node, PreformattedString):  # comments, doctype, CDATA
            continue
        if isinstance(node, NavigableString):
            buffer.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        if kind == "row":
            cells = node.find_all(["td", "th"], recursive=False)
            if any(cell.find("table") is not None for cell in cells):  # a layout table
                flush()
                for cell in reversed(cells):
                    stack.extend((("end", None), ("node", cell)))
                continue
            flush()
            texts = [_collapse(cell.get_text(" ")) for cell in cells]
            if any(texts):
                lines.append("\t".join(texts))
            continue
        name = (node.name or "").lower()
        if name in _SKIPPED_TAGS:
            continue
        if name == "br":
            flush()
            continue
        if name == "table":
            flush()
            stack.append(("end", None))
            stack.extend(("row", row) for row in reversed(_table_rows(node)))
            continue
        if name in _BLOCK_TAGS:
            flush()
            stack.append(("end", None))
        stack.extend(("node", child) for child in reversed(list(node.children)))
    flush()
    return "\n".join(lines)


def _table_rows(table: Tag) -> list[Tag]:
    rows: list[Tag] = []
    for child in table.children:
        if not isinstance(child, Tag):
            continue
        if child.name == "tr":
            rows.append(child)
        elif child.name in ("thead", "tbody", "tfoot"):
            rows.extend(r for r in child.children if isinstance(r, Tag) and r.name == "tr")
    return rows
