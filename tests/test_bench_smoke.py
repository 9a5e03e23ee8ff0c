"""`python -m bench` at a tiny size: every row of its table is there with sane numbers.

Not a performance test (nothing here compares a time with a limit): it keeps the one benchmark
command from rotting. About half a minute: it starts twelve processes and PostgreSQL.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.suite import CASES

REPO = Path(__file__).resolve().parents[1]
# The data rows (by the start of their label) and whether each is judged against a target.
DATA_ROWS = {
    "dashboard: counts and first page": True,
    "dashboard: open reports, a page mid-list": True,
    "dashboard: one agency's detail": True,
    "baseline: a bare count": False,
    "aggregate: 2": True,  # "aggregate: 20 handed-in reports summed by the database" at the quick size
    "aggregate: the reports read": False,
    "aggregate: the sums alone": False,
    "export workbook: reports read": True,
    "baseline: a bare read": False,
    "reminder scan (reminders_due": True,
    "reminder tick: ensure_reports": False,
    "coordinator digest lists": False,
}


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _row(table: str, label: str) -> list[str]:
    found = [line for line in table.splitlines() if line.startswith(f"| {label}")]
    assert found, f"no row {label!r} in the table"
    return _cells(found[0])


@pytest.mark.slow
def test_quick_run_writes_every_row(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    table = out.read_text(encoding="utf-8")
    assert table in done.stdout  # printed as written

    for key in ("CPU", "Python", "packages", "databases", "agencies", "staff filling at once", "total"):
        assert _row(table, key)[1], key

    sections = table.split("Ratios to the stock echo bot")
    absolute, ratios = sections[0], sections[1]
    for case in CASES:
        p50, p95, per_s, cpu, rss, lost, errors = _row(absolute, case.label)[1:8]
        assert 0 < float(p50) <= float(p95), case.label
        assert float(per_s) > 0, case.label
        assert float(cpu) > 0, case.label
        assert float(rss) > 20, case.label
        assert (lost, errors) == ("0", "0"), case.label
        cells = _row(ratios, case.label)
        assert all(re.fullmatch(r"\d+\.\d\d×", c) for c in cells[1:11]), cells
        if case.nianbao:
            assert all(re.fullmatch(r"\*\*(pass|miss)\*\* \(\d+\.\d\d×\)", c) for c in cells[11:13]), cells
    assert _row(ratios, "PTB echo bot, stock")[1] == "1.00×"
    assert _row(ratios, "PTB echo bot on nianbao's aiohttp transport")[6] == "1.00×"

    data = table.split("## Data")[1]
    for label, targeted in DATA_ROWS.items():
        cells = _row(data, label)
        for figure in cells[1:3]:
            assert re.fullmatch(r"\d+(\.\d+)? m?s", figure), (label, figure)
        if targeted:
            assert re.fullmatch(r"≤ \d+ m?s", cells[3]), cells
            assert {cells[4], cells[5]} <= {"**pass**", "**miss**"}, cells
        else:
            assert cells[3:6] == ["–", "–", "–"], cells
    for step in ("text", "markdown", "html", "docx", "import txt", "import docx", "import pdf"):
        assert _row(data, step)
    for message in ("early answer", "edit in a complete report"):
        assert _row(data, message)
    assert "Reminder delivery" in data
    for case in CASES:
        assert _row(table.split("## Every round")[1], f"{case.label}, round 1")
