"""A database or an export destination that cannot be used: a Chinese message and an exit code.

Each case runs the real `nianbao` process. What it must never do: print a traceback, say 已保存
for an answer that was not saved, or touch the file it could not use.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from bot.failures import ExitCode
from dialogs import messages as msg
from dialogs import messages_telegram as tmsg
from storage.db import Database
from tests.helpers.botapi import StandIn
from tests.helpers.postgres import PostgresCluster, postgres_cluster
from tests.helpers.privileges import permissions_apply
from tests.helpers.telegram_bot import join, next_prompt, open_round_with_agency, running_bot, token_of
from tests.helpers.terminal import PROCESS_LIMIT, read_until, run_captured, start_terminal, terminal_env

ONBOARDING = ["某区审批局", "1", "2024"]


def _nianbao(
    tmp_path: Path,
    args: Sequence[str],
    lines: Sequence[str] = (),
    *,
    url: str | None = None,
    data_dir: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """`nianbao args…`, by default on tmp_path/data's SQLite file and bound by file permissions even
    as root. Not on PostgreSQL: its socket is in the server's private directory."""
    env = terminal_env(url or "", tmp_path)
    if url is None:
        del env["NIANBAO_DATABASE_URL"]
    if data_dir is not None:
        env["NIANBAO_DATA_DIR"] = str(data_dir)
    return run_captured(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=tmp_path,
        lines=lines,
        preexec_fn=permissions_apply() if url is None else None,
    )


def _db_file(tmp_path: Path) -> Path:
    return tmp_path / "data" / "nianbao.sqlite3"


def _stopped_with(done: subprocess.CompletedProcess[str], code: ExitCode, message: str) -> None:
    assert done.returncode == code, (done.returncode, done.stdout[-1000:], done.stderr[-2000:])
    assert message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert msg.TERM_EOF not in done.stdout  # 已保存 is never claimed


def _started_report(tmp_path: Path) -> None:
    """A first, healthy run: one answer stored in the default SQLite file."""
    done = _nianbao(tmp_path, [], [*ONBOARDING, "1 0 3"])
    assert done.returncode == 0, done.stderr[-2000:]
    assert "第 2/43 项" in done.stdout


def _resumes_with_first_answer(tmp_path: Path) -> None:
    again = _nianbao(tmp_path, [], ["预览"])
    assert again.returncode == 0, again.stderr[-2000:]
    assert "第 2/43 项" in again.stdout
    assert "规章\t1\t0\t3\n" in again.stdout  # the preview shows the report's table row


def test_a_damaged_database_file_stops_with_a_message(tmp_path: Path) -> None:
    _started_report(tmp_path)
    path = _db_file(tmp_path)
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xa5" * (len(data) - 4096)  # the header survives, every page after it is garbage
    path.write_bytes(bytes(data))

    done = _nianbao(tmp_path, [], ["2 1 40"])

    _stopped_with(done, ExitCode.DB_DAMAGED, msg.DB_FAULTS["damaged"].format(where=path.resolve()))
    assert path.read_bytes() == bytes(data)


def test_a_file_that_is_no_database_is_left_alone(tmp_path: Path) -> None:
    path = _db_file(tmp_path)
    path.parent.mkdir()
    path.write_text("不是数据库\n", encoding="utf-8")

    done = _nianbao(tmp_path, [], ONBOARDING)

    _stopped_with(
        done, ExitCode.DB_NOT_A_DATABASE, msg.DB_FAULTS["not_a_database"].format(where=path.resolve())
    )
    assert path.read_text(encoding="utf-8") == "不是数据库\n"


def test_a_read_only_data_directory_stops_before_the_dialog(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o555)

    done = _nianbao(tmp_path, [], ONBOARDING)

    _stopped_with(
        done,
        ExitCode.DB_CANNOT_CREATE,
        msg.DB_FAULTS["cannot_create"].format(where=_db_file(tmp_path).resolve()),
    )
    assert msg.TERM_ASK_AGENCY not in done.stdout  # nobody is asked to type for nothing
    assert list(data.iterdir()) == []


def test_a_data_directory_that_cannot_be_created_stops_with_a_message(tmp_path: Path) -> None:
    tmp_path.joinpath("locked").mkdir(mode=0o555)
    data = tmp_path / "locked" / "data"

    done = _nianbao(tmp_path, [], ONBOARDING, data_dir=data)

    _stopped_with(done, ExitCode.DB_CANNOT_CREATE, msg.DB_FAULTS["cannot_create"].format(where=data))
    assert not data.exists()


def test_a_read_only_database_file_stops_before_the_first_answer_and_keeps_the_earlier_ones(
    tmp_path: Path,
) -> None:
    _started_report(tmp_path)
    path = _db_file(tmp_path)
    path.chmod(0o444)

    done = _nianbao(tmp_path, [], ["2 1 40"])

    _stopped_with(done, ExitCode.DB_READ_ONLY, msg.DB_FAULTS["read_only"].format(where=path.resolve()))
    assert "第 3/43 项" not in done.stdout
    path.chmod(0o644)
    _resumes_with_first_answer(tmp_path)


def test_export_to_a_file_instead_of_a_directory_is_refused(tmp_path: Path) -> None:
    _started_report(tmp_path)
    target = tmp_path / "passwd"
    target.write_text("root:x:0:0\n", encoding="utf-8")

    done = _nianbao(tmp_path, ["export", "--year", "2024", "--out", str(target)])

    assert done.returncode == ExitCode.OUT_NOT_A_DIRECTORY, done.stderr[-2000:]
    assert msg.EXPORT_OUT_NOT_DIR.format(path=target) in done.stderr
    assert "Traceback" not in done.stderr
    assert target.read_text(encoding="utf-8") == "root:x:0:0\n"


def test_export_where_no_directory_can_be_made_is_refused(tmp_path: Path) -> None:
    _started_report(tmp_path)

    done = _nianbao(tmp_path, ["export", "--year", "2024", "--out", "/proc/x"])

    assert done.returncode == ExitCode.OUT_NOT_WRITABLE, done.stderr[-2000:]
    assert msg.EXPORT_OUT_UNWRITABLE.format(path="/proc/x") in done.stderr
    assert "Traceback" not in done.stderr
    assert "已导出" not in done.stdout


def test_help_lists_the_exit_codes(tmp_path: Path) -> None:
    done = _nianbao(tmp_path, ["--help"])
    assert done.returncode == 0
    for code in ExitCode:
        assert f"\n  {int(code):<3} " in done.stdout, code


async def _answer_then_lose_the_database(
    env: dict[str, str], tmp_path: Path, lose: Callable[[], object]
) -> tuple[int | None, str, str]:
    """Answer the first question, wait for the second, run `lose()`, then answer again."""
    process, stdin, stdout = await start_terminal(env, tmp_path, stderr=subprocess.PIPE)
    stdin.write(("\n".join([*ONBOARDING, "1 0 3"]) + "\n").encode())
    await stdin.drain()
    await read_until(stdout, "第 2/43 项")
    lose()
    out, err = await asyncio.wait_for(process.communicate(b"2 1 40\n"), PROCESS_LIMIT)
    return process.returncode, out.decode(), err.decode()


async def test_deleting_the_database_file_mid_dialog_stops_without_claiming_saved(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    env = terminal_env(f"sqlite:///{path}", tmp_path)

    code, out, err = await _answer_then_lose_the_database(env, tmp_path, path.unlink)

    assert code == ExitCode.DB_FILE_GONE, err[-2000:]
    assert msg.DB_FAULTS["file_gone"].format(where=path) in err
    assert "Traceback" not in err
    assert msg.TERM_NOT_SAVED in out
    assert "第 3/43 项" not in out
    assert msg.TERM_EOF not in out
    assert not path.exists()  # not silently recreated empty either


@pytest.fixture
def lone_pg() -> Iterator[PostgresCluster]:
    """A PostgreSQL server of this test's own, to stop and start (the shared one stays up)."""
    with postgres_cluster() as cluster:
        yield cluster


@pytest.mark.slow
async def test_postgres_stopping_mid_dialog_stops_the_terminal_with_a_message(
    lone_pg: PostgresCluster, tmp_path: Path
) -> None:
    url = lone_pg.create_database()
    env = terminal_env(url, tmp_path)

    code, out, err = await _answer_then_lose_the_database(env, tmp_path, lone_pg.stop)

    assert code == ExitCode.DB_SERVER_GONE, err[-2000:]
    assert msg.DB_FAULTS["server_gone"].split("（", 1)[0] in err
    assert "Traceback" not in err
    assert msg.TERM_NOT_SAVED in out
    assert msg.TERM_EOF not in out
    lone_pg.start()
    again = _nianbao(tmp_path, [], ["预览"], url=url)
    assert "第 2/43 项" in again.stdout  # the answer before the stop is kept, the one after is not
    assert "规章\t1\t0\t3\n" in again.stdout
    assert "行政规范性文件：2 1 40" not in again.stdout


STAFF = 4002


@pytest.mark.slow
async def test_telegram_bot_says_the_answer_was_not_saved_and_keeps_running(
    api: StandIn, lone_pg: PostgresCluster
) -> None:
    db = Database(lone_pg.create_database())
    await db.upgrade()
    try:
        async with running_bot(api, db):
            token = await open_round_with_agency(api, "区行政审批局", "部门")
            await join(api, STAFF, token)
            await api.send_text(STAFF, "0 0 3")
            prompt, _ = await next_prompt(api, STAFF)
            assert token_of(prompt) == "t2.normative_documents"

            lone_pg.stop()
            await api.send_text(STAFF, "1 0 12")
            assert (await api.next_reply(STAFF))["text"] == tmsg.DB_UNAVAILABLE

            lone_pg.start()
            await api.send_text(STAFF, "/fill")
            prompt, _ = await next_prompt(api, STAFF)
            assert token_of(prompt) == "t2.normative_documents"  # the lost answer was not counted
            await api.send_text(STAFF, "1 0 12")
            prompt, _ = await next_prompt(api, STAFF)
            assert token_of(prompt) == "t2.licensing"
    finally:
        await db.dispose()
