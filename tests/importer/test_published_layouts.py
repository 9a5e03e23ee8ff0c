"""Issue 13: real reports in the layouts clerks have (a page pasted from Word, flattened text), headings
and labels as published, and refusals that say what was read. Compared cell by cell with the JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from dialogs.form import UnitKind, Value
from dialogs.report_2021 import T3_COLUMNS, T3_ROWS, form_2021, t3_key
from dialogs.rules import ReportFacts
from dialogs.rules_format import FORMAT_RULES
from importer import ImportResult, import_document, import_html, import_text
from importer.html import html_to_text
from tests.helpers.fixtures import (
    REAL_REPORT_TEXTS,
    SEEDS,
    answers_from_json,
    load_json,
    narratives_from_json,
)
from tests.helpers.published import flattened_text, word_page

FORM = form_2021()
HUAIAN, HONGZE, PINGTAN = REAL_REPORT_TEXTS
WORD_FIXTURE = Path(__file__).parent / "fixtures" / "hongze_2024_word_page.html"
T3_KEYS = {t3_key(r.key, c.key) for r in T3_ROWS for c in T3_COLUMNS}


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _json(path: Path) -> Path:
    return path.with_suffix(".json")


def _title(path: Path) -> str:
    title: str = load_json(_json(path))["report"]["title"]
    return title


def _cells(answers: Mapping[str, Value]) -> dict[str, Value]:
    """The table cells and the fee: what the JSON holds of the numbers."""
    expected = answers_from_json(_json(HUAIAN))
    return {k: v for k, v in answers.items() if k in expected}


def _texts(answers: Mapping[str, Value]) -> dict[str, Value]:
    return {k: v for k, v in answers.items() if k.startswith("text.")}


def _usable(result: ImportResult) -> ImportResult:
    assert result.is_usable, result.error
    return result


# --- a portal page pasted from Word -------------------------------------------------------------
@pytest.mark.parametrize("path", REAL_REPORT_TEXTS, ids=lambda p: p.stem)
def test_a_word_pasted_portal_page_gives_every_cell_and_section_back(path: Path) -> None:
    page = word_page(_text(path), _title(path))
    assert 190_000 < len(page.encode("utf-8")) < 400_000
    result = _usable(import_document(page.encode("utf-8"), "年报.html", FORM))
    assert _cells(result.answers) == answers_from_json(_json(path))
    assert _texts(result.answers) == narratives_from_json(_json(path))
    assert result.title == _title(path)
    assert result.summary.count("读到") == 4
    assert "缺少" not in result.summary
    reported = " ".join(p.text for p in result.problems)
    for chrome in ("当前位置", "发布日期", "打印本页", "扫一扫在手机打开当前页", "网站标识码"):
        assert chrome in reported  # page chrome is told, never imported
        assert all(chrome not in str(v) for v in result.answers.values())


def test_the_committed_word_page_is_realistic_and_imports_to_the_json() -> None:
    data = WORD_FIXTURE.read_bytes()
    assert 190_000 < len(data) < 400_000
    page = data.decode("utf-8")
    for mark in ("class=MsoNormal", "<o:p></o:p>", "&nbsp;", "rowspan=", "colspan=", "当前位置", "mso-"):
        assert mark in page
    result = _usable(import_document(data, "洪泽区2024年报.html", FORM))
    assert _cells(result.answers) == answers_from_json(_json(HONGZE))
    assert _texts(result.answers) == narratives_from_json(_json(HONGZE))
    assert result.source.row_labels == {"deny_law_forbidden": "2.其他法律行政止公开"}
    assert result.source.old_other_row is True


def test_merged_cells_of_a_word_table_line_up_with_the_official_grid() -> None:
    # Word merges the header and label cells (rowspan/colspan); resolved, every row of table 三
    # has its cells in the same columns as the published tab-separated table.
    printed = [line.rstrip("\t") for line in _text(HUAIAN).splitlines() if "\t" in line]
    read = html_to_text(word_page(_text(HUAIAN), _title(HUAIAN)))
    assert read is not None
    rows = [line.rstrip("\t") for line in read.splitlines() if "\t" in line]
    start = printed.index(next(p for p in printed if p.startswith("（本列数据")))
    assert rows[rows.index(printed[start]) :][:29] == printed[start:][:29]


# --- flattened text -------------------------------------------------------------------------
def test_a_flattened_real_report_gets_every_cell_and_section_back() -> None:
    text = flattened_text(_text(HONGZE))
    assert "（一）予以公开500000050" in text
    assert "\t" not in text
    result = _usable(import_text(text, FORM))
    assert _cells(result.answers) == answers_from_json(_json(HONGZE))
    assert _texts(result.answers) == narratives_from_json(_json(HONGZE))
    assert result.read.describe(FORM).endswith(
        "表二读到 10/10 个数字；表三读到 175/175 个数字；表四读到 15/15 个数字"
    )


@pytest.mark.parametrize("path", [HUAIAN, PINGTAN], ids=lambda p: p.stem)
def test_flattened_rows_that_cannot_be_cut_one_way_are_named_and_left_unanswered(path: Path) -> None:
    result = _usable(import_text(flattened_text(_text(path)), FORM))
    expected = answers_from_json(_json(path))
    cells = _cells(result.answers)
    assert {k: expected[k] for k in cells} == cells  # nothing read is a guess
    assert set(cells) >= T3_KEYS  # table 三's identities cut every row, large numbers included
    asked = [p for p in result.problems if "数字连在一起" in p.message]
    assert asked
    assert not any(p.is_fatal for p in asked)
    for problem in asked:
        assert "请在对话中确认或填写这一行" in problem.message
        digits = problem.message.split("（", 1)[1].split("）", 1)[0]
        assert digits.replace(" ", "") in problem.text.replace(" ", "")
    if path is HUAIAN:
        messages = " ".join(p.message for p in asked)
        assert "表二「规章」的数字连在一起（1011）" in messages
        assert "1/0/11，或 10/1/1" in messages
        assert "表四「行政复议、行政诉讼」" in messages
        assert not any(k.startswith(("t2.regulations", "t4.")) for k in result.answers)


def test_two_rows_whose_digits_fit_either_way_are_both_named_not_guessed() -> None:
    text = flattened_text(_text(PINGTAN))
    lines = text.splitlines()
    first = next(n for n, line in enumerate(lines) if line.startswith("（三）不予公开1.属于国家秘密"))
    # 1.(1, 10, 0, 0, 0, 0, 11) and 2.(11, 0, 0, 0, 0, 0, 11) both print as "110000011".
    lines[first] = "（三）不予公开1.属于国家秘密110000011"
    lines[first + 1] = "2.其他法律行政法规禁止公开110000011"
    result = _usable(import_text("\n".join(lines), FORM))
    asked = [p for p in result.problems if "数字连在一起" in p.message and p.line in (first + 1, first + 2)]
    assert len(asked) == 2
    for problem in asked:
        assert "（110000011）" in problem.message
        assert "1/10/0/0/0/0/11" in problem.message
        assert "11/0/0/0/0/0/11" in problem.message
    for row in ("deny_state_secret", "deny_law_forbidden"):
        assert not any(t3_key(row, c.key) in result.answers for c in T3_COLUMNS)


def test_a_flattened_row_whose_total_does_not_add_up_is_named() -> None:
    text = flattened_text(_text(HONGZE)).replace("6.属于四类过程性信息1000001", "6.属于四类过程性信息1000002")
    result = _usable(import_text(text, FORM))
    problem = next(p for p in result.problems if "6.属于四类过程性信息" in p.message)
    assert "（1000002）" in problem.message
    assert "拆不出" in problem.message
    assert t3_key("deny_process_info", "total") not in result.answers


@pytest.mark.parametrize("layout", ["word_page", "flattened"])
@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_every_seed_report_in_a_pasted_layout_gives_every_cell_and_section_back(
    path: Path, layout: str
) -> None:
    text = _text(path)
    reference = _usable(import_text(text, FORM))
    if layout == "word_page":
        result = import_document(
            word_page(text, text.splitlines()[0].strip()).encode("utf-8"), "年报.html", FORM
        )
    else:
        result = import_text(flattened_text(text), FORM)
    assert _usable(result).answers == reference.answers
    assert result.read.sections == reference.read.sections == ("s1", "s2", "s3", "s4", "s5", "s6")
    assert all(t.is_complete for t in result.read.tables)


# --- headings and labels as published ------------------------------------------------------
def _format_findings(result: ImportResult) -> list[str]:
    facts = ReportFacts(FORM, UnitKind.GOVERNMENT, 2024, result.answers, source=result.source)
    return [f.message for rule in FORMAT_RULES for f in rule.run(facts)]


@pytest.mark.parametrize(
    ("official", "printed"),
    [
        ("六、其他需要报告的事项", "六、需要说明的其他事项与附表"),
        ("六、其他需要报告的事项", "六、其它需要报告的事项"),
        ("四、政府信息公开行政复议、行政诉讼情况", "四、政府信息公开行政法复议、行政诉讼情况"),
    ],
)
def test_a_heading_as_published_is_read_and_reported_as_a_format_finding(official: str, printed: str) -> None:
    text = _text(HUAIAN).replace(f"\n{official}\n", f"\n{printed}\n")
    result = _usable(import_text(text, FORM))
    assert _cells(result.answers) == answers_from_json(_json(HUAIAN))
    assert _texts(result.answers) == narratives_from_json(_json(HUAIAN))
    note = next(p for p in result.problems if printed in p.message)
    assert official in note.message
    assert not note.is_fatal
    assert any(printed in finding for finding in _format_findings(result))


def test_a_table_two_without_its_regulations_row_is_read_and_the_row_is_asked() -> None:
    text = _text(PINGTAN)
    row = next(line for line in text.splitlines() if line.startswith("规章\t"))
    result = _usable(import_text(text.replace(row + "\n", ""), FORM))
    assert not any(k.startswith("t2.regulations.") for k in result.answers)
    expected = {
        k: v for k, v in answers_from_json(_json(PINGTAN)).items() if not k.startswith("t2.regulations.")
    }
    assert _cells(result.answers) == expected
    assert any("「规章」" in p.message and "国家格式" in p.message for p in result.problems)
    assert result.source.missing_rows == {
        "规章": ("t2.regulations.issued", "t2.regulations.abolished", "t2.regulations.in_force")
    }
    assert any("表二缺少国家格式的「规章」行" in finding for finding in _format_findings(result))


# --- errors say what was read ------------------------------------------------------------
def test_a_heading_in_words_not_recognised_is_not_called_a_cut_off_file() -> None:
    text = _text(HUAIAN).replace("\n五、存在的主要问题及改进情况\n", "\n五、工作中的不足与下一步打算\n")
    result = import_text(text, FORM)
    assert not result.is_usable
    assert "不完整（被截断）" not in result.error
    assert "并非不完整" in result.error
    assert "六、其他需要报告的事项" in result.error
    assert "读到的部分：一、二、三、四、六；缺少的部分：五" in result.error
    assert "表三读到 175/175 个数字" in result.error


def test_a_cut_off_file_says_what_was_read_with_the_refusal() -> None:
    text = _text(PINGTAN)
    result = import_text(text[: text.index("五、存在的主要问题及改进情况")], FORM)
    assert "不完整" in result.error
    assert "读到的部分：一、二、三、四；缺少的部分：五、六" in result.error


def test_html_import_of_a_flattened_page_reads_the_same() -> None:
    page = "<html><body>" + "".join(f"<p>{line}</p>" for line in flattened_text(_text(HONGZE)).splitlines())
    result = _usable(import_html(page + "</body></html>", FORM))
    assert _cells(result.answers) == answers_from_json(_json(HONGZE))
