"""The published report: one context built from the form and the answers, four outputs."""

from templates.context import Cell, CellKind, ReportContext, ReportSection, Subsection, Table
from templates.render import build_context, render_docx, render_html, render_markdown, render_text

__all__ = [
    "Cell",
    "CellKind",
    "ReportContext",
    "ReportSection",
    "Subsection",
    "Table",
    "build_context",
    "render_docx",
    "render_html",
    "render_markdown",
    "render_text",
]
