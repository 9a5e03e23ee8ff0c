"""Reading a published 政府信息公开工作年度报告 back into answers keyed like the form.

Pure: the only input is the string or bytes passed in, the only output an `ImportResult`.
Every format is first turned into one line model (a line is a list of cells: tab-separated
text, or the cells of an HTML `<tr>` in order), and one parser reads that model, so a saved
portal page and a plain-text copy give the same answers.

Rules of the reader, in the order they matter:
- The six top-level headings (一、… 六、) split the document; they must appear in order, each
  alone on its line. A missing heading means the file is cut off or is not a report (fatal).
- Tables are read by their printed labels, never by position: a row's numbers are its numeric
  cells, whatever empty cells the export added; labels are matched loosely (full/half-width,
  "1、"/"1."/"1. ", spaces, typos through a similarity ratio and the row group).
- Printed totals are kept as printed (the rules check them later); nothing is recomputed.
- Whatever cannot be placed is reported line by line (`ImportProblem`), never dropped silently.
  A problem that makes the numbers unreliable (a missing row, a row with the wrong count of
  numbers) is fatal: `is_usable` is False and `answers` is empty, so the caller stores nothing.
"""

from __future__ import annotations

import difflib
import email
import email.policy
import re
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from email.message import EmailMessage

from bs4 import BeautifulSoup, UnusualUsageWarning
from bs4.element import NavigableString, PageElement, PreformattedString, Tag

from dialogs.form import Field, Form, Row, Value
from dialogs.parsing import AGENCY_NAME_MAX, Rejected
from dialogs.report_2021 import (
    S1_SUBSECTIONS,
    T2_DECISION_ROWS,
    T2_DOC_ROWS,
    T2_FEES,
    T3_RESULTS_PART,
    t3_key,
    t4_key,
)
from dialogs.rules import SourceFacts
from dialogs.title import TITLE_KEY, TITLE_MAX_LENGTH, parse_title

__all__ = ["ImportProblem", "ImportResult", "import_document", "import_html", "import_text"]

# --- Chinese messages ---------------------------------------------------------------
# Messages name the line, say what is wrong and what to do, like the dialog's own messages.
EMPTY = "文件是空的，没有可导入的内容。"
NOT_A_REPORT = "这不像是政府信息公开工作年度报告：找不到「一、总体情况」至「六、其他需要报告的事项」等部分标题。请导入年报全文。"
MISSING_HEADING = "找不到「{heading}」部分，文件可能不完整（被截断）或不是按国家格式编写的年报。"
NO_TITLE = "找不到报告标题（如「××局2024年政府信息公开工作年度报告」）。"
NO_YEAR = "标题和统计期限中都找不到报告年度，请在对话中确认年度。"
BEFORE_TITLE = "标题前的内容未导入（可能是网页导航或附加信息）。"
PAGE_EXTRA = "网页附加信息（发布时间、来源、打印、网站页脚等）未导入。"
S1_UNPLACED = "「一、总体情况」中的这一段无法对应到（一）至（五）小节，未导入。"
S1_GOV_EXTRA = "这一小节（工作考核、社会评议和责任追究结果情况）已并入「（五）监督保障」。"
S1_NO_SUBSECTIONS = (
    "「一、总体情况」中找不到（一）至（五）小标题，全部文字已放入开篇概述，请在对话中分到各小节。"
)
S1_MISSING_SUBSECTION = "「一、总体情况」中缺少「{title}」小节，请在对话中补填。"
SECTION_EMPTY = "「{heading}」下没有文字，请在对话中补填。"
TABLE_TEXT_UNPLACED = "「{heading}」中的这一行既不是表格标题也不是表格数据，未导入。"
T2_OLD_FORMAT = "表二是 2019 年试行格式（列为「{column}」等），与 2021 年格式的列含义不同，无法自动对应。请按 2021 年格式整理表二后再导入。"
T2_UNKNOWN_ROW = "表二中的「{label}」不是 2021 年格式的行，未导入。"
T2_WRONG_COUNT = "表二「{label}」应有 {expected} 个数字，这一行有 {got} 个。文件可能不完整或表格错位。"
T2_LAST_OF_MANY = "表二「{label}」这一行有 {got} 个数字，已按最后一个（本年数量）导入，请核对。"
T2_NOT_INTEGER = "表二「{label}」应为整数件数，这一行是「{value}」。"
T2_DUPLICATE = "表二「{label}」出现了两次，无法判断以哪一行为准。"
T2_MISSING = "表二缺少「{label}」一行，文件可能不完整（被截断）。"
T3_WRONG_COUNT = "表三「{label}」应有 7 个数字（6 类申请人和总计），这一行有 {got} 个。文件可能不完整或表格错位，请核对原表。"
T3_NOT_INTEGER = "表三「{label}」的数字应为整数件数，这一行有「{value}」。"
T3_UNKNOWN_ROW = "表三中无法识别这一行（「{label}」），未导入。"
T3_NO_NUMBERS = "表三「{label}」这一行没有数字，文件可能不完整（被截断）。"
T3_LABEL_DIFFERS = "表三行标签「{printed}」与官方标签「{official}」不一致，已按官方行「{official}」导入。"
T3_SUBTOTAL = "表三「{label}」是分组标题，官方表格没有小计行，这一行的数字未导入。"
T3_OLD_OTHER_ROW = (
    "表三使用了 2019 年试行格式的单行「（六）其他处理」。已将其数字计入「3.其他」，"
    "「1.申请人无正当理由逾期不补正……」和「2.申请人逾期未按收费通知要求缴纳费用……」两行记为 0，请核对。"
)
T3_DUPLICATE = "表三「{label}」出现了两次，无法判断以哪一行为准。"
T3_MISSING = "表三缺少以下行：{labels}。文件可能不完整（被截断）。"
T4_WRONG_COUNT = "表四应有 15 个数字（行政复议 5 个、未经复议直接起诉 5 个、复议后起诉 5 个），读到 {got} 个。文件可能不完整或表格错位。"
T4_NOT_INTEGER = "表四的数字应为整数件数，这里是「{value}」。"
FEE_NOT_STATED = "「六、其他需要报告的事项」没有写明信息处理费（金额或「未收取」），请在对话中补填。"
SIGNATURE_UNPLACED = "文末落款未导入正文（落款日期已记为发布日期）。"
HTML_REJECTED = "网页内容无法解析，请在浏览器中重新“另存为”网页（.html）后再导入。"
UNDECODABLE = (
    "无法识别文件的文字编码（不是 UTF-8 或 GB18030/GBK）。请用记事本打开后“另存为”UTF-8 编码的纯文本再导入。"
)
BINARY = "这不是文本或网页文件（{name}）。请导入年报网页（.html）或纯文本（.txt）。"
WORD_FILE = "这是 Word 文件（{name}），无法直接读取。请在 Word 或 WPS 中“另存为”网页（.html）或纯文本（.txt）后再导入。"
EXCEL_FILE = "这是 Excel 表格文件（{name}），不是年报全文。请导入年报网页（.html）或纯文本（.txt）。"
PDF_FILE = "这是 PDF 文件（{name}），无法直接读取。请打开年报原网页“另存为”网页（.html），或把全文复制到记事本另存为纯文本（.txt）后再导入。"
OFD_FILE = "这是 OFD 版式文件（{name}），无法直接读取。请打开年报原网页“另存为”网页（.html），或把全文复制后另存为纯文本（.txt）再导入。"
IMAGE_FILE = "这是图片（{name}），无法读取其中的文字。请导入年报网页（.html）或纯文本（.txt）。"
ARCHIVE_FILE = "这是压缩包（{name}），请解压后导入其中的年报网页（.html）或纯文本（.txt）。"
FATAL_PREFIX = "无法导入："
LINE_REF = "第 {line} 行「{text}」："

# --- the line model ---------------------------------------------------------------------
_MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s*")
_MAX_QUOTE = 40


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """Something the importer could not place, or placed with a guess; `message` is Chinese."""

    line: int
    """1-based line of the text (for HTML: of the page flattened to lines); 0 = the whole file."""
    text: str
    """The line as printed (trimmed), so the user can find it."""
    message: str
    is_fatal: bool = False

    def describe(self) -> str:
        if self.line <= 0:
            return self.message
        quoted = self.text if len(self.text) <= _MAX_QUOTE else self.text[:_MAX_QUOTE] + "……"
        return LINE_REF.format(line=self.line, text=quoted) + self.message


@dataclass(frozen=True, slots=True)
class ImportResult:
    answers: dict[str, Value]
    """Answers keyed like the form; empty when the import is not usable."""
    agency: str
    year: int | None
    title: str
    source: SourceFacts
    problems: tuple[ImportProblem, ...] = ()

    @property
    def is_usable(self) -> bool:
        return not any(p.is_fatal for p in self.problems)

    @property
    def errors(self) -> tuple[ImportProblem, ...]:
        return tuple(p for p in self.problems if p.is_fatal)

    @property
    def error(self) -> str:
        """One Chinese message for the fatal problems; empty when the import is usable."""
        errors = self.errors
        if not errors:
            return ""
        return FATAL_PREFIX + "\n".join(p.describe() for p in errors)


@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    text: str
    """The line without markdown heading marks, trimmed."""
    cells: tuple[str, ...]
    """Trimmed cells (tab-separated); a plain line is one cell."""

    @property
    def filled(self) -> tuple[str, ...]:
        return tuple(c for c in self.cells if c)


def _lines_from_text(text: str) -> list[_Line]:
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = _MARKDOWN_HEADING.sub("", raw).strip()
        if not stripped:
            continue
        cells = _split_cells(raw)
        lines.append(_Line(number, stripped, cells))
    return lines


_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^[\s|:\-]+$")


def _split_cells(raw: str) -> tuple[str, ...]:
    if _PIPE_ROW.match(raw) and "\t" not in raw:  # a markdown table row
        if _PIPE_RULE.match(raw):
            return ("",)
        return tuple(c.strip() for c in raw.strip().strip("|").split("|"))
    cells = raw.split("\t")
    cells[0] = _MARKDOWN_HEADING.sub("", cells[0])
    return tuple(c.strip() for c in cells)


# --- folding and numbers -------------------------------------------------------------
_QUOTES = re.compile(r"[\"'“”‘’「」『』]")
_LEADING_NUMBER = re.compile(r"^(\d+)[、.](?=\D)")
_SPACE = re.compile(r"\s+")


def _fold(text: str) -> str:
    """A label reduced for comparison: half-width, no spaces or quotes, "1、" → "1."."""
    folded = unicodedata.normalize("NFKC", text)
    folded = _SPACE.sub("", folded)
    folded = _QUOTES.sub("", folded)
    folded = _LEADING_NUMBER.sub(r"\1.", folded)
    return folded.rstrip("。.:：;；")


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


_NUMBER = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d{1,15})(?:\.\d{1,6})?")
_NUMBER_UNIT = re.compile(r"(件|个|条|项|次|万元|元)$")
_ZERO_MARKS = frozenset({"-", "—", "–", "--", "——", "无"})


def _number(cell: str) -> Decimal | None:
    """A table cell as a number, or None when the cell is not a number."""
    text = _SPACE.sub("", unicodedata.normalize("NFKC", cell))
    if text in _ZERO_MARKS:
        return Decimal(0)
    text = _NUMBER_UNIT.sub("", text)
    if not _NUMBER.fullmatch(text):
        return None
    return Decimal(text.replace(",", ""))


def _table_cells(line: _Line) -> tuple[list[str], list[Decimal]]:
    """The words (non-numeric cells) and the numbers of a table line.

    A line without tabs is split on spaces, and only its trailing run of numbers counts
    ("一、本年新收…… 0 0 0"), so a sentence such as "收到行政复议 3 件" yields no numbers.
    """
    cells = line.filled
    if len(cells) != 1:
        words = [c for c in cells if _number(c) is None]
        return words, [n for n in (_number(c) for c in cells) if n is not None]
    tokens = _SPACE.split(cells[0])
    numbers: list[Decimal] = []
    while tokens and (value := _number(tokens[-1])) is not None:
        numbers.insert(0, value)
        tokens.pop()
    return [t for t in tokens if t], numbers


# --- the collector ---------------------------------------------------------------------
@dataclass(slots=True)
class _Collector:
    """What one import gathers; lives only inside one call."""

    answers: dict[str, Value] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)
    row_labels: dict[str, str] = field(default_factory=dict)
    old_other_row: bool = False
    published: date | None = None

    def note(self, line: _Line | None, message: str, *, fatal: bool = False) -> None:
        if line is None:
            self.problems.append(ImportProblem(0, "", message, fatal))
        else:
            self.problems.append(ImportProblem(line.number, line.text, message, fatal))


# --- entry points ------------------------------------------------------------------------
def import_text(text: str, form: Form) -> ImportResult:
    """Read a report saved as plain text (tables as tab-separated lines)."""
    return _import_lines(_lines_from_text(text), form)


def import_html(html: str, form: Form) -> ImportResult:
    """Read a saved portal page; its `<table>` rows become tab-separated lines, in cell order."""
    flattened = _html_to_text(html)
    if flattened is None:
        return _failed(HTML_REJECTED)
    return import_text(flattened, form)


def import_document(data: bytes, filename: str, form: Form) -> ImportResult:
    """Read an uploaded file: HTML or text (UTF-8, else GB18030); refuse Word, PDF, zip and binaries."""
    name = filename.strip() or "未命名文件"
    refusal = _refusal(data, name)
    if refusal is not None:
        return _failed(refusal)
    html = _mhtml_part(data)
    if html is not None:
        return import_html(html, form)
    text = _decode(data)
    if text is None:
        return _failed(UNDECODABLE)
    if _has_control_characters(text):
        return _failed(BINARY.format(name=name))
    if _looks_like_html(text, name):
        return import_html(text, form)
    return import_text(text, form)


def _failed(message: str) -> ImportResult:
    return ImportResult(
        answers={},
        agency="",
        year=None,
        title="",
        source=SourceFacts(),
        problems=(ImportProblem(0, "", message, True),),
    )


# --- sniffing bytes ----------------------------------------------------------------------
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*", b"RIFF")
_ARCHIVES = (b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"BZh")
_SNIFF_BYTES = 8192


def _refusal(data: bytes, name: str) -> str | None:
    lower = name.lower()
    if not data.strip():
        return EMPTY
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if b"word/" in data or lower.endswith((".docx", ".docm", ".dotx", ".wps")):
            return WORD_FILE.format(name=name)
        if b"xl/" in data or lower.endswith((".xlsx", ".xlsm", ".et")):
            return EXCEL_FILE.format(name=name)
        if b"OFD.xml" in data or lower.endswith(".ofd"):
            return OFD_FILE.format(name=name)
        if b"opendocument.text" in data or lower.endswith(".odt"):
            return WORD_FILE.format(name=name)
        return ARCHIVE_FILE.format(name=name)
    if data.startswith(_OLE):  # .doc, .wps, .xls and .et share the OLE container
        if lower.endswith((".xls", ".et")):
            return EXCEL_FILE.format(name=name)
        return WORD_FILE.format(name=name)
    if data.startswith(b"{\\rtf"):
        return WORD_FILE.format(name=name)
    if data.lstrip()[:5] == b"%PDF-":
        return PDF_FILE.format(name=name)
    if data.startswith(_IMAGES) and b"\x00" in data[:_SNIFF_BYTES]:
        return IMAGE_FILE.format(name=name)
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return IMAGE_FILE.format(name=name)
    if data.startswith(_ARCHIVES):
        return ARCHIVE_FILE.format(name=name)
    head = data[:_SNIFF_BYTES]
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if b"\x00" in head and not utf16:
        return BINARY.format(name=name)
    return None


def _decode(data: bytes) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _has_control_characters(text: str) -> bool:
    """Binary data that happens to decode (GB18030 accepts almost anything) is full of controls."""
    sample = text[:_SNIFF_BYTES]
    return len(_CONTROL.findall(sample)) > max(2, len(sample) // 100)


_HTML_HINT = re.compile(r"<\s*(!doctype\s+html|html|body|table|tr|td|p|div|h[1-6]|br)\b", re.IGNORECASE)


def _looks_like_html(text: str, name: str) -> bool:
    if name.lower().endswith((".htm", ".html", ".xhtml", ".shtml")):
        return True
    return _HTML_HINT.search(text[:_SNIFF_BYTES]) is not None


def _mhtml_part(data: bytes) -> str | None:
    """The HTML inside a single-file web page (.mht, "网页，单个文件"), or None."""
    head = data[:_SNIFF_BYTES].lower()
    if b"mime-version" not in head or b"multipart/related" not in head:
        return None
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        return None
    for part in message.walk():
        if part.get_content_type() != "text/html":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        charset = part.get_content_charset() or "utf-8"
        for encoding in (charset, "utf-8", "gb18030"):
            try:
                return payload.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                continue
    return None


# --- HTML → lines ------------------------------------------------------------------------
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


def _html_to_text(html: str) -> str | None:
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


# --- the document: title, headings, sections ---------------------------------------------
_NUMERALS = "一二三四五六七八九十"
_HEADING = re.compile(r"^([一二三四五六])\s*[、.．]\s*")
_HEADING_END = re.compile(r"[。：:]")
_MAX_HEADING = 40
_MIN_HEADING_RATIO = 0.55


@dataclass(frozen=True, slots=True)
class _Heading:
    index: int
    position: int
    printed: str
    rest: _Line | None
    """Text printed after the heading on the same line ("五、存在的主要问题及改进情况：……")."""


def _section_headings(form: Form) -> list[tuple[str, str]]:
    """(section id, heading) of the six numbered sections, in order."""
    return [(s.id, s.heading) for s in form.sections if s.heading]


def _match_heading(line: _Line, position: int, headings: Sequence[tuple[str, str]]) -> _Heading | None:
    """A top-level heading alone on its line, or opening it and followed by its first sentence."""
    if len(line.filled) != 1:
        return None
    text = line.filled[0]
    m = _HEADING.match(unicodedata.normalize("NFKC", text[:4]))
    if m is None:
        return None
    index = _NUMERALS.index(m.group(1))
    if index >= len(headings):
        return None
    end = _HEADING_END.search(text)
    if end is not None and end.start() <= _MAX_HEADING:
        printed, rest = text[: end.start()], text[end.end() :].strip()
    elif len(text) <= _MAX_HEADING:
        printed, rest = text, ""
    else:
        return None
    official_rest = _fold(headings[index][1]).split("、", 1)[-1]
    printed_rest = _fold(_HEADING.sub("", unicodedata.normalize("NFKC", printed), count=1))
    if _ratio(printed_rest, official_rest) < _MIN_HEADING_RATIO:
        return None
    return _Heading(index, position, printed.strip(), _Line(line.number, rest, (rest,)) if rest else None)


# A portal page prints its metadata next to the title and its footer after the text.
_PAGE_EXTRA = re.compile(
    r"^(索引号|发布机构|发布时间|发布日期|生成日期|成文日期|来源|信息来源|文号|发文字号|主题分类|公开方式"
    r"|公开范围|浏览次数|访问量|点击数|字号|字体|【|分享|打印|关闭|主办|承办|版权所有|网站标识码|技术支持)"
)
_PAGE_FOOTER = re.compile(r"ICP备|公网安备|网站标识码|版权所有|主办单位|技术支持[:：]")


# Best first: a year and 政府信息公开…报告; then any 年度报告; then anything called a 报告.
_TITLE_HINTS = (
    re.compile(r"(?:19|20)\d{2}年.*政府信息公开.*报告"),
    re.compile(r"年度报告"),
    re.compile(r"报告"),
)
_TITLE = re.compile(r"^(?P<agency>.*?)(?P<year>(?:19|20)\d{2})年度?")
_PERIOD = re.compile(r"((?:19|20)\d{2})年1月1日")


def _agency_part(folded: str) -> str:
    """What a title names before its year (or before 政府信息公开 when it has no year)."""
    m = _TITLE.match(folded)
    if m is not None:
        return m.group("agency")
    return folded.split("政府信息公开", 1)[0] if "政府信息公开" in folded else ""


def _title_year_agency(title: str, preamble: Sequence[str]) -> tuple[int | None, str]:
    folded = _SPACE.sub("", unicodedata.normalize("NFKC", title))
    m = _TITLE.match(folded)
    if m is not None:
        return int(m.group("year")), m.group("agency")
    agency = _agency_part(folded)
    for paragraph in preamble:
        period = _PERIOD.search(_SPACE.sub("", unicodedata.normalize("NFKC", paragraph)))
        if period is not None:
            return int(period.group(1)), agency
    return None, agency


def _import_lines(lines: list[_Line], form: Form) -> ImportResult:
    if not lines:
        return _failed(EMPTY)
    out = _Collector()
    headings = _section_headings(form)
    found: list[_Heading] = []
    for position, line in enumerate(lines):
        heading = _match_heading(line, position, headings)
        if heading is not None and all(heading.index > h.index for h in found):
            found.append(heading)
    if not found:
        return _failed(NOT_A_REPORT)
    for index, (_, missing) in enumerate(headings):
        if all(h.index != index for h in found):
            out.note(None, MISSING_HEADING.format(heading=missing), fatal=True)

    title, preamble_lines = _read_front(lines[: found[0].position], out)
    year, agency = _title_year_agency(title, [line.text for line in preamble_lines])
    if year is None:
        out.note(None, NO_YEAR)
    if preamble_lines:
        out.answers["text.preamble"] = "\n".join(line.text for line in preamble_lines)

    for n, heading in enumerate(found):
        end = found[n + 1].position if n + 1 < len(found) else len(lines)
        body = lines[heading.position + 1 : end]
        if heading.rest is not None:
            body = [heading.rest, *body]
        section_id, official = headings[heading.index]
        _read_section(section_id, official, body, lines[heading.position], form, out)

    printed_headings = tuple(h.printed for h in found)
    source = SourceFacts(
        title=title,
        headings=printed_headings,
        row_labels=dict(out.row_labels),
        old_other_row=out.old_other_row,
        published=out.published,
    )
    problems = tuple(sorted(out.problems, key=lambda p: p.line))
    usable = not any(p.is_fatal for p in problems)
    return ImportResult(
        answers=out.answers if usable else {},
        agency=agency,
        year=year,
        title=title,
        source=source,
        problems=problems,
    )


def _read_front(front: Sequence[_Line], out: _Collector) -> tuple[str, list[_Line]]:
    """The title (the first line or two that name a report) and the preamble after it.

    The published title is kept as an answer, so the report is rendered under it again.
    """
    for hint in _TITLE_HINTS:
        for position in range(len(front)):
            lines = _title_lines(front, position, hint)
            if lines is None:
                continue
            start, end = lines
            for before in front[:start]:
                out.note(before, BEFORE_TITLE)
            preamble = []
            for after in front[end:]:
                if _PAGE_EXTRA.match(_fold(after.text)):
                    out.note(after, PAGE_EXTRA)
                else:
                    preamble.append(after)
            title = "".join(line.text for line in front[start:end])
            kept = parse_title(title)
            if not isinstance(kept, Rejected):
                out.answers[TITLE_KEY] = kept
            return title, preamble
    out.note(None, NO_TITLE)
    return "", list(front)


# Portal navigation and site names sit above a title; they are not half of one.
_NOT_TITLE_PART = re.compile(r"[。，；：:;,!！?？>›»/|]|首页|当前位置|网站|发布")


def _title_lines(front: Sequence[_Line], position: int, hint: re.Pattern[str]) -> tuple[int, int] | None:
    """[start, end) of a title found at `position`, which may be printed over two lines.

    A title set in two lines puts the agency on the first ("某某局" / "2025年度政府信息公开工作年度
    报告") or breaks anywhere ("某某局2025年度政府信息公开" / "工作年度报告"); the line before or
    after is joined only when it is short, has no punctuation and the line alone is incomplete.
    """
    folded = [_SPACE.sub("", unicodedata.normalize("NFKC", line.text)) for line in front]
    here = folded[position]
    if hint.search(here):
        if position > 0 and not _agency_part(here) and _is_title_part(folded[position - 1]):
            return position - 1, position + 1
        return position, position + 1
    after = folded[position + 1] if position + 1 < len(front) else ""
    if after and _is_title_part(here) and not hint.search(after) and hint.search(here + after):
        return position, position + 2
    return None


def _is_title_part(folded: str) -> bool:
    return 0 < len(folded) <= TITLE_MAX_LENGTH // 2 and not _NOT_TITLE_PART.search(folded)


def _read_section(
    section_id: str, heading: str, lines: Sequence[_Line], heading_line: _Line, form: Form, out: _Collector
) -> None:
    match section_id:
        case "s1":
            _read_overall(lines, heading, out)
        case "s2":
            _read_table2(lines, heading_line, heading, form, out)
        case "s3":
            _read_table3(lines, heading_line, heading, form, out)
        case "s4":
            _read_table4(lines, heading_line, heading, form, out)
        case "s5":
            _read_paragraphs("text.s5", lines, heading, heading_line, out)
        case "s6":
            paragraphs = _strip_signature(list(lines), out)
            _read_paragraphs("text.s6", paragraphs, heading, heading_line, out)
            _read_processing_fee(paragraphs, heading_line, out)


def _read_paragraphs(
    key: str, lines: Sequence[_Line], heading: str, heading_line: _Line, out: _Collector
) -> None:
    if not lines:
        out.note(heading_line, SECTION_EMPTY.format(heading=heading))
        return
    out.answers[key] = "\n".join(line.text for line in lines)


# --- 一、总体情况 ------------------------------------------------------------------------
_SUBSECTION = re.compile(r"^[（(]\s*([一二三四五六七八九十]+)\s*[）)]\s*")
_SUBSECTION_END = re.compile(r"[。：:]")
_MAX_SUBHEADING = 30
_S1_KEYS = tuple(key for key, _ in S1_SUBSECTIONS)
_GOV_EXTRA_WORDS = ("考核", "评议", "责任追究")


def _split_subheading(rest: str) -> tuple[str, str]:
    """("主动公开情况。", "2024年……") from the text after "（一）"; heading "" when there is none."""
    end = _SUBSECTION_END.search(rest)
    if end is not None and end.start() <= _MAX_SUBHEADING and "，" not in rest[: end.start()]:
        return rest[: end.end()], rest[end.end() :].strip()
    if end is None and len(rest) <= _MAX_SUBHEADING:
        return rest, ""
    return "", rest


def _read_overall(lines: Sequence[_Line], heading: str, out: _Collector) -> None:
    overview: list[str] = []
    parts: dict[str, list[str]] = {}
    current: str | None = None
    reached = 0  # the number of the subsection being read
    for line in lines:
        m = _SUBSECTION.match(line.text)
        number = _NUMERALS.index(m.group(1)) + 1 if m is not None and len(m.group(1)) == 1 else 0
        # A "（一）" that does not move forward is a list item inside the current subsection.
        if m is None or (0 < number <= reached and current):
            if current is None:
                overview.append(line.text)
            elif current == "":
                out.note(line, S1_UNPLACED)
            else:
                parts[current].append(line.text)
            continue
        subheading, body = _split_subheading(line.text[m.end() :])
        if reached < number <= len(_S1_KEYS):
            current, reached = _S1_KEYS[number - 1], number
            parts[current] = [body] if body else []
        elif any(word in subheading + body[:_MAX_SUBHEADING] for word in _GOV_EXTRA_WORDS):
            # 条例第五十条第四项: governments report these; the form keeps them under 监督保障.
            current, reached = _S1_KEYS[-1], len(_S1_KEYS)
            parts.setdefault(current, []).append(line.text)
            out.note(line, S1_GOV_EXTRA)
        else:
            current = ""
            out.note(line, S1_UNPLACED)
    if overview:
        out.answers["text.overview"] = "\n".join(overview)
    if not parts:
        out.note(None, S1_NO_SUBSECTIONS)
        return
    titles = dict(S1_SUBSECTIONS)
    for key in _S1_KEYS:
        if parts.get(key):
            out.answers[key] = "\n".join(parts[key])
        else:
            out.note(None, S1_MISSING_SUBSECTION.format(title=titles.get(key, key)))


# --- 六、信息处理费 and the signature ----------------------------------------------------
_FEE_AMOUNT = (
    re.compile(r"处理费[^。；;\d]{0,12}?(\d[\d,]*(?:\.\d+)?)\s*(万元|元)"),
    re.compile(r"收取[^。；;\d]{0,6}?(\d[\d,]*(?:\.\d+)?)\s*(万元|元)[^。；;]{0,8}处理费"),
)
_FEE_NONE = re.compile(
    r"(未|没有|无|不|免)[^。；;]{0,8}收取[^。；;]{0,16}处理费"
    r"|处理费[^。；;]{0,8}(为零|为0|零元)"
    r"|(未|没有|无)[^。；;]{0,6}(产生|发生)[^。；;]{0,12}处理费"
)
_DATE_LINE = re.compile(r"^((?:19|20)\d{2})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})\s*日?$")
# The signing office's line: as long as an agency name may be (the sign-off this bot writes).
_MAX_SIGNATURE = AGENCY_NAME_MAX


def _read_processing_fee(lines: Sequence[_Line], heading_line: _Line, out: _Collector) -> None:
    text = unicodedata.normalize("NFKC", "\n".join(line.text for line in lines))
    for pattern in _FEE_AMOUNT:
        m = pattern.search(text)
        if m is not None:
            amount = Decimal(m.group(1).replace(",", ""))
            out.answers["s6.processing_fee"] = amount * 10000 if m.group(2) == "万元" else amount
            return
    if _FEE_NONE.search(text):
        out.answers["s6.processing_fee"] = Decimal(0)
        return
    out.note(heading_line, FEE_NOT_STATED)


def _strip_signature(lines: list[_Line], out: _Collector) -> list[_Line]:
    """A page footer, a trailing date and the signing office above it are not part of 六's text."""
    while lines and (_PAGE_EXTRA.match(_fold(lines[-1].text)) or _PAGE_FOOTER.search(lines[-1].text)):
        out.note(lines[-1], PAGE_EXTRA)
        lines = lines[:-1]
    if not lines:
        return lines
    m = _DATE_LINE.match(unicodedata.normalize("NFKC", lines[-1].text))
    if m is None:
        return lines
    try:
        out.published = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return lines
    body = lines[:-1]
    if len(body) > 1 and len(body[-1].text) <= _MAX_SIGNATURE and "。" not in body[-1].text:
        out.note(body[-1], SIGNATURE_UNPLACED)
        body = body[:-1]
    return body


# --- 表二 --------------------------------------------------------------------------------
_T2_OLD_COLUMNS = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量")
_T2_HEADER_WORDS = ("第二十条", "信息内容", "本年制发件数", "本年处理决定数量", "本年收费金额")
_MIN_LABEL_RATIO = 0.75


@dataclass(frozen=True, slots=True)
class _T2Row:
    label: str
    fields: tuple[Field, ...]
    is_amount: bool = False


def _t2_rows(form: Form) -> list[_T2Row]:
    rows = [_T2Row(row.label, form.item(f"t2.{row.key}").fields) for row in T2_DOC_ROWS]
    for _, _, decision_rows in T2_DECISION_ROWS:
        rows.extend(_T2Row(row.label, form.item(f"t2.{row.key}").fields) for row in decision_rows)
    rows.append(_T2Row(T2_FEES.label, form.item(f"t2.{T2_FEES.key}").fields, is_amount=True))
    return rows


def _read_table2(
    lines: Sequence[_Line], heading_line: _Line, heading: str, form: Form, out: _Collector
) -> None:
    rows = _t2_rows(form)
    seen: set[str] = set()
    for line in lines:
        words, numbers = _table_cells(line)
        joined = _fold("".join(words))
        old = next((c for c in _T2_OLD_COLUMNS if c in joined), None)
        if old is not None:
            out.note(line, T2_OLD_FORMAT.format(column=old), fatal=True)
            continue
        if not numbers and any(word in joined for word in _T2_HEADER_WORDS):
            continue
        label = _fold(words[0]) if words else ""
        row = max(rows, key=lambda r: _ratio(label, _fold(r.label)))
        if not label or _ratio(label, _fold(row.label)) < _MIN_LABEL_RATIO:
            if numbers:
                out.note(line, T2_UNKNOWN_ROW.format(label=line.text), fatal=False)
            else:
                out.note(line, TABLE_TEXT_UNPLACED.format(heading=heading))
            continue
        if row.label in seen:
            out.note(line, T2_DUPLICATE.format(label=row.label), fatal=True)
            continue
        seen.add(row.label)
        _place_t2(line, row, numbers, out)
    for row in rows:
        if row.label not in seen:
            out.note(heading_line, T2_MISSING.format(label=row.label), fatal=True)


def _place_t2(line: _Line, row: _T2Row, numbers: list[Decimal], out: _Collector) -> None:
    expected = len(row.fields)
    if expected == 1 and len(numbers) > 1:
        out.note(line, T2_LAST_OF_MANY.format(label=row.label, got=len(numbers)))
        numbers = numbers[-1:]
    if len(numbers) != expected:
        out.note(
            line, T2_WRONG_COUNT.format(label=row.label, expected=expected, got=len(numbers)), fatal=True
        )
        return
    for f, value in zip(row.fields, numbers, strict=True):
        if row.is_amount:
            out.answers[f.key] = value
        elif value != value.to_integral_value():
            out.note(line, T2_NOT_INTEGER.format(label=row.label, value=value), fatal=True)
        else:
            out.answers[f.key] = int(value)


# --- 表三 --------------------------------------------------------------------------------
_T3_HEADER_WORDS = ("勾稽", "申请人情况", "自然人", "法人或其他组织", "商业企业", "科研机构", "总计")
_OLD_OTHER_TARGET = "other_other"
_GROUP_LABEL = re.compile(r"^\(([一二三四五六七八九十])\)(.*)$")
_MIN_GROUP_RATIO = 0.5
_MIN_IN_GROUP_RATIO = 0.5


@dataclass(slots=True)
class _T3Context:
    group: str | None = None
    seen: set[str] = field(default_factory=set)
    group_rows: list[tuple[_Line, str, list[Decimal]]] = field(default_factory=list)


def _match_group(word: str, groups: Sequence[str]) -> str | None:
    """The row group ("（三）不予公开") a cell names; the numbering must agree."""
    m = _GROUP_LABEL.match(_fold(word))
    if m is None:
        return None
    for group in groups:
        g = _GROUP_LABEL.match(_fold(group))
        if g is None or g.group(1) != m.group(1):
            continue
        if not m.group(2) or _ratio(m.group(2), g.group(2)) >= _MIN_GROUP_RATIO:
            return group
    return None


def _is_results_part(word: str) -> bool:
    folded, official = _fold(word), _fold(T3_RESULTS_PART)
    return folded == official or (folded[:2] == official[:2] and _ratio(folded, official) >= _MIN_LABEL_RATIO)


def _match_t3_row(label: str, rows: Sequence[Row], group: str | None) -> Row | None:
    folded = _fold(label)
    exact = [r for r in rows if _fold(r.label) == folded]
    if len(exact) == 1:
        return exact[0]
    if exact and group is not None:
        in_group = [r for r in exact if r.group == group]
        if len(in_group) == 1:
            return in_group[0]
    if group is not None:  # numbered leaves: the group and the number decide, the text confirms
        number = re.match(r"^(\d+)\.", folded)
        candidates = [r for r in rows if r.group == group]
        if number is not None:
            candidates = [r for r in candidates if _fold(r.label).startswith(number.group(0))]
        if candidates:
            best = max(candidates, key=lambda r: _ratio(folded, _fold(r.label)))
            if _ratio(folded, _fold(best.label)) >= _MIN_IN_GROUP_RATIO:
                return best
    best = max(rows, key=lambda r: _ratio(folded, _fold(r.label)))
    return best if _ratio(folded, _fold(best.label)) >= _MIN_LABEL_RATIO else None


def _read_table3(
    lines: Sequence[_Line], heading_line: _Line, heading: str, form: Form, out: _Collector
) -> None:
    rows = form.t3_rows
    groups = tuple(dict.fromkeys(r.group for r in rows if r.group))
    ctx = _T3Context()
    for line in lines:
        words, numbers = _table_cells(line)
        group: str | None = None
        leaf: list[str] = []
        has_part = False
        for word in words:
            if not leaf and _is_results_part(word):
                has_part = True
                continue
            matched_group = _match_group(word, groups) if not leaf else None
            if matched_group is not None:
                group = matched_group
            else:
                leaf.append(word)
        if group is not None:
            ctx.group = group
        if not leaf:
            if group is not None and numbers:
                ctx.group_rows.append((line, group, numbers))
            elif numbers:
                out.note(line, T3_UNKNOWN_ROW.format(label=line.text))
            elif group is None and not has_part and not _is_t3_header(line):
                out.note(line, TABLE_TEXT_UNPLACED.format(heading=heading))
            continue
        label = " ".join(leaf)
        row = _match_t3_row(label, rows, ctx.group)
        if row is None:
            if numbers:
                out.note(line, T3_UNKNOWN_ROW.format(label=label))
            elif not _is_t3_header(line):
                out.note(line, TABLE_TEXT_UNPLACED.format(heading=heading))
            continue
        ctx.group = row.group or None
        if _fold(label) != _fold(row.label):
            out.row_labels[row.key] = label
            out.note(line, T3_LABEL_DIFFERS.format(printed=label, official=row.label))
        _place_t3(line, row, numbers, form, ctx, out)
    _place_group_rows(rows, form, ctx, out)
    missing = [r for r in rows if r.key not in ctx.seen]
    if missing:
        labels = "、".join(f"「{r.group}{r.label}」" if r.group else f"「{r.label}」" for r in missing)
        out.note(lines[-1] if lines else heading_line, T3_MISSING.format(labels=labels), fatal=True)


def _is_t3_header(line: _Line) -> bool:
    joined = _fold("".join(line.filled))
    return any(word in joined for word in _T3_HEADER_WORDS)


def _place_group_rows(rows: Sequence[Row], form: Form, ctx: _T3Context, out: _Collector) -> None:
    """Group labels printed with numbers: the 2019 single （六） row, or subtotals the format lacks.

    Decided after the whole table is read: a (六) line is the old single row only when none of
    the three 2021 rows was printed.
    """
    for line, group, numbers in ctx.group_rows:
        members = [r for r in rows if r.group == group]
        target = next((r for r in members if r.key == _OLD_OTHER_TARGET), None)
        if target is None or any(r.key in ctx.seen for r in members):
            out.note(line, T3_SUBTOTAL.format(label=group))
            continue
        if not _place_t3(line, target, numbers, form, ctx, out, label=group):
            continue
        for row in members:
            if row is not target:
                for column in form.t3_columns:
                    out.answers[t3_key(row.key, column.key)] = 0
                ctx.seen.add(row.key)
        out.old_other_row = True
        out.note(line, T3_OLD_OTHER_ROW)


def _place_t3(
    line: _Line,
    row: Row,
    numbers: list[Decimal],
    form: Form,
    ctx: _T3Context,
    out: _Collector,
    *,
    label: str = "",
) -> bool:
    shown = label or (f"{row.group}{row.label}" if row.group else row.label)
    if row.key in ctx.seen:
        out.note(line, T3_DUPLICATE.format(label=shown), fatal=True)
        return False
    ctx.seen.add(row.key)
    columns = form.t3_columns
    if not numbers:
        out.note(line, T3_NO_NUMBERS.format(label=shown), fatal=True)
        return False
    if len(numbers) != len(columns):
        out.note(line, T3_WRONG_COUNT.format(label=shown, got=len(numbers)), fatal=True)
        return False
    for column, value in zip(columns, numbers, strict=True):
        if value != value.to_integral_value():
            out.note(line, T3_NOT_INTEGER.format(label=shown, value=value), fatal=True)
            return False
        out.answers[t3_key(row.key, column.key)] = int(value)
    return True


# --- 表四 --------------------------------------------------------------------------------
_T4_HEADER_WORDS = ("复议", "诉讼", "维持", "纠正", "结果", "审结", "总计", "起诉")


def _read_table4(
    lines: Sequence[_Line], heading_line: _Line, heading: str, form: Form, out: _Collector
) -> None:
    keys = [t4_key(g.key, r.key) for g in form.t4_groups for r in form.t4_results]
    numbers: list[Decimal] = []
    last = heading_line
    for line in lines:
        _, found = _table_cells(line)
        if found:
            numbers.extend(found)
            last = line
            continue
        joined = _fold("".join(line.filled))
        if not any(word in joined for word in _T4_HEADER_WORDS) or len(joined) > len(line.filled) * 12:
            out.note(line, TABLE_TEXT_UNPLACED.format(heading=heading))
    if len(numbers) != len(keys):
        out.note(last, T4_WRONG_COUNT.format(got=len(numbers)), fatal=True)
        return
    for key, value in zip(keys, numbers, strict=True):
        if value != value.to_integral_value():
            out.note(last, T4_NOT_INTEGER.format(value=value), fatal=True)
            return
        out.answers[key] = int(value)
