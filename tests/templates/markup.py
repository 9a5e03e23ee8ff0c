"""Reading rendered HTML (and Markdown rendered to HTML) back into cells and paragraphs."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag
from markdown_it import MarkdownIt

from tests.templates.official import Span


def markdown_to_html(markdown: str) -> str:
    """CommonMark plus the GFM table and strikethrough rules, as portals and Git hosts render it."""
    html: str = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)
    return html


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def report_tables(document: BeautifulSoup) -> dict[str, Tag]:
    tables = {}
    for table in document.find_all("table"):
        classes: list[str] = list(table.get("class") or [])
        table_id = next(c for c in classes if c in {"t2", "t3", "t4"})
        tables[table_id] = table
    return tables


def table_cells(table: Tag) -> list[tuple[Span, str]]:
    """Each th/td with its grid position, resolved from rowspan/colspan as a browser does."""
    taken: set[tuple[int, int]] = set()
    cells: list[tuple[Span, str]] = []
    for r, row in enumerate(table.find_all("tr")):
        c = 0
        for cell in row.find_all(["th", "td"]):
            while (r, c) in taken:
                c += 1
            rowspan = int(str(cell.get("rowspan", "1")))
            colspan = int(str(cell.get("colspan", "1")))
            taken |= {(r + i, c + j) for i in range(rowspan) for j in range(colspan)}
            cells.append(((r, c, rowspan, colspan), cell.get_text()))
            c += colspan
    return cells


def paragraphs(document: BeautifulSoup) -> list[str]:
    return [p.get_text() for p in document.find_all("p")]
