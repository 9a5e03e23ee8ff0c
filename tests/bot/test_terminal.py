"""The terminal assistant end to end: a real `nianbao` process fed line by line."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dialogs.form import Form, UnitKind, Value
from dialogs.report_2021 import form_2021
from templates.importer import import_text
from tests.helpers.fixtures import REAL_REPORTS, SEEDS, answers_from_json, load_json, narratives_from_json
from tests.helpers.report_text import assert_paragraphs_in_text, assert_tables_in_text
from tests.helpers.scripts import full_script

REPO = Path(__file__).resolve().parents[2]
PROCESS_LIMIT = 180  # seconds: a safety bound so a hung process fails the test, not a timing claim


def _env(database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NIANBAO_")}
    env.update(
        NIANBAO_DATABASE_URL=database_url,
        NIANBAO_OUTPUT_DIR=str(tmp_path / "out"),
        NIANBAO_DATA_DIR=str(tmp_path / "data"),
        PYTHONPATH=str(REPO),
    )
    return env


def run_terminal(lines: list[str], database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=_env(database_url, tmp_path),
        cwd=tmp_path,
        timeout=PROCESS_LIMIT,
        check=False,
    )


def _unit(agency: str) -> UnitKind:
    return UnitKind.GOVERNMENT if "人民政府" in agency or "实验区" in agency else UnitKind.DEPARTMENT


def _real_report(path: Path) -> tuple[str, int, dict[str, Value], dict[str, Value]]:
    meta = load_json(path)["report"]
    return meta["agency"], int(meta["year"]), answers_from_json(path), narratives_from_json(path)


def _seed(path: Path, form: Form) -> tuple[str, int, dict[str, Value], dict[str, Value]]:
    result = import_text(path.read_text(encoding="utf-8"), form)
    assert result.year is not None
    tables = {k: v for k, v in result.answers.items() if not k.startswith("text.")}
    narratives = {k: v for k, v in result.answers.items() if k.startswith("text.")}
    return result.agency, result.year, tables, narratives


def _written_text(tmp_path: Path) -> str:
    texts = list((tmp_path / "out").glob("*.txt"))
    assert len(texts) == 1, texts
    return texts[0].read_text(encoding="utf-8")


CASES = [pytest.param(p, id=p.stem) for p in REAL_REPORTS] + [pytest.param(p, id=p.stem) for p in SEEDS]


@pytest.mark.slow
@pytest.mark.parametrize("path", CASES)
def test_a_whole_report_filled_from_a_pipe_renders_every_number_and_paragraph(
    path: Path, tmp_path: Path
) -> None:
    form = form_2021()
    agency, year, tables, narratives = _real_report(path) if path.suffix == ".json" else _seed(path, form)
    unit = _unit(agency)
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
    text = _written_text(tmp_path)
    assert text.splitlines()[0].strip() == f"{agency}{year}年政府信息公开工作年度报告"
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


async def _start_terminal(
    env: dict[str, str], cwd: Path, *, stderr: int
) -> tuple[asyncio.subprocess.Process, asyncio.StreamWriter, asyncio.StreamReader]:
    """`./nianbao` without a token, as its own process with a pipe in and out."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        env=env,
        cwd=cwd,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    return process, process.stdin, process.stdout


async def _read_until(stream: asyncio.StreamReader, marker: str) -> str:
    seen: list[str] = []
    while True:
        line = await asyncio.wait_for(stream.readline(), PROCESS_LIMIT)
        if not line:
            raise AssertionError(f"process ended before {marker!r}:\n" + "".join(seen[-20:]))
        seen.append(line.decode("utf-8"))
        if marker in seen[-1]:
            return "".join(seen)


@pytest.mark.slow
async def test_sigkill_in_table_three_resumes_at_the_same_question(database_url: str, tmp_path: Path) -> None:
    form = form_2021()
    path = REAL_REPORTS[0]
    agency, year, tables, narratives = _real_report(path)
    unit = _unit(agency)
    script = full_script(form, agency, unit, year, {**tables, **narratives})
    items = form.items_for(unit)
    stop_at = next(i for i, item in enumerate(items) if item.id == "t3.deny_third_party")
    cut = 3 + stop_at  # onboarding lines + one line per table item before it
    marker = f"第 {stop_at + 1}/{len(items)} 项"
    env = _env(database_url, tmp_path)

    first, first_in, first_out = await _start_terminal(env, tmp_path, stderr=subprocess.DEVNULL)
    first_in.write(("\n".join(script[:cut]) + "\n").encode())
    await first_in.drain()
    await _read_until(first_out, marker)
    first.send_signal(signal.SIGKILL)
    assert await first.wait() == -signal.SIGKILL

    second, _second_in, second_out = await _start_terminal(env, tmp_path, stderr=subprocess.PIPE)
    shown = await _read_until(second_out, "项")
    assert marker in shown, shown
    assert items[stop_at].title in (shown + (await second_out.readline()).decode())
    stdout, stderr = await asyncio.wait_for(
        second.communicate(("\n".join(script[cut:]) + "\n").encode()), PROCESS_LIMIT
    )
    assert second.returncode == 0, stderr.decode()[-2000:]
    assert "报告已提交" in stdout.decode()
    text = _written_text(tmp_path)
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
    assert "1. 第二十条第（一）项 — 规章：1 0 3" in second.stdout
    assert "2. 第二十条第（一）项 — 行政规范性文件：2 1 40" in second.stdout


def test_imported_last_year_report_proposes_the_carry_over_in_the_terminal(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    source = next(p for p in REAL_REPORTS if "huaian" in p.name).with_suffix(".txt")
    imported = subprocess.run(
        [sys.executable, "-m", "bot", "import-report", str(source)],
        capture_output=True,
        text=True,
        env=_env(url, tmp_path),
        cwd=tmp_path,
        timeout=PROCESS_LIMIT,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr[-2000:]
    assert "已导入：淮安市人民政府 2024 年" in imported.stdout
    lines = ["淮安市人民政府", "2", "2025", "目录 2", "0 0 0 0 0 0"]
    shown = run_terminal(lines, url, tmp_path).stdout
    assert (
        "去年报告的「结转下年度继续办理」为：自然人 103、商业企业 0、科研机构 0、社会公益组织 0、法律服务机构 0、其他 0"
        in shown
    )
