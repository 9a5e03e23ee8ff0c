"""The published report: one context built from the form and the answers, four outputs.

Beside it, the coordinator's Excel files: the district workbook (tables 二, 三 and 四, one row
per agency, with the totals) and the sheet of invite links for agencies added in bulk.
"""

from templates.context import Cell, CellKind, ReportContext, ReportSection, Subsection, Table
from templates.invite_sheet import invite_links_sheet
from templates.render import build_context, render_docx, render_html, render_markdown, render_text
from templates.workbook import district_workbook

__all__ = [
    "Cell",
    "CellKind",
    "ReportContext",
    "ReportSection",
    "Subsection",
    "Table",
    "build_context",
    "district_workbook",
    "invite_links_sheet",
    "render_docx",
    "render_html",
    "render_markdown",
    "render_text",
]
