"""Issue 13: last year's report as the Word file (.docx) or the PDF a clerk really has.

Every published report we hold (5 seeds, 3 real reports) in each layout: the .docx nianbao itself
writes, the agency's own Word file (the published text with Word's merged cells and split runs),
nianbao's HTML printed to PDF by a browser, and the portal page pasted from Word printed to PDF
(page header, footer, navigation and the table cut by page breaks included). Each must give back
every table cell and every section, compared cell by cell with the published text's import (and,
for the real reports, with their JSON).
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pytest

from dialogs.report_2021 import form_2021
from importer import DocumentKind, ImportResult, import_document, import_text
from importer.docx import read_docx
from templates import build_context, render_docx, render_html
from tests.helpers.fixtures import (
    REAL_REPORT_TEXTS,
    SEEDS,
    answers_from_json,
    load_json,
    narratives_from_json,
)
from tests.helpers.printing import print_to_pdf
from tests.helpers.published import word_docx, word_page

FORM = form_2021()
REPORTS = [*SEEDS, *REAL_REPORT_TEXTS]
HUAIAN, HONGZE, PINGTAN = REAL_REPORT_TEXTS


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _title(path: Path) -> str:
    """The published title (the JSON's, or a seed's first line)."""
    json = path.with_suffix(".json")
    if json.exists():
        title: str = load_json(json)["report"]["title"]
        return title
    return _text(path).splitlines()[0].strip()


def _reference(path: Path) -> ImportResult:
    result = import_text(_text(path), FORM)
    assert result.is_usable, result.error
    return result


def _assert_same_report(result: ImportResult, path: Path) -> None:
    """Every cell, every narrative, the title as stored, the fee: as the published text reads."""
    assert result.is_usable, result.error
    reference = _reference(path)
    assert result.answers == reference.answers
    assert (result.agency, result.year) == (reference.agency, reference.year)
    assert result.read.sections == ("s1", "s2", "s3", "s4", "s5", "s6")
    assert [(t.section, t.cells_read, t.cells_expected) for t in result.read.tables] == [
        ("s2", 10, 10),
        ("s3", 175, 175),
        ("s4", 15, 15),
    ]
    json = path.with_suffix(".json")
    if json.exists():
        expected = answers_from_json(json)
        assert {k: result.answers.get(k) for k in expected} == expected
        texts = {k: v for k, v in result.answers.items() if k.startswith("text.")}
        assert texts == narratives_from_json(json)


def _context_answers(path: Path) -> tuple[ImportResult, bytes, str]:
    """The report as nianbao stores it after importing the published text, rendered again."""
    result = _reference(path)
    assert result.year is not None
    ctx = build_context(
        FORM,
        agency=result.agency,
        unit=FORM.guess_unit_kind(result.agency),
        year=result.year,
        answers=result.answers,
    )
    return result, render_docx(ctx), render_html(ctx)


# --- Word -------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_the_word_file_nianbao_writes_gives_every_cell_and_section_back(path: Path) -> None:
    _, data, _ = _context_answers(path)
    result = import_document(data, f"{path.stem}.docx", FORM)
    assert result.read.kind is DocumentKind.DOCX
    _assert_same_report(result, path)
    assert result.summary.count("读到") == 4
    assert "缺少" not in result.summary


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_the_agencys_own_word_file_gives_every_cell_and_section_back(path: Path) -> None:
    data = word_docx(_text(path), _title(path))
    result = import_document(data, "年报.docx", FORM)
    _assert_same_report(result, path)
    reference = _reference(path)
    # Labels as the agency printed them are read and told, as from the text.
    assert result.source.row_labels == reference.source.row_labels
    assert result.source.old_other_row == reference.source.old_other_row


def test_a_word_file_keeps_the_printed_typo_and_the_old_single_row_as_findings() -> None:
    result = import_document(word_docx(_text(HONGZE), _title(HONGZE)), "洪泽区2024年报.docx", FORM)
    assert result.source.row_labels == {"deny_law_forbidden": "2.其他法律行政止公开"}
    assert result.source.old_other_row is True
    told = " ".join(p.message for p in result.problems)
    assert "2.其他法律行政止公开" in told
    assert "2019 年试行格式" in told


def test_merged_cells_of_a_word_table_line_up_with_the_official_grid() -> None:
    printed = [line.rstrip("\t") for line in _text(HUAIAN).splitlines() if "\t" in line]
    lines = read_docx(word_docx(_text(HUAIAN), _title(HUAIAN)))
    assert isinstance(lines, list)
    rows = ["\t".join(line.cells).rstrip("\t") for line in lines if len(line.cells) > 1]
    assert rows == printed


def test_a_damaged_word_file_is_refused_as_damaged() -> None:
    data = word_docx(_text(PINGTAN), _title(PINGTAN))
    result = import_document(data[: len(data) // 2], "年报.docx", FORM)
    assert not result.is_usable
    assert result.answers == {}
    assert "Word 文件（.docx）已损坏" in result.error


def test_an_old_word_file_is_asked_for_as_docx() -> None:
    result = import_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "年报.doc", FORM)
    assert not result.is_usable
    assert "年报.doc" in result.error
    assert "另存为”Word 文档（.docx）" in result.error


# --- PDF --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, bytes]:
    """Every report's HTML (as nianbao renders it) and the real reports' Word-pasted portal pages,
    printed to PDF by Chromium: "<stem>" and "<stem>.portal" → the PDF's bytes."""
    folder = tmp_path_factory.mktemp("printed")
    pages: dict[str, str] = {p.stem: _context_answers(p)[2] for p in REPORTS}
    pages |= {f"{p.stem}.portal": word_page(_text(p), _title(p)) for p in REAL_REPORT_TEXTS}
    out: dict[str, bytes] = {}
    for name, html in pages.items():
        page = folder / f"{name}.html"
        page.write_text(html, encoding="utf-8")
        out[name] = print_to_pdf(page, folder / f"{name}.pdf", profile=folder / "profile")
    return out


def _import_pdf(data: bytes, name: str, caplog: pytest.LogCaptureFixture) -> ImportResult:
    with caplog.at_level(logging.ERROR):  # pdfminer warns about each font it reads in part
        result = import_document(data, name, FORM)
    assert result.read.kind is DocumentKind.PDF
    return result


@pytest.mark.slow
@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_a_pdf_printed_from_the_report_page_gives_every_cell_and_section_back(
    path: Path, printed: Mapping[str, bytes], caplog: pytest.LogCaptureFixture
) -> None:
    result = _import_pdf(printed[path.stem], f"{path.stem}.pdf", caplog)
    _assert_same_report(result, path)
    # The browser's page header and footer (date, title, address, page numbers) are not text.
    assert all("file://" not in str(v) for v in result.answers.values())


@pytest.mark.slow
@pytest.mark.parametrize("path", REAL_REPORT_TEXTS, ids=lambda p: p.stem)
def test_a_printed_portal_page_gives_every_cell_and_section_back_across_page_breaks(
    path: Path, printed: Mapping[str, bytes], caplog: pytest.LogCaptureFixture
) -> None:
    result = _import_pdf(printed[f"{path.stem}.portal"], "年报.pdf", caplog)
    _assert_same_report(result, path)
    told = " ".join(p.text for p in result.problems)
    for chrome in ("当前位置", "发布日期", "打印本页", "网站标识码"):
        assert chrome in told  # the page's chrome is told, never imported
        assert all(chrome not in str(v) for v in result.answers.values())


@pytest.mark.slow
def test_a_damaged_pdf_is_refused_as_damaged(
    printed: Mapping[str, bytes], caplog: pytest.LogCaptureFixture
) -> None:
    data = printed[HUAIAN.stem]
    for cut in (len(data) // 3, len(data) // 2, len(data) - 200):
        result = _import_pdf(data[:cut], "年报.pdf", caplog)
        assert not result.is_usable
        assert result.answers == {}
        assert result.error.startswith("无法导入")


_BLANK_PDF = b"""%PDF-1.4
1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj
2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj
3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>> endobj
trailer <</Root 1 0 R /Size 4>>
%%EOF
"""


def test_a_scanned_pdf_without_text_is_refused_saying_so(caplog: pytest.LogCaptureFixture) -> None:
    result = _import_pdf(_BLANK_PDF, "2024年报（扫描件）.pdf", caplog)
    assert not result.is_usable
    assert "扫描的图片" in result.error
    assert "2024年报（扫描件）.pdf" in result.error
    assert ".docx" in result.error


_ENCRYPTED_PDF = _BLANK_PDF.replace(
    b"trailer <</Root 1 0 R /Size 4>>",
    b"4 0 obj <</Filter /Standard /V 1 /R 2 /P -4 /O <"
    + b"ab" * 32
    + b"> /U <"
    + b"cd" * 32
    + b">>> endobj\n"
    b"trailer <</Root 1 0 R /Size 5 /Encrypt 4 0 R /ID [<0123456789abcdef0123456789abcdef>"
    b" <0123456789abcdef0123456789abcdef>]>>",
)


def test_a_password_protected_pdf_is_refused_saying_so(caplog: pytest.LogCaptureFixture) -> None:
    result = _import_pdf(_ENCRYPTED_PDF, "年报.pdf", caplog)
    assert not result.is_usable
    assert "密码" in result.error


def test_a_word_file_with_nonsense_in_its_table_is_refused_as_damaged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = word_docx(_text(HONGZE), _title(HONGZE))
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as original, zipfile.ZipFile(broken, "w") as copy:
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename == "word/document.xml":
                content = content.replace(b'w:gridSpan w:val="2"', b'w:gridSpan w:val="two"', 1)
            copy.writestr(item, content)
    with caplog.at_level(logging.CRITICAL):  # the reader logs the traceback for operators
        result = import_document(broken.getvalue(), "年报.docx", FORM)
    assert not result.is_usable
    assert "Word 文件（.docx）已损坏" in result.error
