"""The terminal's reports end to end: two terminals on one draft, the setup prompts, the list of
reports (start, rename, correct), and a coordinator's return and re-render from the command line."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from dialogs.report_2021 import form_2021, guess_unit_kind
from tests.helpers.fixtures import REAL_REPORTS
from tests.helpers.scripts import full_script
from tests.helpers.terminal import (
    read_until,
    real_report,
    run_nianbao,
    run_terminal,
    start_terminal,
    terminal_env,
)

LICENSING = "第二十条第（五）项 — 行政许可：本年处理决定数量"
PENALTY = "第二十条第（六）项 — 行政处罚：本年处理决定数量"


def _db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'db.sqlite3'}"


def _rows(tmp_path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
        return list(conn.execute(sql).fetchall())


def _cli(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return run_nianbao(args, _db(tmp_path), tmp_path)


async def test_an_answer_typed_in_one_terminal_after_another_moved_on_is_refused(tmp_path: Path) -> None:
    env = terminal_env(_db(tmp_path), tmp_path)
    first, first_in, first_out = await start_terminal(env, tmp_path, stderr=subprocess.DEVNULL)
    first_in.write("某区审批局\n1\n2024\n1 0 3\n2 1 40\n".encode())
    await first_in.drain()
    await read_until(first_out, LICENSING)  # this terminal now shows 行政许可

    second, second_in, second_out = await start_terminal(env, tmp_path, stderr=subprocess.DEVNULL)
    await read_until(second_out, LICENSING)
    second_in.write(b"5\n")
    await second_in.drain()
    await read_until(second_out, PENALTY)  # the other terminal answered 行政许可 and moved on

    first_in.write(b"7\n")  # typed while this terminal still showed 行政许可
    await first_in.drain()
    refused = await read_until(first_out, PENALTY)
    assert "报告已在别处（另一个窗口或设备）修改" in refused
    assert "已保存" not in refused
    first_in.write(b"7\n")
    await first_in.drain()
    saved = await read_until(first_out, "第 5/43 项")
    assert f"已保存「{PENALTY}」：7。" in saved
    for process, stream in ((first, first_in), (second, second_in)):
        stream.close()
        assert await process.wait() == 0
    stored = {
        str(k): str(v)
        for k, v in _rows(tmp_path, "SELECT key, value FROM answer WHERE key LIKE 't2.%.decisions'")
    }
    assert stored == {"t2.licensing.decisions": "5", "t2.penalty.decisions": "7"}


def test_help_and_back_work_at_the_setup_prompts(tmp_path: Path) -> None:
    # 帮助 at the name; 上一步 at the kind (back to the name); 上一步 at the year, then at the kind.
    lines = [
        "帮助",
        "某区审批局",
        "上一步",
        "某区行政审批局",
        "1",
        "上一步",
        "上一步",
        "某区行政审批局",
        "1",
        "2024",
    ]
    out = run_terminal([*lines, "退出"], _db(tmp_path), tmp_path).stdout
    assert "正在填写报告的基本信息" in out  # 帮助 explained the setup instead of naming the agency
    assert out.count("请输入单位全称") == 4  # asked again after 帮助 and after each 上一步 back to it
    assert "第 1/43 项" in out
    assert _rows(tmp_path, "SELECT name, unit_kind FROM agency") == [("某区行政审批局", "department")]


def test_a_second_report_is_started_and_a_mistyped_one_corrected_from_the_list(tmp_path: Path) -> None:
    url = _db(tmp_path)
    run_terminal(["某区审批局", "1", "2024", "1 0 3", "退出"], url, tmp_path)
    second = run_terminal(["报告", "新建", "某某镇", "1", "2025", "退出"], url, tmp_path).stdout
    assert "继续填写：某区审批局 2024 年" in second
    assert "1. 某区审批局 2024 年（填写中）" in second
    third = run_terminal(
        ["改名 2 某区行政审批局", "修改单位 1", "某某镇人民政府", "2", "2024", "退出"], url, tmp_path
    )
    out = third.stdout
    assert "1. 某某镇 2025 年（填写中）" in out  # two open reports: the list, most recent first
    assert "已修改：某区行政审批局 2024 年（部门）。" in out
    assert "2. 某区行政审批局 2024 年（填写中）" in out
    assert "已修改：某某镇人民政府 2024 年（人民政府）。" in out
    reports = _rows(
        tmp_path,
        "SELECT agency.name, agency.unit_kind, report.year FROM report JOIN agency ON agency.id = agency_id",
    )
    assert sorted(reports) == [("某区行政审批局", "department", 2024), ("某某镇人民政府", "government", 2024)]
    kept = _rows(
        tmp_path,
        "SELECT agency.name, answer.value FROM answer JOIN report ON report.id = answer.report_id"
        " JOIN agency ON agency.id = report.agency_id WHERE answer.key = 't2.regulations.in_force'",
    )
    assert kept == [("某区行政审批局", "3")]  # renamed, nothing typed lost


@pytest.mark.slow
def test_a_returned_report_is_edited_again_in_the_terminal_and_rendered_again(tmp_path: Path) -> None:
    form = form_2021()
    agency, year, tables, narratives = real_report(REAL_REPORTS[0])
    script = full_script(form, agency, guess_unit_kind(agency), year, {**tables, **narratives})
    submitted = run_terminal(script, _db(tmp_path), tmp_path)
    assert "报告已提交" in submitted.stdout, submitted.stderr[-2000:]

    regenerated = run_terminal(["1", "重新生成", "退出"], _db(tmp_path), tmp_path).stdout
    assert "1. " + f"{agency} {year} 年（已提交）" in regenerated
    assert regenerated.count("报告文件已写入") == 2  # on opening it, and for 重新生成

    returned = _cli(
        ["return", "--agency", agency, "--year", str(year), "--comment", "请补充收费说明"], tmp_path
    )
    assert returned.returncode == 0, returned.stderr[-2000:]
    assert f"已退回：{agency} {year} 年的报告" in returned.stdout
    again = _cli(["return", "--agency", agency, "--year", str(year)], tmp_path)
    assert again.returncode == 1
    assert "状态为「已退回」" in again.stdout

    edited = run_terminal(["修改 1", "9 0 9", "退出"], _db(tmp_path), tmp_path).stdout
    assert "协调员退回意见：请补充收费说明" in edited
    assert "已保存「第二十条第（一）项 — 规章」：9、0、9。" in edited
    rendered = _cli(
        ["render", "--agency", agency, "--year", str(year), "--out", str(tmp_path / "again")], tmp_path
    )
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    texts = list((tmp_path / "again").glob("*.txt"))
    assert len(texts) == 1
    assert (tmp_path / "again" / texts[0].name.replace(".txt", ".docx")).exists()
