"""Lines typed into the terminal assistant: from a pipe as they come, from a terminal in full.

A terminal in canonical mode keeps at most 4095 bytes of an unfinished line and drops the rest
(Linux's N_TTY_BUF_SIZE): a pasted overview of 5,292 characters arrived as 1,365, and the
reply still said it was recorded. So while the assistant runs, a terminal on stdin is taken out of
canonical mode (ICANON and ECHO off; signals such as Ctrl-C kept) and the editing a clerk needs
is done here: echo, Backspace by character (a Chinese character is two columns wide), Ctrl-U
for the whole line, Ctrl-D on an empty line for the end of input. Arrow keys and other escape
sequences are ignored rather than stored as answer text.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import termios
import unicodedata
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, TextIO

_READ_SIZE = 65536
_ERASE = ("\x7f", "\b")
_KILL_LINE = "\x15"
_END = "\x04"
_ESCAPE = "\x1b"


class LineSource(Protocol):
    async def readline(self) -> str:
        """The next line with its newline, or "" at the end of input (as `TextIO.readline`)."""
        ...


class PipeLines:
    """A pipe or a file: the stream's own lines, read off the event loop."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    async def readline(self) -> str:
        return await asyncio.to_thread(self.stream.readline)


class TerminalLines:
    """A terminal in non-canonical mode (see `raw_terminal`), edited and echoed here."""

    def __init__(self, fd: int, echo: TextIO) -> None:
        self.fd = fd
        self.echo = echo
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._line: list[str] = []
        self._ready: deque[str] = deque()
        self._escape = ""
        self._ended = False

    async def readline(self) -> str:
        while not self._ready and not self._ended:
            data = await self._read()
            if not data:
                self._ended = True
                break
            self._feed(self._decoder.decode(data))
        if self._ready:
            return self._ready.popleft()
        return ""

    async def _read(self) -> bytes:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(self.fd, wake)
        try:
            await ready
        finally:
            loop.remove_reader(self.fd)
        try:
            return os.read(self.fd, _READ_SIZE)
        except OSError:  # the terminal hung up
            return b""

    def _feed(self, text: str) -> None:
        shown: list[str] = []
        for char in text:
            if self._escape:
                self._escape += char
                if _escape_done(self._escape):
                    self._escape = ""
                continue
            if char == _ESCAPE:
                self._escape = char
            elif char in "\r\n":
                shown.append("\n")
                self._ready.append("".join(self._line) + "\n")
                self._line.clear()
            elif char in _ERASE:
                if self._line:
                    shown.append(_rub_out(self._line.pop()))
            elif char == _KILL_LINE:
                shown.extend(_rub_out(c) for c in reversed(self._line))
                self._line.clear()
            elif char == _END:
                if not self._line:
                    self._ended = True
                    break
            elif char == "\t" or char >= " ":
                self._line.append(char)
                shown.append(char)
        if shown:
            self.echo.write("".join(shown))
            self.echo.flush()


def _escape_done(sequence: str) -> bool:
    """ESC x, ESC O x (SS3) and ESC [ params final (CSI, e.g. an arrow key or a bracketed paste)."""
    if len(sequence) == 2:
        return sequence[1] not in "[O"
    return sequence[1] == "O" or "@" <= sequence[-1] <= "~"


def _rub_out(char: str) -> str:
    width = 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return "\b" * width + " " * width + "\b" * width


@contextmanager
def raw_terminal(fd: int) -> Iterator[None]:
    """The terminal on `fd` without canonical mode and echo while the block runs."""
    saved = termios.tcgetattr(fd)
    changed = termios.tcgetattr(fd)
    changed[3] &= ~(termios.ICANON | termios.ECHO)
    changed[6][termios.VMIN] = 1
    changed[6][termios.VTIME] = 0
    termios.tcsetattr(fd, termios.TCSANOW, changed)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


@contextmanager
def line_source(inp: TextIO, out: TextIO) -> Iterator[LineSource]:
    """Lines from `inp`: edited here when it is a terminal, as they come otherwise."""
    if not inp.isatty():
        yield PipeLines(inp)
        return
    fd = inp.fileno()
    with raw_terminal(fd):
        yield TerminalLines(fd, out)
