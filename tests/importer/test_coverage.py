"""An import says what it read (sections found, cells of each table), also when it is refused,
so a later message can say "found parts 1 to 3, table 3 has 168 of 175 cells" (issue 13)."""

from __future__ import annotations

from pathlib import Path

from dialogs.report_2021 import form_2021
from importer import FORMATS, DocumentKind, Format, TableRead, import_document, import_text
from importer.lines import Line, lines_from_text
from importer.sniff import Upload
from tests.helpers.fixtures import REAL_REPORT_TEXTS

FORM = form_2021()
HUAIAN = next(p for p in REAL_REPORT_TEXTS if p.name.startswith("01_huaian"))


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _cut_before(lines: list[str], opening: str) -> str:
    """The report up to (not including) the first line that opens with `opening`."""
    end = next(n for n, line in enumerate(lines) if line.startswith(opening))
    return "\n".join(lines[:end])


def test_a_complete_report_says_every_section_and_every_cell_was_read() -> None:
    result = import_text(HUAIAN.read_text(encoding="utf-8"), FORM)
    assert result.is_usable
    assert result.read.kind is DocumentKind.TEXT
    assert result.read.sections == ("s1", "s2", "s3", "s4", "s5", "s6")
    assert result.read.missing_sections == ()
    assert [(t.section, t.cells_read, t.cells_expected) for t in result.read.tables] == [
        ("s2", 10, 10),
        ("s3", 175, 175),
        ("s4", 15, 15),
    ]
    assert result.read.describe(FORM) == (
        "读到的部分：一、二、三、四、五、六；表二读到 10/10 个数字；表三读到 175/175 个数字；表四读到 15/15 个数字"
    )


def test_a_report_cut_inside_table_three_says_what_was_read_and_what_is_missing() -> None:
    # The last row of table 3 (carried over to next year) and everything after it are gone.
    result = import_text(_cut_before(_lines(HUAIAN), "四、结转下年度继续办理"), FORM)
    assert not result.is_usable
    assert result.answers == {}  # nothing is stored from a refused import ...
    assert result.read.sections == ("s1", "s2", "s3")  # ... but what was read is still told
    assert result.read.missing_sections == ("s4", "s5", "s6")
    assert result.read.table("s3") == TableRead("s3", 168, 175, numbers_found=168)
    assert result.read.table("s4") is None
    assert result.read.describe(FORM) == (
        "读到的部分：一、二、三；缺少的部分：四、五、六；表二读到 10/10 个数字；表三读到 168/175 个数字"
    )


def test_a_table_four_with_a_number_missing_says_how_many_numbers_it_found() -> None:
    lines = _lines(HUAIAN)
    row = next(n for n, line in enumerate(lines) if line.startswith("72\t64\t178"))
    lines[row] = lines[row].rsplit("\t", 1)[0]
    result = import_text("\n".join(lines), FORM)
    assert not result.is_usable
    table = result.read.table("s4")
    assert table is not None
    assert (table.cells_read, table.cells_expected, table.numbers_found) == (0, 15, 14)
    assert not table.is_complete
    assert result.read.sections == ("s1", "s2", "s3", "s4", "s5", "s6")


def test_a_refused_file_says_what_kind_it_is_and_that_nothing_was_read() -> None:
    result = import_document(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "2024年报.pdf", FORM)
    assert not result.is_usable
    assert result.read.kind is DocumentKind.PDF
    assert result.read.sections == ()
    assert result.read.tables == ()
    assert result.read.describe(FORM) == "没有读到任何部分标题"


def test_a_saved_page_is_read_as_html() -> None:
    page = "<html><body><p>" + "</p><p>".join(_lines(HUAIAN)[:3]) + "</p></body></html>"
    result = import_document(page.encode("utf-8"), "年报.html", FORM)
    assert result.read.kind is DocumentKind.HTML


def test_a_new_reader_plugs_into_the_registry_in_place_of_a_refusal() -> None:
    # Issue 13's Word reader replaces the refusal of its kind; nothing else changes.
    def read_docx(upload: Upload) -> list[Line]:
        return lines_from_text(HUAIAN.read_text(encoding="utf-8"))

    docx = b"PK\x03\x04" + b"word/document.xml"
    assert not import_document(docx, "2024年报.docx", FORM).is_usable
    formats = tuple(
        Format(f.kind, f.detect, read_docx) if f.kind is DocumentKind.DOCX else f for f in FORMATS
    )
    result = import_document(docx, "2024年报.docx", FORM, formats=formats)
    assert result.is_usable
    assert result.read.kind is DocumentKind.DOCX
    assert result.answers == import_text(HUAIAN.read_text(encoding="utf-8"), FORM).answers


def test_a_text_without_any_heading_says_how_much_it_read() -> None:
    # The whole report, its six headings written in words nianbao does not know.
    text = HUAIAN.read_text(encoding="utf-8")
    for numeral, words in (
        ("一", "总体情况"),
        ("二", "主动公开政府信息情况"),
        ("三", "收到和处理政府信息公开申请情况"),
    ):
        text = text.replace(f"\n{numeral}、{words}\n", f"\n第{numeral}部分\n")
    text = text.replace("\n四、政府信息公开行政复议、行政诉讼情况\n", "\n第四部分\n")
    text = text.replace("\n五、存在的主要问题及改进情况\n", "\n第五部分\n").replace(
        "\n六、其他需要报告的事项\n", "\n第六部分\n"
    )
    result = import_text(text, FORM)
    assert not result.is_usable
    lines = len(lines_from_text(text))
    assert f"读到 {lines} 行文字" in result.error
    assert "其中 0 行" not in result.error  # its tables were seen
    assert "请把各部分的标题改为国家格式的写法" in result.error
