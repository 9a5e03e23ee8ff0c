"""`nianbao backup` and `nianbao restore`, each run as the real process on a SQLite data directory.

What an operator relies on: a backup taken while someone is typing holds what was saved up to
then (the write-ahead log included) and resumes there once restored; a file that is not a good
nianbao database is refused and the database stays exactly as it was; the replaced database is
kept; a database still open in another process is not replaced under it.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine

from bot.failures import ExitCode
from dialogs import messages as msg
from storage.backup import known_revisions
from storage.db import alembic_config
from tests.helpers.terminal import PROCESS_LIMIT, read_until, run_captured, start_terminal, terminal_env

ONBOARDING = ["某区审批局", "1", "2024"]
FIRST_ROW = "规章\t1\t0\t3\n"  # the preview's row of the first answer


def _env(tmp_path: Path, data: Path) -> dict[str, str]:
    env = terminal_env("", tmp_path)
    del env["NIANBAO_DATABASE_URL"]
    env["NIANBAO_DATA_DIR"] = str(data)
    return env


def _nianbao(
    tmp_path: Path, data: Path, args: Sequence[str], lines: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    return run_captured(
        [sys.executable, "-m", "bot", *args], env=_env(tmp_path, data), cwd=tmp_path, lines=lines
    )


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, (done.returncode, done.stdout[-2000:], done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    return done.stdout


def _backup_path(stdout: str) -> Path:
    line = next(line for line in stdout.splitlines() if line.startswith("已备份数据库："))
    return Path(line.removeprefix("已备份数据库：").rpartition("（")[0])


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


async def test_backup_while_answering_restores_into_a_fresh_directory_at_the_same_question(
    tmp_path: Path,
) -> None:
    live = tmp_path / "live"
    process, stdin, stdout = await start_terminal(_env(tmp_path, live), tmp_path, stderr=subprocess.PIPE)
    stdin.write(("\n".join([*ONBOARDING, "1 0 3"]) + "\n").encode())
    await stdin.drain()
    await read_until(stdout, "第 2/43 项")
    wal = live / "nianbao.sqlite3-wal"
    assert wal.stat().st_size > 0  # the answer is in the log: a copy of the main file alone would miss it

    done = await asyncio.to_thread(_nianbao, tmp_path, live, ["backup"])
    out = _ok(done)
    backup = _backup_path(out)
    assert backup.parent == live / "backups"
    assert backup.name.startswith("nianbao-")
    assert "KB）" in out
    # The terminal still has the database open: it cannot be replaced under it.
    before = _files(live)
    refused = await asyncio.to_thread(_nianbao, tmp_path, live, ["restore", str(backup)])
    assert refused.returncode == ExitCode.DB_IN_USE, refused.stderr
    assert msg.RESTORE_REFUSED["in_use"].format(database=live / "nianbao.sqlite3") in refused.stderr
    assert _files(live) == before

    stdin.write(b"2 1 40\n")  # typed after the backup: not in it
    await stdin.drain()
    await read_until(stdout, "第 3/43 项")
    stdin.close()
    assert await asyncio.wait_for(process.wait(), PROCESS_LIMIT) == 0

    fresh = tmp_path / "fresh"
    restored = _ok(_nianbao(tmp_path, fresh, ["restore", str(backup)]))
    assert "已恢复数据库" in restored
    assert "被替换的数据库已保留为" not in restored  # there was none
    resumed = _ok(_nianbao(tmp_path, fresh, [], ["预览"]))
    assert "第 2/43 项" in resumed
    assert FIRST_ROW in resumed


async def test_restore_over_a_stopped_database_keeps_the_replaced_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _ok(_nianbao(tmp_path, data, [], [*ONBOARDING, "1 0 3"]))
    backup = _backup_path(_ok(_nianbao(tmp_path, data, ["backup", str(tmp_path / "first.sqlite3")])))
    assert backup == tmp_path / "first.sqlite3"
    _ok(_nianbao(tmp_path, data, [], ["2 1 40"]))  # the database moves on to item 3

    out = _ok(_nianbao(tmp_path, data, ["restore", str(backup)]))

    kept = [p for p in data.iterdir() if p.name.startswith("nianbao.sqlite3.before-restore-")]
    assert len(kept) == 1
    assert msg.RESTORE_KEPT.format(kept=kept[0]) in out
    assert "第 2/43 项" in _ok(_nianbao(tmp_path, data, [], ["预览"]))
    # The kept file is the database as it was replaced, its last answer included.
    env = _env(tmp_path, tmp_path / "unused")
    env["NIANBAO_DATABASE_URL"] = f"sqlite:///{kept[0]}"
    old = run_captured([sys.executable, "-m", "bot"], env=env, cwd=tmp_path, lines=["预览"])
    assert "第 3/43 项" in _ok(old)


def _not_sqlite(path: Path) -> None:
    path.write_text("这不是数据库\n", encoding="utf-8")


def _damaged(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    connection.execute("INSERT INTO alembic_version VALUES ('0007')")
    connection.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT)")
    connection.executemany("INSERT INTO filler (text) VALUES (?)", [("x" * 500,)] * 200)
    connection.commit()
    connection.close()
    data = bytearray(path.read_bytes())
    data[4096 * 3 : 4096 * 6] = b"\xa5" * (4096 * 3)  # the header survives, some pages do not
    path.write_bytes(bytes(data))


def _other_sqlite(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE contacts (name TEXT)")
    connection.commit()
    connection.close()


def _newer(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0999'")
    engine.dispose()


@pytest.mark.parametrize(
    ("make", "problem", "code"),
    [
        (_not_sqlite, "not_sqlite", ExitCode.DB_NOT_A_DATABASE),
        (_damaged, "damaged", ExitCode.DB_DAMAGED),
        (_other_sqlite, "not_nianbao", ExitCode.DB_NOT_A_DATABASE),
        (_newer, "newer", ExitCode.DB_NOT_A_DATABASE),
    ],
)
def test_a_file_that_is_no_good_nianbao_database_is_refused_and_nothing_changes(
    make: object, problem: str, code: ExitCode, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    _ok(_nianbao(tmp_path, data, [], [*ONBOARDING, "1 0 3"]))
    before = _files(data)
    candidate = tmp_path / "candidate.sqlite3"
    assert callable(make)
    make(candidate)
    given = candidate.read_bytes()

    done = _nianbao(tmp_path, data, ["restore", str(candidate)])

    assert done.returncode == code, (done.stdout, done.stderr[-2000:])
    expected = msg.RESTORE_REFUSED[problem].format(path=candidate, database="", detail="0999")
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
    assert _files(data) == before  # no kept copy, no leftover, the database byte for byte
    assert candidate.read_bytes() == given
    assert "第 2/43 项" in _ok(_nianbao(tmp_path, data, [], ["预览"]))


def test_a_backup_of_an_older_release_is_migrated_when_restored(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    engine = create_engine(f"sqlite:///{old}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0006")
    engine.dispose()
    data = tmp_path / "data"

    out = _ok(_nianbao(tmp_path, data, ["restore", str(old)]))

    assert "数据库版本 0006" in out
    with sqlite3.connect(data / "nianbao.sqlite3") as connection:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert revision == max(known_revisions())  # the head: revisions are numbered 0001, 0002, …
    assert "第 1/43 项" in _ok(_nianbao(tmp_path, data, [], [*ONBOARDING]))


def test_a_backup_never_overwrites_a_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _ok(_nianbao(tmp_path, data, [], [*ONBOARDING, "1 0 3"]))
    target = tmp_path / "precious.sqlite3"
    target.write_bytes(b"keep me")

    done = _nianbao(tmp_path, data, ["backup", str(target)])

    assert done.returncode == ExitCode.BAD_INPUT
    assert msg.BACKUP_EXISTS.format(path=target) in done.stderr
    assert target.read_bytes() == b"keep me"


@pytest.mark.parametrize("action", ["backup", "restore"])
def test_postgresql_gets_the_pg_tools_command_without_its_password(action: str, tmp_path: Path) -> None:
    env = terminal_env("postgresql://nianbao:Sup3r-Secret@db.example.internal:5433/nianbao", tmp_path)
    args = [action] if action == "backup" else [action, "nianbao.dump"]

    done = run_captured([sys.executable, "-m", "bot", *args], env=env, cwd=tmp_path)

    assert done.returncode == ExitCode.USE_PG_TOOLS, done.stderr
    tool = "pg_dump --format=custom" if action == "backup" else "pg_restore --clean"
    line = next(line for line in done.stderr.splitlines() if tool in line)
    for option in ("--host=db.example.internal", "--port=5433", "--username=nianbao", "--dbname=nianbao"):
        assert option in line
    assert "Sup3r-Secret" not in done.stderr + done.stdout
    assert "PGPASSWORD" in done.stderr
    assert ".pgpass" in done.stderr


def test_help_lists_backup_and_restore(tmp_path: Path) -> None:
    out = _ok(_nianbao(tmp_path, tmp_path / "data", ["--help"]))
    for name in ("backup", "restore"):
        # argparse wraps the help text: its first words start the command's line.
        assert re.search(rf"^ +{name} +{re.escape(msg.CLI_HELP[name][:12])}", out, re.MULTILINE), out
    for code in (ExitCode.DB_IN_USE, ExitCode.USE_PG_TOOLS):
        assert f"\n  {int(code):<3} " in out
