"""Runs whole dialogs through the engine and writes every turn to stdout, one `repr` per line.

The determinism test runs this module in separate processes with different PYTHONHASHSEED
values: a reply, write or state that depends on set or dict-of-set iteration order differs
between them, which no comparison inside one process can see.
"""

from __future__ import annotations

import sys

from dialogs.engine import ReportInfo
from dialogs.form import UnitKind
from tests.helpers.dialog import DEPARTMENT_FILL, GOVERNMENT_FILL, TABLES_FILL, Driver, fill

# Table 三 one short (结转下年度): the entry check rejects the row and the inputs after it land on
# the wrong questions, so the transcript also holds rejections, an unfinished report and its checklist.
_OFF_SCRIPT_FILL = tuple("3 1 0 0 1 0" if text == "4 1 0 0 1 0" else text for text in DEPARTMENT_FILL)
_AROUND_THE_REPORT = ("预览", "目录", "目录 3", "修改 3", "上一步", "跳过", "预览", "提交", "确认提交")
_RUNS: tuple[tuple[ReportInfo, tuple[str, ...]], ...] = (
    (ReportInfo("某某区行政审批局", UnitKind.DEPARTMENT, 2024), DEPARTMENT_FILL),
    (ReportInfo("某某镇人民政府", UnitKind.GOVERNMENT, 2024), GOVERNMENT_FILL),
    (ReportInfo("某某区行政审批局", UnitKind.DEPARTMENT, 2024), _OFF_SCRIPT_FILL),
    (ReportInfo("某某镇人民政府", UnitKind.GOVERNMENT, 2024), TABLES_FILL),
)


def transcript() -> str:
    turns: list[str] = []
    for info, inputs in _RUNS:
        driver = Driver(info=info)
        fill(driver, (*inputs, *_AROUND_THE_REPORT))
        turns.extend(repr(s) for s in driver.steps)
        turns.append(repr(sorted(driver.answers.items())))
    return "\n".join(turns) + "\n"


if __name__ == "__main__":
    sys.stdout.write(transcript())
