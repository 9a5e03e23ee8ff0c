"""A coordinator accepts and reopens a report in Telegram (the Bot API stand-in) and at the command
line, through the one coordination service; a move the lifecycle refuses names the current state."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlmodel import col, select

from storage.db import Database, sqlite_url
from storage.tables import ReportStatus, StatusChange
from tests.helpers.botapi import StandIn
from tests.helpers.reminders import set_report_status, submitted_report
from tests.helpers.rule_reports import AGENCY, YEAR
from tests.helpers.seeded_reports import report_status
from tests.helpers.telegram_bot import ADMIN, running_bot
from tests.helpers.terminal import run_nianbao

STAFF = 5454


async def _submitted(db: Database, api: StandIn) -> int:
    report_id = await submitted_report(db, agency=AGENCY, year=YEAR, staff=(STAFF, "李四"))
    api.add_user(ADMIN)
    api.add_user(STAFF)
    return report_id


async def _changes(db: Database, report_id: int) -> list[tuple[str, str, str, str]]:
    async with db.session() as session:
        rows = (
            await session.exec(
                select(StatusChange).where(StatusChange.report_id == report_id).order_by(col(StatusChange.id))
            )
        ).all()
    return [(r.from_status, r.to_status, r.action, r.comment) for r in rows]


async def test_an_accepted_report_is_locked_until_the_coordinator_reopens_it(
    api: StandIn, db: Database
) -> None:
    report_id = await _submitted(db, api)
    async with running_bot(api, db):
        await api.send_text(ADMIN, f"/accept {AGENCY}")
        accepted = await api.next_reply(ADMIN)
        await api.send_text(STAFF, "修改 1")
        picker = await api.next_reply(STAFF)
        [[button]] = StandIn.buttons(picker)
        assert button.callback_data is not None
        await api.press(STAFF, picker, button.callback_data)
        switched = await api.next_reply(STAFF)
        locked = await api.next_reply(STAFF)
        await api.send_text(ADMIN, f"/return {AGENCY}")
        refused = await api.next_reply(ADMIN)
        await api.send_text(ADMIN, f"/reopen {AGENCY}")
        reopened = await api.next_reply(ADMIN)
        notice = await api.next_reply(STAFF, timeout=20)
    assert f"已通过「{AGENCY}」{YEAR} 年报告" in accepted["text"]
    assert "已通过" in button.text
    assert "已切换到" in switched["text"]
    assert "已提交" in locked["text"]  # the dialog only shows a finished report
    assert refused["text"] == f"「{AGENCY}」{YEAR} 年报告当前状态为「已通过」，只有已提交的报告可以退回。"
    assert "已通知 1 名填报人员" in reopened["text"]
    assert "已被政务公开办重新打开" in notice["text"]
    assert await report_status(db, report_id) == "returned"
    assert await _changes(db, report_id) == [
        ("submitted", "accepted", "accept", ""),
        ("accepted", "returned", "reopen", ""),
    ]


async def test_accepting_a_draft_is_refused_with_its_current_state(api: StandIn, db: Database) -> None:
    report_id = await _submitted(db, api)
    await set_report_status(db, agency_id=1, year=YEAR, status=ReportStatus.DRAFT)
    async with running_bot(api, db):
        await api.send_text(ADMIN, f"/accept {AGENCY}")
        refused = await api.next_reply(ADMIN)
        await api.send_text(ADMIN, f"/reopen {AGENCY}")
        not_accepted = await api.next_reply(ADMIN)
    assert refused["text"] == f"「{AGENCY}」{YEAR} 年报告当前状态为「填写中」，只有已提交的报告可以通过。"
    assert "只有已通过的报告可以重新打开" in not_accepted["text"]
    assert await report_status(db, report_id) == "draft"
    assert await _changes(db, report_id) == []


async def test_staff_cannot_accept(api: StandIn, db: Database) -> None:
    report_id = await _submitted(db, api)
    async with running_bot(api, db):
        await api.send_text(STAFF, f"/accept {AGENCY}")
        refused = await api.next_reply(STAFF)
    assert "仅限协调员" in refused["text"]
    assert await report_status(db, report_id) == "submitted"


def _cli(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return run_nianbao(args, f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path)


async def test_the_command_line_accepts_and_reopens_with_a_comment(tmp_path: Path) -> None:
    db = Database(sqlite_url(tmp_path / "db.sqlite3"))
    try:
        await db.upgrade()
        report_id = await submitted_report(db, agency=AGENCY, year=YEAR, staff=(STAFF, "李四"))
    finally:
        await db.dispose()
    report = ["--agency", AGENCY, "--year", str(YEAR)]
    early = _cli(["reopen", *report], tmp_path)
    assert early.returncode == 1
    assert "当前状态为「已提交」，只有已通过的报告可以重新打开" in early.stdout
    accepted = _cli(["accept", *report], tmp_path)
    assert accepted.returncode == 0, accepted.stderr[-2000:]
    assert f"已通过：{AGENCY} {YEAR} 年的报告" in accepted.stdout
    reopened = _cli(["reopen", *report, "--comment", "请更正第三部分"], tmp_path)
    assert reopened.returncode == 0, reopened.stderr[-2000:]
    assert f"已重新打开：{AGENCY} {YEAR} 年的报告" in reopened.stdout
    db = Database(sqlite_url(tmp_path / "db.sqlite3"))
    try:
        assert await report_status(db, report_id) == "returned"
        assert await _changes(db, report_id) == [
            ("submitted", "accepted", "accept", ""),
            ("accepted", "returned", "reopen", "请更正第三部分"),
        ]
    finally:
        await db.dispose()
