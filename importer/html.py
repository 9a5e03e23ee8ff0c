"""A saved web page flattened to lines: blocks and `<br>` end a line, a `<tr>` is one line of cells.

Table cells are joined with tabs in document order, so `importer.lines` reads a page exactly as
it reads a tab-separated text. A layout table (a row whose cells hold tables) is walked as blocks.
"""

from __future__ import annotations

import warnings

from bs4 import BeautifulSoup, UnusualUsageWarning
from bs4.element import NavigableString, PageElement, PreformattedString, Tag

from importer.lines import collapse

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
    grids: dict[int, list[str]] = {}

    def flush() -> None:
        text = collapse("".join(buffer))
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
            texts = grids.get(id(node)) or [_cell_text(cell) for cell in cells]
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
            rows = _table_rows(node)
            grids.update(_grid(rows))
            stack.append(("end", None))
            stack.extend(("row", row) for row in reversed(rows))
            continue
        if name in _BLOCK_TAGS:
            flush()
            stack.append(("end", None))
        stack.extend(("node", child) for child in reversed(list(node.children)))
    flush()
    return "\n".join(lines)


_MAX_SPAN = 100


def _span(cell: Tag, attribute: str) -> int:
    value = str(cell.get(attribute) or "1").strip()
    return min(int(value), _MAX_SPAN) if value.isdigit() and int(value) > 0 else 1


def _grid(rows: list[Tag]) -> dict[int, list[str]]:
    """Each row's cells placed in the table's grid (rowspan/colspan resolved; covered cells empty).

    A merged header or label cell stands in its first row and column only, so the cells of every
    row line up with the official table's columns, as in a tab-separated text.
    """
    covered: dict[tuple[int, int], bool] = {}
    out: dict[int, list[str]] = {}
    for r, row in enumerate(rows):
        placed: list[str] = []
        column = 0
        for cell in row.find_all(["td", "th"], recursive=False):
            while covered.pop((r, column), False):
                placed.append("")
                column += 1
            rowspan, colspan = _span(cell, "rowspan"), _span(cell, "colspan")
            placed.append(_cell_text(cell))
            placed.extend([""] * (colspan - 1))
            for down in range(1, rowspan):
                for across in range(colspan):
                    covered[(r + down, column + across)] = True
            column += colspan
        out[id(row)] = placed
    return out


def _cell_text(cell: Tag) -> str:
    """A cell's text: Word's runs of spans join without a space, its paragraphs with one."""
    parts: list[str] = []
    for node in cell.descendants:
        if isinstance(node, PreformattedString):
            continue
        if isinstance(node, NavigableString):
            parts.append(str(node))
        elif isinstance(node, Tag) and ((node.name or "").lower() in _BLOCK_TAGS or node.name == "br"):
            parts.append(" ")
    return collapse("".join(parts))


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
