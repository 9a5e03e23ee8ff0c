"""The terminal assistant as a child process: run to the end of a piped input, or driven line by line.

Every process is the real `python -m bot` without a token, on the database URL the test names and
writing into the test's tmp_path. PROCESS_LIMIT bounds every wait, so a hung process fails the test.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from dialogs.form import Value
from tests.helpers.fixtures import answers_from_json, load_json, narratives_from_json

REPO = Path(__file__).resolve().parents[2]
PROCESS_LIMIT = 180  # seconds: a safety bound so a hung process fails the test, not a timing claim


def terminal_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """This process's environment without its NIANBAO_ settings, on `database_url` and tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NIANBAO_")}
    env.update(
        NIANBAO_DATABASE_URL=database_url,
        NIANBAO_OUTPUT_DIR=str(tmp_path / "out"),
        NIANBAO_DATA_DIR=str(tmp_path / "data"),
        PYTHONPATH=str(REPO),
    )
    return env


def run_captured(
    command: Sequence[str | Path],
    *,
    env: dict[str, str] | None,
    cwd: Path,
    lines: Sequence[str] | None = None,
    timeout: float = PROCESS_LIMIT,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`command` run to its end, its output captured as text; `lines`, when given, are its input."""
    return subprocess.run(
        [str(part) for part in command],
        input=None if lines is None else "\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
        check=False,
        preexec_fn=preexec_fn,
    )


def run_nianbao(
    args: Sequence[str], database_url: str, tmp_path: Path, lines: Sequence[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`nianbao args…` (a command-line command, or the assistant itself without args)."""
    command = [sys.executable, "-m", "bot", *args]
    return run_captured(command, env=terminal_env(database_url, tmp_path), cwd=tmp_path, lines=lines)


def run_terminal(lines: Sequence[str], database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The assistant fed `lines` from a pipe; it saves and stops at the end of its input."""
    return run_nianbao((), database_url, tmp_path, lines)


async def start_terminal(
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


async def read_until(stream: asyncio.StreamReader, marker: str) -> str:
    """The lines the process prints up to and including the first one holding `marker`."""
    seen: list[str] = []
    while True:
        line = await asyncio.wait_for(stream.readline(), PROCESS_LIMIT)
        if not line:
            raise AssertionError(f"process ended before {marker!r}:\n" + "".join(seen[-20:]))
        seen.append(line.decode("utf-8"))
        if marker in seen[-1]:
            return "".join(seen)


def real_report(path: Path) -> tuple[str, int, dict[str, Value], dict[str, Value]]:
    """A real report of ../shared: its agency, year, table answers and narratives."""
    meta = load_json(path)["report"]
    return meta["agency"], int(meta["year"]), answers_from_json(path), narratives_from_json(path)


def written_text(tmp_path: Path) -> str:
    """The one plain-text report the process wrote into tmp_path/out."""
    texts = list((tmp_path / "out").glob("*.txt"))
    assert len(texts) == 1, texts
    return texts[0].read_text(encoding="utf-8")
