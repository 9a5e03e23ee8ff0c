"""The district operations at the command line (`nianbao round|district|agencies|dashboard|
history|totals`, `--district` on the review and export commands): the same services and texts as
Telegram, run as the installed entry point would be."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl

from bot.services.outgoing import invite_link
from dialogs import messages as msg
from dialogs import messages_telegram as tmsg
from dialogs.report_2021 import form_2021
from dialogs.summary import key_figures
from storage.db import Database, sqlite_url
from storage.tables import ReportStatus
from tests.helpers.reminders import set_report_status
from tests.helpers.rule_reports import YEAR, clean_answers
from tests.helpers.seeded_reports import report_status, seed_report
from tests.helpers.terminal import run_captured, terminal_env

NAMES = ("某某区财政局", "某某区民政局", "某某镇人民政府")


def _cli(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = terminal_env(database, tmp_path) | {"NIANBAO_BOT_USERNAME": "nianbao_test_bot"}
    return run_captured([sys.executable, "-m", "bot", *args], env=env, cwd=tmp_path)


def _ok(args: list[str], tmp_path: Path) -> str:
    done = _cli(args, tmp_path)
    assert done.returncode == 0, (args, done.stdout, done.stderr[-2000:])
    return done.stdout


async def test_a_district_round_from_the_command_line(tmp_path: Path) -> None:
    assert "已开启 2024 年度填报" in _ok(["round", "--year", str(YEAR)], tmp_path)
    assert "截止日期已改为 2025-02-10" in _ok(
        ["round", "--year", str(YEAR), "--deadline", "2025-02-10"], tmp_path
    )

    bad = tmp_path / "bad.csv"
    bad.write_text("单位名称,类型\n某某区财政局,部门\n某某区民政局,科室\n", encoding="utf-8")
    refused = _cli(["agencies", str(bad)], tmp_path)
    assert refused.returncode == 2
    assert "第 3 行「类型」" in refused.stdout
    assert "第 2 行" not in refused.stdout  # the good row is not an error, and it is not stored either

    good = tmp_path / "单位名单.csv"
    good.write_text(
        "单位名称,类型,联系人\n"
        + "\n".join(f"{n},{'人民政府' if '镇' in n else '部门'},张三" for n in NAMES),
        encoding="gb18030",
    )
    added = _ok(["agencies", str(good), "--out", str(tmp_path / "out")], tmp_path)
    assert added.count(invite_link("nianbao_test_bot", "")) == 3
    sheet_file = tmp_path / "out" / tmsg.BULK_FILE.format(district=msg.DEFAULT_DISTRICT, year=YEAR)
    sheet = openpyxl.load_workbook(sheet_file).active
    assert sheet is not None
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == sorted(NAMES, key=NAMES.index)

    assert "地区「乙区」已就绪" in _ok(["district", "乙区"], tmp_path)
    assert set(_ok(["district"], tmp_path).split()) == {msg.DEFAULT_DISTRICT, "乙区"}
    assert "乙区：已开启 2024 年度填报" in _ok(["round", "--year", str(YEAR), "--district", "乙区"], tmp_path)

    db = Database(sqlite_url(tmp_path / "db.sqlite3"))
    try:
        seeded = await seed_report(db, agency=NAMES[0], year=YEAR, answers=clean_answers(YEAR))
        await set_report_status(db, agency_id=seeded.agency_id, year=YEAR, status=ReportStatus.SUBMITTED)
    finally:
        await db.dispose()

    board = _ok(["dashboard"], tmp_path)
    assert f"{msg.DEFAULT_DISTRICT} 2024 年度填报进度（截止 2025-02-10）：已提交 1/3" in board
    assert (
        tmsg.DASHBOARD_COUNTS.format(draft=2, submitted=1, returned=0, accepted=0, unopened=2, blocked=0)
        in board
    )
    assert NAMES[1] in _ok(["dashboard", "--status", "unopened"], tmp_path)
    assert NAMES[0] not in _ok(["dashboard", "--status", "unopened"], tmp_path)
    assert "联系人：张三" in _ok(["dashboard", "--agency", NAMES[1]], tmp_path)

    # District 乙区 knows nothing of the default district's agencies.
    report = ["--agency", NAMES[0], "--year", str(YEAR)]
    other = _cli(["accept", *report, "--district", "乙区"], tmp_path)
    assert other.returncode == 1
    assert msg.REPORT_UNKNOWN.format(agency=NAMES[0], year=YEAR) in other.stdout
    assert _cli(["history", "--agency", NAMES[0], "--district", "乙区"], tmp_path).returncode == 1
    assert (
        _cli(
            ["export", "--year", str(YEAR), "--district", "乙区", "--out", str(tmp_path / "x")], tmp_path
        ).returncode
        == 1
    )
    assert _cli(
        ["dashboard", "--district", "丙区"], tmp_path
    ).stdout.strip() == msg.CLI_UNKNOWN_DISTRICT.format(district="丙区")

    assert "已通过" in _ok(["accept", *report], tmp_path)
    history = _ok(["history", "--agency", NAMES[0]], tmp_path)
    assert "通过（已提交 → 已通过）" in history
    db = Database(sqlite_url(tmp_path / "db.sqlite3"))
    try:
        assert await report_status(db, seeded.report_id) == ReportStatus.ACCEPTED.value
    finally:
        await db.dispose()
    exported = _ok(["export", "--year", str(YEAR), "--out", str(tmp_path / "export")], tmp_path)
    assert "已导出" in exported

    # The totals: the one accepted report's figures, the two others missing; 乙区 has none.
    totals = _ok(["totals"], tmp_path)
    figures = key_figures(form_2021(), clean_answers(YEAR))
    assert totals.startswith(f"{msg.DEFAULT_DISTRICT} {YEAR} 年度汇总：已提交 1/3 个单位的报告之和")
    assert f"新收 {figures.new} 件" in totals
    assert f"尚未提交（2 个）：{NAMES[1]}、{NAMES[2]}" in totals
    assert msg.CLI_TOTALS_EXPORT_HINT.format(year=YEAR) in totals
    assert _ok(["totals", "--district", "乙区"], tmp_path).strip() == tmsg.TOTALS_NONE.format(
        district="乙区", year=YEAR, agencies=0
    )
