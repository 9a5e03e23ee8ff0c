"""Reading a published annual report on government information disclosure back into answers.

Pure: the only inputs are the bytes or text passed in and the `Form`, the only output an
`ImportResult` (answers, problems line by line, and what was read). The modules, one job each:
`sniff` (what kind of document an upload is, and the registry of readers), `html` (a page →
lines), `lines` (the line model, folding, numbers), `front` (title and preamble), `sections`
(headings → sections, narratives), `tables` (table cells → answers), `notes` (the result, its
problems and what was read), `messages` (the Chinese text), and `document` (lines → result).
Everything of the format (section roles, headings, table rows, blocks and columns, narrative and
fee keys, the earlier format's rows) is read from the `Form` passed in.

Beside the reports, a coordinator's agency list: `spreadsheet` (an .xlsx or .csv upload → rows of
cell texts), `agencies` (rows → agencies to add, every bad row named) and `messages_agencies`.
"""

from __future__ import annotations

from dialogs.form import Form
from dialogs.parsing import Rejected
from importer.agencies import AgencyRow, AgencySheet, SheetError, read_agency_sheet
from importer.document import read_lines
from importer.lines import lines_from_text
from importer.notes import Coverage, ImportProblem, ImportResult, TableRead, failed
from importer.sniff import FORMATS, DocumentKind, Format, Upload, read_html, sniff
from importer.target import earlier_report_problem

__all__ = [
    "FORMATS",
    "AgencyRow",
    "AgencySheet",
    "Coverage",
    "DocumentKind",
    "Format",
    "ImportProblem",
    "ImportResult",
    "SheetError",
    "TableRead",
    "earlier_report_problem",
    "import_document",
    "import_html",
    "import_text",
    "read_agency_sheet",
]


def import_text(text: str, form: Form) -> ImportResult:
    """Read a report saved as plain text (tables as tab-separated lines)."""
    return read_lines(lines_from_text(text), form, kind=DocumentKind.TEXT)


def import_html(html: str, form: Form) -> ImportResult:
    """Read a saved portal page; its `<table>` rows become tab-separated lines, in cell order."""
    lines = read_html(html)
    if isinstance(lines, Rejected):
        return failed(lines.message, kind=DocumentKind.HTML)
    return read_lines(lines, form, kind=DocumentKind.HTML)


def import_document(
    data: bytes, filename: str, form: Form, *, formats: tuple[Format, ...] = FORMATS
) -> ImportResult:
    """Read an uploaded file with the first of `formats` that accepts it (Word, PDF, HTML, text)."""
    upload = Upload(data, filename)
    found = sniff(upload, formats)
    lines = found.read(upload)
    if isinstance(lines, Rejected):
        return failed(lines.message, kind=found.kind)
    return read_lines(lines, form, kind=found.kind)
