"""The Word (.docx) report, built with python-docx from the report context.

Built in code rather than from a docxtpl template because the merged header cells of
tables 三 and 四 follow the declared layout: each merge is a real gridSpan / vMerge made by
`cell.merge`. Fonts follow 公文 practice (GB/T 9704): title 小标宋, level-1 headings 黑体,
level-2 headings 楷体, body 仿宋_GB2312. Chinese fonts go in the w:eastAsia slot of rFonts;
Latin text and digits use Times New Roman. python-docx escapes text for XML itself, and run
text turns tabs into w:tab and line breaks into w:br, so user text is stored literally.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell

from templates.context import CellKind, ReportContext, Table

FONT_LATIN = "Times New Roman"
FONT_TITLE = "方正小标宋简体"
FONT_HEADING = "黑体"
FONT_SUBHEADING = "楷体_GB2312"
FONT_BODY = "仿宋_GB2312"
# Word substitutes a missing font by its w:altName in the font table: the GB2312-era names
# are often absent on newer systems, where 仿宋 / 楷体 / 宋体 are installed instead.
FONT_FALLBACKS = {FONT_TITLE: "宋体", FONT_SUBHEADING: "楷体", FONT_BODY: "仿宋", FONT_HEADING: "SimHei"}

STYLE_TITLE = "Report Title"
STYLE_HEADING_1 = "Report Heading 1"
STYLE_HEADING_2 = "Report Heading 2"
STYLE_BODY = "Report Body"
STYLE_TABLE = "Report Table Text"

# A4 with the 公文 margins (GB/T 9704: 37 mm top, 28 mm left, text block 156 × 225 mm).
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
TEXT_WIDTH_MM = 156
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
TABLE_SIZE = {"t4": Pt(9)}
TABLE_SIZE_DEFAULT = Pt(10.5)  # 五号
LINE_EXACT = Pt(28)
MAX_CORE_PROPERTY = 255
# A ZIP entry's timestamp would otherwise be the wall clock: fix it so equal input gives equal bytes.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _set_rfonts(rfonts: Any, east_asia: str) -> None:
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)
    rfonts.set(qn("w:ascii"), FONT_LATIN)
    rfonts.set(qn("w:hAnsi"), FONT_LATIN)
    rfonts.set(qn("w:cs"), FONT_LATIN)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _set_fonts(rpr_owner: Any, east_asia: str) -> None:
    """Latin and East-Asian fonts on a style's or a run's rPr (theme fonts removed, they would win)."""
    _set_rfonts(rpr_owner.get_or_add_rPr().get_or_add_rFonts(), east_asia)


def _first_line_chars(paragraph_format: Any, chars: int, size: Pt) -> None:
    """A first-line indent in characters (w:firstLineChars) with its twips equivalent."""
    paragraph_format.first_line_indent = Pt(size.pt * chars)
    ind = paragraph_format._element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(chars * 100))


def _outline_level(style: Any, level: int) -> None:
    ppr = style.element.get_or_add_pPr()
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(level))
    ppr.append(outline)


def _add_styles(document: Any) -> None:
    styles = document.styles
    # The document defaults name theme fonts; replace them so nothing falls back to Calibri.
    rpr_default = styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr_default is not None:
        rfonts = rpr_default.find(qn("w:rFonts"))
        if rfonts is not None:
            _set_rfonts(rfonts, FONT_BODY)
        lang = rpr_default.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:eastAsia"), "zh-CN")
    normal = styles["Normal"]
    normal.font.size = BODY_SIZE
    _set_fonts(normal.element, FONT_BODY)
    normal.paragraph_format.space_after = Pt(0)

    def add(name: str, east_asia: str, size: Pt, *, bold: bool = False) -> Any:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        style.font.size = size
        style.font.bold = bold
        _set_fonts(style.element, east_asia)
        return style

    title = add(STYLE_TITLE, FONT_TITLE, TITLE_SIZE)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(0)
    title.paragraph_format.space_after = Pt(28)
    title.paragraph_format.line_spacing = Pt(36)
    _outline_level(title, 0)
    for name, font, level in ((STYLE_HEADING_1, FONT_HEADING, 1), (STYLE_HEADING_2, FONT_SUBHEADING, 2)):
        heading = add(name, font, BODY_SIZE)
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        heading.paragraph_format.line_spacing = LINE_EXACT
        _first_line_chars(heading.paragraph_format, 2, BODY_SIZE)
        _outline_level(heading, level)
    body = add(STYLE_BODY, FONT_BODY, BODY_SIZE)
    body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    body.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    body.paragraph_format.line_spacing = LINE_EXACT
    _first_line_chars(body.paragraph_format, 2, BODY_SIZE)
    cell_text = add(STYLE_TABLE, FONT_BODY, TABLE_SIZE_DEFAULT)
    cell_text.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cell_text.paragraph_format.line_spacing = 1.0


def _add_font_fallbacks(document: Any) -> None:
    part = document.part.part_related_by(RELATIONSHIP_TYPE.FONT_TABLE)
    fonts = parse_xml(part.blob)
    known = {f.get(qn("w:name")) for f in fonts.findall(qn("w:font"))}
    for name, alternative in FONT_FALLBACKS.items():
        if name in known:
            continue
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        pitch = "variable" if name == FONT_TITLE else "fixed"
        for tag, value in (
            ("w:altName", alternative),
            ("w:charset", "86"),
            ("w:family", "modern"),
            ("w:pitch", pitch),
        ):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            font.append(child)
        fonts.append(font)
    # The font table is a plain (unparsed) part in python-docx: replace its bytes.
    part._blob = serialize_part_xml(fonts)


def _setup_page(document: Any) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(footer, "— ", FONT_LATIN, size=Pt(14))
    _add_page_field(footer)
    _run(footer, " —", FONT_LATIN, size=Pt(14))


def _add_page_field(paragraph: Any) -> None:
    """A PAGE field: begin, instruction, separate, a cached result, end (one run each)."""

    def field_char(kind: str) -> None:
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        _run(paragraph, "", FONT_LATIN, size=Pt(14))._r.append(char)

    field_char("begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    _run(paragraph, "", FONT_LATIN, size=Pt(14))._r.append(instruction)
    field_char("separate")
    _run(paragraph, "1", FONT_LATIN, size=Pt(14))
    field_char("end")


def _run(paragraph: Any, text: str, east_asia: str, *, size: Pt | None = None) -> Any:
    run = paragraph.add_run(text)
    _set_fonts(run._r, east_asia)
    if size is not None:
        run.font.size = size
    return run


def _style_ids(document: Any) -> dict[str, str]:
    """Style ids by name, looked up once (python-docx resolves a style name by scanning all styles)."""
    names = (STYLE_TITLE, STYLE_HEADING_1, STYLE_HEADING_2, STYLE_BODY, STYLE_TABLE)
    return {name: document.styles[name].style_id for name in names}


def _paragraph(document: Any, text: str, style_id: str, east_asia: str) -> None:
    paragraph = document.add_paragraph()
    paragraph._p.style = style_id
    _run(paragraph, text, east_asia)


def _mark_header_row(row: Any) -> None:
    """Repeat the column headers on every page the table crosses."""
    header = OxmlElement("w:tblHeader")
    row._tr.get_or_add_trPr().append(header)


def _add_table(document: Any, table: Table) -> None:
    doc_table = document.add_table(rows=table.n_rows, cols=table.n_columns)
    doc_table.style = "Table Grid"
    doc_table.alignment = WD_TABLE_ALIGNMENT.CENTER
    doc_table.autofit = False
    total = sum(table.column_weights)
    widths = [Mm(TEXT_WIDTH_MM * w / total) for w in table.column_weights]
    # Wrap the fresh (unmerged) grid once: python-docx's `table.cell()` re-walks the whole table.
    grid = [[_Cell(tc, doc_table) for tc in tr.tc_lst] for tr in doc_table._tbl.tr_lst]
    for i, column in enumerate(doc_table.columns):
        column.width = widths[i]
    for row in grid:
        for i, doc_cell in enumerate(row):
            doc_cell.width = widths[i]
    for r in range(table.header_rows):
        _mark_header_row(doc_table.rows[r])
    size = TABLE_SIZE.get(table.id, TABLE_SIZE_DEFAULT)
    style_ids = _style_ids(document)
    for cell in table.cells:
        target = grid[cell.row][cell.column]
        if cell.is_merged:
            target = target.merge(grid[cell.row + cell.rowspan - 1][cell.column + cell.colspan - 1])
        target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = target.paragraphs[0]
        paragraph._p.style = style_ids[STYLE_TABLE]
        if cell.kind is CellKind.LABEL:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        if cell.text:
            run = _run(paragraph, cell.text, FONT_BODY, size=size)
            run.bold = cell.kind is CellKind.HEADER


def _repack(data: bytes) -> bytes:
    """The package with fixed entry timestamps, so the bytes depend only on the report."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(entry, source.read(info.filename))
    return out.getvalue()


def write_docx(ctx: ReportContext) -> bytes:
    document = Document()
    _add_styles(document)
    _add_font_fallbacks(document)
    _setup_page(document)
    properties = document.core_properties
    # Core properties hold at most 255 characters (python-docx raises on a longer one); the
    # document's own title paragraph below keeps the whole title.
    properties.title = ctx.title[:MAX_CORE_PROPERTY]
    properties.author = ctx.agency[:MAX_CORE_PROPERTY]
    properties.last_modified_by = ctx.agency[:MAX_CORE_PROPERTY]
    properties.subject = f"{ctx.year}"
    properties.language = "zh-CN"
    ids = _style_ids(document)
    _paragraph(document, ctx.title, ids[STYLE_TITLE], FONT_TITLE)
    for text in ctx.preamble:
        _paragraph(document, text, ids[STYLE_BODY], FONT_BODY)
    for section in ctx.sections:
        _paragraph(document, section.heading, ids[STYLE_HEADING_1], FONT_HEADING)
        for text in section.paragraphs:
            _paragraph(document, text, ids[STYLE_BODY], FONT_BODY)
        for sub in section.subsections:
            _paragraph(document, sub.heading, ids[STYLE_HEADING_2], FONT_SUBHEADING)
            for text in sub.paragraphs:
                _paragraph(document, text, ids[STYLE_BODY], FONT_BODY)
        if section.table is not None:
            _add_table(document, section.table)
    buffer = io.BytesIO()
    document.save(buffer)
    return _repack(buffer.getvalue())
