"""The terminal assistant on a real terminal: `nianbao` on a pseudo-terminal, typed at like a clerk.

A terminal in canonical mode cuts a line at 4095 bytes; a pasted 总体情况 must arrive whole.
"""

from __future__ import annotations

import os
import pty
import sqlite3
import subprocess
import sys
import termios
import threading
from pathlib import Path

from tests.helpers.terminal import PROCESS_LIMIT, terminal_env

OVERVIEW_ITEM = 35  # 一、总体情况 — 开篇概述 in a department's dialog (修改 35)


class _Pty:
    """A process on the slave side of a pty; everything it writes is collected from the master."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.master, slave = pty.openpty()
        self.slave_name = os.ttyname(slave)
        self.initial_modes = termios.tcgetattr(slave)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            stdin=slave,
            stdout=slave,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
            start_new_session=True,  # no controlling terminal to be stopped by (SIGTTOU)
        )
        os.close(slave)
        self._output = bytearray()
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # the slave side closed
                data = b""
            with self._changed:
                if not data:
                    self._output += b"\0EOF"
                    self._changed.notify_all()
                    return
                self._output += data
                self._changed.notify_all()

    @property
    def output(self) -> str:
        with self._changed:
            return self._output.decode("utf-8", errors="replace")

    def expect(self, marker: str, *, after: int = 0) -> int:
        """Waits until `marker` is written after offset `after`; returns the offset after it."""
        with self._changed:
            self._changed.wait_for(
                lambda: marker.encode() in self._output[after:] or self._output.endswith(b"\0EOF"),
                PROCESS_LIMIT,
            )
            index = self._output.find(marker.encode(), after)
            assert index >= 0, f"no {marker!r} in:\n{self._output[after:].decode(errors='replace')[-3000:]}"
            return index + len(marker.encode())

    def modes(self) -> list[object]:
        """The terminal's current settings (termios.tcgetattr)."""
        fd = os.open(self.slave_name, os.O_RDONLY | os.O_NOCTTY)
        try:
            return termios.tcgetattr(fd)
        finally:
            os.close(fd)

    def type(self, text: str) -> None:
        data = text.encode()
        while data:
            written = os.write(self.master, data)
            data = data[written:]

    def finish(self) -> int:
        returncode = self.process.wait(PROCESS_LIMIT)
        assert self.process.stderr is not None
        with self.process.stderr:
            self.errors = self.process.stderr.read().decode(errors="replace")
        self._reader.join(PROCESS_LIMIT)
        os.close(self.master)
        return returncode


def _stored(tmp_path: Path, key: str) -> str:
    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
        row = conn.execute("SELECT value FROM answer WHERE key = ?", (key,)).fetchone()
    assert row is not None, key
    return str(row[0])


def test_a_paste_longer_than_the_tty_line_limit_is_stored_whole(tmp_path: Path) -> None:
    paste = ("本机关坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》。" * 150)[:5292]
    assert len(paste.encode()) > 3 * 4095  # several times the canonical line limit
    term = _Pty(terminal_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path), tmp_path)
    mark = term.expect("请输入单位全称")
    for line in ("某区审批局", "1", ""):
        term.type(line + "\r")  # Enter on a terminal sends CR
    mark = term.expect("第 1/43 项", after=mark)
    term.type(f"修改 {OVERVIEW_ITEM}\r")
    mark = term.expect("开篇概述", after=mark)
    term.type(paste + "\r")
    mark = term.expect("已记录「一、总体情况 — 开篇概述」第 1 段", after=mark)
    # Line editing still works: Backspace takes back a whole (two columns wide) character.
    term.type("第二段落\x7f\x7f段。\r")
    mark = term.expect("第 2 段", after=mark)
    term.type("\x04")  # Ctrl-D on an empty line: end of input, everything kept
    term.expect("再次运行 ./nianbao 将从当前问题继续", after=mark)
    assert term.finish() == 0, term.errors
    assert _stored(tmp_path, "text.overview") == f"{paste}\n第二段。"
    assert "第二段落\b\b  \b\b\b\b  \b\b段。" in term.output  # each wide character rubbed out in 2 columns


def test_the_terminal_settings_are_restored_when_the_assistant_ends(tmp_path: Path) -> None:
    term = _Pty(terminal_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path), tmp_path)
    term.expect("请输入单位全称")
    local_modes = 3
    assert not int(term.modes()[local_modes]) & termios.ICANON  # type: ignore[call-overload]
    term.type("退出\r")
    term.expect("已保存。再次运行")
    after = term.modes()
    assert term.finish() == 0
    assert after == term.initial_modes
