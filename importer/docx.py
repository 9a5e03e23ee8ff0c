"""A Word document (.docx) → lines: paragraphs and tables in document order, merged cells once.

The body's block items are walked in order (a table sits between the paragraphs around it, as
printed). A table row becomes one tab-separated line with one cell per grid column: a merged
cell's text appears once, at its first grid position (`gridSpan` and `vMerge` resolved), and
the positions it covers stay empty, so a row lines up with the official layout exactly as an
HTML `<tr>` with colspan/rowspan does. A soft line break ends a line, as `<br>` does.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import docx
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from dialogs.parsing import Rejected
from importer import messages as msg
from importer.lines import Line, collapse, lines_from_text

__all__ = ["read_docx"]

log = logging.getLogger(__name__)

_CONTINUE = "continue"


def read_docx(data: bytes) -> list[Line] | Rejected:
    out: list[str] = []
    try:
        _blocks(docx.Document(io.BytesIO(data)), out)
    # A damaged package fails inside python-docx in many ways (BadZipFile, a missing part's
    # KeyError, lxml's XMLSyntaxError, an AttributeError on a part that is not what it claims,
    # a ValueError on an attribute that is not a number), while it opens or while its parts are
    # read: all mean the file cannot be read as a Word document. The traceback goes to the log,
    # where a fault of this reader would show.
    except Exception:
        log.warning("unreadable .docx", exc_info=True)
        return Rejected(msg.WORD_DAMAGED)
    return lines_from_text("\n".join(out))


def _blocks(container: Any, out: list[str]) -> None:
    """The paragraphs and tables of the body (or of a cell) in document order."""
    for block in container.iter_inner_content():
        if isinstance(block, Paragraph):
            out.extend(_paragraph(part) for part in block.text.split("\n"))
        elif isinstance(block, Table):
            _table(block, out)


def _paragraph(text: str) -> str:
    # A tab inside a paragraph separates cells, as in a tab-separated text.
    return "\t".join(collapse(cell) for cell in text.split("\t"))


def _table(table: Table, out: list[str]) -> None:
    for tr in table._tbl.tr_lst:
        cells = [_Cell(tc, table) for tc in tr.tc_lst]
        if any(cell._tc.tbl_lst for cell in cells):  # a layout table: its cells are read as blocks
            for cell in cells:
                _blocks(cell, out)
            continue
        texts = [""] * tr.grid_before
        for cell in cells:
            tc = cell._tc
            texts.append("" if tc.vMerge == _CONTINUE else collapse(cell.text))
            texts.extend([""] * (tc.grid_span - 1))
        texts.extend([""] * tr.grid_after)
        if any(texts):
            out.append("\t".join(texts))
