"""`nianbao check` on published reports: the findings a coordinator reads, in Chinese and JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path

from bot.check import run_check
from tests.helpers.fixtures import REAL_REPORT_TEXTS, SEEDS


def _check(*files: Path, as_json: bool = False, previous: Path | None = None) -> tuple[int, str]:
    out = io.StringIO()
    code = run_check(
        [str(f) for f in files],
        previous=str(previous) if previous else None,
        kind=None,
        as_json=as_json,
        out=out,
    )
    return code, out.getvalue()


def _report(name: str) -> Path:
    return next(p for p in REAL_REPORT_TEXTS if name in p.name)


def test_hongze_text_contradicting_its_table_and_the_2019_row_are_found() -> None:
    code, out = _check(_report("hongze"))
    assert code == 1  # an error (the stale 2019 row) makes the exit code non-zero
    assert "[错误] FMT-ROWS" in out
    assert "[提示] TXT-APPS" in out
    assert "17 件与表三「本年新收」总计 95 不一致" in out
    assert "2.其他法律行政止公开" in out  # FMT-LABELS quotes the typo


def test_clean_reports_and_the_seeds_have_no_error() -> None:
    code, out = _check(_report("huaian"), _report("pingtan"), *SEEDS, as_json=True)
    reports = json.loads(out)
    assert len(reports) == 2 + len(SEEDS)
    for report in reports:
        assert report["readable"], report
        assert [f for f in report["findings"] if f["severity"] == "error"] == [], report["file"]
    assert code == 0


def _as_portal_page(text: str) -> str:
    """Paragraphs as <p>, each run of tab-separated lines as one <table>, as portals publish."""
    parts: list[str] = []
    rows: list[str] = []
    for line in [*text.splitlines(), ""]:
        if "\t" in line:
            rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in line.split("\t")) + "</tr>")
            continue
        if rows:
            parts.append("<table>" + "".join(rows) + "</table>")
            rows = []
        if line.strip():
            parts.append(f"<p>{line}</p>")
    return "<html><body>" + "".join(parts) + "</body></html>"


def test_html_page_is_checked_like_the_text(tmp_path: Path) -> None:
    page = tmp_path / "hongze.html"
    page.write_text(_as_portal_page(_report("hongze").read_text(encoding="utf-8")), encoding="utf-8")
    code, out = _check(page, as_json=True)
    findings = {f["rule"] for f in json.loads(out)[0]["findings"]}
    assert {"FMT-ROWS", "TXT-APPS"} <= findings
    assert code == 1


def test_last_years_report_enables_the_cross_year_rules(tmp_path: Path) -> None:
    this_year = _report("huaian")
    last_year = tmp_path / "last.txt"
    text = this_year.read_text(encoding="utf-8").replace("2024年", "2023年")
    last_year.write_text(text, encoding="utf-8")
    code, out = _check(this_year, previous=last_year, as_json=True)
    rules = {f["rule"] for f in json.loads(out)[0]["findings"]}
    assert "XY-CARRY" in rules  # 上年结转 34 here, but last year's file carried 103 forward
    assert "XY-DUP" in rules  # the same narrative as last year's
    assert code == 1


def test_a_file_that_is_not_a_report_is_named_and_refused(tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("会议通知：请各单位于周五下午三点参加会议。", encoding="utf-8")
    code, out = _check(note)
    assert code == 2
    assert "无法读取" in out


def test_a_directory_is_checked_file_by_file(tmp_path: Path) -> None:
    for source in (_report("huaian"), _report("hongze")):
        (tmp_path / source.name).write_bytes(source.read_bytes())
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")
    code, out = _check(tmp_path)
    assert code == 1  # hongze's error
    assert "找不到文件" not in out
    assert f"== {tmp_path / _report('huaian').name}：" in out
    assert f"== {tmp_path / _report('hongze').name}：" in out
    assert "notes.json" not in out


def test_a_directory_without_reports_gets_a_clear_message(tmp_path: Path) -> None:
    code, out = _check(tmp_path)
    assert code == 2
    assert f"目录 {tmp_path} 中没有报告文件" in out
