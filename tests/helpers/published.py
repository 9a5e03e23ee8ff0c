"""Real reports in the layouts clerks really have (issue 13): a portal page pasted from Word, the
flattened text copied from a page whose table cells ran together, and the agency's own Word file.

All are built from the real reports' .txt (the published text, tables as tab-separated rows), so
the importer's answers can be compared cell by cell with the .json.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from typing import Any

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH

from importer.lines import number

# --- flattened text -----------------------------------------------------------------------
_RUN_INTO_NEXT = re.compile(
    r"^(一、总体情况|二、主动公开政府信息情况|三、收到和处理政府信息公开申请情况|四、政府信息公开行政复议、行政诉讼情况)$"
)


def flattened_text(text: str) -> str:
    """The text as copied from a page without cell borders.

    Every table row is one paragraph, its cells run together ("（一）予以公开500000050"); the
    headings of 一 to 四 run into the paragraph after them; blank lines are gone.
    """
    lines = [line.replace("\t", "") for line in text.splitlines() if line.strip()]
    out: list[str] = []
    joined = False
    for line in lines:
        if joined:
            out[-1] += line
            joined = False
            continue
        out.append(line)
        joined = _RUN_INTO_NEXT.match(line) is not None
    return "\n".join(out)


# --- a portal page pasted from Word -----------------------------------------------------------
_SPAN_STYLES = (
    "font-size:16.0pt;font-family:仿宋_GB2312;mso-hansi-font-family:宋体;mso-bidi-font-family:宋体;"
    "color:#333333;mso-font-kerning:0pt",
    "font-size:16.0pt;font-family:仿宋_GB2312;mso-ascii-font-family:&quot;Times New Roman&quot;;"
    "mso-hansi-font-family:&quot;Times New Roman&quot;;color:black;mso-themecolor:text1",
    "font-size:16.0pt;font-family:&quot;Times New Roman&quot;,serif;mso-fareast-font-family:仿宋_GB2312;"
    "color:#333333;mso-font-kerning:0pt",
)
_CHUNK = re.compile(r"\d+|[A-Za-z]+|[^\dA-Za-z]{1,7}")
_P_STYLE = (
    "class=MsoNormal align=left style='margin-top:0cm;margin-right:0cm;margin-bottom:0cm;"
    "margin-left:0cm;text-align:left;text-indent:32.0pt;mso-char-indent-count:2.0;line-height:28.0pt;"
    "mso-line-height-rule:exactly;mso-pagination:widow-orphan;background:white'"
)
_TD_STYLE = (
    "style='border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt;"
    "mso-border-top-alt:solid windowtext .5pt'"
)
_HEADING = re.compile(r"^([一二三四五六]、|（[一二三四五]）)")


def _word_spans(text: str) -> str:
    """Text as Word writes it: short runs, each in its own span with mso styles."""
    spans = []
    for n, chunk in enumerate(_CHUNK.findall(text)):
        style = _SPAN_STYLES[n % len(_SPAN_STYLES)]
        lang = " lang=EN-US" if chunk.isascii() else ""
        spans.append(f"<span{lang}\nstyle='{style}'>{html.escape(chunk)}</span>")
    return "".join(spans)


def _word_paragraph(text: str) -> str:
    body = _word_spans(text)
    if _HEADING.match(text):
        body = f"<b style='mso-bidi-font-weight:normal'>{body}</b>"
    return f"<p {_P_STYLE}>{body}<span lang=EN-US style='{_SPAN_STYLES[0]}'><o:p></o:p></span></p>"


_Origin = tuple[int, int, str, int, int]
"""A merged cell: (row, column, text, rowspan, colspan)."""


def _origins(rows: Sequence[Sequence[str]]) -> tuple[int, list[_Origin]]:
    """The tab-separated rows as Word's merged cells: the grid's width and every origin cell.

    An empty cell before any text of its row is covered by the cell above (rowspan); an empty
    cell after text is covered by the cell to its left (colspan), except in a header row (no
    numbers), where a one-column cell above covers it.
    """
    width = max(len(r) for r in rows)
    grid = [list(r) + [""] * (width - len(r)) for r in rows]
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    spans: dict[tuple[int, int], list[int]] = {}
    for r, row in enumerate(grid):
        header = not any(number(c) is not None for c in row if c)
        for c, cell in enumerate(row):
            if cell:
                owner[(r, c)] = (r, c)
                spans[(r, c)] = [1, 1]
                continue
            leading = not any(row[:c])
            above = owner.get((r - 1, c))
            left = owner.get((r, c - 1))
            above_narrow = above is not None and spans[above][1] == 1 and above[1] == c
            if (leading or (header and above_narrow)) and above is not None:
                origin = above
            elif left is not None and not leading:
                origin = left
            else:
                origin = None
            if origin is None:
                owner[(r, c)] = (r, c)
                spans[(r, c)] = [1, 1]
                continue
            owner[(r, c)] = origin
            rs, cs = spans[origin]
            spans[origin] = [max(rs, r - origin[0] + 1), max(cs, c - origin[1] + 1)]
    origins = [
        (r, c, grid[r][c], *spans[(r, c)])
        for r in range(len(grid))
        for c in range(width)
        if owner[(r, c)] == (r, c)
    ]
    return width, origins  # type: ignore[return-value]


def _merged(rows: Sequence[Sequence[str]]) -> list[list[tuple[str, int, int]]]:
    """Per row, its origin cells as (text, rowspan, colspan), as an HTML <tr> lists them."""
    _, origins = _origins(rows)
    out: list[list[tuple[str, int, int]]] = [[] for _ in rows]
    for r, _, text, rowspan, colspan in origins:
        out[r].append((text, rowspan, colspan))
    return out


def _word_table(rows: Sequence[Sequence[str]]) -> str:
    out = [
        "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width=590\n"
        "style='width:442.5pt;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;"
        "mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>"
    ]
    for n, row in enumerate(_merged(rows)):
        out.append(f"<tr style='mso-yfti-irow:{n};height:22.5pt'>")
        for text, rowspan, colspan in row:
            attrs = (f" rowspan={rowspan}" if rowspan > 1 else "") + (
                f" colspan={colspan}" if colspan > 1 else ""
            )
            inner = _word_spans(text) if text else "&nbsp;"
            out.append(
                f"<td{attrs} valign=center {_TD_STYLE}><p class=MsoNormal align=center style='text-align:center'>"
                f"{inner}<span lang=EN-US style='{_SPAN_STYLES[0]}'><o:p></o:p></span></p></td>"
            )
        out.append("</tr>")
    out.append("</table>")
    return "\n".join(out)


def word_page(text: str, title: str) -> str:
    """The report pasted from Word into a portal page: chrome, a layout table, MsoNormal markup."""
    body: list[str] = []
    table: list[list[str]] = []
    for line in text.splitlines():
        if "\t" in line:
            table.append(line.split("\t"))
            continue
        if table:
            body.append(_word_table(table))
            table = []
        if not line.strip():
            body.append(f"<p {_P_STYLE}><span lang=EN-US>&nbsp;</span><o:p></o:p></p>")  # Word's blank line
        elif line.strip() != title:
            body.append(_word_paragraph(line.strip()))
    if table:
        body.append(_word_table(table))
    content = "\n".join(body)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">
<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>{html.escape(title)}</title>
<style>.MsoNormal {{ margin: 0 }}</style><script>var _hmt = _hmt || [];</script></head>
<body><table width="1000" align="center" class="wrap"><tr><td>
<div class="top"><a href="/">网站首页</a> | <a href="/zwgk">政务公开</a> | <a href="/hdjl">互动交流</a></div>
<table width="100%" class="layout"><tr>
<td class="side" width="200"><ul><li><a href="#">政府信息公开指南</a></li><li><a href="#">政府信息公开年报</a></li></ul></td>
<td class="main">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 政府信息公开年报</div>
<div class="article-title"><h1>{html.escape(title)}</h1></div>
<div class="article-info">发布日期：2025-01-20　来源：人民政府办公室　浏览次数：1024　【字体：大 中 小】</div>
<div class="TRS_Editor"><div class="WordSection1" style="layout-grid:15.6pt">
{content}
</div></div>
<div class="article-tools"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
<div class="qrcode"><img src="qr.png" alt="">扫一扫在手机打开当前页</div>
</td></tr></table>
<div class="footer"><p>主办单位：人民政府办公室　网站标识码：3208000001　苏ICP备05001234号</p></div>
</td></tr></table></body></html>"""


# --- a Word document as the agency wrote it -------------------------------------------------------
def word_docx(text: str, title: str) -> bytes:
    """The published text as the agency's own Word file: the title, paragraphs in several runs
    (Word splits a paragraph wherever its formatting or spell-checking state changes), blank
    paragraphs, and each table with its header and label cells merged (gridSpan, vMerge)."""
    document: Any = docx.Document()
    table: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if "\t" in line:
            table.append(line.split("\t"))
            continue
        if table:
            _docx_table(document, table)
            table = []
        paragraph = document.add_paragraph()
        if line.strip() == title:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for n, chunk in enumerate(_CHUNK.findall(line.strip())):
            run = paragraph.add_run(chunk)
            run.bold = line.strip() == title or bool(_HEADING.match(line.strip()))
            run.italic = False if n % 2 else None  # alternating run properties split the runs
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_table(document: Any, rows: Sequence[Sequence[str]]) -> None:
    width, origins = _origins(rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, c, text, rowspan, colspan in origins:
        cell = table.cell(r, c)
        if rowspan > 1 or colspan > 1:
            cell = cell.merge(table.cell(r + rowspan - 1, c + colspan - 1))
        cell.paragraphs[0].add_run(text)
