"""The importer reads published reports back into answers keyed like the form.

The real reports' JSON files are the oracle for the numbers and the narratives; the seeds are
the oracle for the export artefacts real files carry. HTML pages are built here, either from
the .txt files (tables wrapped in <table>) or in the official merged-cell layout.
"""

from __future__ import annotations

import ast
import base64
import html
import io
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs.form import Form, Value
from dialogs.report_2021 import (
    T3_COLUMNS,
    T3_CORNER,
    T3_RESULT_ROWS,
    T3_RESULTS_PART,
    T3_ROWS,
    T4_GROUPS,
    T4_RESULTS,
    T4_TOTAL,
    form_2021,
    t3_key,
    t4_key,
)
from importer import ImportResult, import_document, import_html, import_text
from tests.helpers.fixtures import (
    REAL_REPORT_TEXTS,
    REAL_REPORTS,
    SEEDS,
    answers_from_json,
    load_json,
    narratives_from_json,
)

FORM = form_2021()
ALL_TEXTS = [*SEEDS, *REAL_REPORT_TEXTS]
HUAIAN = next(p for p in REAL_REPORT_TEXTS if p.name.startswith("01_huaian"))
HONGZE = next(p for p in REAL_REPORT_TEXTS if p.name.startswith("03_hongze"))
PINGTAN = next(p for p in REAL_REPORT_TEXTS if p.name.startswith("04_pingtan"))


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _json_for(text_path: Path) -> Path:
    return text_path.with_suffix(".json")


def _table_keys(form: Form) -> set[str]:
    keys = {f.key for item in form.items if item.section in ("s2", "s3", "s4") for f in item.fields}
    keys |= {t3_key(r.key, c.key) for r in T3_ROWS for c in T3_COLUMNS}
    keys |= {t4_key(g.key, r.key) for g in T4_GROUPS for r in (*T4_RESULTS, T4_TOTAL)}
    return keys


TABLE_KEYS = _table_keys(FORM)


def _tables(answers: Mapping[str, Value]) -> dict[str, Value]:
    return {k: v for k, v in answers.items() if k in TABLE_KEYS or k == "s6.processing_fee"}


def _texts(answers: Mapping[str, Value]) -> dict[str, Value]:
    return {k: v for k, v in answers.items() if k.startswith("text.")}


def _usable(result: ImportResult) -> ImportResult:
    assert result.is_usable, result.error
    assert result.error == ""
    return result


def _refused(result: ImportResult, *fragments: str) -> str:
    assert not result.is_usable
    assert result.answers == {}
    message = result.error
    assert message.startswith("无法导入")
    for fragment in fragments:
        assert fragment in message, message
    return message


# --- seeds and real reports --------------------------------------------------------------
@pytest.mark.parametrize("path", ALL_TEXTS, ids=lambda p: p.stem)
def test_every_seed_and_real_report_imports_without_fatal_problem(path: Path) -> None:
    result = _usable(import_text(_read(path), FORM))
    assert set(_tables(result.answers)) >= TABLE_KEYS
    assert len(result.source.headings) == 6
    assert not any(h.startswith("#") for h in result.source.headings)
    assert result.year in (2023, 2024)
    assert result.agency
    assert result.agency in result.title.replace(" ", "")
    for key in ("text.s1.active", "text.s1.requests", "text.s1.management", "text.s1.platform"):
        assert isinstance(result.answers[key], str)
        assert result.answers[key]
    assert result.answers["text.s5"]


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_seed_tables_are_all_zero_apart_from_their_normative_documents(path: Path) -> None:
    result = _usable(import_text(_read(path), FORM))
    numbers = {k: v for k, v in _tables(result.answers).items() if not k.startswith("t2.normative_documents")}
    assert set(numbers.values()) == {0}
    assert result.source.row_labels == {}
    assert result.source.old_other_row is False


def test_seed_export_artefacts_are_tolerated() -> None:
    seed = next(p for p in SEEDS if p.name.startswith("002_"))
    text = _read(seed)
    assert "(七) 总计\t0" in text
    assert "\n3.其他\t" in text
    assert "# " in text
    result = _usable(import_text(text, FORM))
    assert result.title == "孟津区科技和工业信息化局 2023 年政府信息公开 工作年度报告"
    assert result.agency == "孟津区科技和工业信息化局"
    assert result.year == 2023
    assert result.source.headings[3] == "四、政府信息公开行政复议、行政诉讼情况"
    assert result.answers["t2.normative_documents.issued"] == 1
    assert result.answers["t2.normative_documents.abolished"] == 1
    assert result.answers["text.s1.platform"] == "结合科技、工信、金融工作实际，及时更新区政府网站栏目信息。"
    assert result.answers["s6.processing_fee"] == Decimal(0)


@pytest.mark.parametrize("path", REAL_REPORT_TEXTS, ids=lambda p: p.stem)
def test_real_report_tables_equal_the_json(path: Path) -> None:
    result = _usable(import_text(_read(path), FORM))
    assert _tables(result.answers) == answers_from_json(_json_for(path))


@pytest.mark.parametrize("path", REAL_REPORT_TEXTS, ids=lambda p: p.stem)
def test_real_report_narratives_equal_the_json_without_subsection_headings(path: Path) -> None:
    result = _usable(import_text(_read(path), FORM))
    assert _texts(result.answers) == narratives_from_json(_json_for(path))


@pytest.mark.parametrize("path", REAL_REPORT_TEXTS, ids=lambda p: p.stem)
def test_real_report_title_agency_and_year_equal_the_json(path: Path) -> None:
    report = load_json(_json_for(path))["report"]
    result = _usable(import_text(_read(path), FORM))
    assert (result.title, result.year) == (report["title"], report["year"])
    # The JSON's agency may carry a note ("平潭综合实验区管委会（报告由……编制）"); the title names it first.
    assert result.agency
    assert report["agency"].startswith(result.agency)
    assert result.source.title == report["title"]


def test_real_report_paths_pair_up() -> None:
    assert [p.stem for p in REAL_REPORT_TEXTS] == [p.stem for p in REAL_REPORTS]
    assert len(SEEDS) == 5


def test_hongze_old_other_row_and_label_typo_are_recorded() -> None:
    text = _read(HONGZE)
    result = _usable(import_text(text, FORM))
    assert result.source.old_other_row is True
    assert result.source.row_labels == {"deny_law_forbidden": "2.其他法律行政止公开"}
    extra = load_json(_json_for(HONGZE))["table3_applications"]
    assert dict(result.source.row_labels) == extra["label_overrides"]
    single = [result.answers[t3_key("other_other", c.key)] for c in T3_COLUMNS]
    assert single == extra["other_processing_single_row_values"]
    for row in ("other_no_correction", "other_no_fee"):
        assert all(result.answers[t3_key(row, c.key)] == 0 for c in T3_COLUMNS)
    lines = text.splitlines()
    notes = {p.message: p for p in result.problems}
    typo = next(p for m, p in notes.items() if "行政止公开" in m)
    assert "行政止公开" in lines[typo.line - 1]
    old = next(p for m, p in notes.items() if "2019 年试行格式" in m)
    assert "（六）其他处理" in lines[old.line - 1]
    assert not old.is_fatal
    assert not typo.is_fatal


@pytest.mark.parametrize("path", [HUAIAN, PINGTAN], ids=lambda p: p.stem)
def test_clean_reports_have_no_label_differences(path: Path) -> None:
    result = _usable(import_text(_read(path), FORM))
    assert result.source.row_labels == {}
    assert result.source.old_other_row is False
    assert result.problems == ()


def test_seed_without_a_fee_statement_is_reported_and_leaves_the_fee_unset() -> None:
    seed = next(p for p in SEEDS if p.name.startswith("004_"))
    result = _usable(import_text(_read(seed), FORM))
    assert "s6.processing_fee" not in result.answers
    assert result.answers["text.s6"] == "无"
    assert any("信息处理费" in p.message for p in result.problems)
    # 条例第五十条第四项 text stays inside 监督保障.
    assert str(result.answers["text.s1.oversight"]).endswith("今年无责任追究情况。")


# --- tolerance: the same report written differently gives the same answers ---------------
def _table_lines(text: str, change: re.Pattern[str], to: str) -> str:
    return "\n".join(change.sub(to, line) if "\t" in line else line for line in text.splitlines())


def _fullwidth_digits(text: str) -> str:
    table = str.maketrans("0123456789", "０１２３４５６７８９")
    return "\n".join(line.translate(table) if "\t" in line else line for line in text.splitlines())


def _own_line_subheadings(text: str) -> str:
    return re.sub(r"^(（[一二三四五]）[^。\n]{1,20})。", r"\1\n", text, flags=re.MULTILINE)


def _markdown_marks(text: str) -> str:
    text = re.sub(r"^([一二三四五六]、)", r"## \1", text, flags=re.MULTILINE)
    return re.sub(r"^(（[一二三四五]）)", r"### \1", text, flags=re.MULTILINE)


VARIANTS: dict[str, Callable[[str], str]] = {
    "fullwidth_digits": _fullwidth_digits,
    "numbering_with_dun": lambda t: _table_lines(t, re.compile(r"(?<=\t)(\d)\."), r"\1、"),
    "numbering_with_space": lambda t: _table_lines(t, re.compile(r"(?<=\t)(\d)\."), r"\1. "),
    "halfwidth_group_labels": lambda t: _table_lines(t, re.compile(r"（([一二三四五六七])）"), r"(\1) "),
    "spaces_instead_of_tabs": lambda t: re.sub(r"\t+", "  ", t),
    "extra_tabs": lambda t: _table_lines(t, re.compile(r"\t"), "\t\t"),
    "crlf_line_ends": lambda t: t.replace("\n", "\r\n"),
    "markdown_heading_marks": _markdown_marks,
    "subheadings_on_their_own_line": _own_line_subheadings,
    "blank_lines_between_rows": lambda t: t.replace("\n", "\n\n"),
}


@pytest.mark.parametrize("variant", VARIANTS, ids=str)
@pytest.mark.parametrize("path", REAL_REPORT_TEXTS, ids=lambda p: p.stem)
def test_written_variants_import_to_the_same_answers(path: Path, variant: str) -> None:
    plain = _usable(import_text(_read(path), FORM))
    changed = VARIANTS[variant](_read(path))
    assert changed != _read(path)
    result = _usable(import_text(changed, FORM))
    assert result.answers == plain.answers
    assert result.source.old_other_row == plain.source.old_other_row
    assert set(result.source.row_labels) == set(plain.source.row_labels)


def test_a_label_typo_is_matched_by_similarity_and_recorded() -> None:
    text = _read(HUAIAN).replace("\t8.属于行政查询事项\t", "\t8.属于行政查讯事\t")
    result = _usable(import_text(text, FORM))
    assert result.source.row_labels == {"deny_admin_query": "8.属于行政查讯事"}
    assert result.answers[t3_key("deny_admin_query", "total")] == 105


def test_a_leading_tab_lost_from_a_numbered_row_keeps_its_group() -> None:
    text = _read(PINGTAN).replace("\t\t3.其他\t", "3.其他\t")
    result = _usable(import_text(text, FORM))
    assert result.answers[t3_key("other_other", "commercial_enterprise")] == 1


# --- what cannot be placed is reported, line by line ----------------------------------------
def test_unplaceable_lines_are_reported_with_their_line_numbers() -> None:
    text = _read(HUAIAN)
    text = text.replace(
        "四、政府信息公开行政复议、行政诉讼情况\n",
        "注：本表数据来源于全市各单位。\n\n四、政府信息公开行政复议、行政诉讼情况\n本年度行政复议情况见下表，共计若干件，请参阅。\n",
    )
    text = text.replace("\t\t3.其他\t108", "\t（六）其他处理小计\t\t182\t5\t0\t0\t1\t0\t188\n\t\t3.其他\t108")
    result = _usable(import_text(text, FORM))
    lines = text.splitlines()
    placed = {lines[p.line - 1].strip() for p in result.problems if p.line}
    assert "注：本表数据来源于全市各单位。" in placed
    assert "本年度行政复议情况见下表，共计若干件，请参阅。" in placed
    assert any("小计" in line for line in placed)
    assert all(not p.is_fatal and p.message for p in result.problems)
    for problem in result.problems:
        assert problem.describe().startswith(f"第 {problem.line} 行")
    assert _tables(result.answers) == answers_from_json(_json_for(HUAIAN))


def test_a_heading_followed_by_text_on_its_line_opens_its_section() -> None:
    text = _read(PINGTAN).replace("五、存在的主要问题及改进情况\n\n", "五、存在的主要问题及改进情况：")
    result = _usable(import_text(text, FORM))
    assert result.answers == import_text(_read(PINGTAN), FORM).answers
    assert result.source.headings[4] == "五、存在的主要问题及改进情况"


def test_list_items_inside_a_subsection_stay_in_it() -> None:
    items = "（一）完善制度。\n（二）加强培训。"
    text = _read(HUAIAN).replace(
        "\n\n（四）政府信息公开平台建设情况。", f"\n{items}\n（四）政府信息公开平台建设情况。"
    )
    result = _usable(import_text(text, FORM))
    expected = narratives_from_json(_json_for(HUAIAN))["text.s1.management"]
    assert result.answers["text.s1.management"] == f"{expected}\n{items}"
    assert result.problems == ()


def test_a_missing_subsection_is_reported() -> None:
    text = re.sub(r"\n（三）政府信息管理情况。[^\n]*\n", "\n", _read(HUAIAN))
    result = _usable(import_text(text, FORM))
    assert "text.s1.management" not in result.answers
    assert any("（三）政府信息管理" in p.message for p in result.problems)


def test_a_government_extra_subsection_joins_oversight() -> None:
    extra = "（六）工作考核、社会评议和责任追究结果情况。全年未发生责任追究情况。"
    text = _read(HUAIAN).replace("\n二、主动公开政府信息情况", f"\n{extra}\n\n二、主动公开政府信息情况")
    result = _usable(import_text(text, FORM))
    oversight = str(result.answers["text.s1.oversight"])
    assert oversight.endswith("\n" + extra)
    assert any("监督保障" in p.message for p in result.problems)


def test_a_trailing_signature_and_date_leave_the_text_of_six() -> None:
    text = _read(HUAIAN) + "\n\n淮安市人民政府办公室\n2025年2月25日\n"
    result = _usable(import_text(text, FORM))
    assert result.answers["text.s6"] == narratives_from_json(_json_for(HUAIAN))["text.s6"]
    assert str(result.source.published) == "2025-02-25"
    assert any(p.text == "淮安市人民政府办公室" for p in result.problems)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("本年度共收取信息处理费 1,200 元。", Decimal(1200)),
        ("全年收取政府信息公开信息处理费0.5万元。", Decimal(5000)),
        ("本机关未收取信息处理费。", Decimal(0)),
        ("2024年，没有产生政府信息公开信息处理费。", Decimal(0)),
        ("本单位2024年度未收取政府信息公开信息处理费", Decimal(0)),
    ],
)
def test_processing_fee_is_read_from_section_six(sentence: str, expected: Decimal) -> None:
    text = _read(HUAIAN).replace(
        "2024年，市政府严格落实《政府信息公开信息处理费管理办法》，全年收取政府信息公开信息处理费3940元。",
        sentence,
    )
    result = _usable(import_text(text, FORM))
    assert result.answers["s6.processing_fee"] == expected
    assert result.answers["text.s6"] == sentence


# --- malformed inputs: a clear Chinese error, nothing to store -----------------------------
def test_a_file_cut_inside_table_three_is_refused() -> None:
    text = _read(HUAIAN)
    cut = text[: text.index("\t（四）无法提供")]
    message = _refused(import_text(cut, FORM), "不完整", "四、政府信息公开行政复议、行政诉讼情况")
    assert "1.本机关不掌握相关政府信息" in message


def test_a_file_cut_after_table_four_is_refused() -> None:
    text = _read(PINGTAN)
    cut = text[: text.index("五、存在的主要问题及改进情况")]
    _refused(import_text(cut, FORM), "五、存在的主要问题及改进情况", "不完整")


def test_a_table_three_row_with_six_numbers_is_refused() -> None:
    text = _read(HUAIAN).replace(
        "4.保护第三方合法权益\t6\t0\t0\t0\t0\t0\t6", "4.保护第三方合法权益\t6\t0\t0\t0\t0\t6"
    )
    line = text.splitlines().index("\t\t4.保护第三方合法权益\t6\t0\t0\t0\t0\t6") + 1
    result = import_text(text, FORM)
    message = _refused(result, "7 个数字", "6 个", "4.保护第三方合法权益", f"第 {line} 行")
    assert [p.line for p in result.errors] == [line], message


def test_table_four_with_fourteen_numbers_is_refused() -> None:
    text = _read(PINGTAN).replace("2\t1\t3\t1\t7\t0\t0", "2\t1\t3\t1\t7\t0")
    _refused(import_text(text, FORM), "表四应有 15 个数字", "14 个")


def test_a_missing_table_two_value_is_refused() -> None:
    text = _read(PINGTAN).replace("行政强制\t65", "行政强制\t")
    _refused(import_text(text, FORM), "表二「行政强制」", "0 个")


def test_a_duplicated_table_three_row_is_refused() -> None:
    row = "\t\t2.重复申请\t1\t0\t0\t0\t0\t0\t1"
    text = _read(PINGTAN).replace(row, row + "\n" + row)
    _refused(import_text(text, FORM), "出现了两次")


@pytest.mark.parametrize(
    "text",
    ["", "   \n\n", "今天天气很好。\n我们去公园散步。", "一、二、三\n1\t2\t3", "<p>通知</p>"],
    ids=["empty", "blank", "prose", "numbers", "html"],
)
def test_text_that_is_not_a_report_is_refused(text: str) -> None:
    result = import_html(text, FORM) if text.startswith("<") else import_text(text, FORM)
    assert not result.is_usable
    assert result.answers == {}
    assert re.search(r"空的|不像是政府信息公开工作年度报告", result.error)


def _docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>一、总体情况</w:document>")
    return buffer.getvalue()


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.txt", "一、总体情况")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "fragments"),
    [
        (_docx_bytes(), "2024年报.docx", ("Word", "损坏", "另存为")),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "年报.doc", ("Word",)),
        (b"{\\rtf1\\ansi 2024}", "年报.rtf", ("Word",)),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "年报.pdf", ("PDF", "损坏")),
        (_zip_bytes(), "年报.zip", ("压缩包",)),
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "年报.png", ("图片",)),
        (bytes(range(256)) * 8, "data.bin", ("不是年报文件", "data.bin")),
        (b"", "empty.txt", ("空的",)),
    ],
    ids=["damaged_docx", "doc", "rtf", "damaged_pdf", "zip", "png", "binary", "empty"],
)
def test_files_that_cannot_be_read_are_refused_saying_what_they_are(
    data: bytes, name: str, fragments: Sequence[str]
) -> None:
    _refused(import_document(data, name, FORM), *fragments)


# --- uploaded files and HTML ----------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_an_uploaded_text_file_is_decoded(encoding: str) -> None:
    data = _read(HONGZE).encode(encoding)
    result = _usable(import_document(data, "洪泽区2024年报.txt", FORM))
    assert result.answers == import_text(_read(HONGZE), FORM).answers


def _html_from_text(text: str) -> str:
    """The .txt as a page: each run of tab-separated lines becomes a <table>, one <td> per cell."""
    out = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>年报</title></head><body>"]
    in_table = False
    for line in text.splitlines():
        if "\t" in line:
            if not in_table:
                out.append("<table border='1'>")
                in_table = True
            cells = "".join(f"<td>{html.escape(cell)}</td>" for cell in line.split("\t"))
            out.append(f"<tr>{cells}</tr>")
            continue
        if in_table:
            out.append("</table>")
            in_table = False
        if line.strip():
            out.append(f"<p>{html.escape(line.lstrip('# '))}</p>")
    if in_table:
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out)


@pytest.mark.parametrize("path", ALL_TEXTS, ids=lambda p: p.stem)
def test_html_built_from_the_text_imports_to_the_same_answers(path: Path) -> None:
    text = _read(path)
    plain = _usable(import_text(text, FORM))
    page = _usable(import_html(_html_from_text(text), FORM))
    assert page.answers == plain.answers
    assert page.source.row_labels == plain.source.row_labels
    assert page.source.old_other_row == plain.source.old_other_row
    assert page.year == plain.year
    assert page.agency == plain.agency


def _cell(value: object, attrs: str = "") -> str:
    shown = html.escape(str(value))
    return f"<td{attrs}><p style='text-align:center'><span>&nbsp;{shown}&nbsp;</span></p></td>"


def _official_tables(answers: Mapping[str, Value]) -> tuple[str, str, str]:
    """Tables 二, 三 and 四 in the official merged-cell layout (DOMAIN.md §1.11), as a portal shows them."""
    t2 = ["<table class='MsoTableGrid'><tbody>"]
    t2.append("<tr><td colspan='4'><b>第二十条第（一）项</b></td></tr>")
    t2.append("<tr><th>信息内容</th><th>本年制发件数</th><th>本年废止件数</th><th>现行有效件数</th></tr>")
    for key, label in (("regulations", "规章"), ("normative_documents", "行政规范性文件")):
        values = "".join(_cell(answers[f"t2.{key}.{c}"]) for c in ("issued", "abolished", "in_force"))
        t2.append(f"<tr>{_cell(label)}{values}</tr>")
    blocks = (
        ("第二十条第（五）项", "本年处理决定数量", (("licensing.decisions", "行政许可"),)),
        (
            "第二十条第（六）项",
            "本年处理决定数量",
            (("penalty.decisions", "行政处罚"), ("coercion.decisions", "行政强制")),
        ),
        ("第二十条第（八）项", "本年收费金额（单位：万元）", (("fees.amount", "行政事业性收费"),)),
    )
    for heading, header, rows in blocks:
        t2.append(
            f"<tr><td colspan='4'>{heading}</td></tr><tr><td>信息内容</td><td colspan='3'>{header}</td></tr>"
        )
        wide = " colspan='3'"
        t2.extend(f"<tr>{_cell(label)}{_cell(answers['t2.' + key], wide)}</tr>" for key, label in rows)
    t2.append("</tbody></table>")

    def numbers(row: str) -> str:
        return "".join(_cell(answers[t3_key(row, c.key)]) for c in T3_COLUMNS)

    t3 = ["<table><tbody>"]
    t3.append(f"<tr><td rowspan='3' colspan='3'>{T3_CORNER}</td><td colspan='7'>申请人情况</td></tr>")
    t3.append(
        "<tr><td rowspan='2'>自然人</td><td colspan='5'>法人或其他组织</td><td rowspan='2'>总计</td></tr>"
    )
    t3.append("<tr>" + "".join(f"<td>{c.label}</td>" for c in T3_COLUMNS[1:6]) + "</tr>")
    for row in (T3_ROWS[0], T3_ROWS[1]):
        t3.append(f"<tr><td colspan='3'>{row.label}</td>{numbers(row.key)}</tr>")
    first_of_group: dict[str, int] = {}
    for row in T3_RESULT_ROWS:
        if row.group:
            first_of_group.setdefault(row.group, sum(1 for r in T3_RESULT_ROWS if r.group == row.group))
    part = f"<td rowspan='22'>{T3_RESULTS_PART}</td>"
    seen: set[str] = set()
    for row in (*T3_RESULT_ROWS, T3_ROWS[-2]):
        lead = part if not seen else ""
        seen.add(row.key)
        if not row.group:
            t3.append(f"<tr>{lead}<td colspan='2'>{row.label}</td>{numbers(row.key)}</tr>")
            continue
        group = ""
        if row.group in first_of_group:
            group = f"<td rowspan='{first_of_group.pop(row.group)}'>{row.group}</td>"
        t3.append(f"<tr>{lead}{group}<td>{row.label}</td>{numbers(row.key)}</tr>")
    t3.append(f"<tr><td colspan='3'>{T3_ROWS[-1].label}</td>{numbers(T3_ROWS[-1].key)}</tr></tbody></table>")

    results = [*(r.label for r in T4_RESULTS), T4_TOTAL.label]
    t4 = ["<table><tbody><tr><td colspan='5'>行政复议</td><td colspan='10'>行政诉讼</td></tr><tr>"]
    t4.extend(f"<td rowspan='2'>{label}</td>" for label in results)
    t4.append("<td colspan='5'>未经复议直接起诉</td><td colspan='5'>复议后起诉</td></tr><tr>")
    t4.extend(f"<td>{label}</td>" for label in results * 2)
    t4.append("</tr><tr>")
    t4.extend(_cell(answers[t4_key(g.key, r.key)]) for g in T4_GROUPS for r in (*T4_RESULTS, T4_TOTAL))
    t4.append("</tr></tbody></table>")
    return "\n".join(t2), "\n".join(t3), "\n".join(t4)


def _official_page(json_path: Path) -> str:
    """A portal page: navigation, a layout table around the content, paragraphs with inline markup."""
    data = load_json(json_path)
    narrative = data["narrative"]
    t2, t3, t4 = _official_tables(answers_from_json(json_path))

    def paragraphs(items: Sequence[str]) -> str:
        out = []
        for item in items:
            m = re.match(r"^(（[一二三四五]）[^。]{1,30}。)(.*)$", item)
            body = f"<strong>{m.group(1)}</strong>{html.escape(m.group(2))}" if m else html.escape(item)
            out.append(f"<p style='text-indent:2em'><span style='font-family:仿宋'>{body}</span></p>")
        return "\n".join(out)

    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{data["report"]["title"]}_政府信息公开年报</title><style>p {{ margin: 0 }}</style>
<script>var nav = "<p>一、总体情况</p>";</script></head>
<body><div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 年度报告</div>
<table width="100%" class="layout"><tr><td class="side"><ul><li>通知公告</li></ul></td><td class="main">
<div class="title"><h1>{data["report"]["title"]}</h1></div>
<div class="info"><span>发布时间：2025-02-14</span> <span>来源：办公室</span> <span>【字体：大 中 小】</span></div>
<div class="content">
<p>{html.escape(narrative["preamble"])}</p>
<p><strong>一、总体情况</strong></p>
{paragraphs(narrative["s1_overall"])}
<p><b>二、主动公开政府信息情况</b></p>
{t2}
<p><b>三、收到和处理政府信息公开申请情况</b></p>
{t3}
<p><b>四、政府信息公开行政复议、行政诉讼情况</b></p>
{t4}
<h3>五、存在的主要问题及改进情况</h3>
{paragraphs(narrative["s5_problems_and_improvements"])}
<h3>六、其他需要报告的事项</h3>
{paragraphs(narrative["s6_other_matters"])}
<!-- 正文结束 -->
</div></td></tr></table>
<div class="footer"><p>【打印本页】【关闭窗口】</p><p>主办单位：人民政府办公室　网站标识码：3208000001</p></div>
</body></html>"""


@pytest.mark.parametrize("path", REAL_REPORTS, ids=lambda p: p.stem)
def test_a_saved_portal_page_in_the_official_layout_imports_to_the_json(path: Path) -> None:
    page = _official_page(path).encode("gb18030")
    result = _usable(import_document(page, "年报.html", FORM))
    assert _tables(result.answers) == answers_from_json(path)
    assert _texts(result.answers) == narratives_from_json(path)
    assert result.title == load_json(path)["report"]["title"]
    assert all(not p.is_fatal for p in result.problems)
    reported = " ".join(p.text for p in result.problems)
    for extra in ("首页", "发布时间", "打印本页", "网站标识码"):  # page furniture is reported, not imported
        assert extra in reported


def test_a_single_file_web_page_is_read() -> None:
    page = _official_page(REAL_REPORTS[0])
    body = page.encode("utf-8")
    mht = (
        b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="XX"\r\n\r\n--XX\r\n'
        b'Content-Type: text/html; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + base64.encodebytes(body)
        + b"\r\n--XX--\r\n"
    )
    result = _usable(import_document(mht, "年报.mht", FORM))
    assert _tables(result.answers) == answers_from_json(REAL_REPORTS[0])


def test_the_importer_is_pure() -> None:
    package = Path(__file__).resolve().parents[2] / "importer"
    imported: set[str] = set()
    for source in package.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        imported |= {
            name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for name in (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            )
        }
    allowed = {"__future__", "bs4", "collections", "dataclasses", "datetime", "decimal", "dialogs"}
    allowed |= {"difflib", "email", "enum", "functools", "importer", "re", "unicodedata", "warnings"}
    # The agency-list upload: spreadsheets read from the bytes passed in (io.BytesIO, never a path).
    allowed |= {"csv", "io", "openpyxl", "zipfile"}
    # Reading Word and PDF files from the bytes passed in (no file, network or database access).
    allowed |= {"docx", "io", "itertools", "logging", "pdfminer", "pdfplumber", "statistics", "typing"}
    assert imported <= allowed, imported - allowed


# --- no input makes the importer raise ------------------------------------------------------
_REPORT_LINES = _read(HUAIAN).splitlines()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_no_text_makes_the_importer_raise(text: str) -> None:
    result = import_text(text, FORM)
    assert result.is_usable or result.error


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from("<>/=\"' \ttdrpablehm!-&;#x0123一、（）总计\n")))
def test_no_markup_makes_the_html_importer_raise(markup: str) -> None:
    result = import_html(markup, FORM)
    assert result.is_usable or result.error


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary())
def test_no_bytes_make_the_document_importer_raise(data: bytes) -> None:
    result = import_document(data, "upload.bin", FORM)
    assert result.is_usable or result.error


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(_REPORT_LINES) - 1),
            st.sampled_from(["drop", "duplicate", "insert", "tabs", "truncate"]),
            st.text(max_size=12),
        ),
        max_size=6,
    )
)
def test_no_damage_to_a_real_report_makes_the_importer_raise(edits: list[tuple[int, str, str]]) -> None:
    lines = list(_REPORT_LINES)
    for index, action, noise in edits:
        index %= max(len(lines), 1)
        if not lines:
            break
        if action == "drop":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "insert":
            lines.insert(index, noise)
        elif action == "tabs":
            lines[index] = lines[index].replace("\t", noise or " ")
        else:
            lines[index] = lines[index][: len(noise)]
    result = import_text("\n".join(lines), FORM)
    assert result.is_usable or result.error
    if not result.is_usable:
        assert result.answers == {}
