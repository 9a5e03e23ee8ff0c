"""Crash loop: a scripted fill killed with SIGKILL at seeded random points, again and again.

After every restart the dialog asks the first question not yet stored: the one after the last
answer the process confirmed (its next question was printed), or one further when the answer
in flight at the kill was committed. At the end every number of the report is there.
"""

from __future__ import annotations

import asyncio
import random
import re
import signal
import subprocess
from pathlib import Path

import pytest

from dialogs.report_2021 import form_2021, guess_unit_kind
from tests.helpers.fixtures import REAL_REPORTS
from tests.helpers.report_text import assert_tables_in_text
from tests.helpers.scripts import full_script
from tests.helpers.terminal import (
    PROCESS_LIMIT,
    read_until,
    real_report,
    start_terminal,
    terminal_env,
    written_text,
)

KILLS = 20
SEED = 14
_POSITION = re.compile(r"第 (\d+)/(\d+) 项")


@pytest.mark.slow
async def test_twenty_sigkills_lose_no_confirmed_answer_and_resume_at_the_next_question(
    tmp_path: Path,
) -> None:
    form = form_2021()
    agency, year, tables, narratives = real_report(REAL_REPORTS[0])
    unit = guess_unit_kind(agency)
    script = full_script(form, agency, unit, year, {**tables, **narratives})
    items = form.items_for(unit)
    single_line = next(i for i, item in enumerate(items) if item.is_narrative)  # one line per item before it
    env = terminal_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path)
    rng = random.Random(SEED)
    stored = 0  # items known to be stored: the dialog asks items[stored]
    survived = 0
    lines = script[:3]  # onboarding of the first run
    for _ in range(KILLS):
        process, stdin, stdout = await start_terminal(env, tmp_path, stderr=subprocess.DEVNULL)
        if lines:
            stdin.write(("\n".join(lines) + "\n").encode())
        shown = await read_until(stdout, "项")
        position = _POSITION.search(shown)
        assert position is not None, shown
        asked = int(position.group(1)) - 1
        assert asked in (stored, stored + 1), (asked, stored, shown[-500:])  # nothing confirmed is lost
        stored = asked
        for _answer in range(rng.randint(0, 2)):
            if stored + 1 >= single_line:
                break
            stdin.write((script[3 + stored] + "\n").encode())
            await read_until(stdout, f"第 {stored + 2}/{len(items)} 项")  # confirmed: the next question
            stored += 1
        if stored + 1 < single_line:
            stdin.write((script[3 + stored] + "\n").encode())  # in flight at the kill
            await stdin.drain()
            await asyncio.sleep(rng.random() * 0.05)
        process.send_signal(signal.SIGKILL)
        assert await process.wait() == -signal.SIGKILL
        survived += 1
        lines = []
    assert survived == KILLS
    process, _stdin, stdout = await start_terminal(env, tmp_path, stderr=subprocess.PIPE)
    shown = await read_until(stdout, "项")
    position = _POSITION.search(shown)
    assert position is not None
    asked = int(position.group(1)) - 1
    assert asked in (stored, stored + 1)
    out, err = await asyncio.wait_for(
        process.communicate(("\n".join(script[3 + asked :]) + "\n").encode()), PROCESS_LIMIT
    )
    assert process.returncode == 0, err.decode()[-2000:]
    assert "报告已提交" in out.decode()
    assert_tables_in_text(written_text(tmp_path), tables)
