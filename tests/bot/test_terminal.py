"""The terminal assistant end to end: a real `nianbao` process fed line by line."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dialogs.form import Form, UnitKind, Value
from dialogs.report_2021 import form_2021, guess_unit_kind
from importer import import_text
from templates import build_context, render_html
from tests.helpers.fixtures import REAL_REPORTS, SEEDS
from tests.helpers.printing import print_to_pdf
from tests.helpers.report_text import assert_paragraphs_in_text, assert_tables_in_text
from tests.helpers.scripts import full_script
from tests.helpers.terminal import (
    PROCESS_LIMIT,
    read_until,
    real_report,
    run_nianbao,
    run_terminal,
    start_terminal,
    terminal_env,
    written_text,
)


def _seed(path: Path, form: Form) -> tuple[str, int, dict[str, Value], dict[str, Value]]:
    result = import_text(path.read_text(encoding="utf-8"), form)
    assert result.year is not None
    tables = {k: v for k, v in result.answers.items() if not k.startswith("text.")}
    narratives = {k: v for k, v in result.answers.items() if k.startswith("text.")}
    return result.agency, result.year, tables, narratives


CASES = [pytest.param(p, id=p.stem) for p in REAL_REPORTS] + [pytest.param(p, id=p.stem) for p in SEEDS]


@pytest.mark.slow
@pytest.mark.parametrize("path", CASES)
def test_a_whole_report_filled_from_a_pipe_renders_every_number_and_paragraph(
    path: Path, tmp_path: Path
) -> None:
    form = form_2021()
    agency, year, tables, narratives = real_report(path) if path.suffix == ".json" else _seed(path, form)
    unit = guess_unit_kind(agency)
    script = full_script(
        form,
        agency,
        unit,
        year,
        {**tables, **narratives},
        cell_by_cell=frozenset({"t3.granted", "t4.review"}),
    )
    done = run_terminal(script, f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "报告已提交" in done.stdout
    assert "随后发送" not in done.stdout  # the terminal says where the files are instead
    assert f"报告文件已写入 {tmp_path / 'out'}：" in done.stdout
    text = written_text(tmp_path)
    assert text.splitlines()[0].strip() == f"{agency}{year}年政府信息公开工作年度报告"
    assert text.splitlines()[-1].endswith("日")  # the sign-off: the agency, then the submission date
    assert_tables_in_text(text, form.compute_totals(tables) | tables)
    assert_paragraphs_in_text(text, narratives)
    for suffix in (".md", ".html", ".docx"):
        assert list((tmp_path / "out").glob(f"*{suffix}")), suffix


def test_bad_input_is_refused_in_chinese_and_the_question_stays(tmp_path: Path) -> None:
    lines = ["某区审批局", "1", "2024", "-3 0 0", "abc", "1 2", "2.5 0 0", "0 0 0"]
    done = run_terminal(lines, f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path)
    assert done.returncode == 0
    out = done.stdout
    assert "「-3」是负数" in out
    assert "「abc」不是数字" in out
    assert "这里需要 3 个数" in out
    assert "「2.5」带有小数" in out
    assert out.count("第 1/43 项") == 5  # asked once, then re-asked after each of the 4 bad answers
    assert "第 2/43 项" in out


@pytest.mark.slow
async def test_sigkill_in_table_three_resumes_at_the_same_question(database_url: str, tmp_path: Path) -> None:
    form = form_2021()
    path = REAL_REPORTS[0]
    agency, year, tables, narratives = real_report(path)
    unit = guess_unit_kind(agency)
    script = full_script(form, agency, unit, year, {**tables, **narratives})
    items = form.items_for(unit)
    stop_at = next(i for i, item in enumerate(items) if item.id == "t3.deny_third_party")
    cut = 3 + stop_at  # onboarding lines + one line per table item before it
    marker = f"第 {stop_at + 1}/{len(items)} 项"
    env = terminal_env(database_url, tmp_path)

    first, first_in, first_out = await start_terminal(env, tmp_path, stderr=subprocess.DEVNULL)
    first_in.write(("\n".join(script[:cut]) + "\n").encode())
    await first_in.drain()
    await read_until(first_out, marker)
    first.send_signal(signal.SIGKILL)
    assert await first.wait() == -signal.SIGKILL

    second, _second_in, second_out = await start_terminal(env, tmp_path, stderr=subprocess.PIPE)
    shown = await read_until(second_out, "项")
    assert marker in shown, shown
    assert items[stop_at].title in (shown + (await second_out.readline()).decode())
    stdout, stderr = await asyncio.wait_for(
        second.communicate(("\n".join(script[cut:]) + "\n").encode()), PROCESS_LIMIT
    )
    assert second.returncode == 0, stderr.decode()[-2000:]
    assert "报告已提交" in stdout.decode()
    text = written_text(tmp_path)
    assert_tables_in_text(text, tables)
    assert_paragraphs_in_text(text, narratives)


def test_end_of_input_saves_and_the_next_run_resumes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    first = run_terminal(["某区审批局", "1", "", "1 0 3", "2 1 40"], url, tmp_path)
    assert first.returncode == 0
    assert "再次运行 ./nianbao 将从当前问题继续" in first.stdout
    second = run_terminal(["预览"], url, tmp_path)
    assert "继续填写：某区审批局" in second.stdout
    assert "第 3/43 项" in second.stdout
    # 预览 shows the report as it will be published: its title, its tables, its sign-off.
    assert "预览（已填 2/43 项）" in second.stdout
    assert "某区审批局2025年政府信息公开工作年度报告" in second.stdout
    assert "规章\t1\t0\t3" in second.stdout
    assert "行政规范性文件\t2\t1\t40" in second.stdout
    assert "一、总体情况" in second.stdout


def test_imported_last_year_report_proposes_the_carry_over_in_the_terminal(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    source = next(p for p in REAL_REPORTS if "huaian" in p.name).with_suffix(".txt")
    imported = run_nianbao(["import-report", str(source)], url, tmp_path)
    assert imported.returncode == 0, imported.stderr[-2000:]
    assert "已导入：淮安市人民政府 2024 年" in imported.stdout
    lines = ["淮安市人民政府", "2", "2025", "目录 2", "0 0 0 0 0 0"]
    shown = run_terminal(lines, url, tmp_path).stdout
    assert (
        "去年报告的「结转下年度继续办理」为：自然人 103、商业企业 0、科研机构 0、社会公益组织 0、法律服务机构 0、其他 0"
        in shown
    )


@pytest.mark.slow
def test_import_report_reads_a_pdf_and_says_what_it_read(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    source = next(p for p in REAL_REPORTS if "pingtan" in p.name).with_suffix(".txt")
    published = import_text(source.read_text(encoding="utf-8"), form_2021())
    assert published.year is not None
    ctx = build_context(
        form_2021(),
        agency=published.agency,
        unit=UnitKind.GOVERNMENT,
        year=published.year,
        answers=published.answers,
    )
    page = tmp_path / "report.html"
    page.write_text(render_html(ctx), encoding="utf-8")
    pdf = tmp_path / "平潭2024年报.pdf"
    print_to_pdf(page, pdf, profile=tmp_path / "profile")
    imported = run_nianbao(["import-report", str(pdf)], url, tmp_path)
    assert imported.returncode == 0, imported.stderr[-2000:]
    assert "已导入：平潭综合实验区 2024 年" in imported.stdout
    assert (
        "读到的部分：一、二、三、四、五、六；表二读到 10/10 个数字；表三读到 175/175 个数字；表四读到 15/15 个数字"
        in imported.stdout
    )
    assert imported.stderr == ""  # pdfminer's font warnings stay out of the operator's terminal


def test_an_overlong_agency_name_is_refused_and_asked_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    done = run_terminal(["局" * 244, "某区\x1b[31m审批局", "某区审批局", "1", "2024"], url, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "单位名称有 244 个字，超过了 60 个字的上限" in done.stdout
    assert "不能含换行或控制字符" in done.stdout
    assert "\x1b" not in done.stdout
    assert done.stdout.count("请输入单位全称（例如") == 3
    assert "第 1/43 项" in done.stdout
    again = run_terminal([], url, tmp_path)
    assert "继续填写：某区审批局 2024 年" in again.stdout


def test_a_blank_line_says_what_is_expected(tmp_path: Path) -> None:
    done = run_terminal(
        ["", "某区审批局", "1", "2024", "  "], f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path
    )
    assert done.returncode == 0
    assert done.stdout.count("没有收到内容，请按上面的提示输入。") == 2


def test_the_current_year_needs_a_confirmation_and_years_before_2008_are_refused(tmp_path: Path) -> None:
    current = datetime.now(UTC).year  # the process reads the real clock; only the year matters here
    lines = ["某区审批局", "1", "1900", str(current), str(current)]
    done = run_terminal(lines, f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path)
    assert f"年度应为 2008 至 {current} 之间的四位数字" in done.stdout
    assert f"{current} 年还没有结束" in done.stdout
    assert "第 1/43 项" in done.stdout
    assert (
        run_terminal([], f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path).stdout.count(f"{current} 年政府")
        == 1
    )


def test_a_finished_year_typed_after_the_current_year_warning_is_taken(tmp_path: Path) -> None:
    current = datetime.now(UTC).year
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    done = run_terminal(["某区审批局", "1", str(current), str(current - 1)], url, tmp_path)
    assert f"{current} 年还没有结束" in done.stdout
    assert f"继续填写：某区审批局 {current - 1} 年" in run_terminal([], url, tmp_path).stdout


@pytest.mark.parametrize("year", ["1900", "99999"])
def test_cli_years_outside_2008_to_now_are_refused_and_nothing_is_written(year: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    done = run_nianbao(["export", "--year", year, "--out", str(tmp_path / "zips")], url, tmp_path)
    assert done.returncode == 2
    assert "年度应为 2008 至" in done.stderr
    assert not (tmp_path / "zips").exists()
    source = next(p for p in REAL_REPORTS if "huaian" in p.name).with_suffix(".txt")
    imported = run_nianbao(["import-report", str(source), "--year", year], url, tmp_path)
    assert imported.returncode == 2
    assert "年度应为 2008 至" in imported.stderr


def test_import_report_refuses_an_overlong_agency_name_and_stores_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    source = next(p for p in REAL_REPORTS if "huaian" in p.name).with_suffix(".txt")
    imported = run_nianbao(["import-report", str(source), "--agency", "局" * 244], url, tmp_path)
    assert imported.returncode == 2
    assert "单位名称有 244 个字，超过了 60 个字的上限" in imported.stdout
    exported = run_nianbao(["export", "--year", "2024", "--out", str(tmp_path / "zips")], url, tmp_path)
    assert "2024 年度还没有报告" in exported.stdout
